// A throwaway PostgreSQL database for a benchmark, in a cluster it may create databases
// in (scripts/with-postgres gives one as LOYALTY_TEST_POSTGRES_URL).
#pragma once

#include <string>

#include "loyalty/postgres/postgres.h"
#include "support/test_database.h"

namespace loyalty::bench {

// A fresh, empty database named `name` in the cluster of `admin_url`; returns its URL.
inline std::string FreshPostgresDatabase(const std::string& admin_url, const std::string& name) {
  postgres::Connection admin(admin_url);
  admin.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
  admin.Exec("CREATE DATABASE " + name);
  return testing::WithDatabase(admin_url, name);
}

}  // namespace loyalty::bench
