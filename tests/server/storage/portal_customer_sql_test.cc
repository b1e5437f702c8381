// The customer list's SQL when the count says a search matches many customers: the page
// then walks the sort order instead of sorting the matches, and must find the very page
// the usual statement finds; the count, which each engine reads from the index of what
// narrows the customers, must count what the page lists. On both engines. And on SQLite,
// a band's page keeps its plan once ANALYZE has run.
#include "storage/portal_customer_sql.h"

#include <gtest/gtest.h>

#include "loyalty/postgres/postgres.h"
#include "loyalty/sqlite/sqlite.h"
#include "storage/open_store.h"
#include "storage/sql_params.h"
#include "support/temp_dir.h"
#include "support/test_database.h"
#include "targeting/next_visit_planner.h"

namespace loyalty::server {
namespace {

using testing::Engine;

class CustomerListSqlTest : public ::testing::TestWithParam<Engine> {
 protected:
  void SetUp() override {
    database_ = std::make_unique<testing::TestDatabase>(GetParam(), dir_);
    const TopCategoryPlanner planner;
    const auto key = crypto::SigningKey::Generate();
    auto store = OpenStore(ParseStoreUrl(database_->url(), "url").value(), planner, key);
    ASSERT_TRUE(store
                    ->ImportProducts(
                        {{"3001", "Steak", "MEAT", "MEAT", "BEEF", "Ranch", "500 G", 899, true}})
                    .ok());
    const char* names[] = {"Ada Byron",  "Adam Smith", "Bob Ada",  "Ada King",
                           "Cleo Adams", "Ada Ng",     "Zoë Ådams"};
    for (int n = 0; n < 7; ++n) {
      const auto card =
          CardNumber::FromBody("2" + std::string(10, '0') + std::to_string(n)).value();
      domain::Purchase purchase;
      purchase.store_id = n % 3 == 0 ? "S002" : "S001";
      purchase.terminal_id = "T01";
      purchase.card = card;
      purchase.occurred_at = FromUnixSeconds(1764000000 + (n * 7 % 6) * 3600);
      purchase.lines.push_back({"3001", n + 1, 899, (n + 1) * 899});
      purchase.total_minor = purchase.SubtotalMinor();
      ASSERT_TRUE(store->RecordPurchase(purchase, purchase.occurred_at).ok());
      domain::CustomerDetails details;
      details.name = names[n];
      details.consent_email = n % 2 == 0;
      ASSERT_TRUE(store->RegisterCustomer(card, details, purchase.occurred_at).ok());
    }
    // A customer who never registered, and one merged away: neither may be counted
    // where the list does not show them.
    domain::Purchase anonymous;
    anonymous.store_id = "S001";
    anonymous.terminal_id = "T01";
    anonymous.card = CardNumber::FromBody("299999999999").value();
    anonymous.occurred_at = FromUnixSeconds(1764000000);
    anonymous.lines.push_back({"3001", 1, 899, 899});
    anonymous.total_minor = anonymous.SubtotalMinor();
    ASSERT_TRUE(store->RecordPurchase(anonymous, anonymous.occurred_at).ok());
    store.reset();
    database_->Exec("UPDATE customers SET merged_into = 1, segment = 'loyal' WHERE id = 2");
    database_->Exec("UPDATE customers SET segment = 'loyal' WHERE id <> 2");
    // The nightly run's lapse risk of all but the last customer: two in each band, one
    // a hair under the "medium" bound.
    database_->Exec(
        "INSERT INTO customer_features(customer_id, run_date, visits, last_visit_at,"
        " days_since_last_visit, days_between_visits, lapse_risk, next_visit_at,"
        " top_categories) SELECT id, '2025-11-25', 1, 0, 1, 7, CASE id WHEN 1 THEN 0.95"
        " WHEN 2 THEN 0.8 WHEN 3 THEN 0.6999999 WHEN 4 THEN 0.9 WHEN 5 THEN 0.2 WHEN 6"
        " THEN 0.75 ELSE 0.1 END, 0, '[]' FROM customers WHERE id <= 7");
    // And their bands on their rows, as the run writes them (migration 0026).
    database_->Exec(
        "UPDATE customers SET lapse_risk_band = (SELECT CASE WHEN f.lapse_risk >= 0.9 THEN 2"
        " WHEN f.lapse_risk >= 0.7 THEN 1 ELSE 0 END FROM customer_features f"
        " WHERE f.customer_id = customers.id) WHERE id <= 7");
  }

