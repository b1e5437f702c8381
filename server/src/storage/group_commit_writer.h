// The one writer of a database, for either engine. Write jobs from any thread queue up;
// the writer's thread runs the jobs that arrived together inside one transaction and
// commits them at once (group commit): SQLite then pays one fsync for the batch and
// PostgreSQL one WAL flush and one COMMIT round trip. So throughput is not bound by the
// flush rate, and a job's caller hears back only after its commit is durable.
//
// `Connection` is sqlite::Connection or postgres::Connection; `Transaction` is the
// engine's RAII transaction (begins on construction, rolls back unless committed).
#pragma once

#include <pthread.h>

#include <algorithm>
#include <chrono>
#include <compare>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <future>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "loyalty/core/log.h"
#include "loyalty/core/result.h"
#include "loyalty/core/thread_annotations.h"
#include "loyalty/postgres/postgres.h"
#include "loyalty/sqlite/sqlite.h"
#include "storage/store.h"

namespace loyalty::server {

struct WriterOptions {
  std::size_t max_batch = 256;  // jobs in one transaction at most
  // How long a batch waits for more jobs after its first while the writer is busy; an
  // idle writer commits a lone job at once, so light load pays no added latency.
  std::chrono::microseconds max_delay{1000};
  // Runs the jobs' `done` callbacks. Empty: on the writer thread. The server passes its
  // I/O threads, so building answers never delays the next commit.
  std::function<void(std::function<void()>)> completion_executor;
  // Whether each commit waits until the disk holds it: the server's must, since a
  // purchase it acknowledges has to survive a power cut. The nightly batch and the import
  // commit without the wait (SQLite's synchronous=NORMAL, PostgreSQL's
  // synchronous_commit=off): a power cut can then undo their last commits but never
  // leaves the database inconsistent, the server's next commit makes everything before it
  // durable, and what was undone a rerun redoes (the run resumes, the import stores
  // nothing twice). On the bench's 250,000-customer chain that took a tenth off the
  // night after the history's read (docs/benchmarks.md).
  bool sync_every_commit = true;
};

// Called after each commit with the batch size, for metrics.
using BatchObserver = std::function<void(std::size_t jobs, std::chrono::nanoseconds commit)>;

// After a failed BEGIN, whether the connection was lost and is back now, so the batch
// may begin again: never for a SQLite file; for PostgreSQL, when the server had dropped
// the connection (a restart, a failover), which libpq notices only on the next use.
inline bool Reconnected(sqlite::Connection&) { return false; }
inline bool Reconnected(postgres::Connection& db) {
  if (db.healthy()) return false;
  db.ReconnectIfLost();
  return true;
}

// A row that writers on several servers all add to: the dashboard's totals of one hour
// (its start, Unix seconds) at one store.
struct TallyRow {
  std::int64_t hour = 0;
  std::string store_id;
  auto operator<=>(const TallyRow&) const = default;
};

template <typename Connection, typename Transaction>
class GroupCommitWriter {
 public:
  struct Job {
    // Runs inside the transaction, possibly twice (see RunBatch): it must act only on
    // the database and its own result. Throwing or returning an error undoes only this
    // job.
    std::function<Status(Connection&)> run;
    // Called after the commit (ok) or when the job or the commit failed, on the
    // completion executor (or the writer thread when there is none).
    std::function<void(Status)> done;
    // Call `done` on the writer thread even when there is a completion executor: for a
    // caller blocked waiting for it, which may be one of that executor's own threads.
    bool done_on_writer = false;
    // How many writes the job carried, asked after it ran: one, unless the job wrote a
    // group of requests at once (the PostgreSQL engine's purchases). Stats and the batch
    // observer count writes, so the commit batch size means the same for both engines.
    std::function<std::size_t()> writes;
    // The job takes locks that other writers of the database (another server, the
    // nightly batch) take too: its batch's transaction begins with `begin_locked` (see the
    // constructor), so every such transaction takes them first, in one order, before
    // anything else it locks, and none can wait for another holding them in reverse.
    bool lock_first = false;
    // Adds the tally rows the job will add to, asked before its batch begins. A batch of
    // more than one such row has them all locked right after BEGIN, in key order, by
    // `lock_tallies` (see the constructor): its jobs' statements would lock them one
    // statement at a time, in the order the jobs came, and another server's transaction
    // taking two of them in the other order would deadlock with this one. Empty: the
    // job's statements lock what they add to.
    std::function<void(std::vector<TallyRow>&)> tallies;
  };

