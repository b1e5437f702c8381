// Moving a store up from SQLite to PostgreSQL: `loyalty-server migrate --from
// sqlite:///... --to postgresql://...`. Every table is copied from one consistent
// snapshot of the SQLite file (the server may go on serving from it meanwhile; what it
// commits after the snapshot is not copied, so stop it for the final cut-over) into an
// empty PostgreSQL database with COPY, in one transaction, and then verified: per table,
// the row count and a SHA-256 over every row in primary-key order, computed the same
// way from both databases. Both schemas are at the same migration (the engines'
// migrations are twins), so columns match by name and type.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "loyalty/core/result.h"

namespace loyalty::server {

struct TableCheck {
  std::string table;
  std::int64_t source_rows = 0;
  std::int64_t target_rows = 0;
  std::string source_sha256;
  std::string target_sha256;
  bool matches() const { return source_rows == target_rows && source_sha256 == target_sha256; }
};

struct MigrationReport {
  std::vector<TableCheck> tables;  // in copy order
  bool ok() const;
};

// Copies and verifies. Errors (as values) for what the operator must fix: a source
// that is not at this program's schema version, a target that holds data already or
// was made by another version. Throws on a broken database or a lost connection.
Result<MigrationReport> MigrateSqliteToPostgres(const std::string& sqlite_path,
                                                const std::string& postgres_url);

// The verification alone, for a copy made earlier (and to check that it still holds).
Result<MigrationReport> CompareSqliteWithPostgres(const std::string& sqlite_path,
                                                  const std::string& postgres_url);

// The tables copied, parents before children. Every table of the schema but
// schema_migrations is here; the copy refuses to run if one is missing.
const std::vector<std::string>& MigratedTables();

}  // namespace loyalty::server
