#include "storage/wal_checkpointer.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <chrono>
#include <optional>
#include <string>
#include <thread>

#include "support/temp_dir.h"

namespace loyalty::server {
namespace {

class WalCheckpointerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_.Exec("CREATE TABLE t (v BLOB NOT NULL)");
    db_.Exec("PRAGMA wal_checkpoint(TRUNCATE)");  // the table itself in the file
  }

  // Rows of 1 KiB in one transaction: some 30 pages a hundred.
  void Insert(int rows) {
    sqlite::Transaction transaction(db_);
    for (int i = 0; i < rows; ++i) db_.Exec("INSERT INTO t(v) VALUES (zeroblob(1024))");
    transaction.Commit();
  }

  // The rows the database file itself holds, without the WAL: what checkpoints copied.
  std::optional<std::int64_t> RowsInTheFile() {
    sqlite3* file = nullptr;
    const std::string uri = "file:" + path_ + "?immutable=1";
    std::optional<std::int64_t> rows;
    if (sqlite3_open_v2(uri.c_str(), &file, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, nullptr) ==
        SQLITE_OK) {
      sqlite3_stmt* count = nullptr;
      if (sqlite3_prepare_v2(file, "SELECT COUNT(*) FROM t", -1, &count, nullptr) == SQLITE_OK &&
          sqlite3_step(count) == SQLITE_ROW) {
        rows = sqlite3_column_int64(count, 0);
      }
      sqlite3_finalize(count);
    }
    sqlite3_close(file);
    return rows;
  }

  testing::TempDir dir_;
  std::string path_ = dir_.File("wal.db");
  sqlite::Connection db_{path_};
};

TEST_F(WalCheckpointerTest, ACommitPastTheMarkIsCopiedIntoTheFileByTheThreadNotTheWriter) {
  WalCheckpointer checkpointer(path_, db_,
                               {.background_pages = 10, .writer_checkpoint_pages = 1'000'000});
  Insert(200);
  // Below SQLite's own mark (1,000 pages): only the thread copies these. It counts the
  // checkpoint once it returned, a moment after the rows are in the file.
  for (int waited_ms = 0;
       waited_ms < 10'000 && (RowsInTheFile() != 200 || checkpointer.counts().background < 1);
       waited_ms += 10) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(RowsInTheFile(), 200);
  EXPECT_GE(checkpointer.counts().background, 1);
  EXPECT_EQ(checkpointer.counts().by_writer, 0);
}

TEST_F(WalCheckpointerTest, AWalPastTheWritersBoundIsCheckpointedByTheCommitItself) {
  WalCheckpointer checkpointer(path_, db_,
                               {.background_pages = 1'000'000, .writer_checkpoint_pages = 10});
  Insert(200);
  // Done before the commit returned: nothing to wait for.
  EXPECT_EQ(RowsInTheFile(), 200);
  EXPECT_EQ(checkpointer.counts().by_writer, 1);
  EXPECT_EQ(checkpointer.counts().background, 0);
}

TEST_F(WalCheckpointerTest, BelowTheMarkTheWalIsLeftAsItIs) {
  WalCheckpointer checkpointer(path_, db_,
                               {.background_pages = 1'000, .writer_checkpoint_pages = 10'000});
  Insert(100);
  EXPECT_EQ(RowsInTheFile(), 0);
  EXPECT_EQ(checkpointer.counts().background, 0);
  EXPECT_EQ(checkpointer.counts().by_writer, 0);
}

TEST_F(WalCheckpointerTest, GoneItLeavesTheConnectionToSqlitesOwnCheckpoints) {
  {
    WalCheckpointer checkpointer(path_, db_,
                                 {.background_pages = 10, .writer_checkpoint_pages = 1'000'000});
    Insert(200);  // asked, and stopped at once whether it ran or not
  }
  // Past SQLite's own mark, 1,000 pages: its hook, called by the commit (a hook still
  // pointing at the checkpointer would read freed memory), copies them before it returns.
  Insert(5'000);
  EXPECT_EQ(RowsInTheFile(), 5'200);
}

}  // namespace
}  // namespace loyalty::server
