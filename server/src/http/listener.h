// The HTTPS server: a listener accepting TCP connections and a session per connection
// doing TLS handshake, read, dispatch, write, in the shape of Beast's async-ssl example.
// Every step has a timeout; bodies are capped; handlers run on the I/O threads.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "http/router.h"

namespace loyalty::server::http {

struct ServerOptions {
  std::string address = "127.0.0.1";
  std::uint16_t port = 8443;  // 0 picks a free port; see HttpsServer::port()
  int threads = 2;
  std::size_t body_limit = 1024 * 1024;  // larger bodies get 413
  std::chrono::seconds handshake_timeout{10};
  std::chrono::seconds request_timeout{30};  // to read one whole request
  std::chrono::seconds idle_timeout{60};     // between keep-alive requests
  std::chrono::seconds drain_timeout{20};    // SIGTERM: most we wait for in-flight work
  // Told of every answered request, for metrics: method, route pattern, status, seconds.
  std::function<void(const std::string&, const std::string&, unsigned, double)> on_request;
};

class HttpsServer {
 public:
  class Sessions;  // the live connections; opaque

  // Binds and listens at once, so port() is known and bind errors throw here.
  HttpsServer(ServerOptions options, boost::asio::ssl::context& ssl_context, const Router& router);
  ~HttpsServer();

  std::uint16_t port() const { return port_; }
  // Serves on `threads` threads until Stop(); returns after they finish.
  void Run();
  // Graceful stop: no new connections; requests in flight are answered (with
  // "Connection: close"), idle connections are closed, and Run() returns once all are
  // done, or after drain_timeout at the latest. Safe to call from any thread.
  void Drain();
  boost::asio::io_context& io_context() { return io_; }

 private:
  class Listener;
  ServerOptions options_;
  std::shared_ptr<Sessions> sessions_;
  boost::asio::io_context io_;
  std::shared_ptr<Listener> listener_;
  std::uint16_t port_ = 0;
  std::mutex run_mutex_;
  std::condition_variable run_finished_;
  bool finished_ = false;
  std::thread watchdog_;
};

}  // namespace loyalty::server::http
