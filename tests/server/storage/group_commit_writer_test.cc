#include "storage/sqlite_store.h"

#include <future>

#include <gtest/gtest.h>

#include "support/temp_dir.h"

namespace loyalty::server {
namespace {

class SqliteWriterTest : public ::testing::Test {
 protected:
  void SetUp() override { db_.Exec("CREATE TABLE t (v INTEGER NOT NULL)"); }

  std::int64_t Count(const char* where) {
    sqlite::Connection reader(path_, {.read_only = true});
    auto& query = reader.Prepared(std::string("SELECT COUNT(*) FROM t WHERE ") + where);
    EXPECT_TRUE(query.Step());
    return query.Int(0);
  }

  // A job inserting `value`, then failing when `fail` is set.
  static SqliteWriter::Job Insert(std::int64_t value, bool fail, std::promise<Status>& done) {
    return SqliteWriter::Job{[value, fail](sqlite::Connection& db) -> Status {
                               db.Prepared("INSERT INTO t(v) VALUES (?)").Bind(1, value).Run();
                               if (fail) return InvalidArgument("v", "refused on purpose");
                               return {};
                             },
                             [&done](Status status) { done.set_value(std::move(status)); }};
  }

  testing::TempDir dir_;
  std::string path_ = dir_.File("writer.db");
  sqlite::Connection db_{path_};
};

TEST_F(SqliteWriterTest, AFailingJobIsUndoneAloneAndTheRestOfItsBatchCommits) {
  std::vector<std::size_t> batch_sizes;
  SqliteWriter writer(db_, {}, [&](std::size_t jobs, auto) { batch_sizes.push_back(jobs); });
  // Hold the writer in a first job, alone in its batch, so the next three queue up and
  // share the next batch.
  std::promise<void> started;
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::promise<Status> first_done;
  writer.Submit({[&](sqlite::Connection&) -> Status {
                   started.set_value();
                   released.wait();
                   return {};
                 },
                 [&](Status status) { first_done.set_value(status); }});
  started.get_future().wait();
  std::promise<Status> a, b, c;
  writer.Submit(Insert(1, false, a));
  writer.Submit(Insert(2, true, b));
  writer.Submit(Insert(3, false, c));
  release.set_value();
  const Status first = first_done.get_future().get();
  EXPECT_TRUE(first.ok()) << first.error().ToString();
  EXPECT_TRUE(a.get_future().get().ok());
  const Status refused = b.get_future().get();
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().field, "v");
  EXPECT_TRUE(c.get_future().get().ok());
  EXPECT_EQ(Count("v = 1"), 1);  // once, though its batch ran twice
  EXPECT_EQ(Count("v = 2"), 0);
  EXPECT_EQ(Count("v = 3"), 1);
  ASSERT_EQ(batch_sizes.size(), 2u);
  EXPECT_EQ(batch_sizes[1], 3u);
}

TEST_F(SqliteWriterTest, AnswersOnlyAfterTheCommitIsVisibleToOthers) {
  SqliteWriter writer(db_, {});
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE(writer
                    .Run([i](sqlite::Connection& db) -> Status {
                      db.Prepared("INSERT INTO t(v) VALUES (?)").Bind(1, std::int64_t{i}).Run();
                      return {};
                    })
                    .ok());
    // A separate connection sees the row the moment Run returns.
    EXPECT_EQ(Count(("v = " + std::to_string(i)).c_str()), 1);
  }
}

}  // namespace
}  // namespace loyalty::server
