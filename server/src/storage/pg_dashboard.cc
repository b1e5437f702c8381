// PostgresStore: the portal dashboard's figures, from the hourly totals of migrations 0016
// and 0020 and, for a few stores, each day's distinct customers; the performance page's,
// read from the purchases, coupons and returns themselves (migrations 0010 and 0014 index
// them by time).
#include "storage/dashboard_hours.h"
#include "storage/dashboard_sql.h"
#include "storage/pg_store.h"
#include "storage/portal_customer_sql.h"

#include <tuple>

namespace loyalty::server {
namespace {

constexpr std::int64_t kDaySeconds = 24 * 60 * 60;

std::string StoreFilter(const DashboardQuery& query, const char* column, int parameter = 3) {
  if (query.stores.empty()) return "";
  return std::string(" AND ") + column + " = ANY($" + std::to_string(parameter) + "::text[])";
}

// Runs `sql` over the query's run of days ($1, $2) and stores ($3) and hands each row
// to `take`.
template <typename Take>
void ForEachRow(postgres::Connection& db, const std::string& sql, const DashboardQuery& query,
                Take take) {
  const std::int64_t from = ToUnixSeconds(query.from);
  postgres::Params params;
  params.Add(from).Add(from + query.days * kDaySeconds);
  if (!query.stores.empty()) params.AddArray(query.stores);
  const auto rows = db.Run(sql, params);
  for (int i = 0; i < rows.size(); ++i) take(rows, i);
}

// Runs `sql` over [$2, $3) of the run starting at $1 in the query's stores ($4), its first
// column the day's index, then the figures, and hands each row to `add` with its day.
template <typename Add>
void ForEachDayIn(postgres::Connection& db, const std::string& sql, const DashboardRun& run,
                  std::int64_t start, std::int64_t end, const DashboardQuery& query,
                  Dashboard& dashboard, Add add) {
  postgres::Params params;
  params.Add(run.from).Add(start).Add(end);
  if (!query.stores.empty()) params.AddArray(query.stores);
  const auto rows = db.Run(sql, params);
  for (int i = 0; i < rows.size(); ++i) {
    const auto day = rows.Int(i, 0);
    if (day >= 0 && day < query.days) {
      add(rows, i, dashboard.per_day[static_cast<std::size_t>(day)]);
    }
  }
}

// Adds the hourly totals of the run's whole hours to their days; active_customers gets the
// purchases with a customer, which the chain's count of customers starts from.
void AddHours(postgres::Connection& db, const DashboardRun& run, const DashboardQuery& query,
              Dashboard& dashboard) {
  postgres::Params params;
  params.Add(run.from).Add(run.first_hour).Add(run.end_hour);
  if (!query.stores.empty()) params.AddArray(query.stores);
  const auto rows = db.Run(
      "SELECT hour - $1::bigint, SUM(purchases)::bigint, SUM(sales_minor)::bigint,"
      " SUM(card_sales_minor)::bigint, SUM(coupons_issued)::bigint,"
      " SUM(coupons_redeemed)::bigint, SUM(customer_purchases)::bigint FROM dashboard_hours"
      " WHERE hour >= $2::bigint AND hour < $3::bigint" +
          StoreFilter(query, "store_id", 4) + " GROUP BY hour",
      params);
  for (int i = 0; i < rows.size(); ++i) {
    const auto day = run.DayOfHourAt(rows.Int(i, 0));
    if (!day) continue;  // cut by a day's start: read from the rows
    DashboardFigures& figures = dashboard.per_day[*day];
    figures.purchases += rows.Int(i, 1);
    figures.sales_minor += rows.Int(i, 2);
    figures.card_sales_minor += rows.Int(i, 3);
    figures.coupons_issued += rows.Int(i, 4);
    figures.coupons_redeemed += rows.Int(i, 5);
    figures.active_customers += rows.Int(i, 6);
  }
}

// Adds what happened in [start, end) to its days, read from the rows as dashboard_hours
// counts it (migration 0016).
void AddRows(postgres::Connection& db, const DashboardRun& run, std::int64_t start,
             std::int64_t end, const DashboardQuery& query, Dashboard& dashboard) {
  ForEachDayIn(db,
               "SELECT (occurred_at - $1::bigint) / 86400, COUNT(*), SUM(total_minor)::bigint,"
               " SUM(CASE WHEN card_number IS NOT NULL THEN total_minor ELSE 0 END)::bigint,"
               " COUNT(customer_id)"
               " FROM purchases WHERE occurred_at >= $2::bigint AND occurred_at < $3::bigint" +
                   StoreFilter(query, "store_id", 4) + " GROUP BY 1",
               run, start, end, query, dashboard,
               [](const postgres::Rows& rows, int i, DashboardFigures& day) {
                 day.purchases += rows.Int(i, 1);
                 day.sales_minor += rows.Int(i, 2);
                 day.card_sales_minor += rows.Int(i, 3);
                 day.active_customers += rows.Int(i, 4);
               });
  ForEachDayIn(db,
               "SELECT (c.issued_at - $1::bigint) / 86400, COUNT(*) FROM coupons c" +
                   std::string(query.stores.empty()
                                   ? ""
                                   : " JOIN purchases p ON p.seq = c.issued_by_purchase") +
                   " WHERE c.issued_at >= $2::bigint AND c.issued_at < $3::bigint" +
                   StoreFilter(query, "p.store_id", 4) + " GROUP BY 1",
               run, start, end, query, dashboard,
               [](const postgres::Rows& rows, int i, DashboardFigures& day) {
                 day.coupons_issued += rows.Int(i, 1);
               });
  ForEachDayIn(db,
               "SELECT (c.redeemed_at - $1::bigint) / 86400, COUNT(*) FROM coupons c" +
                   std::string(query.stores.empty()
                                   ? ""
                                   : " JOIN purchases p ON p.id = c.redeemed_by_purchase") +
                   " WHERE c.redeemed_at >= $2::bigint AND c.redeemed_at < $3::bigint" +
                   StoreFilter(query, "p.store_id", 4) + " GROUP BY 1",
               run, start, end, query, dashboard,
               [](const postgres::Rows& rows, int i, DashboardFigures& day) {
                 day.coupons_redeemed += rows.Int(i, 1);
               });
}

std::optional<std::string> OptionalText(const postgres::Rows& rows, int row, int column) {
  if (rows.IsNull(row, column)) return std::nullopt;
  return rows.Text(row, column);
}

}  // namespace

Dashboard PostgresStore::LoadDashboard(const DashboardQuery& query) {
  Dashboard dashboard;
  dashboard.per_day.resize(static_cast<std::size_t>(query.days));
  auto lease = Read();
  postgres::Connection& db = *lease;
  const auto currency = db.Run("SELECT value FROM meta WHERE key = 'currency'");
  if (currency.size() > 0) dashboard.currency = currency.Text(0, 0);
  const DashboardRun run = DashboardRunOf(query);
  AddHours(db, run, query, dashboard);
  for (const auto& [start, end] : run.CutHours()) AddRows(db, run, start, end, query, dashboard);
  const bool chain = query.stores.empty();
  if (chain) {
    // Each day's purchases with a customer less those of a customer who bought earlier
    // that day (migration 0020).
    const auto repeats =
        db.Run(ForPostgres(RepeatVisitsPerDaySql()), postgres::Params().Add(run.from).Add(run.to));
    for (int i = 0; i < repeats.size(); ++i) {
      dashboard.per_day[static_cast<std::size_t>(repeats.Int(i, 0))].active_customers -=
          repeats.Int(i, 1);
    }
  } else if (query.days > 1) {
    // A few stores' customers of each day are counted from their purchases (the index
    // on store and time covers the customer).
    for (auto& day : dashboard.per_day) day.active_customers = 0;
    ForEachDayIn(db,
                 "SELECT (occurred_at - $1::bigint) / 86400, COUNT(DISTINCT customer_id)"
                 " FROM purchases WHERE occurred_at >= $2::bigint AND occurred_at < $3::bigint" +
                     StoreFilter(query, "store_id", 4) + " GROUP BY 1",
                 run, run.from, run.to, query, dashboard,
                 [](const postgres::Rows& rows, int i, DashboardFigures& day) {
                   day.active_customers = rows.Int(i, 1);
                 });
  }
  // A customer who bought on two days is one active customer of the run.
  dashboard.total.active_customers = -1;
  if (chain && query.days == 1) {
    dashboard.total.active_customers = dashboard.per_day[0].active_customers;
  } else if (chain) {
    // Planned for its values (RunOnce): a plan for any range cannot tell a day's last
    // visits (an index range) from a month's (half the table).
    dashboard.total.active_customers =
        db.RunOnce(ForPostgres(kActiveCustomersFromLastVisitsSql),
                   postgres::Params().Add(run.from).Add(run.to))
            .Int(0, 0);
  }
  if (dashboard.total.active_customers < 0) {
    ForEachRow(db,
               "SELECT COUNT(DISTINCT customer_id) FROM purchases"
               " WHERE occurred_at >= $1::bigint AND occurred_at < $2::bigint" +
                   StoreFilter(query, "store_id"),
               query, [&dashboard](const postgres::Rows& rows, int i) {
                 dashboard.total.active_customers = rows.Int(i, 0);
               });
  }
  if (query.days == 1) dashboard.per_day[0].active_customers = dashboard.total.active_customers;
  dashboard.AddUpDays();
  return dashboard;
}

Performance PostgresStore::LoadPerformance(const DashboardQuery& query) {
  Performance performance;
  auto lease = Read();
  postgres::Connection& db = *lease;
  const auto currency = db.Run("SELECT value FROM meta WHERE key = 'currency'");
  if (currency.size() > 0) performance.currency = currency.Text(0, 0);
  std::map<std::tuple<std::string, std::optional<std::string>>, SalesFigures> by_cashier;
  ForEachRow(db,
             "SELECT store_id, cashier_id, COUNT(*), SUM(total_minor)::bigint,"
             " COUNT(card_number),"
             " SUM(CASE WHEN card_number IS NOT NULL THEN total_minor ELSE 0 END)::bigint,"
             " SUM(discount_minor)::bigint FROM purchases"
             " WHERE occurred_at >= $1::bigint AND occurred_at < $2::bigint" +
                 StoreFilter(query, "store_id") + " GROUP BY store_id, cashier_id",
             query, [&](const postgres::Rows& rows, int i) {
               SalesFigures& figures = by_cashier[{rows.Text(i, 0), OptionalText(rows, i, 1)}];
               figures.purchases = rows.Int(i, 2);
               figures.sales_minor = rows.Int(i, 3);
               figures.card_purchases = rows.Int(i, 4);
               figures.card_sales_minor = rows.Int(i, 5);
               figures.discount_minor = rows.Int(i, 6);
             });
  // A coupon's redeemed_at is its sale's occurred_at, so this is the run's sales' coupons.
  ForEachRow(db,
             "SELECT p.store_id, p.cashier_id, COUNT(*) FROM coupons c"
             " JOIN purchases p ON p.id = c.redeemed_by_purchase"
             " WHERE c.redeemed_at >= $1::bigint AND c.redeemed_at < $2::bigint" +
                 StoreFilter(query, "p.store_id") + " GROUP BY p.store_id, p.cashier_id",
             query, [&](const postgres::Rows& rows, int i) {
               by_cashier[{rows.Text(i, 0), OptionalText(rows, i, 1)}].coupons_redeemed =
                   rows.Int(i, 2);
             });
  for (auto& [key, figures] : by_cashier) {
    performance.cashiers.push_back({std::get<0>(key), std::get<1>(key), figures});
  }
  ForEachRow(db,
             "SELECT store_id, COUNT(*), SUM(refund_minor)::bigint FROM returns"
             " WHERE occurred_at >= $1::bigint AND occurred_at < $2::bigint" +
                 StoreFilter(query, "store_id") + " GROUP BY store_id",
             query, [&](const postgres::Rows& rows, int i) {
               StorePerformance store;
               store.store_id = rows.Text(i, 0);
               store.returns = rows.Int(i, 1);
               store.refund_minor = rows.Int(i, 2);
               performance.stores.push_back(std::move(store));
             });
  std::map<std::string, std::string> names;
  const auto stores = db.Run("SELECT id, name FROM stores");
  for (int i = 0; i < stores.size(); ++i) names[stores.Text(i, 0)] = stores.Text(i, 1);
  performance.AddUpStores(names);
  return performance;
}

}  // namespace loyalty::server
