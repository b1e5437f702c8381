// A small blocking HTTPS/1.1 client on Boost.Beast with OpenSSL, for terminals, tools
// and benchmarks. It verifies the server's certificate against a given CA file (the
// server's own self-signed certificate in a single-store set-up) and its host name or
// IP, keeps the connection alive between requests, and bounds every step with a timeout.
// Not thread-safe: use one client per thread.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "loyalty/core/result.h"

namespace loyalty::net {

struct HttpsEndpoint {
  std::string host;  // name or IP literal, as the certificate must name it
  std::string port;
};

// "https://127.0.0.1:8443" or "https://pos.example:443"; only https is accepted.
Result<HttpsEndpoint> ParseHttpsUrl(std::string_view url);

struct HttpsClientOptions {
  HttpsEndpoint endpoint;
  std::string ca_file;                     // PEM certificates to trust; required
  std::chrono::milliseconds timeout{3000};  // for each of connect, handshake, write, read
  std::vector<std::pair<std::string, std::string>> headers;  // sent with every request
};

struct HttpResponse {
  unsigned status = 0;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;

  // The first header called `name` (any case), e.g. Set-Cookie.
  std::optional<std::string> Header(std::string_view name) const;
};

class HttpsClient {
 public:
  explicit HttpsClient(HttpsClientOptions options);
  ~HttpsClient();
  HttpsClient(const HttpsClient&) = delete;
  HttpsClient& operator=(const HttpsClient&) = delete;

  // A response of any status is a value; kUnavailable/kTimeout mean no response came.
  Result<HttpResponse> Get(std::string_view target);
  Result<HttpResponse> Post(std::string_view target, std::string body);
  Result<HttpResponse> Put(std::string_view target, std::string body);
  Result<HttpResponse> Delete(std::string_view target);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace loyalty::net
