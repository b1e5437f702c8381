// SqliteStore: batch jobs' locks (migrations 0018, 0021). The writer's transaction makes
// the read of the holder and the write of the new one a single step: two processes cannot
// both find the lock free, since SQLite admits one writer at a time.
#include "storage/sqlite_store.h"

namespace loyalty::server {
namespace {

std::int64_t Millis(LeaseTime t) { return t.time_since_epoch().count(); }
LeaseTime FromMillis(std::int64_t ms) { return LeaseTime(std::chrono::milliseconds(ms)); }

}  // namespace

Result<BatchLockAttempt> SqliteStore::TryTakeBatchLock(const std::string& name,
                                                       const BatchLockHolder& holder,
                                                       LeaseTime now,
                                                       std::chrono::milliseconds lease) {
  BatchLockAttempt attempt;
  const Status status = writer_->Run([&](sqlite::Connection& db) -> Status {
    attempt = {};
    auto& current = db.Prepared(
        // A run of a binary from before migration 0021, still going through the upgrade,
        // heartbeats heartbeat_at (seconds) alone: its lease runs from that heartbeat.
        "SELECT token, host, pid, detail, started_at, MAX(heartbeat_ms, heartbeat_at * 1000),"
        " lease_ms, MAX(expires_ms, heartbeat_at * 1000 + lease_ms)"
        " FROM batch_locks WHERE name = ?");
    current.Bind(1, name);
    if (current.Step()) {
      attempt.other = BatchLockHolder{current.Text(0),
                                      current.Text(1),
                                      current.Int(2),
                                      current.Text(3),
                                      FromUnixSeconds(current.Int(4)),
                                      FromMillis(current.Int(5)),
                                      std::chrono::milliseconds(current.Int(6)),
                                      FromMillis(current.Int(7))};
    }
    current.Reset();
    if (attempt.other && attempt.other->expires_at >= now) return Status();
    db.Prepared(
          "INSERT OR REPLACE INTO batch_locks(name, token, host, pid, detail, started_at,"
          " heartbeat_at, heartbeat_ms, lease_ms, expires_ms) VALUES (?,?,?,?,?,?,?,?,?,?)")
        .Bind(1, name)
        .Bind(2, holder.token)
        .Bind(3, holder.host)
        .Bind(4, holder.pid)
        .Bind(5, holder.detail)
        .Bind(6, ToUnixSeconds(holder.started_at))
        .Bind(7, Millis(now) / 1000)
        .Bind(8, Millis(now))
        .Bind(9, static_cast<std::int64_t>(lease.count()))
        .Bind(10, Millis(now + lease))
        .Run();
    attempt.taken = true;
    return Status();
  });
  if (!status.ok()) return status.error();
  return attempt;
}

Result<bool> SqliteStore::HeartbeatBatchLock(const std::string& name, const std::string& token,
                                             LeaseTime now, std::chrono::milliseconds lease) {
  bool held = false;
  const Status status = writer_->Run([&](sqlite::Connection& db) -> Status {
    db.Prepared(
          "UPDATE batch_locks SET heartbeat_at = ?, heartbeat_ms = ?, lease_ms = ?,"
          " expires_ms = ? WHERE name = ? AND token = ?")
        .Bind(1, Millis(now) / 1000)
        .Bind(2, Millis(now))
        .Bind(3, static_cast<std::int64_t>(lease.count()))
        .Bind(4, Millis(now + lease))
        .Bind(5, name)
        .Bind(6, token)
        .Run();
    held = db.Changes() > 0;
    return Status();
  });
  if (!status.ok()) return status.error();
  return held;
}

Status SqliteStore::ReleaseBatchLock(const std::string& name, const std::string& token) {
  return writer_->Run([&](sqlite::Connection& db) -> Status {
    db.Prepared("DELETE FROM batch_locks WHERE name = ? AND token = ?")
        .Bind(1, name)
        .Bind(2, token)
        .Run();
    return Status();
  });
}

}  // namespace loyalty::server
