#include "api/terminal_api_handlers.h"

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
        auto purchase = domain::PurchaseFromJson(*json);
        if (!purchase.ok()) return reply(purchase.error());
        // A terminal speaks only for itself and its own store.
        if (purchase->store_id != terminal.store_id) {
          return reply(Error{ErrorCode::kPermissionDenied,
                             "terminal " + terminal.terminal_id + " belongs to store " +
                                 terminal.store_id,
                             "store_id"});
        }
        if (purchase->terminal_id != terminal.terminal_id) {
          return reply(Error{ErrorCode::kPermissionDenied,
                             "this credential belongs to terminal " + terminal.terminal_id,
                             "terminal_id"});
        }
        store.RecordPurchaseAsync(
            std::move(purchase).value(), Now(),
            [reply = std::move(reply)](Result<RecordedPurchase> recorded) {
              if (!recorded.ok()) return reply(recorded.error());
              reply(http::Response::Json(api::PurchaseAckToJson(recorded->ack),
                                         recorded->replay ? 200 : 201));
            });
      }));

  router.AddAsync(http::Verb::get, "/v1/catalog",
                  Authenticated(store, [&store](const http::Request&, const TerminalIdentity&,
                                                http::Reply reply) {
                    reply(http::Response::Json(domain::CatalogToJson(store.LoadCatalog())));
                  }));
}

}  // namespace loyalty::server
