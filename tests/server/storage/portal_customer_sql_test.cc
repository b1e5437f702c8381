// The customer list's SQL when the count says a search matches many customers: SQLite
// then walks the sort order instead of sorting the matches, and must find the very page
// the usual statement finds.
#include "storage/portal_customer_sql.h"

#include <gtest/gtest.h>

#include "loyalty/sqlite/sqlite.h"
#include "storage/open_store.h"
#include "support/temp_dir.h"
#include "targeting/next_visit_planner.h"

namespace loyalty::server {
namespace {

std::vector<std::int64_t> PageIds(sqlite::Connection& db, const CustomerListSql& sql) {
  auto& statement = db.Prepared(sql.page);
  int index = 0;
  for (const auto& param : sql.page_params) {
    if (const auto* number = std::get_if<std::int64_t>(&param)) {
      statement.Bind(++index, *number);
    } else {
      statement.Bind(++index, std::get<std::string>(param));
    }
  }
  std::vector<std::int64_t> ids;
  while (statement.Step()) ids.push_back(statement.Int(0));
  return ids;
}

TEST(CustomerListSql, WalkingTheSortOrderFindsTheSamePages) {
  testing::TempDir dir;
  const std::string path = (dir.path() / "store.db").string();
  const TopCategoryPlanner planner;
  const auto key = crypto::SigningKey::Generate();
  auto store = OpenStore(ParseStoreUrl("sqlite://" + path, "url").value(), planner, key);
  ASSERT_TRUE(store->ImportProducts({{"3001", "Steak", "MEAT", "MEAT", "BEEF", "Ranch", "500 G",
                                      899, true}})
                  .ok());
  const char* names[] = {"Ada Byron", "Adam Smith", "Bob Ada", "Ada King", "Cleo Adams",
                         "Ada Ng"};
  for (int n = 0; n < 6; ++n) {
    const auto card = CardNumber::FromBody("2" + std::string(10, '0') + std::to_string(n)).value();
    domain::Purchase purchase;
    purchase.store_id = "S001";
    purchase.terminal_id = "T01";
    purchase.card = card;
    purchase.occurred_at = FromUnixSeconds(1764000000 + (n * 7 % 6) * 3600);
    purchase.lines.push_back({"3001", n + 1, 899, (n + 1) * 899});
    purchase.total_minor = purchase.SubtotalMinor();
    ASSERT_TRUE(store->RecordPurchase(purchase, purchase.occurred_at).ok());
    domain::CustomerDetails details;
    details.name = names[n];
    ASSERT_TRUE(store->RegisterCustomer(card, details, purchase.occurred_at).ok());
  }
  store.reset();
  sqlite::Connection db(path);

  std::vector<CustomerListQuery> queries(4);
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
  for (const auto& query : queries) {
    const auto usual = BuildCustomerListSql(query, SqlDialect::kSqlite);
    const auto walking = BuildCustomerListSql(query, SqlDialect::kSqlite, true);
    EXPECT_EQ(usual.page.find("+c.id IN"), std::string::npos);
    EXPECT_NE(walking.page.find("+c.id IN"), std::string::npos) << walking.page;
    const auto ids = PageIds(db, usual);
    EXPECT_FALSE(ids.empty()) << query.text;
    EXPECT_EQ(PageIds(db, walking), ids) << walking.page;
  }
}

}  // namespace
}  // namespace loyalty::server
