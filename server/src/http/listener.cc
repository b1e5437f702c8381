#include "http/listener.h"

#include <pthread.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <cctype>
#include <cmath>
#include <mutex>
#include <optional>
#include <vector>

#include "loyalty/core/log.h"

namespace loyalty::server::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = asio::ip::tcp;

namespace {

bool IsNoise(const beast::error_code& ec) {
  // Clients that vanish, time out or close without a TLS close_notify are ordinary on
  // a shop network; they are not worth a warning each.
  return ec == asio::error::operation_aborted || ec == bhttp::error::end_of_stream ||
         ec == asio::error::eof || ec == beast::error::timeout ||
         ec == asio::ssl::error::stream_truncated || ec == asio::error::connection_reset;
}

void Fail(const beast::error_code& ec, const char* what) {
  if (IsNoise(ec)) return;
  log::Warn("connection error", {{"step", what}, {"error", ec.message()}});
}

// application/x-www-form-urlencoded, as browsers send a form or URLSearchParams: '+' is a
// space and %XX a byte (the portal's search sends "ada lovelace" and "ada%40example").
// A '%' without two hex digits after it stays as it is.
std::string FormDecoded(std::string_view text) {
  const auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string decoded;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '+') {
      decoded += ' ';
    } else if (text[i] == '%' && i + 2 < text.size() && hex(text[i + 1]) >= 0 &&
               hex(text[i + 2]) >= 0) {
      decoded += static_cast<char>(hex(text[i + 1]) * 16 + hex(text[i + 2]));
      i += 2;
    } else {
      decoded += text[i];
    }
  }
  return decoded;
}

std::map<std::string, std::string> ParseQuery(std::string_view query) {
  std::map<std::string, std::string> values;
  while (!query.empty()) {
    const auto amp = query.find('&');
    const auto pair = query.substr(0, amp);
    const auto eq = pair.find('=');
    values[FormDecoded(pair.substr(0, eq))] =
        eq == std::string_view::npos ? std::string() : FormDecoded(pair.substr(eq + 1));
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return values;
}

class Session;

}  // namespace

// The live sessions, so a drain can reach the idle ones.
class HttpsServer::Sessions {
 public:
  void Add(const std::shared_ptr<Session>& session) {
    std::lock_guard lock(mutex_);
    std::erase_if(sessions_, [](const auto& weak) { return weak.expired(); });
    sessions_.push_back(session);
  }
  std::vector<std::shared_ptr<Session>> Live() {
    std::lock_guard lock(mutex_);
    std::vector<std::shared_ptr<Session>> live;
    for (const auto& weak : sessions_) {
      if (auto session = weak.lock()) live.push_back(std::move(session));
    }
    return live;
  }
  std::atomic<bool> draining{false};

 private:
  std::mutex mutex_;
  std::vector<std::weak_ptr<Session>> sessions_;
};

