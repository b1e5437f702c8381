#include "loyalty/sqlite/sqlite.h"

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "support/temp_dir.h"

namespace loyalty::sqlite {
namespace {

using Migrations = std::vector<std::pair<std::string_view, std::string_view>>;

std::int64_t Count(Connection& db, const std::string& table) {
  auto& query = db.Prepared("SELECT COUNT(*) FROM " + table);
  EXPECT_TRUE(query.Step());
  const std::int64_t count = query.Int(0);
  query.Reset();
  return count;
}

TEST(Connection, CreatesTheFileInWalMode) {
  testing::TempDir dir;
  const std::string path = dir.File("test.db");
  Connection db(path);
  EXPECT_TRUE(std::filesystem::exists(path));
  auto& mode = db.Prepared("PRAGMA journal_mode");
  ASSERT_TRUE(mode.Step());
  EXPECT_EQ(mode.Text(0), "wal");
  mode.Reset();
  auto& keys = db.Prepared("PRAGMA foreign_keys");
  ASSERT_TRUE(keys.Step());
  EXPECT_EQ(keys.Int(0), 1);
  keys.Reset();
}

TEST(Connection, BindsAndReadsValues) {
  testing::TempDir dir;
  Connection db(dir.File("test.db"));
  db.Exec("CREATE TABLE t (i INTEGER, s TEXT)");
  db.Prepared("INSERT INTO t VALUES (?, ?)").Bind(1, std::int64_t{-7}).Bind(2, "héllo").Run();
  EXPECT_EQ(db.Changes(), 1);
  EXPECT_EQ(db.LastInsertRowId(), 1);
  db.Prepared("INSERT INTO t VALUES (?, ?)")
      .Bind(1, std::optional<std::int64_t>())
      .Bind(2, std::string_view("a\0b", 3))
      .Run();
  auto& query = db.Prepared("SELECT i, s FROM t ORDER BY rowid");
  ASSERT_TRUE(query.Step());
  EXPECT_EQ(query.Int(0), -7);
  EXPECT_EQ(query.Text(1), "héllo");
  ASSERT_TRUE(query.Step());
  EXPECT_TRUE(query.IsNull(0));
  EXPECT_EQ(query.Text(1), std::string("a\0b", 3));
  EXPECT_FALSE(query.Step());
}

TEST(Connection, ReusesPreparedStatements) {
  testing::TempDir dir;
  Connection db(dir.File("test.db"));
  db.Exec("CREATE TABLE t (i INTEGER)");
  const std::string sql = "INSERT INTO t VALUES (?)";
  Statement& first = db.Prepared(sql);
  first.Bind(1, std::int64_t{1}).Run();
  Statement& second = db.Prepared(sql);
  EXPECT_EQ(&first, &second);
  second.Bind(1, std::int64_t{2}).Run();
  EXPECT_EQ(Count(db, "t"), 2);
}

TEST(Connection, ThrowsOnBrokenSql) {
  testing::TempDir dir;
  Connection db(dir.File("test.db"));
  EXPECT_THROW(db.Exec("CREATE TABLE"), SqliteError);
  EXPECT_THROW(db.Prepared("SELECT * FROM missing"), SqliteError);
  db.Exec("CREATE TABLE t (i INTEGER PRIMARY KEY)");
  db.Prepared("INSERT INTO t VALUES (1)").Run();
  EXPECT_THROW(db.Prepared("INSERT INTO t VALUES (1)").Run(), SqliteError);
}

TEST(Connection, ThrowsWhenTheFileCannotBeOpened) {
  testing::TempDir dir;
  EXPECT_THROW({ Connection db(dir.File("no/such/dir/test.db")); }, SqliteError);
}

TEST(Transaction, RollsBackUnlessCommitted) {
  testing::TempDir dir;
  Connection db(dir.File("test.db"));
  db.Exec("CREATE TABLE t (i INTEGER)");
  {
    Transaction transaction(db);
    db.Prepared("INSERT INTO t VALUES (1)").Run();
    EXPECT_EQ(Count(db, "t"), 1);  // visible inside the transaction
  }
  EXPECT_EQ(Count(db, "t"), 0);
  {
    Transaction transaction(db);
    db.Prepared("INSERT INTO t VALUES (2)").Run();
    transaction.Commit();
  }
  EXPECT_EQ(Count(db, "t"), 1);
}

TEST(Transaction, RollsBackWhenAnExceptionLeavesTheScope) {
  testing::TempDir dir;
  Connection db(dir.File("test.db"));
  db.Exec("CREATE TABLE t (i INTEGER PRIMARY KEY)");
  try {
    Transaction transaction(db);
    db.Prepared("INSERT INTO t VALUES (1)").Run();
    db.Prepared("INSERT INTO t VALUES (1)").Run();  // throws: duplicate key
    transaction.Commit();
    FAIL() << "the duplicate insert did not throw";
  } catch (const SqliteError&) {
  }
  EXPECT_EQ(Count(db, "t"), 0);
  // The connection is usable afterwards.
  Transaction transaction(db);
  db.Prepared("INSERT INTO t VALUES (3)").Run();
  transaction.Commit();
  EXPECT_EQ(Count(db, "t"), 1);
}

TEST(Transaction, CommittedDataIsSeenByAnotherConnection) {
  testing::TempDir dir;
  Connection writer(dir.File("test.db"));
  writer.Exec("CREATE TABLE t (i INTEGER)");
  Connection reader(dir.File("test.db"));
  {
    Transaction transaction(writer);
    writer.Prepared("INSERT INTO t VALUES (1)").Run();
    EXPECT_EQ(Count(reader, "t"), 0);
    transaction.Commit();
  }
  EXPECT_EQ(Count(reader, "t"), 1);
}

const Migrations kMigrations = {
    {"0001_people.sql", "CREATE TABLE people (id INTEGER PRIMARY KEY, name TEXT NOT NULL);"},
    {"0002_pets.sql",
     "CREATE TABLE pets (id INTEGER PRIMARY KEY, owner INTEGER REFERENCES people(id));"
     "INSERT INTO people(name) VALUES ('first');"},
};

TEST(Migrate, AppliesEachMigrationOnce) {
  testing::TempDir dir;
  Connection db(dir.File("test.db"));
  EXPECT_EQ(Migrate(db, kMigrations), 2);
  EXPECT_EQ(Count(db, "schema_migrations"), 2);
  EXPECT_EQ(Count(db, "pets"), 0);
  EXPECT_EQ(Count(db, "people"), 1);
  // Idempotent: running again applies nothing and repeats no data migration.
  EXPECT_EQ(Migrate(db, kMigrations), 0);
  EXPECT_EQ(Count(db, "people"), 1);
  EXPECT_EQ(Count(db, "schema_migrations"), 2);
}

TEST(Migrate, AppliesOnlyNewMigrationsAfterReopening) {
  testing::TempDir dir;
  const std::string path = dir.File("test.db");
  {
    Connection db(path);
    EXPECT_EQ(Migrate(db, {kMigrations[0]}), 1);
  }
  Connection db(path);
  EXPECT_EQ(Migrate(db, kMigrations), 1);
  EXPECT_EQ(Migrate(db, kMigrations), 0);
  auto& versions = db.Prepared("SELECT version, name FROM schema_migrations ORDER BY version");
  ASSERT_TRUE(versions.Step());
  EXPECT_EQ(versions.Int(0), 1);
  EXPECT_EQ(versions.Text(1), "0001_people.sql");
  ASSERT_TRUE(versions.Step());
  EXPECT_EQ(versions.Int(0), 2);
  EXPECT_FALSE(versions.Step());
}

TEST(Migrate, LeavesNothingBehindWhenAMigrationFails) {
  testing::TempDir dir;
  Connection db(dir.File("test.db"));
  const Migrations broken = {
      kMigrations[0],
      {"0002_broken.sql", "CREATE TABLE half (i INTEGER); THIS IS NOT SQL;"},
  };
  EXPECT_THROW(Migrate(db, broken), SqliteError);
  EXPECT_EQ(Count(db, "schema_migrations"), 1);
  auto& table = db.Prepared("SELECT COUNT(*) FROM sqlite_master WHERE name = 'half'");
  ASSERT_TRUE(table.Step());
  EXPECT_EQ(table.Int(0), 0);
  table.Reset();
  EXPECT_EQ(Migrate(db, kMigrations), 1);
}

}  // namespace
}  // namespace loyalty::sqlite
