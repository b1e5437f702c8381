// Uploads journaled sales to the server in the order they were finished, exactly once
// as far as the server is concerned (the sale's UUID is its idempotency key), retrying
// with exponential backoff while the server cannot be reached. Runs its own thread with
// its own journal connection and HTTPS client.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "server/server_client.h"

namespace loyalty::terminal {

struct ForwarderOptions {
  std::size_t batch = 200;  // sales sent in one request when catching up (server takes 500)
  std::chrono::milliseconds backoff_min{250};
  std::chrono::milliseconds backoff_max{30'000};
  // How often the server hears the terminal is alive and how many sales wait.
  std::chrono::milliseconds heartbeat_interval{60'000};
  std::string software_version = "0.1.0";
};

enum class UploadOutcome { kUploaded, kRejected };

class Forwarder {
 public:
  // Called on the forwarder's thread after each sale leaves the backlog; `ack` is set
  // when uploaded, `error` when the server refused it for good.
  using Listener = std::function<void(const std::string& sale_id, UploadOutcome outcome,
                                      const api::PurchaseAck* ack, const std::string& error)>;

  // Called on the forwarder's thread whenever a call to the server got through (true)
  // or could not reach it (false), so the till can show whether it is online.
  using ReachabilityListener = std::function<void(bool reachable)>;

  Forwarder(std::string journal_path, ServerOptions server, const crypto::VerifyKey& coupon_key,
            Listener listener, ForwarderOptions options = {},
            ReachabilityListener reachability = nullptr);
  ~Forwarder();  // stops and joins

  void Start();
  void Stop();
  // A sale was journaled: upload now rather than after the current backoff.
  void Wake();
  // Waits until `sale_id` is acknowledged, at most `timeout`.
  std::optional<api::PurchaseAck> WaitForAck(const std::string& sale_id,
                                             std::chrono::milliseconds timeout);

 private:
  void Run();
  // Uploads pending sales until none is left or one fails to reach the server.
  bool UploadPending(class Journal& journal, ServerClient& client);
  // Records the server's answer for one sale and tells the listener and any waiter.
  void Settle(class Journal& journal, const struct JournaledSale& sale,
              const Result<api::PurchaseAck>& ack);

  std::string journal_path_;
  ServerOptions server_;
  const crypto::VerifyKey& coupon_key_;
  Listener listener_;
  ForwarderOptions options_;
  ReachabilityListener reachability_;
  ErrorCode last_failure_ = ErrorCode::kUnavailable;  // of the last round that stopped early

  std::mutex mutex_;
  std::condition_variable changed_;
  bool stop_ = false;
  bool woken_ = false;
  std::map<std::string, api::PurchaseAck> recent_acks_;  // for WaitForAck; bounded
  std::deque<std::string> recent_order_;
  std::thread thread_;
};

}  // namespace loyalty::terminal
