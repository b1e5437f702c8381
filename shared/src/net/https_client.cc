#include "loyalty/net/https_client.h"

#include <algorithm>
#include <cctype>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/version.hpp>
#include <optional>

#include "loyalty/core/number.h"

namespace loyalty::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

Result<HttpsEndpoint> ParseHttpsUrl(std::string_view url) {
  constexpr std::string_view kScheme = "https://";
  if (!url.starts_with(kScheme)) {
    return InvalidArgument("server_url", "must start with https:// (plain HTTP is refused)");
  }
  std::string_view rest = url.substr(kScheme.size());
  if (const auto slash = rest.find('/'); slash != std::string_view::npos) {
    if (rest.substr(slash) != "/") {
      return InvalidArgument("server_url", "must not have a path");
    }
    rest = rest.substr(0, slash);
  }
  HttpsEndpoint endpoint;
  const auto colon = rest.rfind(':');
  if (colon == std::string_view::npos || rest.ends_with(']')) {
    endpoint.host = std::string(rest);
    endpoint.port = "443";
  } else {
    endpoint.host = std::string(rest.substr(0, colon));
    endpoint.port = std::string(rest.substr(colon + 1));
  }
  if (endpoint.host.starts_with('[') && endpoint.host.ends_with(']')) {
    endpoint.host = endpoint.host.substr(1, endpoint.host.size() - 2);
  }
  if (endpoint.host.empty()) return InvalidArgument("server_url", "has no host");
  if (const auto port = ParseWholeNumber(endpoint.port, 65535); !port || *port == 0) {
    return InvalidArgument("server_url", "has an invalid port");
  }
  return endpoint;
}

struct HttpsClient::Impl {
  explicit Impl(HttpsClientOptions opts)
      : options(std::move(opts)), ssl_context(asio::ssl::context::tls_client) {
    ssl_context.set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                            asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                            asio::ssl::context::no_tlsv1_1);
    ssl_context.set_verify_mode(asio::ssl::verify_peer);
    beast::error_code ec;
    ssl_context.load_verify_file(options.ca_file, ec);
    if (ec) ca_error = "cannot load CA file " + options.ca_file + ": " + ec.message();
  }

  // Runs one asynchronous step to completion; the stream's expiry bounds it.
  template <typename Start>
  beast::error_code Await(Start&& start) {
    beast::error_code result = asio::error::would_block;
    start([&result](beast::error_code ec, auto&&...) { result = ec; });
    io.restart();
    io.run();
    return result;
  }

  Result<std::monostate> Connect() {
    if (!ca_error.empty()) return Unavailable(ca_error);
    beast::error_code ec;
    tcp::resolver resolver(io);
    const auto addresses = resolver.resolve(options.endpoint.host, options.endpoint.port, ec);
    if (ec) return Unavailable("cannot resolve " + options.endpoint.host + ": " + ec.message());

    stream.emplace(io, ssl_context);
    // SNI only for names; an IP literal in SNI is a protocol violation.
    asio::ip::make_address(options.endpoint.host, ec);
    if (ec) {
      // SSL_set_tlsext_host_name is a macro with a C cast; this is what it expands to.
      SSL_ctrl(stream->native_handle(), SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
               const_cast<char*>(options.endpoint.host.c_str()));
    }
    stream->set_verify_callback(asio::ssl::host_name_verification(options.endpoint.host));

    auto& socket = beast::get_lowest_layer(*stream);
    socket.expires_after(options.timeout);
    ec = Await([&](auto handler) { socket.async_connect(addresses, std::move(handler)); });
    if (ec) return Failure("connect", ec);
    socket.expires_after(options.timeout);
    ec = Await([&](auto handler) {
      stream->async_handshake(asio::ssl::stream_base::client, std::move(handler));
    });
    if (ec) return Failure("TLS handshake", ec);
    return std::monostate{};
  }

  Error Failure(const std::string& step, const beast::error_code& ec) {
    stream.reset();
    const std::string where = options.endpoint.host + ":" + options.endpoint.port;
    if (ec == beast::error::timeout) {
      return Error{ErrorCode::kTimeout, step + " to " + where + " timed out", {}};
    }
    return Unavailable(step + " to " + where + " failed: " + ec.message());
  }

  Result<HttpResponse> SendOnce(http::verb verb, std::string_view target, const std::string& body) {
    if (!stream) {
      auto connected = Connect();
      if (!connected.ok()) return connected.error();
    }
    http::request<http::string_body> request{verb, target, 11};
    request.set(http::field::host, options.endpoint.host);
    request.set(http::field::user_agent, "loyalty-pos/" BOOST_BEAST_VERSION_STRING);
    for (const auto& [name, value] : options.headers) request.set(name, value);
    if (verb == http::verb::post || verb == http::verb::put) {
      // JSON unless the caller's headers said otherwise.
      if (request.find(http::field::content_type) == request.end()) {
        request.set(http::field::content_type, "application/json");
      }
      request.body() = body;
    }
    request.keep_alive(true);
    request.prepare_payload();

    auto& socket = beast::get_lowest_layer(*stream);
    socket.expires_after(options.timeout);
    beast::error_code ec =
        Await([&](auto handler) { http::async_write(*stream, request, std::move(handler)); });
    if (ec) return Failure("write", ec);

    http::response_parser<http::string_body> parser;
    parser.body_limit(64 * 1024 * 1024);
    buffer.clear();
    socket.expires_after(options.timeout);
    ec =
        Await([&](auto handler) { http::async_read(*stream, buffer, parser, std::move(handler)); });
    if (ec) return Failure("read", ec);
    auto response = parser.release();
    if (!response.keep_alive()) stream.reset();
    HttpResponse answer{response.result_int(), std::move(response.body()), {}};
    for (const auto& field : response) {
      answer.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    }
    return answer;
  }

  Result<HttpResponse> Send(http::verb verb, std::string_view target, const std::string& body) {
    const bool reused = stream.has_value();
    auto response = SendOnce(verb, target, body);
    // A kept-alive connection the server has since closed fails on first use; one
    // retry on a fresh connection is safe because every API call is idempotent.
    if (!response.ok() && reused) response = SendOnce(verb, target, body);
    return response;
  }

  HttpsClientOptions options;
  asio::io_context io;
  asio::ssl::context ssl_context;
  std::string ca_error;
  std::optional<beast::ssl_stream<beast::tcp_stream>> stream;
  beast::flat_buffer buffer;
};

HttpsClient::HttpsClient(HttpsClientOptions options)
    : impl_(std::make_unique<Impl>(std::move(options))) {}

HttpsClient::~HttpsClient() = default;

Result<HttpResponse> HttpsClient::Get(std::string_view target) {
  return impl_->Send(http::verb::get, target, {});
}

Result<HttpResponse> HttpsClient::Post(std::string_view target, std::string body) {
  return impl_->Send(http::verb::post, target, body);
}

Result<HttpResponse> HttpsClient::Put(std::string_view target, std::string body) {
  return impl_->Send(http::verb::put, target, body);
}

Result<HttpResponse> HttpsClient::Delete(std::string_view target) {
  return impl_->Send(http::verb::delete_, target, {});
}

std::optional<std::string> HttpResponse::Header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (key.size() == name.size() &&
        std::equal(key.begin(), key.end(), name.begin(), [](char a, char b) {
          return std::tolower(static_cast<unsigned char>(a)) ==
                 std::tolower(static_cast<unsigned char>(b));
        })) {
      return value;
    }
  }
  return std::nullopt;
}

}  // namespace loyalty::net
