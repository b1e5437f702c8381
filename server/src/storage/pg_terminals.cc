// PostgresStore: stores, terminal enrollment, authentication and heartbeats.
#include "auth/credentials.h"
#include "storage/pg_store.h"

namespace loyalty::server {
namespace {

using postgres::Params;

bool StoreExists(postgres::Connection& db, const std::string& store_id) {
  return !db.Run("SELECT 1 FROM stores WHERE id = $1::text", Params().Add(store_id)).empty();
}

}  // namespace

Status PostgresStore::AddStore(const StoreInfo& store) {
  if (store.id.empty() || store.id.size() > 32) {
    return InvalidArgument("id", "a store id has 1 to 32 characters");
  }
  if (store.name.empty() || store.name.size() > 200) {
    return InvalidArgument("name", "a store name has 1 to 200 characters");
  }
  if (auto currency = Currency::FromCode(store.currency); !currency.ok()) {
    return currency.error();
  }
  return writer_->Run([&](postgres::Connection& db) -> Status {
    const auto added = db.Run(
        "INSERT INTO stores(id, name, currency, created_at) VALUES ($1::text, $2::text,"
        " $3::text, $4::bigint) ON CONFLICT (id) DO NOTHING",
        Params().Add(store.id).Add(store.name).Add(store.currency).Add(ToUnixSeconds(Now())));
    if (added.affected() == 0) {
      return Error{ErrorCode::kAlreadyExists, "store " + store.id + " exists already", "id"};
    }
    return {};
  });
}

Result<std::string> PostgresStore::CreateEnrollmentCode(const std::string& store_id,
                                                        std::chrono::seconds valid_for,
                                                        Timestamp now) {
  const std::string code = auth::NewEnrollmentCode();
  const Status status = writer_->Run([&](postgres::Connection& db) -> Status {
    if (!StoreExists(db, store_id)) {
      return Error{ErrorCode::kNotFound,
                   "no store " + store_id + " (add it with: loyalty-server store add)", "store"};
    }
    db.Run(
        "INSERT INTO enrollment_codes(code_sha256, store_id, created_at, expires_at)"
        " VALUES ($1::text, $2::text, $3::bigint, $4::bigint)",
        Params()
            .Add(auth::HashSecret(*auth::NormalizeEnrollmentCode(code)))
            .Add(store_id)
            .Add(ToUnixSeconds(now))
            .Add(ToUnixSeconds(now + valid_for)));
    return {};
  });
  if (!status.ok()) return status.error();
  return code;
}

Result<EnrolledTerminal> PostgresStore::EnrollTerminal(const std::string& code,
                                                       const std::string& name, Timestamp now) {
  auto normalized = auth::NormalizeEnrollmentCode(code);
  if (!normalized.ok()) return normalized.error();
  if (name.empty() || name.size() > 100) {
    return InvalidArgument("name", "a terminal name has 1 to 100 characters");
  }
  EnrolledTerminal enrolled;
  enrolled.credential = auth::NewTerminalCredential();
  const std::string code_hash = auth::HashSecret(*normalized);
  const Status status = writer_->Run([&](postgres::Connection& db) -> Status {
    // FOR UPDATE: a code used by two terminals at once enrolls only the first.
    const auto found = db.Run(
        "SELECT store_id, expires_at, used_at FROM enrollment_codes WHERE code_sha256 = $1::text"
        " FOR UPDATE",
        Params().Add(code_hash));
    if (found.empty()) {
      return Error{ErrorCode::kUnauthenticated, "unknown enrollment code", "code"};
    }
    const std::string store_id = found.Text(0, 0);
    if (!found.IsNull(0, 2)) {
      return Error{ErrorCode::kUnauthenticated, "enrollment code already used", "code"};
    }
    if (found.Int(0, 1) <= ToUnixSeconds(now)) {
      return Error{ErrorCode::kUnauthenticated, "enrollment code expired", "code"};
    }
    // Terminal ids read well on receipts and screens: the store's id and a number.
    const std::int64_t number =
        db.Run("SELECT COUNT(*) FROM terminals WHERE store_id = $1::text", Params().Add(store_id))
            .Int(0, 0) +
        1;
    enrolled.identity = {store_id + "-T" + (number < 10 ? "0" : "") + std::to_string(number),
                         store_id};
    db.Run(
        "INSERT INTO terminals(id, store_id, name, credential_sha256, enrolled_at)"
        " VALUES ($1::text, $2::text, $3::text, $4::text, $5::bigint)",
        Params()
            .Add(enrolled.identity.terminal_id)
            .Add(store_id)
            .Add(name)
            .Add(auth::HashSecret(enrolled.credential))
            .Add(ToUnixSeconds(now)));
    db.Run(
        "UPDATE enrollment_codes SET used_at = $1::bigint, terminal_id = $2::text"
        " WHERE code_sha256 = $3::text",
        Params().Add(ToUnixSeconds(now)).Add(enrolled.identity.terminal_id).Add(code_hash));
    return {};
  });
  if (!status.ok()) return status.error();
  return enrolled;
}

Result<TerminalIdentity> PostgresStore::AuthenticateTerminal(const std::string& credential) {
  auto lease = Read();
  const auto rows =
      (*lease).Run("SELECT id, store_id, status FROM terminals WHERE credential_sha256 = $1::text",
                   Params().Add(auth::HashSecret(credential)));
  if (rows.empty()) {
    return Error{ErrorCode::kUnauthenticated, "unknown terminal credential; enroll the terminal",
                 "authorization"};
  }
  TerminalIdentity identity{rows.Text(0, 0), rows.Text(0, 1)};
  if (rows.Text(0, 2) == "revoked") {
    return Error{ErrorCode::kPermissionDenied,
                 "terminal " + identity.terminal_id + " has been revoked", "authorization"};
  }
  return identity;
}

Status PostgresStore::RevokeTerminal(const std::string& terminal_id, Timestamp now) {
  return writer_->Run([&](postgres::Connection& db) -> Status {
    const auto revoked = db.Run(
        "UPDATE terminals SET status = 'revoked', revoked_at = COALESCE(revoked_at, $1::bigint)"
        " WHERE id = $2::text",
        Params().Add(ToUnixSeconds(now)).Add(terminal_id));
    if (revoked.affected() == 0) {
      return Error{ErrorCode::kNotFound, "no terminal " + terminal_id, "terminal"};
    }
    return {};
  });
}

void PostgresStore::RecordHeartbeat(const TerminalIdentity& terminal, std::int64_t backlog,
                                    const std::string& software_version, Timestamp now) {
  writer_->Submit(PostgresWriter::Job{
      [terminal_id = terminal.terminal_id, backlog, software_version,
       now](postgres::Connection& db) -> Status {
        db.Run(
            "UPDATE terminals SET last_seen_at = $1::bigint, backlog = $2::bigint,"
            " software_version = $3::text WHERE id = $4::text",
            Params().Add(ToUnixSeconds(now)).Add(backlog).Add(software_version).Add(terminal_id));
        return {};
      },
      [](const Status&) {}});
}

std::vector<TerminalRecord> PostgresStore::ListTerminals() {
  auto lease = Read();
  postgres::Connection& db = *lease;
  postgres::Transaction snapshot(db, "BEGIN READ ONLY");
  std::vector<TerminalRecord> terminals;
  db.ForEachRow(
      "SELECT id, store_id, name, status, enrolled_at, last_seen_at, backlog FROM terminals"
      " ORDER BY store_id COLLATE \"C\", id",
      {}, [&](const postgres::Rows& rows, int row) {
        TerminalRecord record{
            {rows.Text(row, 0), rows.Text(row, 1)}, rows.Text(row, 2), rows.Text(row, 3),
            FromUnixSeconds(rows.Int(row, 4)),      std::nullopt,      rows.OptionalInt(row, 6)};
        if (!rows.IsNull(row, 5)) record.last_seen_at = FromUnixSeconds(rows.Int(row, 5));
        terminals.push_back(std::move(record));
      });
  snapshot.Commit();
  return terminals;
}

}  // namespace loyalty::server
