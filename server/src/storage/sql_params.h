// The parameters of the portal's generated SQL (SqlParam) handed to either engine.
#pragma once

#include <string>
#include <vector>

#include "loyalty/postgres/postgres.h"
#include "loyalty/sqlite/sqlite.h"
#include "storage/portal_customer_sql.h"

namespace loyalty::server {

// `sql` prepared on `db` with `params` bound, one SQLite parameter per element of a list.
inline sqlite::Statement& Bound(sqlite::Connection& db, const std::string& sql,
                                const std::vector<SqlParam>& params) {
  auto& statement = db.Prepared(sql);
  int index = 0;
  for (const auto& param : params) {
    if (const auto* number = std::get_if<std::int64_t>(&param)) {
      statement.Bind(++index, *number);
    } else if (const auto* text = std::get_if<std::string>(&param)) {
      statement.Bind(++index, *text);
    } else {
      for (const auto& item : std::get<std::vector<std::string>>(param)) {
        statement.Bind(++index, item);
      }
    }
  }
  return statement;
}

// `values` as PostgreSQL parameters, a list as one array.
inline postgres::Params ParamsOf(const std::vector<SqlParam>& values) {
  postgres::Params params;
  for (const auto& value : values) {
    if (const auto* number = std::get_if<std::int64_t>(&value)) {
      params.Add(*number);
    } else if (const auto* text = std::get_if<std::string>(&value)) {
      params.Add(*text);
    } else {
      params.AddArray(std::get<std::vector<std::string>>(value));
    }
  }
  return params;
}

}  // namespace loyalty::server
