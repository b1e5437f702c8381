#include "api/portal_auth.h"

#include <openssl/crypto.h>

#include <algorithm>
#include <cctype>

#include "auth/credentials.h"
#include "auth/password.h"
#include "loyalty/codec/json_reader.h"
#include "loyalty/core/log.h"

namespace loyalty::server {
namespace {

// A hash to verify against when the e-mail is unknown, so an unknown account takes as
// long to refuse as a wrong password and the timing does not tell which e-mails exist.
const std::string& DecoyHash() {
  static const std::string hash = auth::HashPassword("decoy password, never valid").value();
  return hash;
}

std::optional<std::string> SessionToken(const http::Request& request) {
  const auto it = request.headers.find("cookie");
  if (it == request.headers.end()) return std::nullopt;
  const std::string prefix = std::string(kSessionCookie) + "=";
  std::string_view cookies = it->second;
  while (!cookies.empty()) {
    const auto end = cookies.find(';');
    std::string_view item = cookies.substr(0, end);
    while (item.starts_with(' ')) item.remove_prefix(1);
    if (item.starts_with(prefix)) return std::string(item.substr(prefix.size()));
    if (end == std::string_view::npos) break;
    cookies.remove_prefix(end + 1);
  }
  return std::nullopt;
}

std::string SessionCookie(const std::string& token, std::chrono::seconds max_age) {
  return std::string(kSessionCookie) + "=" + token + "; Path=/; Max-Age=" +
         std::to_string(max_age.count()) + "; HttpOnly; Secure; SameSite=Strict";
}

nlohmann::json UserJson(const PortalUser& user) {
  return {{"id", user.id},
          {"email", user.email},
          {"name", user.name},
          {"role", PortalRoleName(user.role)},
          {"stores", user.stores}};
}

Result<PortalCaller> Caller(Store& store, const http::Request& request) {
  const auto token = SessionToken(request);
  if (!token) return Error{ErrorCode::kUnauthenticated, "log in first", ""};
  auto found = store.FindPortalSession(auth::HashSecret(*token), Now());
  if (!found.ok()) return found.error();
  return PortalCaller{std::move(found->second), std::move(found->first)};
}

bool CsrfMatches(const http::Request& request, const PortalSession& session) {
  const auto it = request.headers.find("x-csrf-token");
  return it != request.headers.end() && it->second.size() == session.csrf_token.size() &&
         CRYPTO_memcmp(it->second.data(), session.csrf_token.data(), it->second.size()) == 0;
}

}  // namespace

// The catalog's changes since its current version name it without reading a product.
std::string ChainCurrency(Store& store) {
  return store.LoadCatalog(store.CatalogVersion()).currency.code();
}

bool PortalCaller::MaySeeStore(const std::string& store_id) const {
  if (user.role != PortalRole::kStoreManager) return true;
  return std::find(user.stores.begin(), user.stores.end(), store_id) != user.stores.end();
}

http::Handler PortalAuthenticated(Store& store, std::set<PortalRole> roles, PortalHandler handler) {
  return [&store, roles = std::move(roles),
          handler = std::move(handler)](const http::Request& request) -> Result<http::Response> {
    auto caller = Caller(store, request);
    if (!caller.ok()) return caller.error();
    if (request.method != http::Verb::get && !CsrfMatches(request, caller->session)) {
      return Error{ErrorCode::kPermissionDenied, "missing or wrong X-CSRF-Token header", ""};
    }
    if (!roles.contains(caller->user.role)) {
      return Error{ErrorCode::kPermissionDenied,
                   std::string("not allowed for the role ") + PortalRoleName(caller->user.role), ""};
    }
    return handler(request, *caller);
  };
}

void AddPortalSessionRoutes(http::Router& router, Store& store, auth::LoginThrottle& throttle) {
  router.Add(http::Verb::post, "/portal/api/session",
             [&store, &throttle](const http::Request& request) -> Result<http::Response> {
               // A form on another site can post text/plain with the browser's cookies
               // but cannot send application/json without a preflight: this keeps a
               // foreign page from logging a victim into the attacker's account.
               const auto type = request.headers.find("content-type");
               if (type == request.headers.end() ||
                   type->second.rfind("application/json", 0) != 0) {
                 return InvalidArgument("content-type", "log in with application/json");
               }
               auto json = codec::ParseJson(request.body);
               if (!json.ok()) return json.error();
               codec::FieldErrors errors;
               codec::ObjectReader body(*json, "", errors);
               const std::string email = body.RequiredString("email", 254);
               const std::string password = body.RequiredString("password", 1024);
               body.Finish();
               if (!errors.ok()) return errors.error();
               const Timestamp now = Now();
               const std::string account_key = NormalisedEmail(email);
               if (auto wait = throttle.BeginAttempt(request.remote_address, account_key, now)) {
                 http::Response refused = http::ErrorResponse(
                     Error{ErrorCode::kResourceExhausted,
                           "too many failed logins; try again in " +
                               std::to_string(wait->count()) + " s",
                           ""});
                 refused.headers.emplace_back("Retry-After", std::to_string(wait->count()));
                 return refused;
               }
               auto account = store.PortalUserForLogin(account_key);
               const std::string& hash = account.ok() ? account->second : DecoyHash();
               auto verified = auth::VerifyPassword(password, hash);
               if (!verified.ok()) {
                 // A damaged stored hash is the operator's to fix; to the caller it is a
                 // refused login like any other, so it tells nothing about the account.
                 log::Error("portal account has an unreadable password hash",
                            {{"error", verified.error().ToString()}});
               }
               if (!account.ok() || !verified.ok() || !*verified || account->first.disabled) {
                 log::Warn("portal login refused", {{"remote", request.remote_address}});
                 return Error{ErrorCode::kUnauthenticated, "wrong e-mail or password", ""};
               }
               throttle.Succeeded(request.remote_address, account_key);
               const PortalUser& user = account->first;
               if (auth::NeedsRehash(hash)) {
                 if (auto rehashed = auth::HashPassword(password); rehashed.ok()) {
                   (void)store.SetPortalPassword(user.id, *rehashed);
                 }
               }
               const std::string token = auth::NewTerminalCredential();
               PortalSession session{auth::HashSecret(token), user.id,
                                     auth::NewTerminalCredential(), now,
                                     now + std::chrono::duration_cast<std::chrono::seconds>(
                                               kSessionLifetime),
                                     request.remote_address};
               if (auto created = store.CreatePortalSession(session); !created.ok()) {
                 return created.error();
               }
               AuditStoredAction(store,
                                 {now, user.id, "login", "portal_user:" + std::to_string(user.id),
                                  nlohmann::json::object(), request.remote_address});
               auto response = http::Response::Json({{"user", UserJson(user)},
                                                     {"csrf_token", session.csrf_token},
                                                     {"currency", ChainCurrency(store)}});
               response.headers.emplace_back(
                   "Set-Cookie",
                   SessionCookie(token, std::chrono::duration_cast<std::chrono::seconds>(
                                            kSessionLifetime)));
               return response;
             });

  router.Add(
      http::Verb::get, "/portal/api/session",
      PortalAuthenticated(
          store, {PortalRole::kAdmin, PortalRole::kStoreManager, PortalRole::kAnalyst},
          [&store](const http::Request&, const PortalCaller& caller) -> Result<http::Response> {
            return http::Response::Json({{"user", UserJson(caller.user)},
                                         {"csrf_token", caller.session.csrf_token},
                                         {"expires_at", FormatUtc(caller.session.expires_at)},
                                         {"currency", ChainCurrency(store)}});
          }));

  router.Add(http::Verb::delete_, "/portal/api/session",
             PortalAuthenticated(
                 store, {PortalRole::kAdmin, PortalRole::kStoreManager, PortalRole::kAnalyst},
                 [&store](const http::Request& request,
                          const PortalCaller& caller) -> Result<http::Response> {
                   if (auto deleted = store.DeletePortalSession(caller.session.token_hash);
                       !deleted.ok()) {
                     return deleted.error();
                   }
                   AuditStoredAction(store, {Now(), caller.user.id, "logout",
                                             "portal_user:" + std::to_string(caller.user.id),
                                             nlohmann::json::object(), request.remote_address});
                   http::Response response;
                   response.status = 204;
                   response.headers.emplace_back("Set-Cookie",
                                                 SessionCookie("", std::chrono::seconds(0)));
                   return response;
                 }));
}

}  // namespace loyalty::server
