// A fresh, empty database for one test, in either storage engine: a SQLite file in the
// test's temporary directory, or a PostgreSQL database created for the test in the
// throwaway cluster that scripts/test starts (LOYALTY_TEST_POSTGRES_URL) and dropped
// afterwards. Tests read it back with plain SQL that both engines understand.
#pragma once

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <memory>
#include <ostream>
#include <stdexcept>
#include <string>
#include <vector>

#include "loyalty/postgres/postgres.h"
#include "loyalty/sqlite/sqlite.h"
#include "support/temp_dir.h"

namespace loyalty::testing {

enum class Engine { kSqlite, kPostgres };

// For parameterised test names: SQLite, PostgreSQL.
inline std::string EngineName(Engine engine) {
  return engine == Engine::kSqlite ? "SQLite" : "PostgreSQL";
}

// So gtest prints "PostgreSQL" rather than the enum's bytes.
inline void PrintTo(Engine engine, std::ostream* out) { *out << EngineName(engine); }

// The test cluster's superuser URL. Throws (failing the test, never skipping it) with
// the way to run PostgreSQL tests when it is not set.
inline std::string TestPostgresUrl() {
  const char* url = std::getenv("LOYALTY_TEST_POSTGRES_URL");
  if (url == nullptr || *url == '\0') {
    throw std::runtime_error(
        "LOYALTY_TEST_POSTGRES_URL is not set: PostgreSQL tests need a cluster. Run them "
        "with ./scripts/test, or wrap the test binary in ./scripts/with-postgres (it starts a "
        "throwaway PostgreSQL 15 and sets the variable)");
  }
  return url;
}

// `url` with its database name replaced by `database`.
inline std::string WithDatabase(const std::string& url, const std::string& database) {
  const auto query = url.find('?');
  const auto slash = url.rfind('/', query == std::string::npos ? url.size() : query);
  const std::string rest = query == std::string::npos ? "" : url.substr(query);
  return url.substr(0, slash + 1) + database + rest;
}

class TestDatabase {
 public:
  // `sqlite_file`: where in `dir` the SQLite database goes (its directory is made by
  // whoever opens it first).
  TestDatabase(Engine engine, const TempDir& dir, const std::string& sqlite_file = "server.db")
      : engine_(engine) {
    if (engine_ == Engine::kSqlite) {
      sqlite_path_ = dir.File(sqlite_file);
      url_ = "sqlite://" + sqlite_path_;
      return;
    }
    static std::atomic<int> counter{0};
    admin_url_ = TestPostgresUrl();
    database_ = "loyalty_test_" + std::to_string(::getpid()) + "_" + std::to_string(++counter);
    postgres::Connection admin(admin_url_);
    admin.Exec("DROP DATABASE IF EXISTS " + database_ + " WITH (FORCE)");
    admin.Exec("CREATE DATABASE " + database_);
    url_ = WithDatabase(admin_url_, database_);
  }
  ~TestDatabase() {
    if (engine_ != Engine::kPostgres) return;
    try {
      postgres::Connection admin(admin_url_);
      admin.Exec("DROP DATABASE IF EXISTS " + database_ + " WITH (FORCE)");
    } catch (const std::exception&) {
      // The cluster is removed with everything in it when the run ends.
    }
  }
  TestDatabase(const TestDatabase&) = delete;
  TestDatabase& operator=(const TestDatabase&) = delete;

  Engine engine() const { return engine_; }
  // The storage URL a server or OpenStore takes.
  const std::string& url() const { return url_; }

  // The first column of the first row as text; "<no row>" or "<null>" otherwise.
  std::string Text(const std::string& sql) const {
    if (engine_ == Engine::kSqlite) {
      sqlite::Connection db(sqlite_path_);
      auto& query = db.Prepared(sql);
      if (!query.Step()) return "<no row>";
      const std::string value = query.IsNull(0) ? "<null>" : query.Text(0);
      query.Reset();
      return value;
    }
    postgres::Connection db(url_);
    const auto rows = db.RunOnce(sql);
    if (rows.empty()) return "<no row>";
    return rows.IsNull(0, 0) ? "<null>" : rows.Text(0, 0);
  }
  // The first column of every row, in order ("<null>" for NULL).
  std::vector<std::string> Column(const std::string& sql) const {
    std::vector<std::string> values;
    if (engine_ == Engine::kSqlite) {
      sqlite::Connection db(sqlite_path_);
      auto& query = db.Prepared(sql);
      while (query.Step()) values.push_back(query.IsNull(0) ? "<null>" : query.Text(0));
      return values;
    }
    postgres::Connection db(url_);
    const auto rows = db.RunOnce(sql);
    for (int i = 0; i < rows.size(); ++i) {
      values.push_back(rows.IsNull(i, 0) ? "<null>" : rows.Text(i, 0));
    }
    return values;
  }
  // The same as an integer; NULL (the SUM of no rows) reads as 0, as SQLite reads it.
  std::int64_t Int(const std::string& sql) const {
    const std::string text = Text(sql);
    if (text == "<null>") return 0;
    return std::stoll(text);
  }
  // Whether another connection holds a write transaction open: SQLite's one writer's
  // lock, or a PostgreSQL session of this database inside a transaction or a statement.
  bool WriteInProgress() const {
    if (engine_ == Engine::kSqlite) {
      try {
        sqlite::Connection db(sqlite_path_, {.busy_timeout_ms = 0});
        db.Exec("BEGIN IMMEDIATE");
        db.Exec("ROLLBACK");
        return false;
      } catch (const std::exception&) {
        return true;  // busy: another connection writes
      }
    }
    return std::stoll(Text(
               "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database()"
               " AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
               " AND state IN ('active', 'idle in transaction',"
               " 'idle in transaction (aborted)')")) > 0;
  }
  void Exec(const std::string& sql) const {
    if (engine_ == Engine::kSqlite) {
      sqlite::Connection(sqlite_path_).Exec(sql);
    } else {
      postgres::Connection(url_).Exec(sql);
    }
  }

 private:
  Engine engine_;
  std::string url_;
  std::string sqlite_path_;
  std::string admin_url_;
  std::string database_;
};

}  // namespace loyalty::testing