namespace {

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket&& socket, asio::ssl::context& ssl_context, const Router& router,
          const ServerOptions& options, std::shared_ptr<HttpsServer::Sessions> sessions)
      : stream_(std::move(socket), ssl_context),
        router_(router),
        options_(options),
        sessions_(std::move(sessions)) {
    beast::error_code ec;
    const auto endpoint = beast::get_lowest_layer(stream_).socket().remote_endpoint(ec);
    if (!ec) remote_address_ = endpoint.address().to_string();
  }

  // Drain: an idle connection is closed now; a busy one closes after its answer.
  void Drain() {
    asio::post(stream_.get_executor(), [self = shared_from_this()] {
      if (!self->busy_) beast::get_lowest_layer(self->stream_).cancel();
    });
  }

  void Run() {
    // Start on the connection's strand so every handler of the session runs serially.
    asio::dispatch(stream_.get_executor(),
                   beast::bind_front_handler(&Session::OnRun, shared_from_this()));
  }

 private:
  void OnRun() {
    beast::get_lowest_layer(stream_).expires_after(options_.handshake_timeout);
    stream_.async_handshake(asio::ssl::stream_base::server,
                            beast::bind_front_handler(&Session::OnHandshake, shared_from_this()));
  }

  void OnHandshake(beast::error_code ec) {
    if (ec) return Fail(ec, "handshake");
    DoRead(options_.request_timeout);
  }

  void DoRead(std::chrono::seconds timeout) {
    if (sessions_->draining) return DoClose();
    parser_.emplace();
    parser_->body_limit(options_.body_limit);
    parser_->header_limit(16 * 1024);
    beast::get_lowest_layer(stream_).expires_after(timeout);
    bhttp::async_read(stream_, buffer_, *parser_,
                      beast::bind_front_handler(&Session::OnRead, shared_from_this()));
  }

  void OnRead(beast::error_code ec, std::size_t) {
    // Every answer, errors included, is timed from the moment its request was read.
    started_ = std::chrono::steady_clock::now();
    if (ec == bhttp::error::end_of_stream) return DoClose();
    if (ec == bhttp::error::body_limit) {
      linger_ = true;
      return Send(ErrorResponse(Error{ErrorCode::kInvalidArgument,
                                      "request body is larger than " +
                                          std::to_string(options_.body_limit) + " bytes",
                                      "body"}),
                  413, false, "too_large");
    }
    // Any other parse error (a bad Content-Length, chunk or header field...) is the
    // client's mistake too; partial_message is a client gone mid-request, nobody to answer.
    if (ec.category() == bhttp::make_error_code(bhttp::error::bad_method).category() &&
        ec != bhttp::error::partial_message) {
      linger_ = true;
      return Send(ErrorResponse(InvalidArgument("request", "malformed HTTP request")), 400, false,
                  "malformed");
    }
    if (ec) return Fail(ec, "read");

    auto message = parser_->release();
    auto request = std::make_shared<Request>();
    request->method = message.method();
    const std::string_view target = message.target();
    const auto question = target.find('?');
    request->path = std::string(target.substr(0, question));
    if (question != std::string_view::npos) {
      request->query = ParseQuery(target.substr(question + 1));
    }
    for (const auto& field : message) {
      std::string name(field.name_string());
      for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      request->headers[name] = std::string(field.value());
    }
    request->body = std::move(message.body());
    request->remote_address = remote_address_;
    method_ = std::string(message.method_string());
    const bool keep_alive = message.keep_alive();
    busy_ = true;
    // Keeps the I/O threads running while the answer is computed elsewhere (the storage
    // writer), so a drain never ends with an answer nobody can send.
    auto in_flight =
        std::make_shared<asio::executor_work_guard<asio::any_io_executor>>(stream_.get_executor());
    // The handler may answer from another thread (the storage writer); the reply is
    // posted back to this connection's strand before it touches the stream.
    router_.Dispatch(std::move(request), [self = shared_from_this(), keep_alive, in_flight](
                                             Response response, const std::string& route) {
      asio::post(self->stream_.get_executor(),
                 [self, response = std::move(response), keep_alive, route, in_flight]() mutable {
                   self->Send(std::move(response), 0, keep_alive, route);
                   in_flight->reset();
                 });
    });
  }

  void Send(Response response, unsigned status_override, bool keep_alive, std::string route) {
    auto reply = std::make_shared<bhttp::response<bhttp::string_body>>(
        static_cast<bhttp::status>(status_override ? status_override : response.status), 11);
    reply->set(bhttp::field::server, "loyalty-server");
    reply->set(bhttp::field::content_type, response.content_type);
    // API answers are never cached; a handler that serves files says otherwise.
    reply->set(bhttp::field::cache_control, "no-store");
    for (const auto& [name, value] : response.headers) {
      if (beast::iequals(name, "Cache-Control")) reply->erase(bhttp::field::cache_control);
      reply->insert(name, value);
    }
    reply->keep_alive(keep_alive && !sessions_->draining);
    reply->body() = std::move(response.body);
    reply->prepare_payload();
    const auto elapsed =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started_)
            .count();
    if (options_.on_request) {
      options_.on_request(method_.empty() ? "-" : method_, route, reply->result_int(),
                          elapsed / 1000);
    }
    log::Info("request", {{"method", method_.empty() ? "-" : method_},
                          {"route", route},
                          {"status", reply->result_int()},
                          {"duration_ms", std::round(elapsed * 100) / 100},
                          {"remote", remote_address_}});
    reply_ = reply;
    beast::get_lowest_layer(stream_).expires_after(options_.request_timeout);
    bhttp::async_write(
        stream_, *reply,
        beast::bind_front_handler(&Session::OnWrite, shared_from_this(), reply->keep_alive()));
  }

  void OnWrite(bool keep_alive, beast::error_code ec, std::size_t) {
    reply_.reset();
    busy_ = false;
    if (ec) return Fail(ec, "write");
    if (linger_) return DoLingeringClose();
    if (!keep_alive) return DoClose();
    DoRead(options_.idle_timeout);
  }

  // After answering a request that was not read to its end (a body over the limit, a
  // malformed message). Closing at once with the client's bytes unread makes the kernel
  // reset the connection, and the reset can destroy the answer before the client reads
  // it. So, as RFC 9112 section 9.6 advises, stop sending, then read and drop whatever
  // the client still sends until it closes: for a few seconds and a few MiB at most.
  void DoLingeringClose() {
    auto& lowest = beast::get_lowest_layer(stream_);
    beast::error_code ignored;
    lowest.socket().shutdown(tcp::socket::shutdown_send, ignored);
    lowest.expires_after(std::min(options_.request_timeout, std::chrono::seconds(5)));
    linger_budget_ = 4 * options_.body_limit;
    discard_.resize(16 * 1024);
    DoDiscard();
  }

  void DoDiscard() {
    beast::get_lowest_layer(stream_).async_read_some(
        asio::buffer(discard_), [self = shared_from_this()](beast::error_code ec, std::size_t n) {
          // End of stream, the deadline or an error: the session ends, closing the socket.
          if (ec || n >= self->linger_budget_) return;
          self->linger_budget_ -= n;
          self->DoDiscard();
        });
  }

  void DoClose() {
    beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(5));
    stream_.async_shutdown([self = shared_from_this()](beast::error_code) {});
  }

  beast::ssl_stream<beast::tcp_stream> stream_;
  const Router& router_;
  const ServerOptions& options_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  std::shared_ptr<void> reply_;
  std::shared_ptr<HttpsServer::Sessions> sessions_;
  bool busy_ = false;              // a request is being answered; touched only on the strand
  bool linger_ = false;            // answering a request not read to its end; close by lingering
  std::size_t linger_budget_ = 0;  // bytes still to drop while lingering
  std::vector<char> discard_;
  std::string remote_address_;
  std::string method_;
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
};

}  // namespace

