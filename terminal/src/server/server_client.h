// The terminal's view of the server API v1. Answers are decoded strictly and every
// coupon is trusted only through its verified signature. Not thread-safe: one per thread.
#pragma once

#include <memory>
#include <string>

#include "loyalty/api/terminal_api.h"
#include "loyalty/domain/catalog.h"
#include "loyalty/domain/purchase.h"
#include "loyalty/net/https_client.h"

namespace loyalty::terminal {

struct ServerOptions {
  std::string url;      // https://host:port
  std::string ca_file;  // the server's certificate (or its CA)
  std::chrono::milliseconds timeout{2000};
  std::string store_id;     // from the terminal's enrollment
  std::string terminal_id;  // from the terminal's enrollment
  std::string credential;   // secret from enrollment; empty only to enroll
};

// What enrollment gives a terminal, kept in its credential file (mode 0600).
struct TerminalCredential {
  std::string terminal_id;
  std::string store_id;
  std::string credential;
};

Result<TerminalCredential> LoadCredential(const std::string& path);
Status SaveCredential(const std::string& path, const TerminalCredential& credential);

class ServerClient {
 public:
  // The coupon key must outlive the client.
  ServerClient(const ServerOptions& options, const crypto::VerifyKey& coupon_key);

  Result<api::CardLookup> LookupCard(const CardNumber& card);
  // kInvalidArgument/kConflict: the server refused this purchase for good;
  // kUnavailable/kTimeout: try again later.
  Result<api::PurchaseAck> PostPurchase(const std::string& purchase_json);
  // Up to 500 journaled purchases in one request; an outcome per purchase, in order,
  // with the same error codes as PostPurchase. The outer error means nothing was heard.
  Result<std::vector<Result<api::PurchaseAck>>> PostPurchaseBatch(
      const std::vector<std::string>& purchase_jsons);
  // The whole catalog, or with since > 0 only what changed after that version.
  Result<domain::Catalog> FetchCatalog(std::int64_t since = 0);
  // Exchanges a one-time code for this terminal's identity and credential.
  Result<TerminalCredential> Enroll(const std::string& code, const std::string& name);
  Status Heartbeat(std::int64_t backlog, const std::string& software_version);

 private:
  Result<nlohmann::json> Decode(const Result<net::HttpResponse>& response,
                                std::initializer_list<unsigned> ok_statuses);

  net::HttpsClient http_;
  const crypto::VerifyKey& coupon_key_;
};

}  // namespace loyalty::terminal
