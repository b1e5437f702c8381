// The one writer of a SQLite database. Write jobs from any thread queue up; the writer's
// thread runs the jobs that arrived together inside one transaction, each under its own
// savepoint, and commits them with one fsync (group commit). So throughput is not bound
// by the fsync rate, and a job's caller hears back only after its commit is durable.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "loyalty/core/result.h"
#include "loyalty/core/thread_annotations.h"
#include "loyalty/sqlite/sqlite.h"

namespace loyalty::server {

struct SqliteWriterOptions {
  std::size_t max_batch = 256;  // jobs in one transaction at most
  // How long a batch waits for more jobs after its first while the writer is busy; an
  // idle writer commits a lone job at once, so light load pays no added latency.
  std::chrono::microseconds max_delay{1000};
  // Runs the jobs' `done` callbacks. Empty: on the writer thread. The server passes its
  // I/O threads, so building answers never delays the next commit.
  std::function<void(std::function<void()>)> completion_executor;
};

struct WriteJob {
  // Runs inside the transaction, possibly twice (see RunBatch): it must act only on the
  // database and its own result. Throwing or returning an error undoes only this job.
  std::function<Status(sqlite::Connection&)> run;
  // Called after the commit (ok) or when the job or the commit failed, on the
  // completion executor (or the writer thread when there is none).
  std::function<void(Status)> done;
  // Call `done` on the writer thread even when there is a completion executor: for a
  // caller blocked waiting for it, which may be one of that executor's own threads.
  bool done_on_writer = false;
};

class SqliteWriter {
 public:
  struct Stats {
    std::uint64_t jobs = 0;
    std::uint64_t batches = 0;
    std::size_t queue_depth = 0;
    std::size_t last_batch = 0;
  };
  // Called after each commit with the batch size, for metrics.
  using BatchObserver = std::function<void(std::size_t jobs, std::chrono::nanoseconds commit)>;

  SqliteWriter(sqlite::Connection& connection, SqliteWriterOptions options,
               BatchObserver observer = nullptr);
  ~SqliteWriter();  // runs every queued job, then stops
  SqliteWriter(const SqliteWriter&) = delete;
  SqliteWriter& operator=(const SqliteWriter&) = delete;

  void Submit(WriteJob job);
  // Runs a job and waits for its commit. Safe from any thread, the completion
  // executor's included (its answer does not go through the executor).
  Status Run(std::function<Status(sqlite::Connection&)> run);

  Stats stats() const;

 private:
  void Loop();
  void RunBatch(std::deque<WriteJob>& batch);
  // Runs the batch in one transaction and commits it. Without `isolate`, gives up (and
  // rolls back) at the first job that fails, returning false; with it, each job runs
  // under a savepoint and a failing one is undone alone.
  bool RunJobs(std::deque<WriteJob>& batch, std::vector<Status>& outcomes, bool isolate);

  sqlite::Connection& db_;  // used only by the writer thread
  SqliteWriterOptions options_;
  BatchObserver observer_;
  mutable std::mutex mutex_;
  std::condition_variable queued_;
  std::deque<WriteJob> queue_ GUARDED_BY(mutex_);
  bool stopping_ GUARDED_BY(mutex_) = false;
  Stats stats_ GUARDED_BY(mutex_);
  std::thread thread_;
};

}  // namespace loyalty::server
