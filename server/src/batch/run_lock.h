// One `loyalty-batch coupons` at a time, across processes and machines. Two runs planning
// at once (two schedulers, an operator re-running by hand) would each read what the
// campaigns had spent and each spend the rest. The lock is a row in the store
// (Store::TryTakeBatchLock, migrations 0018 and 0021) naming its holder: host, pid, what it
// runs, when it started, and when its lease ends. The holder extends its lease from a
// thread (every quarter of its length); a lease that ended was left by a killed run and is
// taken over. The lease length is the holder's, so a later run with a shorter one cannot
// judge a live holder dead.
//
// A lease, not a mutex: a holder stopped (SIGSTOP, a frozen VM) for longer than its lease
// loses the lock to the next run. So the run asks StillHeld() before each step that
// writes, and stops when it is gone; the per-date keys of the offers keep a write that
// slipped between the check and the takeover from counting twice.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <ostream>
#include <string>
#include <thread>

#include "loyalty/core/result.h"
#include "storage/store.h"

namespace loyalty::server::batch {

struct RunLockOptions {
  // How long to wait for a running holder to finish; 0: refuse at once.
  std::chrono::seconds wait{0};
  // This holder's lease: each heartbeat (every lease / 4) extends it this far, and a
  // run that stops heartbeating loses the lock this long after its last one. Longer than
  // any pause a live run makes between heartbeats, and than the clock difference between
  // the machines that share the database. Only the holder's lease counts: a taker never
  // applies its own.
  std::chrono::milliseconds lease{std::chrono::seconds(120)};
  // How often a waiting run asks again.
  std::chrono::milliseconds poll{500};
};

class RunLock {
 public:
  // Takes the lock `name` for this process, described by `detail`. Refused with
  // kConflict, naming the holder, when it is held and did not free within options.wait.
  // A holder whose lease had ended, taken over, is reported on `log`.
  static Result<std::unique_ptr<RunLock>> Acquire(Store& store, const std::string& name,
                                                  const std::string& detail,
                                                  const RunLockOptions& options,
                                                  std::ostream& log);
  ~RunLock();  // stops the heartbeat and frees the lock if still held
  RunLock(const RunLock&) = delete;
  RunLock& operator=(const RunLock&) = delete;

  // Heartbeats now and says whether this process still holds the lock; kConflict
  // naming the new holder's takeover when not.
  Status StillHeld();
  const BatchLockHolder& holder() const { return holder_; }

 private:
  RunLock(Store& store, std::string name, BatchLockHolder holder);
  void Beat();

  Store& store_;
  std::string name_;
  BatchLockHolder holder_;
  std::atomic<bool> lost_{false};
  std::mutex mutex_;
  std::condition_variable stop_signal_;
  bool stopping_ = false;  // guarded by mutex_
  std::thread heartbeat_;
};

// "host db1, pid 4242, started 2026-12-05T01:00:00Z (coupons --date 2026-12-05), last
// heartbeat 5 s ago, lease of 120 s": what an operator needs to find the other run.
std::string DescribeHolder(const BatchLockHolder& holder, LeaseTime now);

}  // namespace loyalty::server::batch
