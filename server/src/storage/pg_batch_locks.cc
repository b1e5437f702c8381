// PostgresStore: batch jobs' locks (migrations 0018, 0021). The holder's row is read FOR
// UPDATE, and a first holder inserted with ON CONFLICT DO NOTHING, so of two processes
// (on any machines) racing for a free or expired lock exactly one takes it.
#include "storage/pg_store.h"

namespace loyalty::server {

using postgres::Params;

namespace {

std::int64_t Millis(LeaseTime t) { return t.time_since_epoch().count(); }
LeaseTime FromMillis(std::int64_t ms) { return LeaseTime(std::chrono::milliseconds(ms)); }

std::optional<BatchLockHolder> LockHolder(postgres::Connection& db, const std::string& name) {
  const auto rows = db.Run(
      // A run of a binary from before migration 0021, still going through the upgrade,
      // heartbeats heartbeat_at (seconds) alone: its lease runs from that heartbeat.
      "SELECT token, host, pid, detail, started_at, GREATEST(heartbeat_ms, heartbeat_at * 1000),"
      " lease_ms, GREATEST(expires_ms, heartbeat_at * 1000 + lease_ms)"
      " FROM batch_locks WHERE name = $1::text FOR UPDATE",
      Params().Add(name));
  if (rows.empty()) return std::nullopt;
  return BatchLockHolder{rows.Text(0, 0),
                         rows.Text(0, 1),
                         rows.Int(0, 2),
                         rows.Text(0, 3),
                         FromUnixSeconds(rows.Int(0, 4)),
                         FromMillis(rows.Int(0, 5)),
                         std::chrono::milliseconds(rows.Int(0, 6)),
                         FromMillis(rows.Int(0, 7))};
}

}  // namespace

Result<BatchLockAttempt> PostgresStore::TryTakeBatchLock(const std::string& name,
                                                         const BatchLockHolder& holder,
                                                         LeaseTime now,
                                                         std::chrono::milliseconds lease) {
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
          .Add(Millis(now))
          .Add(static_cast<std::int64_t>(lease.count()))
          .Add(Millis(now + lease));
    };
    attempt.other = LockHolder(db, name);
    if (!attempt.other) {
      const auto inserted = db.Run(
          "INSERT INTO batch_locks(name, token, host, pid, detail, started_at, heartbeat_at,"
          " heartbeat_ms, lease_ms, expires_ms) VALUES ($1::text, $2::text, $3::text,"
          " $4::bigint, $5::text, $6::bigint, $7::bigint / 1000, $7::bigint, $8::bigint,"
          " $9::bigint) ON CONFLICT (name) DO NOTHING RETURNING 1",
          values());
      attempt.taken = !inserted.empty();
      // Lost the race to a process that inserted first: it is the live holder.
      if (!attempt.taken) attempt.other = LockHolder(db, name);
      return Status();
    }
    if (attempt.other->expires_at >= now) return Status();
    db.Run(
        "UPDATE batch_locks SET token = $2::text, host = $3::text, pid = $4::bigint,"
        " detail = $5::text, started_at = $6::bigint, heartbeat_at = $7::bigint / 1000,"
        " heartbeat_ms = $7::bigint, lease_ms = $8::bigint, expires_ms = $9::bigint"
        " WHERE name = $1::text",
        values());
    attempt.taken = true;
    return Status();
  });
  if (!status.ok()) return status.error();
  return attempt;
}

Result<bool> PostgresStore::HeartbeatBatchLock(const std::string& name, const std::string& token,
                                               LeaseTime now, std::chrono::milliseconds lease) {
  bool held = false;
  const Status status = writer_->Run([&](postgres::Connection& db) -> Status {
    held = !db.Run(
                  "UPDATE batch_locks SET heartbeat_at = $1::bigint / 1000, heartbeat_ms = $1::bigint,"
                  " lease_ms = $2::bigint, expires_ms = $1::bigint + $2::bigint"
                  " WHERE name = $3::text AND token = $4::text RETURNING 1",
                  Params().Add(Millis(now)).Add(static_cast<std::int64_t>(lease.count())).Add(name).Add(token))
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
