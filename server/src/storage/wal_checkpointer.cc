#include "storage/wal_checkpointer.h"

#include <pthread.h>
#include <sqlite3.h>

#include <memory>

#include "loyalty/core/log.h"

namespace loyalty::server {

WalCheckpointer::WalCheckpointer(const std::string& path, sqlite::Connection& writer,
                                 WalCheckpointOptions options)
    : writer_(writer), options_(options) {
  // Opened here, so that a file the checkpoints cannot open fails the store's start.
  auto connection = std::make_unique<sqlite::Connection>(path);
  thread_ = std::thread([this, db = std::move(connection)] { Run(*db); });
  // Replaces SQLite's own hook (the one wal_autocheckpoint installs).
  sqlite3_wal_hook(writer_.handle(), &WalCheckpointer::AfterCommit, this);
}

WalCheckpointer::~WalCheckpointer() {
  // SQLite's own hook back, at its default mark.
  sqlite3_wal_autocheckpoint(writer_.handle(), kSqliteCheckpointPages);
  {
    const std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  asked_.notify_all();
  thread_.join();
}

WalCheckpointer::Counts WalCheckpointer::counts() const {
  const std::lock_guard lock(mutex_);
  return counts_;
}

int WalCheckpointer::AfterCommit(void* self, sqlite3* db, const char* schema, int pages) {
  auto& checkpointer = *static_cast<WalCheckpointer*>(self);
  if (pages >= checkpointer.options_.writer_checkpoint_pages) {
    // What the thread left (the frames committed while it copied) and the WAL's restart.
    (void)sqlite3_wal_checkpoint_v2(db, schema, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
    const std::lock_guard lock(checkpointer.mutex_);
    ++checkpointer.counts_.by_writer;
  } else if (pages >= checkpointer.options_.background_pages) {
    {
      const std::lock_guard lock(checkpointer.mutex_);
      checkpointer.wanted_ = true;
    }
    checkpointer.asked_.notify_one();
  }
  // The commit happened whatever the checkpoint did; an error here would be the
  // statement's.
  return SQLITE_OK;
}

void WalCheckpointer::Run(sqlite::Connection& db) {
  ::pthread_setname_np(::pthread_self(), "wal-checkpoint");  // as top and perf show it
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      asked_.wait(lock, [&] { return wanted_ || stopping_; });
      if (stopping_) return;
      wanted_ = false;  // commits from here on ask again
    }
    // PASSIVE waits for no reader and no writer: it copies what it can now. Busy means
    // another connection is checkpointing, which does the same work.
    const int rc = sqlite3_wal_checkpoint_v2(db.handle(), nullptr, SQLITE_CHECKPOINT_PASSIVE,
                                             nullptr, nullptr);
    if (rc != SQLITE_OK && rc != SQLITE_BUSY) {
      log::Warn("WAL checkpoint failed",
                {{"error", sqlite3_errstr(rc)}, {"detail", sqlite3_errmsg(db.handle())}});
    }
    const std::lock_guard lock(mutex_);
    ++counts_.background;
  }
}

}  // namespace loyalty::server
