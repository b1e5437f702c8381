// PostgresStore: portal accounts, sessions and the audit log.
#include <algorithm>
#include <cctype>

#include "storage/pg_store.h"

namespace loyalty::server {
namespace {

using postgres::Params;

// The user row and their stores; nullopt when there is no such user.
std::optional<PortalUser> LoadUser(postgres::Connection& db, std::int64_t user_id) {
  const auto user = db.Run(
      "SELECT id, email, name, role, disabled_at IS NOT NULL FROM portal_users"
      " WHERE id = $1::bigint",
      Params().Add(user_id));
  if (user.empty()) return std::nullopt;
  PortalUser loaded;
  loaded.id = user.Int(0, 0);
  loaded.email = user.Text(0, 1);
  loaded.name = user.Text(0, 2);
  auto role = ParsePortalRole(user.Text(0, 3));
  if (!role.ok()) throw std::runtime_error("portal user with an unknown role in the database");
  loaded.role = *role;
  loaded.disabled = user.Text(0, 4) == "t";
  const auto stores =
      db.Run("SELECT store_id FROM portal_user_stores WHERE user_id = $1::bigint ORDER BY 1",
             Params().Add(user_id));
  for (int i = 0; i < stores.size(); ++i) loaded.stores.push_back(stores.Text(i, 0));
  return loaded;
}

}  // namespace

Result<PortalUser> PostgresStore::CreatePortalUser(const NewPortalUser& user, Timestamp now) {
  std::int64_t user_id = 0;
  const std::string email = NormalisedEmail(user.email);
  const Status status = writer_->Run([&](postgres::Connection& db) -> Status {
    if (!db.Run("SELECT 1 FROM portal_users WHERE email = $1::text", Params().Add(email)).empty()) {
      return Error{ErrorCode::kAlreadyExists, "an account with this e-mail exists", "email"};
    }
    for (const auto& store_id : user.stores) {
      if (db.Run("SELECT 1 FROM stores WHERE id = $1::text", Params().Add(store_id)).empty()) {
        return Error{ErrorCode::kNotFound, "no store " + store_id, "stores"};
      }
    }
    user_id = db.Run(
                    "INSERT INTO portal_users(email, name, role, password_hash, created_at)"
                    " VALUES ($1::text, $2::text, $3::text, $4::text, $5::bigint) RETURNING id",
                    Params()
                        .Add(email)
                        .Add(user.name)
                        .Add(PortalRoleName(user.role))
                        .Add(user.password_hash)
                        .Add(ToUnixSeconds(now)))
                  .Int(0, 0);
    db.Run(
        "INSERT INTO portal_user_stores(user_id, store_id) SELECT $1::bigint, s"
        " FROM unnest($2::text[]) AS s ON CONFLICT DO NOTHING",
        Params().Add(user_id).AddArray(user.stores));
    return Status();
  });
  if (!status.ok()) return status.error();
  auto lease = Read();
  auto loaded = LoadUser(*lease, user_id);
  if (!loaded) return Internal("portal user " + std::to_string(user_id) + " vanished");
  return *loaded;
}

Result<std::pair<PortalUser, std::string>> PostgresStore::PortalUserForLogin(
    const std::string& email) {
  auto lease = Read();
  postgres::Connection& db = *lease;
  postgres::Transaction snapshot(db, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
  const auto found = db.Run("SELECT id, password_hash FROM portal_users WHERE email = $1::text",
                            Params().Add(NormalisedEmail(email)));
  if (found.empty()) return NotFound("no account with this e-mail");
  auto user = LoadUser(db, found.Int(0, 0));
  snapshot.Commit();
  if (!user) return NotFound("no account with this e-mail");
  return std::pair{std::move(*user), found.Text(0, 1)};
}

Status PostgresStore::SetPortalPassword(std::int64_t user_id, const std::string& password_hash) {
  return writer_->Run([&](postgres::Connection& db) -> Status {
    const auto updated =
        db.Run("UPDATE portal_users SET password_hash = $1::text WHERE id = $2::bigint",
               Params().Add(password_hash).Add(user_id));
    if (updated.affected() == 0) return NotFound("no portal user " + std::to_string(user_id));
    return Status();
  });
}

Status PostgresStore::CreatePortalSession(const PortalSession& session) {
  return writer_->Run([&](postgres::Connection& db) -> Status {
    // Expired sessions go as new ones come: the table never outgrows the live ones.
    db.Run("DELETE FROM portal_sessions WHERE expires_at <= $1::bigint",
           Params().Add(ToUnixSeconds(session.created_at)));
    db.Run(
        "INSERT INTO portal_sessions(token_hash, user_id, csrf_token, created_at, expires_at,"
        " remote_address) VALUES ($1::text, $2::bigint, $3::text, $4::bigint, $5::bigint,"
        " $6::text)",
        Params()
            .Add(session.token_hash)
            .Add(session.user_id)
            .Add(session.csrf_token)
            .Add(ToUnixSeconds(session.created_at))
            .Add(ToUnixSeconds(session.expires_at))
            .Add(session.remote_address));
    return Status();
  });
}

Result<std::pair<PortalSession, PortalUser>> PostgresStore::FindPortalSession(
    const std::string& token_hash, Timestamp now) {
  auto lease = Read();
  postgres::Connection& db = *lease;
  postgres::Transaction snapshot(db, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
  const auto found = db.Run(
      "SELECT user_id, csrf_token, created_at, expires_at, remote_address FROM portal_sessions"
      " WHERE token_hash = $1::text AND expires_at > $2::bigint",
      Params().Add(token_hash).Add(ToUnixSeconds(now)));
  const auto unauthenticated = [] {
    return Error{ErrorCode::kUnauthenticated, "not logged in, or the session has ended", ""};
  };
  if (found.empty()) return unauthenticated();
  PortalSession session{token_hash,
                        found.Int(0, 0),
                        found.Text(0, 1),
                        FromUnixSeconds(found.Int(0, 2)),
                        FromUnixSeconds(found.Int(0, 3)),
                        found.Text(0, 4)};
  auto user = LoadUser(db, session.user_id);
  snapshot.Commit();
  if (!user || user->disabled) return unauthenticated();
  return std::pair{std::move(session), std::move(*user)};
}

Status PostgresStore::DeletePortalSession(const std::string& token_hash) {
  return writer_->Run([&](postgres::Connection& db) -> Status {
    db.Run("DELETE FROM portal_sessions WHERE token_hash = $1::text", Params().Add(token_hash));
    return Status();
  });
}

Status PostgresStore::AppendAudit(const AuditEntry& entry) {
  return writer_->Run([&](postgres::Connection& db) -> Status {
    db.Run(
        "INSERT INTO audit_log(at, user_id, action, target, detail, remote_address)"
        " VALUES ($1::bigint, $2::bigint, $3::text, $4::text, $5::text, $6::text)",
        Params()
            .Add(ToUnixSeconds(entry.at))
            .Add(entry.user_id)
            .Add(entry.action)
            .Add(entry.target)
            .Add(entry.detail.dump())
            .Add(entry.remote_address));
    return Status();
  });
}

Result<std::vector<AuditRecord>> PostgresStore::ListAudit(const AuditQuery& query) {
  auto lease = Read();
  auto optional_text = [](const std::string& text) {
    return text.empty() ? std::nullopt : std::optional<std::string>(text);
  };
  auto optional_seconds = [](const std::optional<Timestamp>& at) {
    return at ? std::optional<std::int64_t>(ToUnixSeconds(*at)) : std::nullopt;
  };
  // An empty filter binds NULL and matches every row.
  const auto rows = (*lease).Run(
      "SELECT a.seq, a.at, a.user_id, a.action, a.target, a.detail, a.remote_address,"
      " u.email, u.name FROM audit_log a LEFT JOIN portal_users u ON u.id = a.user_id"
      " WHERE ($1::bigint IS NULL OR a.user_id = $1::bigint)"
      " AND ($2::text IS NULL OR a.action = $2::text"
      "      OR left(a.action, length($2::text) + 1) = $2::text || '.')"
      " AND ($3::text IS NULL OR a.target = $3::text)"
      " AND ($4::bigint IS NULL OR a.at >= $4::bigint) AND ($5::bigint IS NULL OR a.at < $5::bigint)"
      " AND ($6::bigint IS NULL OR a.seq < $6::bigint)"
      " ORDER BY a.seq DESC LIMIT $7::bigint",
      Params()
          .Add(query.user_id)
          .Add(optional_text(query.action))
          .Add(optional_text(query.target))
          .Add(optional_seconds(query.from))
          .Add(optional_seconds(query.to))
          .Add(query.before_seq)
          .Add(static_cast<std::int64_t>(query.limit)));
  std::vector<AuditRecord> records;
  for (int row = 0; row < rows.size(); ++row) {
    AuditRecord record;
    record.seq = rows.Int(row, 0);
    record.entry.at = FromUnixSeconds(rows.Int(row, 1));
    record.entry.user_id = rows.OptionalInt(row, 2);
    record.entry.action = rows.Text(row, 3);
    record.entry.target = rows.Text(row, 4);
    record.entry.detail = nlohmann::json::parse(rows.Text(row, 5), nullptr, false);
    record.entry.remote_address = rows.Text(row, 6);
    if (!rows.IsNull(row, 7)) record.user_email = rows.Text(row, 7);
    if (!rows.IsNull(row, 8)) record.user_name = rows.Text(row, 8);
    records.push_back(std::move(record));
  }
  return records;
}

}  // namespace loyalty::server

namespace loyalty::server {

std::vector<CouponConflict> PostgresStore::ListCouponConflicts(
    const std::vector<std::string>& stores, std::size_t limit) {
  auto lease = Read();
  const auto rows = (*lease).Run(
      "SELECT coupon_id, customer_id, first_purchase_id, first_store_id, first_terminal_id,"
      " first_at, second_purchase_id, second_store_id, second_terminal_id, second_at,"
      " discount_minor, verified_offline, detected_at FROM coupon_conflicts"
      " WHERE cardinality($1::text[]) = 0 OR first_store_id = ANY($1::text[])"
      " OR second_store_id = ANY($1::text[])"
      " ORDER BY detected_at DESC, coupon_id LIMIT $2::bigint",
      postgres::Params().AddArray(stores).Add(static_cast<std::int64_t>(limit)));
  std::vector<CouponConflict> conflicts;
  for (int i = 0; i < rows.size(); ++i) {
    conflicts.push_back({rows.Text(i, 0), rows.Int(i, 1), rows.Text(i, 2), rows.Text(i, 3),
                         rows.Text(i, 4), FromUnixSeconds(rows.Int(i, 5)), rows.Text(i, 6),
                         rows.Text(i, 7), rows.Text(i, 8), FromUnixSeconds(rows.Int(i, 9)),
                         rows.Int(i, 10), rows.Int(i, 11) != 0, FromUnixSeconds(rows.Int(i, 12))});
  }
  return conflicts;
}

}  // namespace loyalty::server
