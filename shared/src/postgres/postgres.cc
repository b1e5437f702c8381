#include "loyalty/postgres/postgres.h"

#include <libpq-fe.h>

#include <charconv>
#include <cstdio>
#include <utility>

namespace loyalty::postgres {
namespace {

std::string Sqlstate(const PGresult* result) {
  const char* state = result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  return state ? state : "";
}

std::string Trimmed(const char* message) {
  std::string text = message ? message : "";
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

// Options parsed from a URL, freed with the object.
class ParsedUrl {
 public:
  explicit ParsedUrl(const std::string& url) {
    char* error = nullptr;
    options_ = PQconninfoParse(url.c_str(), &error);
    if (error) {
      error_ = Trimmed(error);
      PQfreemem(error);
    }
  }
  ~ParsedUrl() {
    if (options_) PQconninfoFree(options_);
  }
  ParsedUrl(const ParsedUrl&) = delete;
  ParsedUrl& operator=(const ParsedUrl&) = delete;

  bool ok() const { return options_ != nullptr; }
  const std::string& error() const { return error_; }
  std::string Value(std::string_view keyword) const {
    for (auto* option = options_; option && option->keyword; ++option) {
      if (keyword == option->keyword && option->val) return option->val;
    }
    return {};
  }

 private:
  PQconninfoOption* options_ = nullptr;
  std::string error_;
};

}  // namespace

Status CheckUrl(const std::string& url) {
  if (url.rfind("postgresql://", 0) != 0 && url.rfind("postgres://", 0) != 0) {
    return InvalidArgument("url", "a PostgreSQL URL starts with postgresql://");
  }
  ParsedUrl parsed(url);
  if (!parsed.ok()) return InvalidArgument("url", "not a PostgreSQL URL: " + parsed.error());
  return {};
}

std::string DescribeUrl(const std::string& url) {
  ParsedUrl parsed(url);
  if (!parsed.ok()) return "(unparseable PostgreSQL URL)";
  const std::string user = parsed.Value("user");
  const std::string host = parsed.Value("host");
  const std::string port = parsed.Value("port");
  const std::string dbname = parsed.Value("dbname");
  return (user.empty() ? "" : user + "@") + (host.empty() ? "(local socket)" : host) +
         (port.empty() ? "" : ":" + port) + "/" + (dbname.empty() ? user : dbname);
}

Params& Params::Add(std::int64_t value) {
  values_.emplace_back(std::to_string(value));
  return *this;
}

Params& Params::Add(double value) {
  // Shortest text that reads back as the same double: no precision lost on the way.
  char buffer[32];
  const auto end = std::to_chars(buffer, buffer + sizeof buffer, value).ptr;
  values_.emplace_back(std::string(buffer, end));
  return *this;
}

Params& Params::Add(std::string_view value) {
  values_.emplace_back(std::string(value));
  return *this;
}

Params& Params::AddNull() {
  values_.emplace_back(std::nullopt);
  return *this;
}

Params& Params::AddArray(const std::vector<std::string>& values) {
  return AddArray(std::vector<std::optional<std::string>>(values.begin(), values.end()));
}

Params& Params::AddArray(const std::vector<std::optional<std::string>>& values) {
  // Every element quoted, so commas, braces, spaces and the word NULL stay data.
  std::string literal = "{";
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i > 0) literal += ',';
    if (!values[i]) {
      literal += "NULL";
      continue;
    }
    literal += '"';
    for (const char c : *values[i]) {
      if (c == '"' || c == '\\') literal += '\\';
      literal += c;
    }
    literal += '"';
  }
  literal += '}';
  values_.emplace_back(std::move(literal));
  return *this;
}

Params& Params::AddArray(const std::vector<std::int64_t>& values) {
  return AddArray(std::vector<std::optional<std::int64_t>>(values.begin(), values.end()));
}

Params& Params::AddArray(const std::vector<std::optional<std::int64_t>>& values) {
  std::string literal = "{";
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i > 0) literal += ',';
    literal += values[i] ? std::to_string(*values[i]) : "NULL";
  }
  literal += '}';
  values_.emplace_back(std::move(literal));
  return *this;
}

std::vector<const char*> Params::Pointers() const {
  std::vector<const char*> pointers;
  pointers.reserve(values_.size());
  for (const auto& value : values_) pointers.push_back(value ? value->c_str() : nullptr);
  return pointers;
}

