// SqliteStore: portal accounts, sessions and the audit log.
#include <algorithm>
#include <cctype>

#include "storage/sqlite_store.h"

namespace loyalty::server {
namespace {

// The user row and their stores; nullopt when there is no such user.
std::optional<PortalUser> LoadUser(sqlite::Connection& db, std::int64_t user_id) {
  auto& user = db.Prepared(
      "SELECT id, email, name, role, disabled_at IS NOT NULL FROM portal_users WHERE id = ?");
  user.Bind(1, user_id);
  if (!user.Step()) return std::nullopt;
  PortalUser loaded;
  loaded.id = user.Int(0);
  loaded.email = user.Text(1);
  loaded.name = user.Text(2);
  auto role = ParsePortalRole(user.Text(3));
  loaded.disabled = user.Int(4) != 0;
  user.Reset();
  if (!role.ok()) throw std::runtime_error("portal user with an unknown role in the database");
  loaded.role = *role;
  auto& stores = db.Prepared("SELECT store_id FROM portal_user_stores WHERE user_id = ? ORDER BY 1");
  stores.Bind(1, user_id);
  while (stores.Step()) loaded.stores.push_back(stores.Text(0));
  return loaded;
}

}  // namespace

Result<PortalUser> SqliteStore::CreatePortalUser(const NewPortalUser& user, Timestamp now) {
  std::int64_t user_id = 0;
  const std::string email = NormalisedEmail(user.email);
  const Status status = writer_->Run([&](sqlite::Connection& db) -> Status {
    auto& taken = db.Prepared("SELECT 1 FROM portal_users WHERE email = ?");
    taken.Bind(1, email);
    const bool exists = taken.Step();
    taken.Reset();
    if (exists) {
      return Error{ErrorCode::kAlreadyExists, "an account with this e-mail exists", "email"};
    }
    for (const auto& store_id : user.stores) {
      auto& store = db.Prepared("SELECT 1 FROM stores WHERE id = ?");
      store.Bind(1, store_id);
      const bool known = store.Step();
      store.Reset();
      if (!known) return Error{ErrorCode::kNotFound, "no store " + store_id, "stores"};
    }
    db.Prepared(
          "INSERT INTO portal_users(email, name, role, password_hash, created_at)"
          " VALUES (?, ?, ?, ?, ?)")
        .Bind(1, email)
        .Bind(2, user.name)
        .Bind(3, PortalRoleName(user.role))
        .Bind(4, user.password_hash)
        .Bind(5, ToUnixSeconds(now))
        .Run();
    user_id = db.LastInsertRowId();
    for (const auto& store_id : user.stores) {
      db.Prepared("INSERT OR IGNORE INTO portal_user_stores(user_id, store_id) VALUES (?, ?)")
          .Bind(1, user_id)
          .Bind(2, store_id)
          .Run();
    }
    return Status();
  });
  if (!status.ok()) return status.error();
  auto lease = Read();
  auto loaded = LoadUser(*lease, user_id);
  if (!loaded) return Internal("portal user " + std::to_string(user_id) + " vanished");
  return *loaded;
}

Result<std::pair<PortalUser, std::string>> SqliteStore::PortalUserForLogin(
    const std::string& email) {
  auto lease = Read();
  sqlite::Connection& db = *lease;
  sqlite::ReadTransaction snapshot(db);
  auto& query = db.Prepared("SELECT id, password_hash FROM portal_users WHERE email = ?");
  query.Bind(1, NormalisedEmail(email));
  if (!query.Step()) return NotFound("no account with this e-mail");
  const std::int64_t user_id = query.Int(0);
  std::string hash = query.Text(1);
  query.Reset();
  auto user = LoadUser(db, user_id);
  if (!user) return NotFound("no account with this e-mail");
  return std::pair{std::move(*user), std::move(hash)};
}

Status SqliteStore::SetPortalPassword(std::int64_t user_id, const std::string& password_hash) {
  return writer_->Run([&](sqlite::Connection& db) -> Status {
    db.Prepared("UPDATE portal_users SET password_hash = ? WHERE id = ?")
        .Bind(1, password_hash)
        .Bind(2, user_id)
        .Run();
    if (db.Changes() == 0) return NotFound("no portal user " + std::to_string(user_id));
    return Status();
  });
}

Status SqliteStore::CreatePortalSession(const PortalSession& session) {
  return writer_->Run([&](sqlite::Connection& db) -> Status {
    // Expired sessions go as new ones come: the table never outgrows the live ones.
    db.Prepared("DELETE FROM portal_sessions WHERE expires_at <= ?")
        .Bind(1, ToUnixSeconds(session.created_at))
        .Run();
    db.Prepared(
          "INSERT INTO portal_sessions(token_hash, user_id, csrf_token, created_at, expires_at,"
          " remote_address) VALUES (?, ?, ?, ?, ?, ?)")
        .Bind(1, session.token_hash)
        .Bind(2, session.user_id)
        .Bind(3, session.csrf_token)
        .Bind(4, ToUnixSeconds(session.created_at))
        .Bind(5, ToUnixSeconds(session.expires_at))
        .Bind(6, session.remote_address)
        .Run();
    return Status();
  });
}

Result<std::pair<PortalSession, PortalUser>> SqliteStore::FindPortalSession(
    const std::string& token_hash, Timestamp now) {
  auto lease = Read();
  sqlite::Connection& db = *lease;
  sqlite::ReadTransaction snapshot(db);
  auto& query = db.Prepared(
      "SELECT user_id, csrf_token, created_at, expires_at, remote_address FROM portal_sessions"
      " WHERE token_hash = ? AND expires_at > ?");
  query.Bind(1, token_hash).Bind(2, ToUnixSeconds(now));
  const auto unauthenticated = [] {
    return Error{ErrorCode::kUnauthenticated, "not logged in, or the session has ended", ""};
  };
  if (!query.Step()) return unauthenticated();
  PortalSession session{token_hash,
                        query.Int(0),
                        query.Text(1),
                        FromUnixSeconds(query.Int(2)),
                        FromUnixSeconds(query.Int(3)),
                        query.Text(4)};
  query.Reset();
  auto user = LoadUser(db, session.user_id);
  if (!user || user->disabled) return unauthenticated();
  return std::pair{std::move(session), std::move(*user)};
}

Status SqliteStore::DeletePortalSession(const std::string& token_hash) {
  return writer_->Run([&](sqlite::Connection& db) -> Status {
    db.Prepared("DELETE FROM portal_sessions WHERE token_hash = ?").Bind(1, token_hash).Run();
    return Status();
  });
}

Status SqliteStore::AppendAudit(const AuditEntry& entry) {
  return writer_->Run([&](sqlite::Connection& db) -> Status {
    auto& insert = db.Prepared(
        "INSERT INTO audit_log(at, user_id, action, target, detail, remote_address)"
        " VALUES (?, ?, ?, ?, ?, ?)");
    insert.Bind(1, ToUnixSeconds(entry.at));
    if (entry.user_id) {
      insert.Bind(2, *entry.user_id);
    } else {
      insert.BindNull(2);
    }
    insert.Bind(3, entry.action)
        .Bind(4, entry.target)
        .Bind(5, entry.detail.dump())
        .Bind(6, entry.remote_address)
        .Run();
    return Status();
  });
}

Result<std::vector<AuditRecord>> SqliteStore::ListAudit(const AuditQuery& query) {
  auto lease = Read();
  sqlite::Connection& db = *lease;
  // Numbered parameters: an empty filter binds NULL and matches every row.
  auto& select = db.Prepared(
      "SELECT a.seq, a.at, a.user_id, a.action, a.target, a.detail, a.remote_address,"
      " u.email, u.name FROM audit_log a LEFT JOIN portal_users u ON u.id = a.user_id"
      " WHERE (?1 IS NULL OR a.user_id = ?1)"
      " AND (?2 IS NULL OR a.action = ?2 OR substr(a.action, 1, length(?2) + 1) = ?2 || '.')"
      " AND (?3 IS NULL OR a.target = ?3)"
      " AND (?4 IS NULL OR a.at >= ?4) AND (?5 IS NULL OR a.at < ?5)"
      " AND (?6 IS NULL OR a.seq < ?6)"
      " ORDER BY a.seq DESC LIMIT ?7");
  select.Bind(1, query.user_id);
  if (query.action.empty()) select.BindNull(2); else select.Bind(2, query.action);
  if (query.target.empty()) select.BindNull(3); else select.Bind(3, query.target);
  if (query.from) select.Bind(4, ToUnixSeconds(*query.from)); else select.BindNull(4);
  if (query.to) select.Bind(5, ToUnixSeconds(*query.to)); else select.BindNull(5);
  select.Bind(6, query.before_seq);
  select.Bind(7, static_cast<std::int64_t>(query.limit));
  std::vector<AuditRecord> records;
  while (select.Step()) {
    AuditRecord record;
    record.seq = select.Int(0);
    record.entry.at = FromUnixSeconds(select.Int(1));
    if (!select.IsNull(2)) record.entry.user_id = select.Int(2);
    record.entry.action = select.Text(3);
    record.entry.target = select.Text(4);
    record.entry.detail = nlohmann::json::parse(select.Text(5), nullptr, false);
    record.entry.remote_address = select.Text(6);
    if (!select.IsNull(7)) record.user_email = select.Text(7);
    if (!select.IsNull(8)) record.user_name = select.Text(8);
    records.push_back(std::move(record));
  }
  select.Reset();
  return records;
}

}  // namespace loyalty::server

