// The PostgreSQL engine's schema: its migrations (server/migrations/postgresql/*.sql,
// embedded at build time, named and numbered like the SQLite ones) and the code that
// applies them.
#pragma once

#include <string_view>
#include <utility>
#include <vector>

#include "loyalty/postgres/postgres.h"

namespace loyalty::server {

const std::vector<std::pair<std::string_view, std::string_view>>& PostgresMigrations();

// Applies, in one transaction, every migration the database lacks, under an advisory
// lock so that a server and an admin command starting together cannot both apply one.
// Throws PostgresError naming the problem when the database is at a version this
// program does not know (written by a newer loyalty-server) or holds another
// migration under a known number.
void MigratePostgres(postgres::Connection& db);

}  // namespace loyalty::server
