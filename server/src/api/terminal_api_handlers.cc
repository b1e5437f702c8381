#include "api/terminal_api_handlers.h"

#include <mutex>

#include "api/terminal_auth.h"
#include "loyalty/codec/json_reader.h"
#include "loyalty/core/number.h"
#include "loyalty/crypto/coupon_token.h"

namespace loyalty::server {
namespace {

Result<nlohmann::json> JsonBody(const http::Request& request) {
  return codec::ParseJson(request.body);
}

// A purchase as the terminal sent it, checked, and refused if it speaks for another
// terminal or store: a terminal speaks only for itself.
Result<domain::Purchase> TerminalPurchase(const nlohmann::json& json,
                                          const TerminalIdentity& terminal,
                                          const std::string& path = "") {
  auto purchase = domain::PurchaseFromJson(json);
  if (!purchase.ok()) {
    Error error = purchase.error();
    if (!path.empty()) error.field = path + "." + error.field;
    return error;
  }
  const auto field = [&](const char* name) { return path.empty() ? name : path + "." + name; };
  if (purchase->store_id != terminal.store_id) {
    return Error{ErrorCode::kPermissionDenied,
                 "terminal " + terminal.terminal_id + " belongs to store " + terminal.store_id,
                 field("store_id")};
  }
  if (purchase->terminal_id != terminal.terminal_id) {
    return Error{ErrorCode::kPermissionDenied,
                 "this credential belongs to terminal " + terminal.terminal_id,
                 field("terminal_id")};
  }
  return purchase;
}

nlohmann::json ErrorJson(const Error& error) {
  nlohmann::json body = {{"code", ErrorCodeName(error.code)}, {"message", error.message}};
  if (!error.field.empty()) body["field"] = error.field;
  return body;
}

constexpr std::size_t kMaxBatch = 500;

}  // namespace

void AddTerminalApiRoutes(http::Router& router, Store& store,
                          const crypto::VerifyKey& signing_key) {
  router.Add(http::Verb::post, "/v1/terminals/enroll",
             [&store](const http::Request& request) -> Result<http::Response> {
               auto json = JsonBody(request);
               if (!json.ok()) return json.error();
               codec::FieldErrors errors;
               codec::ObjectReader body(*json, "", errors);
               const std::string code = body.RequiredString("code", 32);
               const std::string name = body.RequiredString("name", 100);
               body.Finish();
               if (!errors.ok()) return errors.error();
               auto enrolled = store.EnrollTerminal(code, name, Now());
               if (!enrolled.ok()) return enrolled.error();
               return http::Response::Json({{"terminal_id", enrolled->identity.terminal_id},
                                            {"store_id", enrolled->identity.store_id},
                                            {"credential", enrolled->credential}},
                                           201);
             });

  router.AddAsync(
      http::Verb::post, "/v1/terminals/heartbeat",
      Authenticated(store, [&store](const http::Request& request, const TerminalIdentity& terminal,
                                    http::Reply reply) {
        auto json = JsonBody(request);
        if (!json.ok()) return reply(json.error());
        codec::FieldErrors errors;
        codec::ObjectReader body(*json, "", errors);
        const std::int64_t backlog = body.RequiredInt("backlog", 0, 100'000'000);
        const std::string version = body.RequiredString("software_version", 64);
        body.Finish();
        if (!errors.ok()) return reply(errors.error());
        store.RecordHeartbeat(terminal, backlog, version, Now());
        reply(http::Response::Json({{"terminal_id", terminal.terminal_id},
                                    {"server_time", FormatUtc(Now())},
                                    {"catalog_version", store.CatalogVersion()}}));
      }));

  router.AddAsync(http::Verb::get, "/v1/cards/{card_number}",
                  Authenticated(store, [&store](const http::Request& request,
                                                const TerminalIdentity&, http::Reply reply) {
                    auto card = CardNumber::Parse(request.params.at("card_number"));
                    if (!card.ok()) return reply(card.error());
                    auto lookup = store.LookupCard(*card, Now());
                    if (!lookup.ok()) return reply(lookup.error());
                    reply(http::Response::Json(api::CardLookupToJson(*lookup)));
                  }));

  router.AddAsync(
      http::Verb::post, "/v1/purchases",
      Authenticated(store, [&store](const http::Request& request, const TerminalIdentity& terminal,
                                    http::Reply reply) {
        auto json = JsonBody(request);
        if (!json.ok()) return reply(json.error());
        auto purchase = TerminalPurchase(*json, terminal);
        if (!purchase.ok()) return reply(purchase.error());
        store.RecordPurchaseAsync(
            std::move(purchase).value(), Now(),
            [reply = std::move(reply)](Result<RecordedPurchase> recorded) {
              if (!recorded.ok()) return reply(recorded.error());
              reply(http::Response::Json(api::PurchaseAckToJson(recorded->ack),
                                         recorded->replay ? 200 : 201));
            });
      }));

  // A terminal catching up after an outage sends its backlog in batches. Each purchase
  // gets its own outcome; one bad purchase does not hold back the others.
  router.AddAsync(
      http::Verb::post, "/v1/purchases/batch",
      Authenticated(store, [&store](const http::Request& request, const TerminalIdentity& terminal,
                                    http::Reply reply) {
        auto json = JsonBody(request);
        if (!json.ok()) return reply(json.error());
        if (!json->is_object() || !json->contains("purchases") || json->size() != 1 ||
            !(*json)["purchases"].is_array()) {
          return reply(InvalidArgument("purchases", "body must be {\"purchases\": [...]}"));
        }
        const auto& items = (*json)["purchases"];
        if (items.empty() || items.size() > kMaxBatch) {
          return reply(InvalidArgument(
              "purchases", "a batch holds 1 to " + std::to_string(kMaxBatch) + " purchases"));
        }
        struct Batch {
          std::mutex mutex;
          nlohmann::json results;
          std::size_t pending;
          http::Reply reply;
        };
        auto batch = std::make_shared<Batch>();
        batch->results = nlohmann::json::array();
        for (std::size_t i = 0; i < items.size(); ++i) batch->results.push_back(nullptr);
        batch->pending = items.size();
        batch->reply = std::move(reply);
        const auto settle = [batch](std::size_t index, nlohmann::json result) {
          std::lock_guard lock(batch->mutex);
          batch->results[index] = std::move(result);
          if (--batch->pending == 0) {
            batch->reply(http::Response::Json({{"results", std::move(batch->results)}}));
          }
        };
        for (std::size_t i = 0; i < items.size(); ++i) {
          auto purchase =
              TerminalPurchase(items[i], terminal, "purchases[" + std::to_string(i) + "]");
          if (!purchase.ok()) {
            settle(i, {{"status", http::HttpStatusFor(purchase.error().code)},
                       {"error", ErrorJson(purchase.error())}});
            continue;
          }
          const std::string id = purchase->id.str();
          store.RecordPurchaseAsync(
              std::move(purchase).value(), Now(),
              [settle, i, id](Result<RecordedPurchase> recorded) {
                if (!recorded.ok()) {
                  return settle(i, {{"purchase_id", id},
                                    {"status", http::HttpStatusFor(recorded.error().code)},
                                    {"error", ErrorJson(recorded.error())}});
                }
                settle(i, {{"purchase_id", id},
                           {"status", recorded->replay ? 200 : 201},
                           {"ack", api::PurchaseAckToJson(recorded->ack)}});
              });
        }
      }));

  router.AddAsync(http::Verb::get, "/v1/catalog",
                  Authenticated(store, [&store](const http::Request& request,
                                                const TerminalIdentity&, http::Reply reply) {
                    std::int64_t since = 0;
                    if (const auto it = request.query.find("since"); it != request.query.end()) {
                      const auto version = ParseWholeNumber(it->second, INT64_MAX);
                      if (!version) {
                        return reply(InvalidArgument("since", "must be a catalog version number"));
                      }
                      since = *version;
                    }
                    reply(http::Response::Json(domain::CatalogToJson(store.LoadCatalog(since))));
                  }));

  router.AddAsync(
      http::Verb::post, "/v1/returns",
      Authenticated(store, [&store](const http::Request& request, const TerminalIdentity& terminal,
                                    http::Reply reply) {
        auto json = JsonBody(request);
        if (!json.ok()) return reply(json.error());
        auto sale_return = domain::SaleReturnFromJson(*json);
        if (!sale_return.ok()) return reply(sale_return.error());
        if (sale_return->store_id != terminal.store_id ||
            sale_return->terminal_id != terminal.terminal_id) {
          return reply(
              Error{ErrorCode::kPermissionDenied,
                    "this credential belongs to terminal " + terminal.terminal_id + " of store " +
                        terminal.store_id,
                    sale_return->store_id != terminal.store_id ? "store_id" : "terminal_id"});
        }
        store.RecordReturnAsync(
            std::move(sale_return).value(), Now(),
            [reply = std::move(reply)](Result<RecordedReturn> recorded) {
              if (!recorded.ok()) return reply(recorded.error());
              reply(http::Response::Json(
                  {{"return_id", recorded->return_id},
                   {"refund", recorded->refund_minor},
                   {"voided_coupons", recorded->voided_coupons},
                   {"already_redeemed_coupons", recorded->already_redeemed_coupons}},
                  recorded->replay ? 200 : 201));
            });
      }));

  // Is this coupon good for this card now? For a coupon scanned from a receipt while
  // the server is reachable; offline, the terminal checks the signature alone.
  router.AddAsync(
      http::Verb::post, "/v1/coupons/check",
      Authenticated(store, [&store, &signing_key](const http::Request& request,
                                                  const TerminalIdentity&, http::Reply reply) {
        auto json = JsonBody(request);
        if (!json.ok()) return reply(json.error());
        codec::FieldErrors errors;
        codec::ObjectReader body(*json, "", errors);
        const std::string token = body.RequiredString("token", crypto::kMaxCouponTokenLength);
        const std::string card_text = body.RequiredString("card_number", 13);
        body.Finish();
        if (!errors.ok()) return reply(errors.error());
        auto card = CardNumber::Parse(card_text);
        if (!card.ok()) return reply(card.error());
        auto coupon = crypto::VerifyCouponToken(token, signing_key);
        const auto answer = [&](bool valid, const std::string& reason) {
          nlohmann::json result = {{"valid", valid}, {"reason", reason}};
          if (coupon.ok()) result["coupon"] = domain::CouponToJson(*coupon);
          reply(http::Response::Json(result));
        };
        if (!coupon.ok()) return answer(false, coupon.error().message);
        auto state = store.CouponState(coupon->id);
        if (!state.ok()) return answer(false, "not issued by this server");
        auto holder = store.LookupCard(*card, Now());
        if (!holder.ok()) return reply(holder.error());
        if (!holder->customer || holder->customer->id != state->customer_id) {
          return answer(false, "issued to another customer");
        }
        if (state->redeemed) return answer(false, "already redeemed");
        if (state->voided) return answer(false, "voided: the purchase that earned it was returned");
        if (!coupon->IsLive(Now()))
          return answer(false, "expired " + FormatUtc(coupon->expires_at));
        answer(true, "ok");
      }));
}

}  // namespace loyalty::server
