#include "server/server_client.h"

#include <algorithm>

#include "loyalty/codec/json_reader.h"

namespace loyalty::terminal {
namespace {

net::HttpsClientOptions HttpOptions(const ServerOptions& options) {
  auto endpoint = net::ParseHttpsUrl(options.url);
  if (!endpoint.ok()) throw std::invalid_argument(endpoint.error().ToString());
  net::HttpsClientOptions http;
  http.endpoint = *endpoint;
  http.ca_file = options.ca_file;
  http.timeout = options.timeout;
  http.headers = {{"X-Store-Id", options.store_id}, {"X-Terminal-Id", options.terminal_id}};
  return http;
}

ErrorCode CodeForStatus(unsigned status) {
  if (status == 400 || status == 413 || status == 422) return ErrorCode::kInvalidArgument;
  if (status == 401) return ErrorCode::kUnauthenticated;
  if (status == 403) return ErrorCode::kPermissionDenied;
  if (status == 404) return ErrorCode::kNotFound;
  if (status == 409) return ErrorCode::kConflict;
  return ErrorCode::kUnavailable;  // 5xx and anything unexpected: worth a retry later
}

}  // namespace

ServerClient::ServerClient(const ServerOptions& options, const crypto::VerifyKey& coupon_key)
    : http_(HttpOptions(options)), coupon_key_(coupon_key) {}

Result<nlohmann::json> ServerClient::Decode(const Result<net::HttpResponse>& response,
                                            std::initializer_list<unsigned> ok_statuses) {
  if (!response.ok()) return response.error();
  auto json = codec::ParseJson(response->body, 32);
  const bool expected =
      std::find(ok_statuses.begin(), ok_statuses.end(), response->status) != ok_statuses.end();
  if (expected) {
    if (!json.ok()) return Unavailable("server sent a body that is not JSON");
    return json;
  }
  Error error{CodeForStatus(response->status),
              "server answered HTTP " + std::to_string(response->status), {}};
  if (json.ok() && json->contains("error") && (*json)["error"].is_object()) {
    const auto& body = (*json)["error"];
    if (body.contains("message") && body["message"].is_string()) {
      error.message = body["message"].get<std::string>();
    }
    if (body.contains("field") && body["field"].is_string()) {
      error.field = body["field"].get<std::string>();
    }
  }
  return error;
}

Result<api::CardLookup> ServerClient::LookupCard(const CardNumber& card) {
  auto json = Decode(http_.Get(std::string(api::kCardsPath) + card.digits()), {200});
  if (!json.ok()) return json.error();
  return api::CardLookupFromJson(*json, coupon_key_);
}

Result<api::PurchaseAck> ServerClient::PostPurchase(const std::string& purchase_json) {
  auto json = Decode(http_.Post(api::kPurchasesPath, purchase_json), {200, 201});
  if (!json.ok()) return json.error();
  auto ack = api::PurchaseAckFromJson(*json, coupon_key_);
  // The server stored the sale even if its answer does not decode; report that as
  // unavailable so the retry fetches the (idempotent) answer again.
  if (!ack.ok()) return Unavailable("server's purchase answer is malformed: " + ack.error().ToString());
  return ack;
}

Result<domain::Catalog> ServerClient::FetchCatalog() {
  auto json = Decode(http_.Get(api::kCatalogPath), {200});
  if (!json.ok()) return json.error();
  return domain::CatalogFromJson(*json);
}

}  // namespace loyalty::terminal
