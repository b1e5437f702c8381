// PostgresStore: the portal dashboard's figures, read from the purchases and coupons
// themselves (migration 0010 indexes them by time).
#include "storage/dashboard_sql.h"
#include "storage/pg_store.h"
#include "storage/portal_customer_sql.h"

namespace loyalty::server {
namespace {

constexpr std::int64_t kDaySeconds = 24 * 60 * 60;

std::string StoreFilter(const DashboardQuery& query, const char* column) {
  if (query.stores.empty()) return "";
  return std::string(" AND ") + column + " = ANY($3::text[])";
}

// Runs `sql` (its first column the day's index, then the figures) and hands each row to
// `add` with the bucket it belongs to.
template <typename Add>
void ForEachDay(postgres::Connection& db, const std::string& sql, const DashboardQuery& query,
                Dashboard& dashboard, Add add) {
  const std::int64_t from = ToUnixSeconds(query.from);
  postgres::Params params;
  params.Add(from).Add(from + query.days * kDaySeconds);
  if (!query.stores.empty()) params.AddArray(query.stores);
  const auto rows = db.Run(sql, params);
  for (int i = 0; i < rows.size(); ++i) {
    const auto day = rows.Int(i, 0);
    if (day >= 0 && day < query.days) {
      add(rows, i, dashboard.per_day[static_cast<std::size_t>(day)]);
    }
  }
}

}  // namespace

Dashboard PostgresStore::LoadDashboard(const DashboardQuery& query) {
  Dashboard dashboard;
  dashboard.per_day.resize(static_cast<std::size_t>(query.days));
  auto lease = Read();
  postgres::Connection& db = *lease;
  const auto currency = db.Run("SELECT value FROM meta WHERE key = 'currency'");
  if (currency.size() > 0) dashboard.currency = currency.Text(0, 0);
  const std::string purchases_in_window =
      " FROM purchases WHERE occurred_at >= $1::bigint AND occurred_at < $2::bigint" +
      StoreFilter(query, "store_id");
  ForEachDay(db,
             "SELECT (occurred_at - $1::bigint) / 86400, COUNT(*), SUM(total_minor)::bigint,"
             " SUM(CASE WHEN card_number IS NOT NULL THEN total_minor ELSE 0 END)::bigint,"
             " COUNT(DISTINCT customer_id)" +
                 purchases_in_window + " GROUP BY 1",
             query, dashboard, [](const postgres::Rows& rows, int i, DashboardFigures& day) {
               day.purchases = rows.Int(i, 1);
               day.sales_minor = rows.Int(i, 2);
               day.card_sales_minor = rows.Int(i, 3);
               day.active_customers = rows.Int(i, 4);
             });
  ForEachDay(db,
             "SELECT (c.issued_at - $1::bigint) / 86400, COUNT(*) FROM coupons c" +
                 std::string(query.stores.empty()
                                 ? ""
                                 : " JOIN purchases p ON p.seq = c.issued_by_purchase") +
                 " WHERE c.issued_at >= $1::bigint AND c.issued_at < $2::bigint" +
                 StoreFilter(query, "p.store_id") + " GROUP BY 1",
             query, dashboard, [](const postgres::Rows& rows, int i, DashboardFigures& day) {
               day.coupons_issued = rows.Int(i, 1);
             });
  ForEachDay(db,
             "SELECT (c.redeemed_at - $1::bigint) / 86400, COUNT(*) FROM coupons c" +
                 std::string(query.stores.empty()
                                 ? ""
                                 : " JOIN purchases p ON p.id = c.redeemed_by_purchase") +
                 " WHERE c.redeemed_at >= $1::bigint AND c.redeemed_at < $2::bigint" +
                 StoreFilter(query, "p.store_id") + " GROUP BY 1",
             query, dashboard, [](const postgres::Rows& rows, int i, DashboardFigures& day) {
               day.coupons_redeemed = rows.Int(i, 1);
             });
  // A customer who bought on two days is one active customer of the run.
  dashboard.total.active_customers = -1;
  if (query.stores.empty()) {
    // Planned for its values (RunOnce): a plan for any range cannot tell a day's last
    // visits (an index range) from a month's (half the table).
    const std::int64_t from = ToUnixSeconds(query.from);
    dashboard.total.active_customers =
        db.RunOnce(ForPostgres(kActiveCustomersFromLastVisitsSql),
                   postgres::Params().Add(from).Add(from + query.days * kDaySeconds))
            .Int(0, 0);
  }
  if (dashboard.total.active_customers < 0) {
    ForEachDay(db, "SELECT 0::bigint, COUNT(DISTINCT customer_id)" + purchases_in_window,
               query, dashboard,
               [&dashboard](const postgres::Rows& rows, int i, DashboardFigures&) {
                 dashboard.total.active_customers = rows.Int(i, 1);
               });
  }
  dashboard.AddUpDays();
  return dashboard;
}

}  // namespace loyalty::server
