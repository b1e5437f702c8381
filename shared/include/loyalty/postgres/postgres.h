// A thin RAII layer over libpq, the PostgreSQL C client: a connection opened from a URL
// with a bounded connect timeout, statements prepared once per connection and reused,
// text parameters, results read by row and column, transactions that roll back unless
// committed, and scans through a server-side cursor so a large table is never held in
// memory whole. Errors from the server are broken-database conditions and throw
// PostgresError (with the SQLSTATE); expected outcomes (no row) are return values.
// A Connection is not thread-safe: use it from one thread at a time.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "loyalty/core/result.h"

struct pg_conn;
struct pg_result;

namespace loyalty::postgres {

class PostgresError : public std::runtime_error {
 public:
  PostgresError(const std::string& what, std::string sqlstate)
      : std::runtime_error(what), sqlstate_(std::move(sqlstate)) {}
  // Five characters ("23505" unique violation, "40001" serialization failure); empty
  // when the failure was not the server's (a lost connection).
  const std::string& sqlstate() const { return sqlstate_; }

 private:
  std::string sqlstate_;
};

// Checks that `url` is a connection URL libpq accepts (postgresql://user@host:port/db
// with optional ?key=value parameters). The error names what is wrong.
Status CheckUrl(const std::string& url);
// `url` without its password, for messages and logs: user@host:port/dbname.
std::string DescribeUrl(const std::string& url);

// Parameters of one statement, all sent as text (PostgreSQL casts them to the column
// types), so a bound value prints the way the database stores it.
class Params {
 public:
  Params& Add(std::int64_t value);
  Params& Add(double value);
  Params& Add(std::string_view value);
  Params& Add(const char* value) { return Add(std::string_view(value)); }
  Params& Add(const std::string& value) { return Add(std::string_view(value)); }
  Params& AddNull();
  template <typename T>
  Params& Add(const std::optional<T>& value) {
    return value ? Add(*value) : AddNull();
  }
  // A PostgreSQL array literal ({"a","b"}) for `= ANY($n)` or unnest($n): one statement
  // then carries any number of rows.
  Params& AddArray(const std::vector<std::string>& values);
  Params& AddArray(const std::vector<std::optional<std::string>>& values);  // nullopt: NULL
  Params& AddArray(const std::vector<std::int64_t>& values);
  Params& AddArray(const std::vector<std::optional<std::int64_t>>& values);  // nullopt: NULL

  int size() const { return static_cast<int>(values_.size()); }
  // Pointers into this object, valid while it lives unchanged; null for SQL NULL.
  std::vector<const char*> Pointers() const;

 private:
  std::vector<std::optional<std::string>> values_;
};

// The rows of one statement.
class Rows {
 public:
  explicit Rows(pg_result* result);
  ~Rows();
  Rows(Rows&& other) noexcept;
  Rows& operator=(Rows&& other) noexcept;
  Rows(const Rows&) = delete;
  Rows& operator=(const Rows&) = delete;

  int size() const;
  bool empty() const { return size() == 0; }
  // Rows changed by an INSERT, UPDATE or DELETE.
  std::int64_t affected() const;
  std::int64_t Int(int row, int column) const;
  double Double(int row, int column) const;
  std::string Text(int row, int column) const;
  // The value's text without a copy, valid while these rows live.
  std::string_view TextView(int row, int column) const;
  bool IsNull(int row, int column) const;
  std::optional<std::int64_t> OptionalInt(int row, int column) const;

 private:
  pg_result* result_;
};

struct ConnectionOptions {
  // Seconds to wait for the server to answer a connection attempt: a database that is
  // down or firewalled fails the start-up instead of hanging it. The URL's own
  // connect_timeout wins.
  int connect_timeout_seconds = 10;
  std::string application_name = "loyalty";
  // Settings for the session, as libpq's `options` ("-c name=value ..."); empty: none.
  std::string session_settings;
};

class Connection {
 public:
  // Connects, or throws PostgresError naming the database (never its password) and
  // libpq's reason.
  explicit Connection(const std::string& url, ConnectionOptions options = {});
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Runs one or more statements without parameters (schema, BEGIN, SET).
  void Exec(std::string_view sql);
  // Runs `sql` with $1.. parameters. The statement is prepared on first use and reused
  // afterwards on this connection, so pass SQL text that does not vary with the data.
  Rows Run(const std::string& sql, const Params& params = {});
  // Runs `sql` once without preparing it: for statements built at run time.
  Rows RunOnce(const std::string& sql, const Params& params = {});
  // Calls `row` for each row of `sql`, fetched through a server-side cursor
  // `batch_rows` at a time, so memory stays flat however large the result. Needs an
  // open transaction (a cursor lives in one).
  void ForEachRow(const std::string& sql, const Params& params,
                  const std::function<void(const Rows&, int row)>& row, int batch_rows = 2000);
  // Bulk load with COPY ... FROM STDIN: `sql` is the COPY statement; `produce` sends
  // the COPY text (tab-separated, one row a line) through the function it is given, in
  // chunks of any size, so a producer streaming from elsewhere holds little at a time.
  // Returns the rows loaded.
  using CopySend = std::function<void(std::string_view chunk)>;
  std::int64_t Copy(const std::string& sql, const std::function<void(const CopySend&)>& produce);

  // False once the server went away; a pool drops such connections.
  bool healthy() const;
  // Connects again with the same parameters when the connection was lost (a database
  // restart, a failover, an administrator's pg_terminate_backend); prepared statements
  // are prepared again on next use. Throws PostgresError when the database is still
  // unreachable.
  void ReconnectIfLost();
  pg_conn* handle() { return connection_; }

 private:
  Rows Check(pg_result* result, std::string_view sql);

  pg_conn* connection_ = nullptr;
  std::unordered_map<std::string, std::string> statement_names_;  // SQL -> name
  int open_cursors_ = 0;                                          // ForEachRow scans under way
};

// BEGIN on construction; ROLLBACK on destruction unless Commit() ran.
class Transaction {
 public:
  explicit Transaction(Connection& connection, std::string_view begin = "BEGIN");
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  void Commit();

 private:
  Connection& connection_;
  bool done_ = false;
};

// Escapes one value for COPY's text format (backslash, tab, newline, carriage return).
void AppendCopyField(std::string& line, std::string_view value);

}  // namespace loyalty::postgres