  // Begins a transaction holding the shared locks first (Job::lock_first); empty for an
  // engine with one writer per database (SQLite), whose transactions cannot interleave.
  using BeginLocked = std::function<void(Connection&, std::optional<Transaction>&)>;
  // Locks the given tally rows (sorted, distinct) in that order, inside the transaction;
  // empty for an engine with one writer per database.
  using LockTallies = std::function<void(Connection&, const std::vector<TallyRow>&)>;

  // `thread_name` (at most 15 characters) names the writer thread in `top` and `perf`.
  GroupCommitWriter(Connection& connection, WriterOptions options, BatchObserver observer = nullptr,
                    const char* thread_name = "db-writer", BeginLocked begin_locked = nullptr,
                    LockTallies lock_tallies = nullptr)
      : db_(connection),
        options_(std::move(options)),
        observer_(std::move(observer)),
        begin_locked_(std::move(begin_locked)),
        lock_tallies_(std::move(lock_tallies)) {
    thread_ = std::thread([this, thread_name] {
      pthread_setname_np(pthread_self(), thread_name);
      Loop();
    });
  }

  // Runs every queued job, then stops.
  ~GroupCommitWriter() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    queued_.notify_all();
    thread_.join();
  }
  GroupCommitWriter(const GroupCommitWriter&) = delete;
  GroupCommitWriter& operator=(const GroupCommitWriter&) = delete;

  void Submit(Job job) {
    {
      std::lock_guard lock(mutex_);
      queue_.push_back(std::move(job));
      stats_.queue_depth = queue_.size();
    }
    queued_.notify_one();
  }

  // Runs a job and waits for its commit. Safe from any thread, the completion
  // executor's included (its answer does not go through the executor).
  Status Run(std::function<Status(Connection&)> run, bool lock_first = false) {
    std::promise<Status> committed;
    auto result = committed.get_future();
    Submit({std::move(run), [&committed](Status status) { committed.set_value(std::move(status)); },
            /*done_on_writer=*/true, nullptr, lock_first});
    return result.get();
  }

  WriterStats stats() const {
    std::lock_guard lock(mutex_);
    return stats_;
  }

 private:
  void Loop() {
    std::size_t previous_batch = 0;
    for (;;) {
      std::deque<Job> batch;
      {
        std::unique_lock lock(mutex_);
        queued_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
        if (queue_.empty()) return;  // stopping, and everything queued has run
        // Under load (the last batch had company) wait briefly for more jobs: one
        // commit then serves them all. An idle writer commits a lone job at once.
        if (previous_batch > 1 && queue_.size() < options_.max_batch && !stopping_) {
          queued_.wait_for(lock, options_.max_delay,
                           [&] { return stopping_ || queue_.size() >= options_.max_batch; });
        }
        while (!queue_.empty() && batch.size() < options_.max_batch) {
          batch.push_back(std::move(queue_.front()));
          queue_.pop_front();
        }
        stats_.queue_depth = queue_.size();
      }
      previous_batch = batch.size();
      RunBatch(batch);
    }
  }