Rows::Rows(pg_result* result) : result_(result) {}
Rows::~Rows() {
  if (result_) PQclear(result_);
}
Rows::Rows(Rows&& other) noexcept : result_(std::exchange(other.result_, nullptr)) {}
Rows& Rows::operator=(Rows&& other) noexcept {
  if (this != &other) {
    if (result_) PQclear(result_);
    result_ = std::exchange(other.result_, nullptr);
  }
  return *this;
}

int Rows::size() const { return PQntuples(result_); }

std::int64_t Rows::affected() const {
  const char* count = PQcmdTuples(result_);
  return count && *count ? std::stoll(count) : 0;
}

std::int64_t Rows::Int(int row, int column) const {
  const char* text = PQgetvalue(result_, row, column);
  std::int64_t value = 0;
  const auto [end, error] = std::from_chars(text, text + PQgetlength(result_, row, column), value);
  if (error != std::errc() || end != text + PQgetlength(result_, row, column)) {
    throw PostgresError(
        std::string("column ") + PQfname(result_, column) + " is not an integer: '" + text + "'",
        "");
  }
  return value;
}

double Rows::Double(int row, int column) const {
  return std::stod(PQgetvalue(result_, row, column));
}

std::string Rows::Text(int row, int column) const {
  return std::string(PQgetvalue(result_, row, column),
                     static_cast<std::size_t>(PQgetlength(result_, row, column)));
}

std::string_view Rows::TextView(int row, int column) const {
  return std::string_view(PQgetvalue(result_, row, column),
                          static_cast<std::size_t>(PQgetlength(result_, row, column)));
}

bool Rows::IsNull(int row, int column) const { return PQgetisnull(result_, row, column) != 0; }

std::optional<std::int64_t> Rows::OptionalInt(int row, int column) const {
  if (IsNull(row, column)) return std::nullopt;
  return Int(row, column);
}

Connection::Connection(const std::string& url, ConnectionOptions options) {
  if (auto valid = CheckUrl(url); !valid.ok()) {
    throw PostgresError(valid.error().message, "");
  }
  const std::string timeout = std::to_string(options.connect_timeout_seconds);
  // Later keywords override earlier ones, and the URL expands in place of dbname: so the
  // defaults come first and whatever the URL says wins.
  // Session settings, when given, come before the URL too: a URL with options of its own
  // keeps them (and the server's defaults for the rest).
  std::vector<const char*> keywords = {"connect_timeout", "application_name"};
  std::vector<const char*> values = {timeout.c_str(), options.application_name.c_str()};
  if (!options.session_settings.empty()) {
    keywords.push_back("options");
    values.push_back(options.session_settings.c_str());
  }
  keywords.insert(keywords.end(), {"dbname", nullptr});
  values.insert(values.end(), {url.c_str(), nullptr});
  connection_ = PQconnectdbParams(keywords.data(), values.data(), /*expand_dbname=*/1);
  if (PQstatus(connection_) != CONNECTION_OK) {
    const std::string reason = Trimmed(PQerrorMessage(connection_));
    PQfinish(connection_);
    connection_ = nullptr;
    throw PostgresError("cannot connect to PostgreSQL at " + DescribeUrl(url) + ": " + reason, "");
  }
  // Notices ("relation already exists, skipping") are chatter, not errors; libpq would
  // print them on stderr, in the middle of a program's JSON log lines.
  PQsetNoticeProcessor(
      connection_, [](void*, const char*) {}, nullptr);
}

Connection::~Connection() {
  if (connection_) PQfinish(connection_);
}

bool Connection::healthy() const { return PQstatus(connection_) == CONNECTION_OK; }

void Connection::ReconnectIfLost() {
  if (healthy()) return;
  statement_names_.clear();  // they lived in the old server session
  open_cursors_ = 0;
  PQreset(connection_);
  if (!healthy()) {
    throw PostgresError("cannot reconnect to PostgreSQL: " + Trimmed(PQerrorMessage(connection_)),
                        "");
  }
  PQsetNoticeProcessor(
      connection_, [](void*, const char*) {}, nullptr);
}

