// A thin RAII layer over SQLite's C API: a connection with cached prepared statements
// (prepared once, reset after each use), typed binding, and transactions that roll back
// unless committed. Errors from SQLite are broken-database conditions and throw
// SqliteError; expected outcomes (no row) are return values.
// A Connection is not thread-safe: use it from one thread at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

struct sqlite3;
struct sqlite3_stmt;

namespace loyalty::sqlite {

class SqliteError : public std::runtime_error {
 public:
  SqliteError(const std::string& what, int code) : std::runtime_error(what), code_(code) {}
  int code() const { return code_; }

 private:
  int code_;
};

// A prepared statement. Bind parameters by 1-based index, Step through rows, read
// columns by 0-based index. Reset() clears bindings for reuse.
class Statement {
 public:
  Statement(sqlite3* db, std::string_view sql);
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Statement& Bind(int index, std::int64_t value);
  Statement& Bind(int index, std::string_view value);
  Statement& Bind(int index, const char* value) { return Bind(index, std::string_view(value)); }
  Statement& BindNull(int index);
  // Not an overload of Bind: an int argument would be ambiguous between the two.
  Statement& BindDouble(int index, double value);
  template <typename T>
  Statement& Bind(int index, const std::optional<T>& value) {
    return value ? Bind(index, *value) : BindNull(index);
  }

  // True when a row is available, false when done.
  bool Step();
  // Runs a statement that returns no rows.
  void Run();

  std::int64_t Int(int column) const;
  double Double(int column) const;
  std::string Text(int column) const;
  // The column's text without a copy, valid until the next Step or Reset: a scan of
  // millions of rows need not allocate a string per value.
  std::string_view TextView(int column) const;
  bool IsNull(int column) const;

  void Reset();

 private:
  sqlite3* db_;
  sqlite3_stmt* statement_ = nullptr;
};

struct ConnectionOptions {
  bool read_only = false;
  // FULL: a commit survives power loss, the durability a purchase ack promises.
  std::string synchronous = "FULL";
  int busy_timeout_ms = 5000;
  // Page cache of this connection, KiB. SQLite's default (2 MiB) makes a busy server
  // re-read pages it just wrote from the OS on every purchase.
  int cache_kib = 2048;
  // Bytes of the file read through mmap instead of read() copies; 0 turns it off.
  std::int64_t mmap_bytes = 0;
};

class Connection {
 public:
  // Opens (creating if needed) the file at path in WAL mode with foreign keys on.
  explicit Connection(const std::string& path, ConnectionOptions options = {});
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Runs one or more statements with no parameters (schema, pragmas).
  void Exec(std::string_view sql);
  // A cached statement for `sql`, reset and ready to bind. The reference stays valid
  // for the connection's life; do not hold it across another Prepared() of the same SQL.
  Statement& Prepared(const std::string& sql);
  // The same for a string literal, found by its address: no string is built or hashed
  // on the hot path. Pass only text with static storage (a literal).
  template <std::size_t N>
  Statement& Prepared(const char (&sql)[N]) {
    return PreparedLiteral(sql);
  }

  std::int64_t LastInsertRowId() const;
  int Changes() const;
  sqlite3* handle() { return db_; }

 private:
  Statement& PreparedLiteral(const char* sql);

  sqlite3* db_ = nullptr;
  std::unordered_map<std::string, std::unique_ptr<Statement>> statements_;
  std::unordered_map<const char*, Statement*> literal_statements_;  // into statements_
};

// BEGIN IMMEDIATE on construction (taking the write lock at once, so two writers never
// deadlock upgrading read locks); ROLLBACK on destruction unless Commit() ran.
class Transaction {
 public:
  explicit Transaction(Connection& connection);
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  void Commit();

 private:
  Connection& connection_;
  bool done_ = false;
};

// A read transaction (plain BEGIN): several queries see one consistent snapshot, even
// while the writer commits. Ends on destruction.
class ReadTransaction {
 public:
  explicit ReadTransaction(Connection& connection);
  ~ReadTransaction();
  ReadTransaction(const ReadTransaction&) = delete;
  ReadTransaction& operator=(const ReadTransaction&) = delete;

 private:
  Connection& connection_;
};

// Applies, in order, every migration not yet recorded in schema_migrations, each in its
// own transaction. Migrations are (file name, SQL) pairs; the name's leading number is
// the version. Returns how many were applied.
int Migrate(Connection& connection,
            const std::vector<std::pair<std::string_view, std::string_view>>& migrations);

}  // namespace loyalty::sqlite
