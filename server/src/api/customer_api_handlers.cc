#include "api/customer_api_handlers.h"

#include "api/terminal_auth.h"
#include "loyalty/codec/json_reader.h"
#include "loyalty/core/number.h"

namespace loyalty::server {

void AddCustomerApiRoutes(http::Router& router, Store& store) {
  router.AddAsync(http::Verb::post, "/v1/cards/{card_number}/registration",
                  Authenticated(store, [&store](const http::Request& request,
                                                const TerminalIdentity&, http::Reply reply) {
                    auto card = CardNumber::Parse(request.params.at("card_number"));
                    if (!card.ok()) return reply(card.error());
                    auto json = codec::ParseJson(request.body);
                    if (!json.ok()) return reply(json.error());
                    auto details = domain::CustomerDetailsFromJson(*json);
                    if (!details.ok()) return reply(details.error());
                    auto customer = store.RegisterCustomer(*card, *details, Now());
                    if (!customer.ok()) return reply(customer.error());
                    reply(http::Response::Json({{"customer_id", *customer}}));
                  }));

  router.AddAsync(http::Verb::post, "/v1/cards/{card_number}/replacement",
                  Authenticated(store, [&store](const http::Request& request,
                                                const TerminalIdentity&, http::Reply reply) {
                    auto lost = CardNumber::Parse(request.params.at("card_number"));
                    if (!lost.ok()) return reply(lost.error());
                    auto json = codec::ParseJson(request.body);
                    if (!json.ok()) return reply(json.error());
                    codec::FieldErrors errors;
                    codec::ObjectReader body(*json, "", errors);
                    const std::string replacement_text = body.RequiredString("new_card_number", 13);
                    body.Finish();
                    if (!errors.ok()) return reply(errors.error());
                    auto replacement = CardNumber::Parse(replacement_text, "new_card_number");
                    if (!replacement.ok()) return reply(replacement.error());
                    auto customer = store.ReplaceCard(*lost, *replacement, Now());
                    if (!customer.ok()) return reply(customer.error());
                    reply(http::Response::Json({{"customer_id", *customer},
                                                {"blocked_card", lost->Masked()},
                                                {"active_card", replacement->Masked()}}));
                  }));

  router.AddAsync(http::Verb::post, "/v1/customers/{customer_id}/cards",
                  Authenticated(store, [&store](const http::Request& request,
                                                const TerminalIdentity&, http::Reply reply) {
                    const auto id = ParseWholeNumber(request.params.at("customer_id"), INT64_MAX);
                    if (!id) {
                      return reply(InvalidArgument("customer_id", "must be a customer number"));
                    }
                    const std::int64_t customer_id = *id;
                    auto json = codec::ParseJson(request.body);
                    if (!json.ok()) return reply(json.error());
                    codec::FieldErrors errors;
                    codec::ObjectReader body(*json, "", errors);
                    const std::string card_text = body.RequiredString("card_number", 13);
                    body.Finish();
                    if (!errors.ok()) return reply(errors.error());
                    auto card = CardNumber::Parse(card_text);
                    if (!card.ok()) return reply(card.error());
                    if (auto added = store.AddCard(customer_id, *card, Now()); !added.ok()) {
                      return reply(added.error());
                    }
                    reply(http::Response::Json(
                        {{"customer_id", customer_id}, {"card_number", card->Masked()}}, 201));
                  }));
}

}  // namespace loyalty::server