namespace loyalty::server {

std::vector<CouponConflict> SqliteStore::ListCouponConflicts(const std::vector<std::string>& stores,
                                                             std::size_t limit) {
  std::string sql =
      "SELECT coupon_id, customer_id, first_purchase_id, first_store_id, first_terminal_id,"
      " first_at, second_purchase_id, second_store_id, second_terminal_id, second_at,"
      " discount_minor, verified_offline, detected_at FROM coupon_conflicts";
  if (!stores.empty()) {
    std::string marks;
    for (std::size_t i = 0; i < stores.size(); ++i) marks += i == 0 ? "?" : ", ?";
    sql += " WHERE first_store_id IN (" + marks + ") OR second_store_id IN (" + marks + ")";
  }
  sql += " ORDER BY detected_at DESC, coupon_id LIMIT ?";
  auto lease = Read();
  sqlite::Connection& db = *lease;
  auto& query = db.Prepared(sql);
  int index = 1;
  for (int pass = 0; pass < 2 && !stores.empty(); ++pass) {
    for (const auto& store : stores) query.Bind(index++, store);
  }
  query.Bind(index, static_cast<std::int64_t>(limit));
  std::vector<CouponConflict> conflicts;
  while (query.Step()) {
    conflicts.push_back({query.Text(0), query.Int(1), query.Text(2), query.Text(3), query.Text(4),
                         FromUnixSeconds(query.Int(5)), query.Text(6), query.Text(7),
                         query.Text(8), FromUnixSeconds(query.Int(9)), query.Int(10),
                         query.Int(11) != 0, FromUnixSeconds(query.Int(12))});
  }
  return conflicts;
}

}  // namespace loyalty::server
