#include "server/server_client.h"


#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "loyalty/codec/json_reader.h"
#include "loyalty/core/file.h"

namespace loyalty::terminal {
namespace {

net::HttpsClientOptions HttpOptions(const ServerOptions& options) {
  auto endpoint = net::ParseHttpsUrl(options.url);
  if (!endpoint.ok()) throw std::invalid_argument(endpoint.error().ToString());
  net::HttpsClientOptions http;
  http.endpoint = *endpoint;
  http.ca_file = options.ca_file;
  http.timeout = options.timeout;
  if (!options.credential.empty()) {
    http.headers = {{"Authorization", "Bearer " + options.credential}};
  }
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

// The enrollment answer and the credential file hold the same three fields.
Result<TerminalCredential> CredentialFromJson(const nlohmann::json& json) {
  codec::FieldErrors errors;
  codec::ObjectReader reader(json, "", errors);
  TerminalCredential credential;
  credential.terminal_id = reader.RequiredString("terminal_id", 64);
  credential.store_id = reader.RequiredString("store_id", 32);
  credential.credential = reader.RequiredString("credential", 128);
  reader.Finish();
  if (!errors.ok()) return errors.error();
  return credential;
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
              "server answered HTTP " + std::to_string(response->status),
              {}};
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
  if (!ack.ok())
    return Unavailable("server's purchase answer is malformed: " + ack.error().ToString());
  return ack;
}

Result<std::vector<Result<api::PurchaseAck>>> ServerClient::PostPurchaseBatch(
    const std::vector<std::string>& purchase_jsons) {
  // The journal holds each purchase as the JSON text it was checked as; joining the
  // texts avoids parsing and re-serialising hundreds of them.
  std::string body = R"({"purchases":[)";
  for (std::size_t i = 0; i < purchase_jsons.size(); ++i) {
    if (i > 0) body += ',';
    body += purchase_jsons[i];
  }
  body += "]}";
  auto json =
      Decode(http_.Post(std::string(api::kPurchasesPath) + "/batch", std::move(body)), {200});
  if (!json.ok()) return json.error();
  const auto results = json->find("results");
  if (results == json->end() || !results->is_array() || results->size() != purchase_jsons.size()) {
    return Unavailable("server's batch answer does not match the batch");
  }
  std::vector<Result<api::PurchaseAck>> outcomes;
  for (const auto& result : *results) {
    const unsigned status =
        result.is_object() && result.contains("status") && result["status"].is_number_unsigned()
            ? result["status"].get<unsigned>()
            : 0;
    if ((status == 200 || status == 201) && result.contains("ack")) {
      auto ack = api::PurchaseAckFromJson(result["ack"], coupon_key_);
      outcomes.push_back(ack.ok() ? std::move(ack)
                                  : Result<api::PurchaseAck>(
                                        Unavailable("malformed ack: " + ack.error().ToString())));
      continue;
    }
    Error error{CodeForStatus(status), "server answered " + std::to_string(status), {}};
    if (result.contains("error") && result["error"].is_object()) {
      error.message = result["error"].value("message", error.message);
      error.field = result["error"].value("field", "");
    }
    outcomes.push_back(std::move(error));
  }
  return outcomes;
}

Result<TerminalCredential> ServerClient::Enroll(const std::string& code, const std::string& name) {
  const nlohmann::json body = {{"code", code}, {"name", name}};
  auto json = Decode(http_.Post("/v1/terminals/enroll", body.dump()), {201});
  if (!json.ok()) return json.error();
  auto credential = CredentialFromJson(*json);
  if (!credential.ok()) {
    return Unavailable("server's enrollment answer is malformed: " + credential.error().ToString());
  }
  return credential;
}

Status ServerClient::Heartbeat(std::int64_t backlog, const std::string& software_version) {
  const nlohmann::json body = {{"backlog", backlog}, {"software_version", software_version}};
  auto json = Decode(http_.Post("/v1/terminals/heartbeat", body.dump()), {200});
  return json.status();
}

Result<TerminalCredential> LoadCredential(const std::string& path) {
  std::ifstream file(path);
  if (!file) {
    return NotFound("no credential file at " + path +
                    "; enroll first: loyalty-terminal enroll --code CODE ...");
  }
  std::stringstream text;
  text << file.rdbuf();
  auto json = codec::ParseJson(text.str());
  if (!json.ok()) return InvalidArgument("credential", path + ": " + json.error().message);
  auto credential = CredentialFromJson(*json);
  if (!credential.ok()) {
    return InvalidArgument("credential", path + ": " + credential.error().ToString());
  }
  return credential;
}

Status SaveCredential(const std::string& path, const TerminalCredential& credential) {
  const nlohmann::json json = {{"terminal_id", credential.terminal_id},
                               {"store_id", credential.store_id},
                               {"credential", credential.credential}};
  // Readable by the terminal's user alone from the first byte: it is a password.
  return WriteFileAtomically(path, json.dump(2) + "\n", 0600);
}

Result<domain::Catalog> ServerClient::FetchCatalog(std::int64_t since) {
  const std::string target =
      std::string(api::kCatalogPath) + (since > 0 ? "?since=" + std::to_string(since) : "");
  auto response = http_.Get(target);
  if (!response.ok() || response->status != 200) return Decode(response, {200}).error();
  auto catalog = domain::CatalogFromJsonText(response->body);
  if (!catalog.ok()) return Unavailable("server sent a catalog that does not decode: " +
                                        catalog.error().ToString());
  return catalog;
}

}  // namespace loyalty::terminal
