// PostgresStore: batch jobs' locks (migration 0018). The holder's row is read FOR
// UPDATE, and a first holder inserted with ON CONFLICT DO NOTHING, so of two processes
// (on any machines) racing for a free or stale lock exactly one takes it.
#include "storage/pg_store.h"

namespace loyalty::server {

using postgres::Params;

namespace {

std::optional<BatchLockHolder> LockHolder(postgres::Connection& db, const std::string& name) {
  const auto rows = db.Run(
      "SELECT token, host, pid, detail, started_at, heartbeat_at FROM batch_locks"
      " WHERE name = $1::text FOR UPDATE",
      Params().Add(name));
  if (rows.empty()) return std::nullopt;
  return BatchLockHolder{rows.Text(0, 0),
                         rows.Text(0, 1),
                         rows.Int(0, 2),
                         rows.Text(0, 3),
                         FromUnixSeconds(rows.Int(0, 4)),
                         FromUnixSeconds(rows.Int(0, 5))};
}

}  // namespace

Result<BatchLockAttempt> PostgresStore::TryTakeBatchLock(const std::string& name,
                                                         const BatchLockHolder& holder,
                                                         Timestamp now,
                                                         std::chrono::seconds stale_after) {
  BatchLockAttempt attempt;
  const Status status = writer_->Run([&](postgres::Connection& db) -> Status {
    attempt = {};
    const auto values = [&] {
      return Params()
          .Add(name)
          .Add(holder.token)
          .Add(holder.host)
          .Add(holder.pid)
          .Add(holder.detail)
          .Add(ToUnixSeconds(holder.started_at))
          .Add(ToUnixSeconds(now));
    };
    attempt.other = LockHolder(db, name);
    if (!attempt.other) {
      const auto inserted = db.Run(
          "INSERT INTO batch_locks(name, token, host, pid, detail, started_at, heartbeat_at)"
          " VALUES ($1::text, $2::text, $3::text, $4::bigint, $5::text, $6::bigint, $7::bigint)"
          " ON CONFLICT (name) DO NOTHING RETURNING 1",
          values());
      attempt.taken = !inserted.empty();
      // Lost the race to a process that inserted first: it is the live holder.
      if (!attempt.taken) attempt.other = LockHolder(db, name);
      return Status();
    }
    if (attempt.other->heartbeat_at >= now - stale_after) return Status();
    db.Run(
        "UPDATE batch_locks SET token = $2::text, host = $3::text, pid = $4::bigint,"
        " detail = $5::text, started_at = $6::bigint, heartbeat_at = $7::bigint"
        " WHERE name = $1::text",
        values());
    attempt.taken = true;
    return Status();
  });
  if (!status.ok()) return status.error();
  return attempt;
}

Result<bool> PostgresStore::HeartbeatBatchLock(const std::string& name, const std::string& token,
                                               Timestamp now) {
  bool held = false;
  const Status status = writer_->Run([&](postgres::Connection& db) -> Status {
    held = !db.Run(
                  "UPDATE batch_locks SET heartbeat_at = $1::bigint"
                  " WHERE name = $2::text AND token = $3::text RETURNING 1",
                  Params().Add(ToUnixSeconds(now)).Add(name).Add(token))
                .empty();
    return Status();
  });
  if (!status.ok()) return status.error();
  return held;
}

Status PostgresStore::ReleaseBatchLock(const std::string& name, const std::string& token) {
  return writer_->Run([&](postgres::Connection& db) -> Status {
    db.Run("DELETE FROM batch_locks WHERE name = $1::text AND token = $2::text",
           Params().Add(name).Add(token));
    return Status();
  });
}

}  // namespace loyalty::server
