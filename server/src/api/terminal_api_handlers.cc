#include "api/terminal_api_handlers.h"

#include "loyalty/codec/json_reader.h"

namespace loyalty::server {

void AddTerminalApiRoutes(http::Router& router, Store& store) {
  router.Add(http::Verb::get, "/v1/cards/{card_number}",
             [&store](const http::Request& request) -> Result<http::Response> {
               auto card = CardNumber::Parse(request.params.at("card_number"));
               if (!card.ok()) return card.error();
               auto lookup = store.LookupCard(*card, Now());
               if (!lookup.ok()) return lookup.error();
               return http::Response::Json(api::CardLookupToJson(*lookup));
             });

  router.AddAsync(http::Verb::post, "/v1/purchases",
                  [&store](const http::Request& request, http::Reply reply) {
                    auto json = codec::ParseJson(request.body);
                    if (!json.ok()) return reply(json.error());
                    auto purchase = domain::PurchaseFromJson(*json);
                    if (!purchase.ok()) return reply(purchase.error());
                    store.RecordPurchaseAsync(
                        std::move(purchase).value(), Now(),
                        [reply = std::move(reply)](Result<RecordedPurchase> recorded) {
                          if (!recorded.ok()) return reply(recorded.error());
                          reply(http::Response::Json(api::PurchaseAckToJson(recorded->ack),
                                                     recorded->replay ? 200 : 201));
                        });
                  });

  router.Add(http::Verb::get, "/v1/catalog", [&store](const http::Request&) -> Result<http::Response> {
    return http::Response::Json(domain::CatalogToJson(store.LoadCatalog()));
  });
}

}  // namespace loyalty::server
