#include "storage/pg_schema.h"

#include <map>
#include <string>

namespace loyalty::server {
namespace {

// Any fixed number: the key of the advisory lock serialising schema changes.
constexpr std::int64_t kMigrationLock = 0x4c6f79616c7479;  // "Loyalty"

std::int64_t VersionOf(std::string_view name) {
  return std::stoll(std::string(name.substr(0, name.find('_'))));
}

}  // namespace

void MigratePostgres(postgres::Connection& db) {
  postgres::Transaction transaction(db);
  db.Run("SELECT pg_advisory_xact_lock($1::bigint)", postgres::Params().Add(kMigrationLock));
  db.Exec(
      "CREATE TABLE IF NOT EXISTS schema_migrations ("
      " version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)");
  std::map<std::int64_t, std::string> known;
  for (const auto& [name, sql] : PostgresMigrations()) known.emplace(VersionOf(name), name);
  std::map<std::int64_t, std::string> applied;
  const auto rows = db.Run("SELECT version, name FROM schema_migrations ORDER BY version");
  for (int i = 0; i < rows.size(); ++i) {
    const std::int64_t version = rows.Int(i, 0);
    const std::string name = rows.Text(i, 1);
    const auto found = known.find(version);
    if (found == known.end()) {
      throw postgres::PostgresError(
          "the database schema is at migration " + name + ", newer than this loyalty-server (" +
              known.rbegin()->second + " at most): run the loyalty-server that migrated it",
          "");
    }
    if (found->second != name) {
      throw postgres::PostgresError("the database has migration " + name + " where this " +
                                        "loyalty-server has " + found->second +
                                        ": it was made by another program or version",
                                    "");
    }
    applied.emplace(version, name);
  }
  for (const auto& [name, sql] : PostgresMigrations()) {
    if (applied.count(VersionOf(name)) > 0) continue;
    db.Exec(sql);
    db.Run(
        "INSERT INTO schema_migrations(version, name, applied_at)"
        " VALUES ($1::bigint, $2::text, extract(epoch from now())::bigint)",
        postgres::Params().Add(VersionOf(name)).Add(name));
  }
  transaction.Commit();
}

}  // namespace loyalty::server
