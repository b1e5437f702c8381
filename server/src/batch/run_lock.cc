#include "batch/run_lock.h"

#include <unistd.h>

#include <algorithm>
#include <array>

#include "loyalty/core/uuid.h"

namespace loyalty::server::batch {
namespace {

std::string HostName() {
  std::array<char, 256> name{};
  if (::gethostname(name.data(), name.size() - 1) != 0) return "unknown";
  return name.data();
}

}  // namespace

namespace {

std::string Seconds(std::chrono::milliseconds span) {
  const auto tenths = std::max<std::int64_t>(0, span.count() / 100);
  return std::to_string(tenths / 10) + (tenths % 10 != 0 ? "." + std::to_string(tenths % 10) : "") + " s";
}

// Every quarter of the lease: three heartbeats can be late before the lock is lost.
std::chrono::milliseconds Interval(std::chrono::milliseconds lease) {
  return std::max<std::chrono::milliseconds>(std::chrono::milliseconds(100), lease / 4);
}

}  // namespace

std::string DescribeHolder(const BatchLockHolder& holder, LeaseTime now) {
  return "host " + holder.host + ", pid " + std::to_string(holder.pid) + ", started " +
         FormatUtc(holder.started_at) + " (" + holder.detail + "), last heartbeat " +
         Seconds(now - holder.heartbeat_at) + " ago, lease of " + Seconds(holder.lease);
}

Result<std::unique_ptr<RunLock>> RunLock::Acquire(Store& store, const std::string& name,
                                                  const std::string& detail,
                                                  const RunLockOptions& options,
                                                  std::ostream& log) {
  BatchLockHolder holder;
  holder.token = Uuid::Random().str();
  holder.host = HostName();
  holder.pid = ::getpid();
  holder.detail = detail;
  holder.started_at = Now();
  holder.lease = options.lease;
  const auto deadline = std::chrono::steady_clock::now() + options.wait;
  bool said_waiting = false;
  for (;;) {
    const LeaseTime now = LeaseNow();
    auto attempt = store.TryTakeBatchLock(name, holder, now, options.lease);
    if (!attempt.ok()) return attempt.error();
    if (attempt->taken) {
      if (attempt->other) {
        log << "taking over the " << name << " lock of a run whose lease ended ("
            << DescribeHolder(*attempt->other, now) << ")\n";
      }
      return std::unique_ptr<RunLock>(new RunLock(store, name, std::move(holder)));
    }
    // Not taken and no holder: it was freed between the two looks (PostgreSQL's lost
    // insert race); ask again.
    if (!attempt->other) continue;
    if (std::chrono::steady_clock::now() >= deadline) {
      std::string message = "another loyalty-batch " + name + " is running: " +
                            DescribeHolder(*attempt->other, now) + ". ";
      message += options.wait.count() > 0
                     ? "Waited " + std::to_string(options.wait.count()) + " s for it to finish."
                     : "Give --wait SECONDS to wait for it to finish.";
      message += " If it was killed, its lock is taken over once its lease ends, " +
                 Seconds(attempt->other->lease) +
                 " after its last heartbeat (the --lock-stale it was started with).";
      return Error{ErrorCode::kConflict, message, "lock"};
    }
    if (!said_waiting) {
      log << "waiting up to " << options.wait.count() << " s for the running " << name << " ("
          << DescribeHolder(*attempt->other, now) << ")\n";
      said_waiting = true;
    }
    std::this_thread::sleep_for(
        std::min<std::chrono::steady_clock::duration>(
            options.poll, deadline - std::chrono::steady_clock::now()));
  }
}

RunLock::RunLock(Store& store, std::string name, BatchLockHolder holder)
    : store_(store), name_(std::move(name)), holder_(std::move(holder)) {
  heartbeat_ = std::thread([this] { Beat(); });
}

RunLock::~RunLock() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  stop_signal_.notify_all();
  heartbeat_.join();
  if (!lost_) (void)store_.ReleaseBatchLock(name_, holder_.token);
}

void RunLock::Beat() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (!stop_signal_.wait_for(lock, Interval(holder_.lease), [this] { return stopping_; })) {
    lock.unlock();
    const auto held = store_.HeartbeatBatchLock(name_, holder_.token, LeaseNow(), holder_.lease);
    // A failed write (the database briefly away) is not a lost lock; the next beat
    // tries again, and the lease ends only if they keep failing.
    if (held.ok() && !*held) lost_ = true;
    lock.lock();
  }
}

Status RunLock::StillHeld() {
  if (!lost_) {
    const auto held = store_.HeartbeatBatchLock(name_, holder_.token, LeaseNow(), holder_.lease);
    if (!held.ok()) return held.error();
    if (!*held) lost_ = true;
  }
  if (!lost_) return Status();
  return Error{ErrorCode::kConflict,
               "this run (pid " + std::to_string(holder_.pid) + ") lost the " + name_ +
                   " lock: another run took it over after its lease ended, so this "
                   "one stops before writing more",
               "lock"};
}

}  // namespace loyalty::server::batch