  // Runs the batch in one transaction and commits it. Without `isolate`, gives up (and
  // rolls back) at the first job that fails, returning false; with it, each job runs
  // under a savepoint and a failing one is undone alone.
  bool RunJobs(std::deque<Job>& batch, std::vector<Status>& outcomes, bool isolate) {
    std::optional<Transaction> transaction;
    const bool lock_first =
        begin_locked_ &&
        std::any_of(batch.begin(), batch.end(), [](const Job& job) { return job.lock_first; });
    const auto begin = [&] {
      if (lock_first) {
        begin_locked_(db_, transaction);
      } else {
        transaction.emplace(db_);
      }
    };
    try {
      begin();
    } catch (const std::exception&) {
      // Nothing was sent but BEGIN (and the locks), so beginning again on a new
      // connection is safe.
      if (!Reconnected(db_)) throw;
      begin();
    }
    if (lock_tallies_) {
      std::vector<TallyRow> tallies;
      for (const Job& job : batch) {
        if (job.tallies) job.tallies(tallies);
      }
      std::sort(tallies.begin(), tallies.end());
      tallies.erase(std::unique(tallies.begin(), tallies.end()), tallies.end());
      // A single row cannot be taken in two orders.
      if (tallies.size() > 1) lock_tallies_(db_, tallies);
    }
    for (std::size_t i = 0; i < batch.size(); ++i) {
      if (isolate) db_.Exec("SAVEPOINT job");
      try {
        outcomes[i] = batch[i].run(db_);
      } catch (const std::exception& e) {
        outcomes[i] = Internal(std::string("storage failed: ") + e.what());
      }
      if (!isolate) {
        if (!outcomes[i].ok()) return false;  // the transaction rolls back on return
        continue;
      }
      if (!outcomes[i].ok()) db_.Exec("ROLLBACK TO SAVEPOINT job");
      db_.Exec("RELEASE SAVEPOINT job");
    }
    transaction->Commit();
    return true;
  }

  void RunBatch(std::deque<Job>& batch) {
    const auto started = std::chrono::steady_clock::now();
    std::vector<Status> outcomes(batch.size());
    bool committed = false;
    std::string commit_error;
    try {
      // Jobs almost never fail, so the batch first runs without a savepoint per job. If
      // one fails, that attempt is rolled back whole and the batch runs again with
      // savepoints, so the failing job is undone alone; jobs read and write only the
      // database, so running them again gives the same answers.
      committed =
          RunJobs(batch, outcomes, /*isolate=*/false) || RunJobs(batch, outcomes, /*isolate=*/true);
    } catch (const std::exception& e) {
      commit_error = e.what();
      log::Error("write transaction failed", {{"error", commit_error}, {"jobs", batch.size()}});
    }
    const auto elapsed = std::chrono::steady_clock::now() - started;
    std::size_t writes = 0;
    for (const auto& job : batch) writes += job.writes ? job.writes() : 1;
    {
      std::lock_guard lock(mutex_);
      stats_.jobs += writes;
      stats_.batches += 1;
      stats_.last_batch = writes;
    }
    if (observer_) observer_(writes, elapsed);
    for (std::size_t i = 0; i < batch.size(); ++i) {
      Status outcome = committed
                           ? std::move(outcomes[i])
                           : Status(Unavailable("the database could not commit: " + commit_error));
      if (options_.completion_executor && !batch[i].done_on_writer) {
        options_.completion_executor(
            [done = std::move(batch[i].done), outcome = std::move(outcome)] { done(outcome); });
      } else {
        batch[i].done(std::move(outcome));
      }
    }
  }

  Connection& db_;  // used only by the writer thread
  WriterOptions options_;
  BatchObserver observer_;
  BeginLocked begin_locked_;
  LockTallies lock_tallies_;
  mutable std::mutex mutex_;
  std::condition_variable queued_;
  std::deque<Job> queue_ GUARDED_BY(mutex_);
  bool stopping_ GUARDED_BY(mutex_) = false;
  WriterStats stats_ GUARDED_BY(mutex_);
  std::thread thread_;
};

}  // namespace loyalty::server