Rows Connection::Check(pg_result* result, std::string_view sql) {
  const auto status = PQresultStatus(result);
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK || status == PGRES_COPY_IN) {
    return Rows(result);
  }
  const std::string message =
      Trimmed(result ? PQresultErrorMessage(result) : PQerrorMessage(connection_));
  const std::string sqlstate = Sqlstate(result);
  PQclear(result);
  throw PostgresError(message + " (in '" + std::string(sql.substr(0, 80)) + "')", sqlstate);
}

void Connection::Exec(std::string_view sql) {
  Check(PQexec(connection_, std::string(sql).c_str()), sql);
}

Rows Connection::Run(const std::string& sql, const Params& params) {
  auto found = statement_names_.find(sql);
  if (found == statement_names_.end()) {
    const std::string name = "s" + std::to_string(statement_names_.size());
    Check(PQprepare(connection_, name.c_str(), sql.c_str(), 0, nullptr), sql);
    found = statement_names_.emplace(sql, name).first;
  }
  const auto values = params.Pointers();
  return Check(PQexecPrepared(connection_, found->second.c_str(), params.size(), values.data(),
                              nullptr, nullptr, 0),
               sql);
}

Rows Connection::RunOnce(const std::string& sql, const Params& params) {
  const auto values = params.Pointers();
  return Check(PQexecParams(connection_, sql.c_str(), params.size(), nullptr, values.data(),
                            nullptr, nullptr, 0),
               sql);
}

void Connection::ForEachRow(const std::string& sql, const Params& params,
                            const std::function<void(const Rows&, int)>& row, int batch_rows) {
  // Named by depth, so a scan inside another's callback gets a cursor of its own and the
  // names stay few; FETCH is not prepared, or every name would leave a statement behind.
  const std::string cursor = "loyalty_cursor_" + std::to_string(++open_cursors_);
  struct Closing {
    int& depth;
    ~Closing() { --depth; }
  } closing{open_cursors_};
  RunOnce("DECLARE " + cursor + " NO SCROLL CURSOR FOR " + sql, params);
  const std::string fetch = "FETCH " + std::to_string(batch_rows) + " FROM " + cursor;
  for (;;) {
    Rows rows = RunOnce(fetch);
    for (int i = 0; i < rows.size(); ++i) row(rows, i);
    if (rows.size() < batch_rows) break;
  }
  Exec("CLOSE " + cursor);
}

std::int64_t Connection::Copy(const std::string& sql,
                              const std::function<void(const CopySend&)>& produce) {
  Check(PQexec(connection_, sql.c_str()), sql);
  try {
    produce([this](std::string_view chunk) {
      if (PQputCopyData(connection_, chunk.data(), static_cast<int>(chunk.size())) != 1) {
        throw PostgresError("COPY failed: " + Trimmed(PQerrorMessage(connection_)), "");
      }
    });
  } catch (const std::exception& e) {
    // Ends the COPY with an error, so the connection is usable again (and the
    // transaction around it fails).
    PQputCopyEnd(connection_, e.what());
    while (PGresult* result = PQgetResult(connection_)) PQclear(result);
    throw;
  }
  if (PQputCopyEnd(connection_, nullptr) != 1) {
    throw PostgresError("COPY failed: " + Trimmed(PQerrorMessage(connection_)), "");
  }
  Rows done = Check(PQgetResult(connection_), sql);
  // The result stream ends with a null; reading it leaves the connection ready.
  while (PGresult* extra = PQgetResult(connection_)) PQclear(extra);
  return done.affected();
}

Transaction::Transaction(Connection& connection, std::string_view begin) : connection_(connection) {
  connection_.Exec(begin);
}

Transaction::~Transaction() {
  if (done_) return;
  try {
    connection_.Exec("ROLLBACK");
  } catch (const PostgresError&) {
    // The connection is gone or broken; the server rolls the transaction back itself.
  }
}

void Transaction::Commit() {
  connection_.Exec("COMMIT");
  done_ = true;
}

void AppendCopyField(std::string& line, std::string_view value) {
  for (const char c : value) {
    switch (c) {
      case '\\':
        line += "\\\\";
        break;
      case '\t':
        line += "\\t";
        break;
      case '\n':
        line += "\\n";
        break;
      case '\r':
        line += "\\r";
        break;
      default:
        line += c;
    }
  }
}

}  // namespace loyalty::postgres
