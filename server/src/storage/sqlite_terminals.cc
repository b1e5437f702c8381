// SqliteStore: stores, terminal enrollment, authentication and heartbeats.
#include "auth/credentials.h"
#include "storage/sqlite_store.h"

namespace loyalty::server {
namespace {

bool StoreExists(sqlite::Connection& db, const std::string& store_id) {
  auto& query = db.Prepared("SELECT 1 FROM stores WHERE id = ?");
  query.Bind(1, store_id);
  const bool found = query.Step();
  query.Reset();
  return found;
}

}  // namespace

Status SqliteStore::AddStore(const StoreInfo& store) {
  if (store.id.empty() || store.id.size() > 32) {
    return InvalidArgument("id", "a store id has 1 to 32 characters");
  }
  if (store.name.empty() || store.name.size() > 200) {
    return InvalidArgument("name", "a store name has 1 to 200 characters");
  }
  if (auto currency = Currency::FromCode(store.currency); !currency.ok()) {
    return currency.error();
  }
  return writer_->Run([&](sqlite::Connection& db) -> Status {
    if (StoreExists(db, store.id)) {
      return Error{ErrorCode::kAlreadyExists, "store " + store.id + " exists already", "id"};
    }
    db.Prepared("INSERT INTO stores(id, name, currency, created_at) VALUES (?, ?, ?, ?)")
        .Bind(1, store.id)
        .Bind(2, store.name)
        .Bind(3, store.currency)
        .Bind(4, ToUnixSeconds(Now()))
        .Run();
    return {};
  });
}

Result<std::string> SqliteStore::CreateEnrollmentCode(const std::string& store_id,
                                                      std::chrono::seconds valid_for,
                                                      Timestamp now) {
  const std::string code = auth::NewEnrollmentCode();
  const Status status = writer_->Run([&](sqlite::Connection& db) -> Status {
    if (!StoreExists(db, store_id)) {
      return Error{ErrorCode::kNotFound,
                   "no store " + store_id + " (add it with: loyalty-server store add)", "store"};
    }
    db.Prepared(
          "INSERT INTO enrollment_codes(code_sha256, store_id, created_at, expires_at)"
          " VALUES (?, ?, ?, ?)")
        .Bind(1, auth::HashSecret(*auth::NormalizeEnrollmentCode(code)))
        .Bind(2, store_id)
        .Bind(3, ToUnixSeconds(now))
        .Bind(4, ToUnixSeconds(now + valid_for))
        .Run();
    return {};
  });
  if (!status.ok()) return status.error();
  return code;
}

Result<EnrolledTerminal> SqliteStore::EnrollTerminal(const std::string& code,
                                                     const std::string& name, Timestamp now) {
  auto normalized = auth::NormalizeEnrollmentCode(code);
  if (!normalized.ok()) return normalized.error();
  if (name.empty() || name.size() > 100) {
    return InvalidArgument("name", "a terminal name has 1 to 100 characters");
  }
  EnrolledTerminal enrolled;
  enrolled.credential = auth::NewTerminalCredential();
  const Status status = writer_->Run([&](sqlite::Connection& db) -> Status {
    auto& find = db.Prepared(
        "SELECT store_id, expires_at, used_at FROM enrollment_codes WHERE code_sha256 = ?");
    find.Bind(1, auth::HashSecret(*normalized));
    if (!find.Step()) {
      return Error{ErrorCode::kUnauthenticated, "unknown enrollment code", "code"};
    }
    const std::string store_id = find.Text(0);
    const bool expired = find.Int(1) <= ToUnixSeconds(now);
    const bool used = !find.IsNull(2);
    find.Reset();
    if (used) return Error{ErrorCode::kUnauthenticated, "enrollment code already used", "code"};
    if (expired) return Error{ErrorCode::kUnauthenticated, "enrollment code expired", "code"};

    // Terminal ids read well on receipts and screens: the store's id and a number.
    auto& count = db.Prepared("SELECT COUNT(*) FROM terminals WHERE store_id = ?");
    count.Bind(1, store_id);
    count.Step();
    const std::int64_t number = count.Int(0) + 1;
    count.Reset();
    enrolled.identity = {store_id + "-T" + (number < 10 ? "0" : "") + std::to_string(number),
                         store_id};
    db.Prepared(
          "INSERT INTO terminals(id, store_id, name, credential_sha256, enrolled_at)"
          " VALUES (?, ?, ?, ?, ?)")
        .Bind(1, enrolled.identity.terminal_id)
        .Bind(2, store_id)
        .Bind(3, name)
        .Bind(4, auth::HashSecret(enrolled.credential))
        .Bind(5, ToUnixSeconds(now))
        .Run();
    db.Prepared("UPDATE enrollment_codes SET used_at = ?, terminal_id = ? WHERE code_sha256 = ?")
        .Bind(1, ToUnixSeconds(now))
        .Bind(2, enrolled.identity.terminal_id)
        .Bind(3, auth::HashSecret(*normalized))
        .Run();
    return {};
  });
  if (!status.ok()) return status.error();
  return enrolled;
}

Result<TerminalIdentity> SqliteStore::AuthenticateTerminal(const std::string& credential) {
  auto lease = Read();
  auto& query =
      (*lease).Prepared("SELECT id, store_id, status FROM terminals WHERE credential_sha256 = ?");
  query.Bind(1, auth::HashSecret(credential));
  if (!query.Step()) {
    return Error{ErrorCode::kUnauthenticated, "unknown terminal credential; enroll the terminal",
                 "authorization"};
  }
  TerminalIdentity identity{query.Text(0), query.Text(1)};
  const bool revoked = query.Text(2) == "revoked";
  query.Reset();
  if (revoked) {
    return Error{ErrorCode::kPermissionDenied,
                 "terminal " + identity.terminal_id + " has been revoked", "authorization"};
  }
  return identity;
}

Status SqliteStore::RevokeTerminal(const std::string& terminal_id, Timestamp now) {
  return writer_->Run([&](sqlite::Connection& db) -> Status {
    db.Prepared("UPDATE terminals SET status = 'revoked', revoked_at = COALESCE(revoked_at, ?)"
                " WHERE id = ?")
        .Bind(1, ToUnixSeconds(now))
        .Bind(2, terminal_id)
        .Run();
    if (db.Changes() == 0)
      return Error{ErrorCode::kNotFound, "no terminal " + terminal_id, "terminal"};
    return {};
  });
}

void SqliteStore::RecordHeartbeat(const TerminalIdentity& terminal, std::int64_t backlog,
                                  const std::string& software_version, Timestamp now) {
  writer_->Submit(SqliteWriter::Job{
      [terminal_id = terminal.terminal_id, backlog, software_version,
       now](sqlite::Connection& db) -> Status {
        db.Prepared(
              "UPDATE terminals SET last_seen_at = ?, backlog = ?, software_version = ?"
              " WHERE id = ?")
            .Bind(1, ToUnixSeconds(now))
            .Bind(2, backlog)
            .Bind(3, software_version)
            .Bind(4, terminal_id)
            .Run();
        return {};
      },
      [](const Status&) {}});
}

std::vector<TerminalRecord> SqliteStore::ListTerminals() {
  auto lease = Read();
  auto& query = (*lease).Prepared(
      "SELECT id, store_id, name, status, enrolled_at, last_seen_at, backlog FROM terminals"
      " ORDER BY store_id, id");
  std::vector<TerminalRecord> terminals;
  while (query.Step()) {
    TerminalRecord record{{query.Text(0), query.Text(1)}, query.Text(2), query.Text(3),
                          FromUnixSeconds(query.Int(4)),  std::nullopt,  std::nullopt};
    if (!query.IsNull(5)) record.last_seen_at = FromUnixSeconds(query.Int(5));
    if (!query.IsNull(6)) record.backlog = query.Int(6);
    terminals.push_back(std::move(record));
  }
  return terminals;
}

}  // namespace loyalty::server
