// The SQL migrations of the SQLite engine (server/migrations/sqlite/*.sql), embedded at
// build time: (file name, SQL) pairs in order. Benchmarks use them to build the very
// schema the server writes to.
#pragma once

#include <string_view>
#include <utility>
#include <vector>

namespace loyalty::server {

const std::vector<std::pair<std::string_view, std::string_view>>& SqliteMigrations();

}  // namespace loyalty::server