class HttpsServer::Listener : public std::enable_shared_from_this<Listener> {
 public:
  Listener(asio::io_context& io, asio::ssl::context& ssl_context, const Router& router,
           const ServerOptions& options, std::shared_ptr<Sessions> sessions)
      : io_(io),
        acceptor_(asio::make_strand(io)),
        ssl_context_(ssl_context),
        router_(router),
        options_(options),
        sessions_(std::move(sessions)) {
    const tcp::endpoint endpoint(asio::ip::make_address(options.address), options.port);
    acceptor_.open(endpoint.protocol());
    acceptor_.set_option(asio::socket_base::reuse_address(true));
    acceptor_.bind(endpoint);
    acceptor_.listen(asio::socket_base::max_listen_connections);
  }

  std::uint16_t port() const { return acceptor_.local_endpoint().port(); }

  void Start() { DoAccept(); }

  void Stop() {
    asio::post(acceptor_.get_executor(), [self = shared_from_this()] {
      beast::error_code ec;
      self->acceptor_.close(ec);
    });
  }

 private:
  void DoAccept() {
    acceptor_.async_accept(asio::make_strand(io_),
                           beast::bind_front_handler(&Listener::OnAccept, shared_from_this()));
  }

  void OnAccept(beast::error_code ec, tcp::socket socket) {
    if (ec == asio::error::operation_aborted || !acceptor_.is_open()) return;
    if (ec) {
      Fail(ec, "accept");
    } else {
      auto session =
          std::make_shared<Session>(std::move(socket), ssl_context_, router_, options_, sessions_);
      sessions_->Add(session);
      session->Run();
    }
    DoAccept();
  }

  asio::io_context& io_;
  tcp::acceptor acceptor_;
  asio::ssl::context& ssl_context_;
  const Router& router_;
  const ServerOptions& options_;
  std::shared_ptr<Sessions> sessions_;
};

HttpsServer::HttpsServer(ServerOptions options, asio::ssl::context& ssl_context,
                         const Router& router)
    : options_(std::move(options)), sessions_(std::make_shared<Sessions>()), io_(options_.threads) {
  listener_ = std::make_shared<Listener>(io_, ssl_context, router, options_, sessions_);
  port_ = listener_->port();
}

HttpsServer::~HttpsServer() = default;

void HttpsServer::Run() {
  listener_->Start();
  std::vector<std::thread> threads;
  for (int i = 1; i < options_.threads; ++i) {
    threads.emplace_back([this] {
      pthread_setname_np(pthread_self(), "https-io");
      io_.run();
    });
  }
  pthread_setname_np(pthread_self(), "https-io");
  io_.run();
  for (auto& thread : threads) thread.join();
  {
    std::lock_guard lock(run_mutex_);
    finished_ = true;
  }
  run_finished_.notify_all();
  if (watchdog_.joinable()) watchdog_.join();
}

void HttpsServer::Drain() {
  if (sessions_->draining.exchange(true)) return;
  listener_->Stop();
  for (const auto& session : sessions_->Live()) session->Drain();
  // Past the deadline, stop regardless: a client that never finishes its request must
  // not keep the server from shutting down. A thread, not an asio timer, because a
  // pending timer would itself keep Run() from returning when all else is done.
  watchdog_ = std::thread([this] {
    std::unique_lock lock(run_mutex_);
    if (!run_finished_.wait_for(lock, options_.drain_timeout, [&] { return finished_; })) {
      log::Warn("drain timed out; stopping with connections open");
      io_.stop();
    }
  });
}

}  // namespace loyalty::server::http
