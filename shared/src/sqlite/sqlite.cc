#include "loyalty/sqlite/sqlite.h"

#include <sqlite3.h>

#include <vector>

namespace loyalty::sqlite {
namespace {

// SQLite keeps memory statistics under a global mutex taken on every allocation; we read
// none of them. The setting must precede the library's initialisation, so it is made
// once, before the first connection opens.
void ConfigureLibraryOnce() {
  static const bool configured = [] {
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    return true;
  }();
  (void)configured;
}

[[noreturn]] void Throw(sqlite3* db, int code, std::string_view context) {
  throw SqliteError(std::string(context) + ": " + (db ? sqlite3_errmsg(db) : sqlite3_errstr(code)),
                    code);
}

}  // namespace

Statement::Statement(sqlite3* db, std::string_view sql) : db_(db) {
  const int rc = sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()),
                                    SQLITE_PREPARE_PERSISTENT, &statement_, nullptr);
  if (rc != SQLITE_OK) Throw(db, rc, "prepare '" + std::string(sql.substr(0, 80)) + "'");
}

Statement::~Statement() { sqlite3_finalize(statement_); }

Statement& Statement::Bind(int index, std::int64_t value) {
  const int rc = sqlite3_bind_int64(statement_, index, value);
  if (rc != SQLITE_OK) Throw(db_, rc, "bind");
  return *this;
}

Statement& Statement::BindDouble(int index, double value) {
  const int rc = sqlite3_bind_double(statement_, index, value);
  if (rc != SQLITE_OK) Throw(db_, rc, "bind");
  return *this;
}

Statement& Statement::Bind(int index, std::string_view value) {
  const int rc = sqlite3_bind_text64(statement_, index, value.data(), value.size(),
                                     SQLITE_TRANSIENT, SQLITE_UTF8);
  if (rc != SQLITE_OK) Throw(db_, rc, "bind");
  return *this;
}

Statement& Statement::BindNull(int index) {
  const int rc = sqlite3_bind_null(statement_, index);
  if (rc != SQLITE_OK) Throw(db_, rc, "bind");
  return *this;
}

bool Statement::Step() {
  const int rc = sqlite3_step(statement_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  Throw(db_, rc, "step '" + std::string(sqlite3_sql(statement_)).substr(0, 80) + "'");
}

void Statement::Run() {
  while (Step()) {
  }
}

std::int64_t Statement::Int(int column) const { return sqlite3_column_int64(statement_, column); }

double Statement::Double(int column) const { return sqlite3_column_double(statement_, column); }

std::string Statement::Text(int column) const {
  const auto* text = sqlite3_column_text(statement_, column);
  if (text == nullptr) return {};
  return std::string(reinterpret_cast<const char*>(text),
                     static_cast<std::size_t>(sqlite3_column_bytes(statement_, column)));
}

std::string_view Statement::TextView(int column) const {
  const auto* text = sqlite3_column_text(statement_, column);
  if (text == nullptr) return {};
  return std::string_view(reinterpret_cast<const char*>(text),
                          static_cast<std::size_t>(sqlite3_column_bytes(statement_, column)));
}

bool Statement::IsNull(int column) const {
  return sqlite3_column_type(statement_, column) == SQLITE_NULL;
}

void Statement::Reset() {
  sqlite3_reset(statement_);
  sqlite3_clear_bindings(statement_);
}

Connection::Connection(const std::string& path, ConnectionOptions options) {
  ConfigureLibraryOnce();
  const int flags = options.read_only ? SQLITE_OPEN_READONLY
                                      : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  const int rc = sqlite3_open_v2(path.c_str(), &db_, flags | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    const std::string message = "open " + path + ": " + sqlite3_errstr(rc);
    sqlite3_close(db_);
    throw SqliteError(message, rc);
  }
  sqlite3_busy_timeout(db_, options.busy_timeout_ms);
  sqlite3_extended_result_codes(db_, 1);
  if (!options.read_only) Exec("PRAGMA journal_mode=WAL");
  Exec("PRAGMA synchronous=" + options.synchronous);
  Exec("PRAGMA foreign_keys=ON");
  Exec("PRAGMA cache_size=-" + std::to_string(options.cache_kib));
  if (options.mmap_bytes > 0) Exec("PRAGMA mmap_size=" + std::to_string(options.mmap_bytes));
  Exec("PRAGMA temp_store=MEMORY");
}

Connection::~Connection() {
  literal_statements_.clear();
  statements_.clear();  // statements must be finalized before the connection closes
  sqlite3_close(db_);
}

void Connection::Exec(std::string_view sql) {
  char* error = nullptr;
  const int rc = sqlite3_exec(db_, std::string(sql).c_str(), nullptr, nullptr, &error);
  if (rc != SQLITE_OK) {
    std::string message = error ? error : sqlite3_errstr(rc);
    sqlite3_free(error);
    throw SqliteError("exec: " + message, rc);
  }
}

Statement& Connection::Prepared(const std::string& sql) {
  auto it = statements_.find(sql);
  if (it == statements_.end()) {
    it = statements_.emplace(sql, std::make_unique<Statement>(db_, sql)).first;
  } else {
    it->second->Reset();
  }
  return *it->second;
}

Statement& Connection::PreparedLiteral(const char* sql) {
  if (const auto it = literal_statements_.find(sql); it != literal_statements_.end()) {
    it->second->Reset();
    return *it->second;
  }
  Statement& statement = Prepared(std::string(sql));
  literal_statements_.emplace(sql, &statement);
  return statement;
}

std::int64_t Connection::LastInsertRowId() const { return sqlite3_last_insert_rowid(db_); }

int Connection::Changes() const { return sqlite3_changes(db_); }

Transaction::Transaction(Connection& connection) : connection_(connection) {
  connection_.Exec("BEGIN IMMEDIATE");
}

Transaction::~Transaction() {
  if (done_) return;
  try {
    connection_.Exec("ROLLBACK");
  } catch (const SqliteError&) {
    // A failed COMMIT or I/O error may already have rolled back; nothing more to undo.
  }
}

void Transaction::Commit() {
  connection_.Exec("COMMIT");
  done_ = true;
}

ReadTransaction::ReadTransaction(Connection& connection) : connection_(connection) {
  connection_.Exec("BEGIN");
}

ReadTransaction::~ReadTransaction() {
  try {
    connection_.Exec("COMMIT");
  } catch (const SqliteError&) {
    // Ending a read-only transaction cannot lose data; the next BEGIN will report a
    // connection that is really broken.
  }
}

int Migrate(Connection& connection,
            const std::vector<std::pair<std::string_view, std::string_view>>& migrations) {
  connection.Exec(
      "CREATE TABLE IF NOT EXISTS schema_migrations ("
      " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)");
  int applied = 0;
  for (const auto& [name, sql] : migrations) {
    const std::int64_t version = std::stoll(std::string(name.substr(0, name.find('_'))));
    // Checked inside the write transaction, so two processes opening a new file at
    // once cannot both apply the same migration.
    Transaction transaction(connection);
    auto& check = connection.Prepared("SELECT 1 FROM schema_migrations WHERE version = ?");
    check.Bind(1, version);
    const bool done = check.Step();
    check.Reset();
    if (done) continue;
    connection.Exec(sql);
    connection.Prepared(
                  "INSERT INTO schema_migrations(version, name, applied_at) "
                  "VALUES (?, ?, strftime('%s','now'))")
        .Bind(1, version)
        .Bind(2, name)
        .Run();
    transaction.Commit();
    ++applied;
  }
  return applied;
}

}  // namespace loyalty::sqlite
