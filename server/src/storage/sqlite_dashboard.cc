// SqliteStore: the portal dashboard's figures, from the hourly totals of migrations 0016
// and 0020 and, for a few stores, each day's distinct customers; the performance page's,
// read from the purchases, coupons and returns themselves (migrations 0010 and 0014 index
// them by time).
#include "storage/dashboard_hours.h"
#include "storage/dashboard_sql.h"
#include "storage/sqlite_store.h"

#include <algorithm>
#include <tuple>

namespace loyalty::server {
namespace {

constexpr std::int64_t kDaySeconds = 24 * 60 * 60;

// `column IN (the stores)` as one JSON-array parameter (the `parameter`th), so each
// statement's text stays the same whatever the number of stores and is prepared once.
std::string StoreFilter(const DashboardQuery& query, const char* column, int parameter = 3) {
  if (query.stores.empty()) return "";
  return std::string(" AND ") + column + " IN (SELECT value FROM json_each(?" +
         std::to_string(parameter) + "))";
}

// Runs `sql` over the query's run of days (?1, ?2) and stores (?3) and hands each row to
// `take`.
template <typename Take>
void ForEachRow(sqlite::Connection& db, const std::string& sql, const DashboardQuery& query,
                Take take) {
  auto& statement = db.Prepared(sql);
  const std::int64_t from = ToUnixSeconds(query.from);
  statement.Bind(1, from).Bind(2, from + query.days * kDaySeconds);
  if (!query.stores.empty()) statement.Bind(3, nlohmann::json(query.stores).dump());
  while (statement.Step()) take(statement);
}

// Runs `sql` over [?2, ?3) of the run starting at ?1 in the query's stores (?4), its first
// column the day's index, then the figures, and hands each row to `add` with its day.
template <typename Add>
void ForEachDayIn(sqlite::Connection& db, const std::string& sql, const DashboardRun& run,
                  std::int64_t start, std::int64_t end, const DashboardQuery& query,
                  Dashboard& dashboard, Add add) {
  auto& statement = db.Prepared(sql);
  statement.Bind(1, run.from).Bind(2, start).Bind(3, end);
  if (!query.stores.empty()) statement.Bind(4, nlohmann::json(query.stores).dump());
  while (statement.Step()) {
    const auto day = statement.Int(0);
    if (day >= 0 && day < query.days) {
      add(statement, dashboard.per_day[static_cast<std::size_t>(day)]);
    }
  }
}

// Adds the hourly totals of the run's whole hours to their days; active_customers gets the
// purchases with a customer, which the chain's count of customers starts from.
void AddHours(sqlite::Connection& db, const DashboardRun& run, const DashboardQuery& query,
              Dashboard& dashboard) {
  auto& statement = db.Prepared(
      "SELECT hour - ?1, SUM(purchases), SUM(sales_minor), SUM(card_sales_minor),"
      " SUM(coupons_issued), SUM(coupons_redeemed), SUM(customer_purchases)"
      " FROM dashboard_hours"
      " WHERE hour >= ?2 AND hour < ?3" +
      StoreFilter(query, "store_id", 4) + " GROUP BY hour");
  statement.Bind(1, run.from).Bind(2, run.first_hour).Bind(3, run.end_hour);
  if (!query.stores.empty()) statement.Bind(4, nlohmann::json(query.stores).dump());
  while (statement.Step()) {
    const auto day = run.DayOfHourAt(statement.Int(0));
    if (!day) continue;  // cut by a day's start: read from the rows
    DashboardFigures& figures = dashboard.per_day[*day];
    figures.purchases += statement.Int(1);
    figures.sales_minor += statement.Int(2);
    figures.card_sales_minor += statement.Int(3);
    figures.coupons_issued += statement.Int(4);
    figures.coupons_redeemed += statement.Int(5);
    figures.active_customers += statement.Int(6);
  }
}

// Adds what happened in [start, end) to its days, read from the rows as dashboard_hours
// counts it (migration 0016).
void AddRows(sqlite::Connection& db, const DashboardRun& run, std::int64_t start,
             std::int64_t end, const DashboardQuery& query, Dashboard& dashboard) {
  ForEachDayIn(db,
               "SELECT (occurred_at - ?1) / 86400, COUNT(*), SUM(total_minor),"
               " SUM(CASE WHEN card_number IS NOT NULL THEN total_minor ELSE 0 END),"
               " COUNT(customer_id)"
               " FROM purchases WHERE occurred_at >= ?2 AND occurred_at < ?3" +
                   StoreFilter(query, "store_id", 4) + " GROUP BY 1",
               run, start, end, query, dashboard,
               [](const sqlite::Statement& row, DashboardFigures& day) {
                 day.purchases += row.Int(1);
                 day.sales_minor += row.Int(2);
                 day.card_sales_minor += row.Int(3);
                 day.active_customers += row.Int(4);
               });
  ForEachDayIn(db,
               "SELECT (c.issued_at - ?1) / 86400, COUNT(*) FROM coupons c" +
                   std::string(query.stores.empty()
                                   ? ""
                                   : " JOIN purchases p ON p.seq = c.issued_by_purchase") +
                   " WHERE c.issued_at >= ?2 AND c.issued_at < ?3" +
                   StoreFilter(query, "p.store_id", 4) + " GROUP BY 1",
               run, start, end, query, dashboard,
               [](const sqlite::Statement& row, DashboardFigures& day) {
                 day.coupons_issued += row.Int(1);
               });
  ForEachDayIn(db,
               "SELECT (c.redeemed_at - ?1) / 86400, COUNT(*) FROM coupons c" +
                   std::string(query.stores.empty()
                                   ? ""
                                   : " JOIN purchases p ON p.id = c.redeemed_by_purchase") +
                   " WHERE c.redeemed_at >= ?2 AND c.redeemed_at < ?3" +
                   StoreFilter(query, "p.store_id", 4) + " GROUP BY 1",
               run, start, end, query, dashboard,
               [](const sqlite::Statement& row, DashboardFigures& day) {
                 day.coupons_redeemed += row.Int(1);
               });
}

// The chain's customers of each day: its purchases with a customer (summed from the hours)
// less those of a customer who bought earlier that day (migration 0020).
void SubtractRepeatVisits(sqlite::Connection& db, const DashboardRun& run, Dashboard& dashboard) {
  auto& statement =
      db.Prepared(RepeatVisitsPerDaySql("purchases INDEXED BY purchases_repeat_visits"));
  statement.Bind(1, run.from).Bind(2, run.to);
  while (statement.Step()) {
    dashboard.per_day[static_cast<std::size_t>(statement.Int(0))].active_customers -=
        statement.Int(1);
  }
}

// A few stores' customers of each day are counted from their purchases, read from the
// index on store and time, which covers the customer, and counted here: COUNT(DISTINCT)
// grouped by day sorted all of them first, five times the CPU.
void CountEachDaysCustomers(sqlite::Connection& db, const DashboardRun& run,
                            const DashboardQuery& query, Dashboard& dashboard) {
  auto& statement = db.Prepared(
      "SELECT occurred_at, customer_id FROM purchases"
      " WHERE occurred_at >= ?1 AND occurred_at < ?2 AND customer_id IS NOT NULL" +
      StoreFilter(query, "store_id"));
  statement.Bind(1, run.from).Bind(2, run.to);
  if (!query.stores.empty()) statement.Bind(3, nlohmann::json(query.stores).dump());
  std::vector<std::vector<std::int64_t>> customers(dashboard.per_day.size());
  while (statement.Step()) {
    customers[static_cast<std::size_t>((statement.Int(0) - run.from) / kDaySeconds)].push_back(
        statement.Int(1));
  }
  for (std::size_t day = 0; day < customers.size(); ++day) {
    auto& ids = customers[day];
    std::sort(ids.begin(), ids.end());
    dashboard.per_day[day].active_customers =
        std::unique(ids.begin(), ids.end()) - ids.begin();
  }
}

std::optional<std::string> OptionalText(const sqlite::Statement& row, int column) {
  if (row.IsNull(column)) return std::nullopt;
  return row.Text(column);
}

}  // namespace

Dashboard SqliteStore::LoadDashboard(const DashboardQuery& query) {
  Dashboard dashboard;
  dashboard.per_day.resize(static_cast<std::size_t>(query.days));
  auto lease = Read();
  sqlite::Connection& db = *lease;
  auto& currency = db.Prepared("SELECT value FROM meta WHERE key = 'currency'");
  if (currency.Step()) dashboard.currency = currency.Text(0);
  currency.Reset();
  const DashboardRun run = DashboardRunOf(query);
  AddHours(db, run, query, dashboard);
  for (const auto& [start, end] : run.CutHours()) AddRows(db, run, start, end, query, dashboard);
  const bool chain = query.stores.empty();
  if (chain) {
    SubtractRepeatVisits(db, run, dashboard);
  } else if (query.days > 1) {
    CountEachDaysCustomers(db, run, query, dashboard);
  }
  // A customer who bought on two days is one active customer of the run.
  dashboard.total.active_customers = -1;
  if (chain && query.days == 1) {
    dashboard.total.active_customers = dashboard.per_day[0].active_customers;
  } else if (chain) {
    ForEachRow(db, std::string("SELECT (") + kActiveCustomersFromLastVisitsSql + ")", query,
               [&dashboard](const sqlite::Statement& row) {
                 dashboard.total.active_customers = row.Int(0);
               });
  }
  if (dashboard.total.active_customers < 0) {
    ForEachRow(db,
               "SELECT COUNT(DISTINCT customer_id) FROM purchases"
               " WHERE occurred_at >= ?1 AND occurred_at < ?2" +
                   StoreFilter(query, "store_id"),
               query, [&dashboard](const sqlite::Statement& row) {
                 dashboard.total.active_customers = row.Int(0);
               });
  }
  if (query.days == 1) dashboard.per_day[0].active_customers = dashboard.total.active_customers;
  dashboard.AddUpDays();
  return dashboard;
}

Performance SqliteStore::LoadPerformance(const DashboardQuery& query) {
  Performance performance;
  auto lease = Read();
  sqlite::Connection& db = *lease;
  auto& currency = db.Prepared("SELECT value FROM meta WHERE key = 'currency'");
  if (currency.Step()) performance.currency = currency.Text(0);
  currency.Reset();
  std::map<std::tuple<std::string, std::optional<std::string>>, SalesFigures> by_cashier;
  ForEachRow(db,
             "SELECT store_id, cashier_id, COUNT(*), SUM(total_minor), COUNT(card_number),"
             " SUM(CASE WHEN card_number IS NOT NULL THEN total_minor ELSE 0 END),"
             " SUM(discount_minor) FROM purchases"
             " WHERE occurred_at >= ?1 AND occurred_at < ?2" +
                 StoreFilter(query, "store_id") + " GROUP BY store_id, cashier_id",
             query, [&](const sqlite::Statement& row) {
               SalesFigures& figures = by_cashier[{row.Text(0), OptionalText(row, 1)}];
               figures.purchases = row.Int(2);
               figures.sales_minor = row.Int(3);
               figures.card_purchases = row.Int(4);
               figures.card_sales_minor = row.Int(5);
               figures.discount_minor = row.Int(6);
             });
  // A coupon's redeemed_at is its sale's occurred_at, so this is the run's sales' coupons.
  ForEachRow(db,
             "SELECT p.store_id, p.cashier_id, COUNT(*) FROM coupons c"
             " JOIN purchases p ON p.id = c.redeemed_by_purchase"
             " WHERE c.redeemed_at >= ?1 AND c.redeemed_at < ?2" +
                 StoreFilter(query, "p.store_id") + " GROUP BY p.store_id, p.cashier_id",
             query, [&](const sqlite::Statement& row) {
               by_cashier[{row.Text(0), OptionalText(row, 1)}].coupons_redeemed = row.Int(2);
             });
  for (auto& [key, figures] : by_cashier) {
    performance.cashiers.push_back({std::get<0>(key), std::get<1>(key), figures});
  }
  ForEachRow(db,
             "SELECT store_id, COUNT(*), SUM(refund_minor) FROM returns"
             " WHERE occurred_at >= ?1 AND occurred_at < ?2" +
                 StoreFilter(query, "store_id") + " GROUP BY store_id",
             query, [&](const sqlite::Statement& row) {
               StorePerformance store;
               store.store_id = row.Text(0);
               store.returns = row.Int(1);
               store.refund_minor = row.Int(2);
               performance.stores.push_back(std::move(store));
             });
  std::map<std::string, std::string> names;
  auto& stores = db.Prepared("SELECT id, name FROM stores");
  while (stores.Step()) names[stores.Text(0)] = stores.Text(1);
  performance.AddUpStores(names);
  return performance;
}

}  // namespace loyalty::server
