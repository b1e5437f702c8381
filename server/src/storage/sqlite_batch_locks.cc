// SqliteStore: batch jobs' locks (migration 0018). The writer's transaction makes the
// read of the holder and the write of the new one a single step: two processes cannot
// both find the lock free, since SQLite admits one writer at a time.
#include "storage/sqlite_store.h"

namespace loyalty::server {

Result<BatchLockAttempt> SqliteStore::TryTakeBatchLock(const std::string& name,
                                                       const BatchLockHolder& holder,
                                                       Timestamp now,
                                                       std::chrono::seconds stale_after) {
  BatchLockAttempt attempt;
  const Status status = writer_->Run([&](sqlite::Connection& db) -> Status {
    attempt = {};
    auto& current = db.Prepared(
        "SELECT token, host, pid, detail, started_at, heartbeat_at FROM batch_locks"
        " WHERE name = ?");
    current.Bind(1, name);
    if (current.Step()) {
      attempt.other = BatchLockHolder{current.Text(0),
                                      current.Text(1),
                                      current.Int(2),
                                      current.Text(3),
                                      FromUnixSeconds(current.Int(4)),
                                      FromUnixSeconds(current.Int(5))};
    }
    current.Reset();
    if (attempt.other && attempt.other->heartbeat_at >= now - stale_after) return Status();
    db.Prepared(
          "INSERT OR REPLACE INTO batch_locks(name, token, host, pid, detail, started_at,"
          " heartbeat_at) VALUES (?, ?, ?, ?, ?, ?, ?)")
        .Bind(1, name)
        .Bind(2, holder.token)
        .Bind(3, holder.host)
        .Bind(4, holder.pid)
        .Bind(5, holder.detail)
        .Bind(6, ToUnixSeconds(holder.started_at))
        .Bind(7, ToUnixSeconds(now))
        .Run();
    attempt.taken = true;
    return Status();
  });
  if (!status.ok()) return status.error();
  return attempt;
}

Result<bool> SqliteStore::HeartbeatBatchLock(const std::string& name, const std::string& token,
                                             Timestamp now) {
  bool held = false;
  const Status status = writer_->Run([&](sqlite::Connection& db) -> Status {
    db.Prepared("UPDATE batch_locks SET heartbeat_at = ? WHERE name = ? AND token = ?")
        .Bind(1, ToUnixSeconds(now))
        .Bind(2, name)
        .Bind(3, token)
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
