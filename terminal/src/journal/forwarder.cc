#include "journal/forwarder.h"

#include <random>

#include "journal/journal.h"
#include "loyalty/core/log.h"

namespace loyalty::terminal {
namespace {

constexpr std::size_t kRecentAcks = 64;

}  // namespace

Forwarder::Forwarder(std::string journal_path, ServerOptions server,
                     const crypto::VerifyKey& coupon_key, Listener listener,
                     ForwarderOptions options, ReachabilityListener reachability)
    : journal_path_(std::move(journal_path)),
      server_(std::move(server)),
      coupon_key_(coupon_key),
      listener_(std::move(listener)),
      options_(options),
      reachability_(std::move(reachability)) {}

Forwarder::~Forwarder() { Stop(); }

void Forwarder::Start() {
  thread_ = std::thread([this] { Run(); });
}

void Forwarder::Stop() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  changed_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Forwarder::Wake() {
  {
    std::lock_guard lock(mutex_);
    woken_ = true;
  }
  changed_.notify_all();
}

std::optional<api::PurchaseAck> Forwarder::WaitForAck(const std::string& sale_id,
                                                      std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  changed_.wait_for(lock, timeout, [&] { return stop_ || recent_acks_.contains(sale_id); });
  const auto it = recent_acks_.find(sale_id);
  if (it == recent_acks_.end()) return std::nullopt;
  return it->second;
}

void Forwarder::Settle(Journal& journal, const JournaledSale& sale,
                       const Result<api::PurchaseAck>& ack) {
  if (ack.ok()) {
    // The receipt waiting for this answer gets it before the journal's fsync: if the till
    // dies before MarkUploaded commits, the sale is sent again and the server answers the
    // replay with this same ack, so nothing is lost by telling the waiter first.
    {
      std::lock_guard lock(mutex_);
      recent_acks_[sale.id] = *ack;
      recent_order_.push_back(sale.id);
      if (recent_order_.size() > kRecentAcks) {
        recent_acks_.erase(recent_order_.front());
        recent_order_.pop_front();
      }
    }
    changed_.notify_all();
    journal.MarkUploaded(sale.id, api::PurchaseAckToJson(*ack).dump());
    listener_(sale.id, UploadOutcome::kUploaded, &*ack, {});
    return;
  }
  // Retrying cannot help; keep the sale for an operator and move on, so one bad sale
  // never blocks the ones behind it.
  journal.MarkRejected(sale.id, ack.error().ToString());
  log::Error("server refused a journaled sale",
             {{"sale_id", sale.id}, {"error", ack.error().ToString()}});
  listener_(sale.id, UploadOutcome::kRejected, nullptr, ack.error().ToString());
}

bool Forwarder::UploadPending(Journal& journal, ServerClient& client) {
  const auto permanent = [](const Error& error) {
    return error.code == ErrorCode::kInvalidArgument || error.code == ErrorCode::kConflict;
  };
  for (;;) {
    {
      std::lock_guard lock(mutex_);
      if (stop_) return true;
    }
    const auto sales = journal.Pending(options_.batch);
    if (sales.empty()) return true;
    std::vector<Result<api::PurchaseAck>> outcomes;
    if (sales.size() > 1) {
      std::vector<std::string> bodies;
      for (const auto& sale : sales) bodies.push_back(sale.body);
      auto batch = client.PostPurchaseBatch(bodies);
      if (batch.ok()) {
        outcomes = std::move(batch).value();
      } else if (!permanent(batch.error())) {
        // The server was not heard: nothing is known of any sale; try again later. The
        // first sale of the round carries the attempt, as when sent alone.
        journal.RecordFailedAttempt(sales.front().id, batch.error().ToString());
        if (sales.front().attempts == 0) {
          log::Warn("upload failed; sales wait in the journal",
                    {{"error", batch.error().ToString()}});
        }
        last_failure_ = batch.error().code;
        return false;
      }
      // A refused batch (too large, malformed as a whole) says nothing of each sale:
      // fall back to sending them one by one below.
    }
    // In order: the first sale that cannot reach the server stops the round, so sales
    // are never stored out of the order they were made in.
    for (std::size_t i = 0; i < sales.size(); ++i) {
      Result<api::PurchaseAck> outcome =
          i < outcomes.size() ? std::move(outcomes[i]) : client.PostPurchase(sales[i].body);
      if (outcome.ok() || permanent(outcome.error())) {
        Settle(journal, sales[i], outcome);
        continue;
      }
      journal.RecordFailedAttempt(sales[i].id, outcome.error().ToString());
      if (sales[i].attempts == 0) {
        log::Warn("upload failed; sales wait in the journal",
                  {{"error", outcome.error().ToString()}});
      }
      last_failure_ = outcome.error().code;
      return false;
    }
  }
}

void Forwarder::Run() {
  std::unique_ptr<Journal> journal;
  std::unique_ptr<ServerClient> client;
  std::mt19937 jitter(std::random_device{}());
  auto backoff = options_.backoff_min;
  auto next_heartbeat = std::chrono::steady_clock::now();
  for (;;) {
    bool drained = false;
    try {
      if (!journal) journal = std::make_unique<Journal>(journal_path_);
      if (!client) client = std::make_unique<ServerClient>(server_, coupon_key_);
      drained = UploadPending(*journal, *client);
      // A server that answers 500 or refuses a revoked credential is there: the till is
      // online, with a backlog; only silence is offline.
      if (!drained && reachability_) {
        reachability_(last_failure_ != ErrorCode::kUnavailable &&
                      last_failure_ != ErrorCode::kTimeout);
      }
      if (drained && std::chrono::steady_clock::now() >= next_heartbeat) {
        // Tells the portal this till is alive and how many sales wait in its journal.
        auto sent = client->Heartbeat(journal->PendingCount(), options_.software_version);
        if (!sent.ok()) log::Warn("heartbeat failed", {{"error", sent.error().ToString()}});
        if (reachability_) {
          reachability_(sent.ok() || (sent.error().code != ErrorCode::kUnavailable &&
                                      sent.error().code != ErrorCode::kTimeout));
        }
        next_heartbeat = std::chrono::steady_clock::now() + options_.heartbeat_interval;
      }
    } catch (const std::exception& e) {
      log::Error("forwarder failed; retrying", {{"error", e.what()}});
    }
    std::chrono::milliseconds wait = options_.heartbeat_interval;  // idle: nothing pending
    if (drained) {
      backoff = options_.backoff_min;
    } else {
      // Full jitter keeps a store's terminals from retrying in step after an outage.
      std::uniform_int_distribution<std::int64_t> spread(backoff.count() / 2, backoff.count());
      wait = std::chrono::milliseconds(spread(jitter));
      backoff = std::min(backoff * 2, options_.backoff_max);
    }
    std::unique_lock lock(mutex_);
    changed_.wait_for(lock, wait, [&] { return stop_ || woken_; });
    if (stop_) return;
    woken_ = false;
  }
}

}  // namespace loyalty::terminal