  template <typename Read>
  void Run(const std::string& sql, const std::vector<SqlParam>& params, Read read) {
    if (GetParam() == Engine::kSqlite) {
      sqlite::Connection db(database_->url().substr(std::string("sqlite://").size()));
      auto& statement = Bound(db, sql, params);
      while (statement.Step()) read(statement.Int(0));
      return;
    }
    postgres::Connection db(database_->url());
    const auto rows = db.RunOnce(sql, ParamsOf(params));
    for (int i = 0; i < rows.size(); ++i) read(rows.Int(i, 0));
  }

  std::vector<std::int64_t> PageIds(const CustomerListSql& sql) {
    std::vector<std::int64_t> ids;
    Run(sql.page, sql.page_params, [&](std::int64_t id) { ids.push_back(id); });
    return ids;
  }

  std::int64_t Count(const CustomerListSql& sql) {
    std::int64_t count = -1;
    Run(sql.count, sql.count_params, [&](std::int64_t value) { count = value; });
    return count;
  }

  SqlDialect dialect() const {
    return GetParam() == Engine::kSqlite ? SqlDialect::kSqlite : SqlDialect::kPostgres;
  }

  testing::TempDir dir_;
  std::unique_ptr<testing::TestDatabase> database_;
};

INSTANTIATE_TEST_SUITE_P(Engines, CustomerListSqlTest,
                         ::testing::Values(Engine::kSqlite, Engine::kPostgres),
                         [](const auto& engine) { return testing::EngineName(engine.param); });

std::vector<CustomerListQuery> Queries() {
  std::vector<CustomerListQuery> queries(19);
  queries[0].text = "ada";  // the start of the name, latest visit first
  queries[1].text = "ada";  // a word's start, by spend
  queries[1].contains = true;
  queries[1].sort = CustomerSort::kSpend;
  queries[2] = queries[1];  // its second page
  queries[2].limit = 2;
  queries[2].after = CustomerListCursor{3 * 899, "", 3};
  queries[3].text = "ad";
  queries[3].sort = CustomerSort::kVisits;
  queries[3].descending = false;
  queries[4].consent_email = true;  // the export of those who agreed to e-mails
  queries[5].stores = {"S002"};     // one store: PostgreSQL counts its rows
  queries[6].stores = {"S001", "S002"};
  queries[7].stores = {"S001"};
  queries[7].segment = "loyal";
  queries[8].text = "adams";  // accents folded on both engines
  queries[8].contains = true;
  queries[9].text = "ada";
  queries[9].stores = {"S001"};
  queries[10].lapse_risk_band = LapseRiskBand::kHigh;  // the nightly run's, latest visit first
  queries[11].lapse_risk_band = LapseRiskBand::kLow;
  queries[11].sort = CustomerSort::kSpend;
  queries[12].sort = CustomerSort::kLapseRisk;
  queries[13] = queries[12];  // its second page
  queries[13].limit = 2;
  queries[13].after = CustomerListCursor{900000, "", 4};
  queries[14].lapse_risk_band = LapseRiskBand::kMedium;
  queries[14].stores = {"S001"};
  queries[15].text = "ada";
  queries[15].sort = CustomerSort::kLapseRisk;
  queries[15].descending = false;
  queries[16].lapse_risk_band = LapseRiskBand::kMedium;  // walks the names, probes the band
  queries[16].sort = CustomerSort::kName;
  queries[17].lapse_risk_band = LapseRiskBand::kHigh;  // counted from the band, not the stores
  queries[17].stores = {"S001", "S002"};
  queries[17].sort = CustomerSort::kVisits;
  queries[18].lapse_risk_band = LapseRiskBand::kMedium;  // a later page by risk
  queries[18].sort = CustomerSort::kLapseRisk;
  queries[18].limit = 1;
  queries[18].after = CustomerListCursor{800000, "", 2};
  return queries;
}

TEST_P(CustomerListSqlTest, WalkingTheSortOrderFindsTheSamePages) {
  for (const auto& query : Queries()) {
    const auto usual = BuildCustomerListSql(query, dialect());
    const auto walking = BuildCustomerListSql(query, dialect(), true);
    if (dialect() == SqlDialect::kSqlite && !query.text.empty()) {
      EXPECT_EQ(usual.page.find("+c.id IN"), std::string::npos);
      EXPECT_NE(walking.page.find("+c.id IN"), std::string::npos) << walking.page;
    }
    // A band at risk is read from its partial index, the condition spelt as the index
    // spells it, unless the page walks the risks or the names and probes each band.
    if (dialect() == SqlDialect::kSqlite && query.lapse_risk_band &&
        *query.lapse_risk_band != LapseRiskBand::kLow) {
      const bool probes =
          query.sort == CustomerSort::kLapseRisk || query.sort == CustomerSort::kName;
      for (const auto* page : {&usual.page, &walking.page}) {
        EXPECT_EQ(page->find(" c.lapse_risk_band > 0") == std::string::npos, probes) << *page;
        EXPECT_EQ(page->find("+c.lapse_risk_band > 0") != std::string::npos, probes) << *page;
      }
    }
    const auto ids = PageIds(usual);
    EXPECT_FALSE(ids.empty()) << usual.page;
    EXPECT_EQ(PageIds(walking), ids) << walking.page;
  }
}

TEST_P(CustomerListSqlTest, CountsWhatThePagesList) {
  for (auto query : Queries()) {
    if (query.after) continue;
    query.limit = 100;
    const auto sql = BuildCustomerListSql(query, dialect());
    EXPECT_EQ(Count(sql), static_cast<std::int64_t>(PageIds(sql).size())) << sql.count;
  }
}

// ANALYZE's statistics of a million customers (a bench database's): the at-risk indexes
// then read as two bands of 93,748 rows each, where "high" is 20,827. SQLite planned a
// band's page as all 187,495 rows at risk read by "> 0" and sorted (0.3 s for "medium");
// the page must walk the band in its sort order, whatever the statistics say.
TEST(CustomerListSqlPlanTest, ABandsPageWalksItsIndexOnceAnalyzeHasRun) {
  testing::TempDir dir;
  testing::TestDatabase database(Engine::kSqlite, dir);
  {
    const TopCategoryPlanner planner;
    const auto key = crypto::SigningKey::Generate();
    OpenStore(ParseStoreUrl(database.url(), "url").value(), planner, key);  // migrates
  }
  sqlite::Connection db(database.url().substr(std::string("sqlite://").size()));
  db.Exec("ANALYZE");
  db.Exec("DELETE FROM sqlite_stat1 WHERE tbl = 'customers'");
  db.Exec(
      "INSERT INTO sqlite_stat1(tbl, idx, stat) VALUES"
      " ('customers', 'customers_at_risk_by_visits', '187495 93748 469 1'),"
      " ('customers', 'customers_at_risk_by_spend', '187495 93748 1 1'),"
      " ('customers', 'customers_at_risk_by_last_visit', '187495 93748 1 1'),"
      " ('customers', 'customers_by_segment', '600000 200000 1'),"
      " ('customers', 'customers_by_last_visit', '1000000 1 1'),"
      " ('customers', 'customers_by_spend', '1000000 1 1'),"
      " ('customers', 'customers_by_visits', '1000000 5000 1'),"
      " ('customers', 'customers_by_joined_at', '1000000 1000000')");
  db.Exec("ANALYZE sqlite_schema");  // reads the statistics again
  for (const LapseRiskBand band : {LapseRiskBand::kMedium, LapseRiskBand::kHigh}) {
    for (const CustomerSort sort :
         {CustomerSort::kLastVisit, CustomerSort::kSpend, CustomerSort::kVisits}) {
      for (const bool one_store : {false, true}) {
        CustomerListQuery query;
        query.lapse_risk_band = band;
        query.sort = sort;
        if (one_store) query.stores = {"S001"};
        const auto sql = BuildCustomerListSql(query, SqlDialect::kSqlite);
        const auto plan_of = [&](const std::string& statement) {
          auto& plan = db.Prepared("EXPLAIN QUERY PLAN " + statement);
          std::string steps;
          while (plan.Step()) steps += plan.Text(3) + "\n";
          plan.Reset();
          return steps;
        };
        const std::string steps = plan_of(sql.page);
        EXPECT_NE(steps.find("customers_at_risk_by_"), std::string::npos) << sql.page << "\n"
                                                                          << steps;
        EXPECT_NE(steps.find("(lapse_risk_band=?"), std::string::npos) << sql.page << "\n" << steps;
        EXPECT_EQ(steps.find("TEMP B-TREE"), std::string::npos) << sql.page << "\n" << steps;
        // The count reads the band's entries alone (a store's count reads the store's rows).
        if (!one_store) {
          const std::string counted = plan_of(sql.count);
          EXPECT_NE(counted.find("(lapse_risk_band=?"), std::string::npos) << sql.count << "\n"
                                                                           << counted;
        }
      }
    }
  }
}

}  // namespace
}  // namespace loyalty::server
