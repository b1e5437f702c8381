// SqliteStore: acquisition sources' names and costs, and the customers each brought
// (migration 0013).
#include "acquisition/acquisition_report.h"
#include "storage/sqlite_store.h"

namespace loyalty::server {
namespace {

// A cost's source must exist: it is named after its token until someone names it.
void AddSourceIfNew(sqlite::Connection& db, const std::string& source, Timestamp now) {
  db.Prepared(
        "INSERT INTO acquisition_sources(source, display_name, updated_at) VALUES (?1, ?1, ?2)"
        " ON CONFLICT (source) DO NOTHING")
      .Bind(1, source)
      .Bind(2, ToUnixSeconds(now))
      .Run();
}

}  // namespace

std::vector<StoreInfo> SqliteStore::ListStores() {
  auto lease = Read();
  auto& query = (*lease).Prepared("SELECT id, name, currency FROM stores ORDER BY id");
  std::vector<StoreInfo> stores;
  while (query.Step()) stores.push_back({query.Text(0), query.Text(1), query.Text(2)});
  return stores;
}

std::vector<AcquisitionSource> SqliteStore::ListAcquisitionSources() {
  auto lease = Read();
  sqlite::Connection& db = *lease;
  std::vector<AcquisitionSource> sources;
  auto& names = db.Prepared("SELECT source, display_name FROM acquisition_sources ORDER BY source");
  while (names.Step()) sources.push_back({names.Text(0), names.Text(1), {}});
  auto& costs = db.Prepared(
      "SELECT source, period_start, period_end, cost_minor, updated_at FROM acquisition_costs"
      " ORDER BY source, period_start, period_end");
  auto source = sources.begin();
  while (costs.Step()) {
    const std::string token = costs.Text(0);
    while (source != sources.end() && source->source < token) ++source;
    if (source == sources.end()) break;
    source->costs.push_back(
        {costs.Text(1), costs.Text(2), costs.Int(3), FromUnixSeconds(costs.Int(4))});
  }
  costs.Reset();
  return sources;
}

Status SqliteStore::SetAcquisitionSourceName(const std::string& source,
                                             const std::string& display_name, Timestamp now) {
  if (auto checked = acquisition::CheckSourceName(source, display_name); !checked.ok()) {
    return checked;
  }
  return writer_->Run([&](sqlite::Connection& db) -> Status {
    db.Prepared(
          "INSERT INTO acquisition_sources(source, display_name, updated_at) VALUES (?, ?, ?)"
          " ON CONFLICT (source) DO UPDATE SET display_name = excluded.display_name,"
          " updated_at = excluded.updated_at")
        .Bind(1, source)
        .Bind(2, display_name)
        .Bind(3, ToUnixSeconds(now))
        .Run();
    return {};
  });
}

Status SqliteStore::SetAcquisitionCost(const std::string& source, const AcquisitionCost& cost,
                                       Timestamp now) {
  if (auto checked = acquisition::CheckCost(source, cost); !checked.ok()) return checked;
  return writer_->Run([&](sqlite::Connection& db) -> Status {
    AddSourceIfNew(db, source, now);
    db.Prepared(
          "INSERT INTO acquisition_costs(source, period_start, period_end, cost_minor, updated_at)"
          " VALUES (?, ?, ?, ?, ?) ON CONFLICT (source, period_start, period_end) DO UPDATE SET"
          " cost_minor = excluded.cost_minor, updated_at = excluded.updated_at")
        .Bind(1, source)
        .Bind(2, cost.period_start)
        .Bind(3, cost.period_end)
        .Bind(4, cost.cost_minor)
        .Bind(5, ToUnixSeconds(now))
        .Run();
    return {};
  });
}

// When a customer joined: registered, or first bought when that was earlier (history
// imported from another POS). The expression of index customers_by_joined_at (0027).
#define JOINED_AT_OF_C "MIN(c.created_at, COALESCE(c.first_visit_at, c.created_at))"

std::vector<AcquiredCustomers> SqliteStore::ListAcquiredCustomers(const AcquisitionQuery& query) {
  auto lease = Read();
  // From the customers who joined in the period (by index), then, for a set of stores,
  // their visits there by the customer_stores key; the stores are one JSON parameter so
  // the statement's text does not depend on how many there are.
  auto& statement = (*lease).Prepared(
      query.stores.empty()
          ? "SELECT COALESCE(d.acquisition_source, ''), COUNT(*), SUM(c.total_spend_minor)"
            " FROM customers c LEFT JOIN customer_details d ON d.customer_id = c.id"
            " WHERE " JOINED_AT_OF_C " >= ?1 AND " JOINED_AT_OF_C " < ?2 AND c.merged_into IS NULL"
            " GROUP BY 1"
          : "SELECT COALESCE(d.acquisition_source, ''), COUNT(DISTINCT c.id), SUM(s.spend_minor)"
            " FROM customers c JOIN customer_stores s ON s.customer_id = c.id"
            " AND s.store_id IN (SELECT value FROM json_each(?3))"
            " LEFT JOIN customer_details d ON d.customer_id = c.id"
            " WHERE " JOINED_AT_OF_C " >= ?1 AND " JOINED_AT_OF_C " < ?2 AND c.merged_into IS NULL"
            " GROUP BY 1");
  statement.Bind(1, ToUnixSeconds(query.from)).Bind(2, ToUnixSeconds(query.to));
  if (!query.stores.empty()) statement.Bind(3, nlohmann::json(query.stores).dump());
  std::vector<AcquiredCustomers> groups;
  while (statement.Step()) {
    groups.push_back({statement.Text(0), statement.Int(1), statement.Int(2)});
  }
  return groups;
}

}  // namespace loyalty::server
