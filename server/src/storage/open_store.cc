#include "storage/open_store.h"

#include "loyalty/postgres/postgres.h"
#include "storage/pg_store.h"
#include "storage/sqlite_store.h"

namespace loyalty::server {

std::string StoreUrl::Describe() const {
  return engine == Engine::kSqlite ? "sqlite://" + location
                                   : "postgresql://" + postgres::DescribeUrl(location);
}

Result<StoreUrl> ParseStoreUrl(const std::string& url, const std::string& field_name) {
  constexpr std::string_view kSqlite = "sqlite://";
  if (url.rfind(kSqlite, 0) == 0) {
    StoreUrl parsed{StoreUrl::Engine::kSqlite, url.substr(kSqlite.size())};
    if (parsed.location.empty()) {
      return InvalidArgument(field_name,
                             "sqlite:// needs the database file's path, e.g. "
                             "sqlite:///var/lib/loyalty/loyalty.db");
    }
    return parsed;
  }
  if (url.rfind("postgresql://", 0) == 0 || url.rfind("postgres://", 0) == 0) {
    if (auto valid = postgres::CheckUrl(url); !valid.ok()) {
      return InvalidArgument(field_name, valid.error().message);
    }
    return StoreUrl{StoreUrl::Engine::kPostgres, url};
  }
  const auto scheme_end = url.find("://");
  const std::string what = scheme_end == std::string::npos
                               ? "'" + url + "' is not a URL"
                               : "'" + url.substr(0, scheme_end) + "' is not a storage engine";
  return InvalidArgument(field_name, what +
                                         ": use sqlite:///path/to/loyalty.db or "
                                         "postgresql://user@host:port/database");
}

std::unique_ptr<Store> OpenStore(const StoreUrl& url, const NextVisitPlanner& planner,
                                 const crypto::SigningKey& signing_key, StoreOptions options) {
  if (url.engine == StoreUrl::Engine::kPostgres) {
    return std::make_unique<PostgresStore>(url.location, planner, signing_key,
                                           std::move(options.writer), std::move(options.observer));
  }
  return std::make_unique<SqliteStore>(url.location, planner, signing_key,
                                       std::move(options.writer), std::move(options.observer));
}

}  // namespace loyalty::server
