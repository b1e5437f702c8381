// Checkpoints of a SQLite store's WAL on a thread of their own. SQLite's own checkpoint
// runs on the connection that committed, right after the commit, whenever the WAL holds
// 1,000 pages: it copies them into the database file and syncs both files while the
// writer waits. A night of a million customers writes more than a gigabyte through the
// WAL, so its writer stopped for hundreds of checkpoints, and a purchase whose commit
// crossed the mark paid for a copy and two syncs. Here the commit only asks; another
// connection copies and syncs while the writer goes on (docs/benchmarks.md, "Checkpoints
// beside the writer").
//
// The writer still checkpoints itself once the WAL holds `writer_checkpoint_pages`: a
// checkpoint beside a busy writer can miss the frames committed while it ran, and only a
// checkpoint that copied every frame lets the next commit start the WAL from its
// beginning again, so without that bound the file would grow for as long as commits
// keep coming.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

#include "loyalty/core/thread_annotations.h"
#include "loyalty/sqlite/sqlite.h"

namespace loyalty::server {

// SQLite's own mark (wal_autocheckpoint's default).
inline constexpr int kSqliteCheckpointPages = 1000;

struct WalCheckpointOptions {
  int background_pages = kSqliteCheckpointPages;
  int writer_checkpoint_pages = 16'384;  // 64 MiB of 4 KiB pages
};

class WalCheckpointer {
 public:
  // Takes over the checkpoints of `writer`, a connection to the database at `path` that
  // must outlive this object and that no other thread uses while it is built or
  // destroyed (the store's writer thread starts after it and stops before it).
  WalCheckpointer(const std::string& path, sqlite::Connection& writer,
                  WalCheckpointOptions options = {});
  ~WalCheckpointer();
  WalCheckpointer(const WalCheckpointer&) = delete;
  WalCheckpointer& operator=(const WalCheckpointer&) = delete;

  struct Counts {
    std::int64_t background = 0;  // checkpoints run on this object's thread
    std::int64_t by_writer = 0;   // checkpoints the writer ran itself (the bound)
  };
  Counts counts() const;

 private:
  static int AfterCommit(void* self, sqlite3* db, const char* schema, int pages);
  void Run(sqlite::Connection& db);

  sqlite::Connection& writer_;
  const WalCheckpointOptions options_;
  mutable std::mutex mutex_;
  std::condition_variable asked_;
  bool wanted_ GUARDED_BY(mutex_) = false;
  bool stopping_ GUARDED_BY(mutex_) = false;
  Counts counts_ GUARDED_BY(mutex_);
  std::thread thread_;
};

}  // namespace loyalty::server
