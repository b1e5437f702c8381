#include "api/terminal_api_handlers.h"

#include <mutex>

#include "loyalty/codec/json_reader.h"

namespace loyalty::server {
namespace {

using TerminalHandler =
    std::function<void(const http::Request&, const TerminalIdentity&, http::Reply)>;

// Every terminal route but enrollment needs "Authorization: Bearer <credential>".
http::AsyncHandler Authenticated(Store& store, TerminalHandler handler) {
  return [&store, handler = std::move(handler)](const http::Request& request, http::Reply reply) {
    const auto header = request.headers.find("authorization");
    constexpr std::string_view kBearer = "Bearer ";
    if (header == request.headers.end() || !header->second.starts_with(kBearer)) {
      return reply(Error{ErrorCode::kUnauthenticated,
                         "missing terminal credential (Authorization: Bearer ...)",
                         "authorization"});
    }
    auto terminal = store.AuthenticateTerminal(header->second.substr(kBearer.size()));
    if (!terminal.ok()) return reply(terminal.error());
    handler(request, *terminal, std::move(reply));
  };
}

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

void AddTerminalApiRoutes(http::Router& router, Store& store) {
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

  router.AddAsync(http::Verb::post, "/v1/terminals/heartbeat",
                  Authenticated(store, [&store](const http::Request& request,
                                                const TerminalIdentity& terminal, http::Reply reply) {
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
          return reply(InvalidArgument("purchases", "a batch holds 1 to " +
                                                        std::to_string(kMaxBatch) + " purchases"));
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
                  Authenticated(store, [&store](const http::Request&, const TerminalIdentity&,
                                                http::Reply reply) {
                    reply(http::Response::Json(domain::CatalogToJson(store.LoadCatalog())));
                  }));
}

}  // namespace loyalty::server
