#include "storage/sqlite_writer.h"

#include <pthread.h>

#include <future>

#include "loyalty/core/log.h"

namespace loyalty::server {

SqliteWriter::SqliteWriter(sqlite::Connection& connection, SqliteWriterOptions options,
                           BatchObserver observer)
    : db_(connection), options_(options), observer_(std::move(observer)) {
  thread_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "sqlite-writer");
    Loop();
  });
}

SqliteWriter::~SqliteWriter() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  queued_.notify_all();
  thread_.join();
}

void SqliteWriter::Submit(WriteJob job) {
  {
    std::lock_guard lock(mutex_);
    queue_.push_back(std::move(job));
    stats_.queue_depth = queue_.size();
  }
  queued_.notify_one();
}

Status SqliteWriter::Run(std::function<Status(sqlite::Connection&)> run) {
  std::promise<Status> committed;
  auto result = committed.get_future();
  Submit({std::move(run), [&committed](Status status) { committed.set_value(std::move(status)); },
          /*done_on_writer=*/true});
  return result.get();
}

SqliteWriter::Stats SqliteWriter::stats() const {
  std::lock_guard lock(mutex_);
  return stats_;
}

void SqliteWriter::Loop() {
  std::size_t previous_batch = 0;
  for (;;) {
    std::deque<WriteJob> batch;
    {
      std::unique_lock lock(mutex_);
      queued_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and everything queued has run
      // Under load (the last batch had company) wait briefly for more jobs: one fsync
      // then serves them all. An idle writer commits a lone job at once.
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

bool SqliteWriter::RunJobs(std::deque<WriteJob>& batch, std::vector<Status>& outcomes,
                           bool isolate) {
  sqlite::Transaction transaction(db_);
  for (std::size_t i = 0; i < batch.size(); ++i) {
    if (isolate) db_.Prepared("SAVEPOINT job").Run();
    try {
      outcomes[i] = batch[i].run(db_);
    } catch (const std::exception& e) {
      outcomes[i] = Internal(std::string("storage failed: ") + e.what());
    }
    if (!isolate) {
      if (!outcomes[i].ok()) return false;  // the transaction rolls back on return
      continue;
    }
    if (!outcomes[i].ok()) db_.Prepared("ROLLBACK TO job").Run();
    db_.Prepared("RELEASE job").Run();
  }
  transaction.Commit();
  return true;
}

void SqliteWriter::RunBatch(std::deque<WriteJob>& batch) {
  const auto started = std::chrono::steady_clock::now();
  std::vector<Status> outcomes(batch.size());
  bool committed = false;
  std::string commit_error;
  try {
    // Jobs almost never fail, so the batch first runs without a savepoint per job (two
    // statements each saved). If one fails, that attempt is rolled back whole and the
    // batch runs again with savepoints, so the failing job is undone alone; jobs read
    // and write only the database, so running them again gives the same answers.
    committed =
        RunJobs(batch, outcomes, /*isolate=*/false) || RunJobs(batch, outcomes, /*isolate=*/true);
  } catch (const std::exception& e) {
    commit_error = e.what();
    log::Error("write transaction failed", {{"error", commit_error}, {"jobs", batch.size()}});
  }
  const auto elapsed = std::chrono::steady_clock::now() - started;
  {
    std::lock_guard lock(mutex_);
    stats_.jobs += batch.size();
    stats_.batches += 1;
    stats_.last_batch = batch.size();
  }
  if (observer_) observer_(batch.size(), elapsed);
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

}  // namespace loyalty::server
