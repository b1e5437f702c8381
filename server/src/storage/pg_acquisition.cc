// PostgresStore: acquisition sources' names and costs, and the customers each brought
// (migration 0013).
#include "acquisition/acquisition_report.h"
#include "storage/pg_store.h"

namespace loyalty::server {
namespace {

using postgres::Params;

}  // namespace

std::vector<StoreInfo> PostgresStore::ListStores() {
  auto lease = Read();
  const auto rows =
      (*lease).Run("SELECT id, name, currency FROM stores ORDER BY id COLLATE \"C\"", {});
  std::vector<StoreInfo> stores;
  for (int i = 0; i < rows.size(); ++i) {
    stores.push_back({rows.Text(i, 0), rows.Text(i, 1), rows.Text(i, 2)});
  }
  return stores;
}

std::vector<AcquisitionSource> PostgresStore::ListAcquisitionSources() {
  auto lease = Read();
  postgres::Connection& db = *lease;
  postgres::Transaction snapshot(db, "BEGIN READ ONLY ISOLATION LEVEL REPEATABLE READ");
  std::vector<AcquisitionSource> sources;
  const auto names =
      db.Run("SELECT source, display_name FROM acquisition_sources ORDER BY source", {});
  for (int i = 0; i < names.size(); ++i)
    sources.push_back({names.Text(i, 0), names.Text(i, 1), {}});
  const auto costs = db.Run(
      "SELECT source, period_start, period_end, cost_minor, updated_at FROM acquisition_costs"
      " ORDER BY source, period_start, period_end",
      {});
  snapshot.Commit();
  auto source = sources.begin();
  for (int i = 0; i < costs.size(); ++i) {
    const std::string token = costs.Text(i, 0);
    while (source != sources.end() && source->source < token) ++source;
    if (source == sources.end()) break;
    source->costs.push_back(
        {costs.Text(i, 1), costs.Text(i, 2), costs.Int(i, 3), FromUnixSeconds(costs.Int(i, 4))});
  }
  return sources;
}

Status PostgresStore::SetAcquisitionSourceName(const std::string& source,
                                               const std::string& display_name, Timestamp now) {
  if (auto checked = acquisition::CheckSourceName(source, display_name); !checked.ok()) {
    return checked;
  }
  return writer_->Run([&](postgres::Connection& db) -> Status {
    db.Run(
        "INSERT INTO acquisition_sources(source, display_name, updated_at)"
        " VALUES ($1::text, $2::text, $3::bigint) ON CONFLICT (source) DO UPDATE SET"
        " display_name = excluded.display_name, updated_at = excluded.updated_at",
        Params().Add(source).Add(display_name).Add(ToUnixSeconds(now)));
    return {};
  });
}

Status PostgresStore::SetAcquisitionCost(const std::string& source, const AcquisitionCost& cost,
                                         Timestamp now) {
  if (auto checked = acquisition::CheckCost(source, cost); !checked.ok()) return checked;
  return writer_->Run([&](postgres::Connection& db) -> Status {
    // A cost's source must exist: it is named after its token until someone names it.
    db.Run(
        "INSERT INTO acquisition_sources(source, display_name, updated_at)"
        " VALUES ($1::text, $1::text, $2::bigint) ON CONFLICT (source) DO NOTHING",
        Params().Add(source).Add(ToUnixSeconds(now)));
    db.Run(
        "INSERT INTO acquisition_costs(source, period_start, period_end, cost_minor, updated_at)"
        " VALUES ($1::text, $2::text, $3::text, $4::bigint, $5::bigint)"
        " ON CONFLICT (source, period_start, period_end) DO UPDATE SET"
        " cost_minor = excluded.cost_minor, updated_at = excluded.updated_at",
        Params()
            .Add(source)
            .Add(cost.period_start)
            .Add(cost.period_end)
            .Add(cost.cost_minor)
            .Add(ToUnixSeconds(now)));
    return {};
  });
}

// When a customer joined: registered, or first bought when that was earlier (history
// imported from another POS). The expression of index customers_by_joined_at (0027).
#define JOINED_AT_OF_C "LEAST(c.created_at, COALESCE(c.first_visit_at, c.created_at))"

std::vector<AcquiredCustomers> PostgresStore::ListAcquiredCustomers(const AcquisitionQuery& query) {
  auto lease = Read();
  Params params;
  params.Add(ToUnixSeconds(query.from)).Add(ToUnixSeconds(query.to));
  if (!query.stores.empty()) params.AddArray(query.stores);
  // From the customers who joined in the period (by index), then, for a set of stores,
  // their visits there by the customer_stores key.
  const auto rows = (*lease).Run(
      query.stores.empty()
          ? "SELECT COALESCE(d.acquisition_source, ''), COUNT(*), SUM(c.total_spend_minor)::bigint"
            " FROM customers c LEFT JOIN customer_details d ON d.customer_id = c.id"
            " WHERE " JOINED_AT_OF_C " >= $1::bigint AND " JOINED_AT_OF_C " < $2::bigint"
            " AND c.merged_into IS NULL GROUP BY 1"
          : "SELECT COALESCE(d.acquisition_source, ''), COUNT(DISTINCT c.id),"
            " SUM(s.spend_minor)::bigint"
            " FROM customers c JOIN customer_stores s ON s.customer_id = c.id"
            " AND s.store_id = ANY($3::text[])"
            " LEFT JOIN customer_details d ON d.customer_id = c.id"
            " WHERE " JOINED_AT_OF_C " >= $1::bigint AND " JOINED_AT_OF_C " < $2::bigint"
            " AND c.merged_into IS NULL GROUP BY 1",
      params);
  std::vector<AcquiredCustomers> groups;
  for (int i = 0; i < rows.size(); ++i) {
    groups.push_back({rows.Text(i, 0), rows.Int(i, 1), rows.Int(i, 2)});
  }
  return groups;
}

}  // namespace loyalty::server
