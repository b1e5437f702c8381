// Store::LoadDashboard on both engines: per-day buckets from the query's start, the
// share sold with a card, customers counted once over the run, and coupons counted in the
// store whose sale issued or redeemed them.
#include <gtest/gtest.h>

#include "storage/open_store.h"
#include "support/temp_dir.h"
#include "support/test_database.h"
#include "targeting/next_visit_planner.h"

namespace loyalty::server {
namespace {

Timestamp At(const char* text) { return ParseIso8601(text).value(); }

class DashboardTest : public ::testing::TestWithParam<testing::Engine> {
 protected:
  void SetUp() override {
    database_ = std::make_unique<testing::TestDatabase>(GetParam(), dir_);
    store_ = OpenStore(ParseStoreUrl(database_->url(), "url").value(), planner_, key_);
    ASSERT_TRUE(store_
                    ->ImportProducts({{"1002", "Cheddar", "GROCERY", "DAIRY", "CHEESE", "Farm",
                                       "200 G", 450, true},
                                      {"3001", "Steak", "MEAT", "MEAT", "BEEF", "Ranch", "500 G",
                                       899, true}})
                    .ok());
  }

  // One line of `quantity` x `sku` at `unit_price`; returns the coupons it earned.
  std::vector<domain::Coupon> Buy(const char* store, std::optional<const char*> card,
                                  const char* sku, std::int64_t quantity, std::int64_t unit_price,
                                  const char* at,
                                  std::vector<domain::Redemption> redemptions = {}) {
    domain::Purchase purchase;
    purchase.store_id = store;
    purchase.terminal_id = std::string(store) + "-T01";
    if (card) purchase.card = CardNumber::FromBody(*card).value();
    purchase.occurred_at = At(at);
    purchase.lines.push_back({sku, quantity, unit_price, quantity * unit_price});
    purchase.redemptions = std::move(redemptions);
    purchase.total_minor = purchase.SubtotalMinor() - purchase.DiscountMinor();
    auto recorded = store_->RecordPurchase(purchase, At(at));
    EXPECT_TRUE(recorded.ok()) << recorded.error().ToString();
    std::vector<domain::Coupon> coupons;
    if (recorded.ok()) {
      for (const auto& issued : recorded->ack.next_visit_coupons) coupons.push_back(issued.coupon);
    }
    return coupons;
  }

  Dashboard Load(std::vector<std::string> stores, const char* from, int days) {
    return store_->LoadDashboard({std::move(stores), At(from), days});
  }

  testing::TempDir dir_;
  std::unique_ptr<testing::TestDatabase> database_;
  TopCategoryPlanner planner_;
  crypto::SigningKey key_ = crypto::SigningKey::Generate();
  std::unique_ptr<Store> store_;
};

INSTANTIATE_TEST_SUITE_P(Engines, DashboardTest,
                         ::testing::Values(testing::Engine::kSqlite, testing::Engine::kPostgres),
                         [](const auto& engine) { return testing::EngineName(engine.param); });

TEST_P(DashboardTest, CountsEachDayAndTheRunForTheChainAndForAStore) {
  // Day 0 in S001: Ada with her card, then a sale without one. Day 2 in S002: Ada redeems
  // the coupon she earned, and Bob buys for the first time.
  const auto ada_coupons = Buy("S001", "212345678901", "1002", 2, 450, "2026-11-23T16:10:00Z");
  Buy("S001", std::nullopt, "1002", 1, 450, "2026-11-23T09:00:00Z");
  ASSERT_EQ(ada_coupons.size(), 1u);
  const auto ada_again = Buy("S002", "212345678901", "1002", 2, 450, "2026-11-25T10:00:00Z",
                             {{ada_coupons[0].id, 90}});
  const auto bob_coupons = Buy("S002", "212345678902", "3001", 1, 899, "2026-11-25T11:00:00Z");
  const auto issued_day2 = static_cast<std::int64_t>(ada_again.size() + bob_coupons.size());
  // Outside the run: the day before, and the day after.
  Buy("S001", "212345678903", "3001", 1, 899, "2026-11-22T23:59:59Z");
  Buy("S001", "212345678903", "3001", 1, 899, "2026-11-26T00:00:00Z");

  const Dashboard chain = Load({}, "2026-11-23T00:00:00Z", 3);
  EXPECT_EQ(chain.currency, "USD");
  ASSERT_EQ(chain.per_day.size(), 3u);
  const DashboardFigures& day0 = chain.per_day[0];
  EXPECT_EQ(day0.purchases, 2);
  EXPECT_EQ(day0.sales_minor, 900 + 450);
  EXPECT_EQ(day0.card_sales_minor, 900);
  EXPECT_EQ(day0.active_customers, 1);
  EXPECT_EQ(day0.coupons_issued, 1);
  EXPECT_EQ(day0.coupons_redeemed, 0);
  EXPECT_EQ(chain.per_day[1].purchases, 0);
  EXPECT_EQ(chain.per_day[1].coupons_issued, 0);
  const DashboardFigures& day2 = chain.per_day[2];
  EXPECT_EQ(day2.purchases, 2);
  EXPECT_EQ(day2.sales_minor, 900 - 90 + 899);
  EXPECT_EQ(day2.card_sales_minor, day2.sales_minor);
  EXPECT_EQ(day2.active_customers, 2);
  EXPECT_EQ(day2.coupons_issued, issued_day2);
  EXPECT_EQ(day2.coupons_redeemed, 1);
  EXPECT_EQ(chain.total.purchases, 4);
  EXPECT_EQ(chain.total.sales_minor, day0.sales_minor + day2.sales_minor);
  EXPECT_EQ(chain.total.active_customers, 2) << "Ada bought on two days and is one customer";
  EXPECT_EQ(chain.total.coupons_issued, 1 + issued_day2);
  EXPECT_EQ(chain.total.coupons_redeemed, 1);

  // S001 alone: day 0 only; the coupon Ada earned there was redeemed in S002.
  const Dashboard s001 = Load({"S001"}, "2026-11-23T00:00:00Z", 3);
  EXPECT_EQ(s001.total.purchases, 2);
  EXPECT_EQ(s001.total.coupons_issued, 1);
  EXPECT_EQ(s001.total.coupons_redeemed, 0);
  EXPECT_EQ(s001.per_day[2].purchases, 0);
  const Dashboard s002 = Load({"S002"}, "2026-11-23T00:00:00Z", 3);
  EXPECT_EQ(s002.per_day[0].purchases, 0);
  EXPECT_EQ(s002.total.purchases, 2);
  EXPECT_EQ(s002.total.coupons_issued, issued_day2);
  EXPECT_EQ(s002.total.coupons_redeemed, 1);
  EXPECT_EQ(Load({"S001", "S002"}, "2026-11-23T00:00:00Z", 3).total.purchases, 4);
  EXPECT_EQ(Load({"S404"}, "2026-11-23T00:00:00Z", 3).total.purchases, 0);
}

TEST_P(DashboardTest, DaysStartWhereTheViewersDayStarts) {
  Buy("S001", std::nullopt, "1002", 1, 450, "2026-11-23T09:00:00Z");
  Buy("S001", "212345678901", "1002", 2, 450, "2026-11-23T16:10:00Z");
  // A viewer twelve hours west of UTC: their 23 November starts at noon UTC.
  const Dashboard west = Load({}, "2026-11-23T12:00:00Z", 1);
  ASSERT_EQ(west.per_day.size(), 1u);
  EXPECT_EQ(west.total.purchases, 1);
  EXPECT_EQ(west.total.sales_minor, 900);
  EXPECT_EQ(west.total.card_sales_minor, 900);
  // An empty run still has its days, all zero.
  const Dashboard empty = Load({}, "2026-12-01T00:00:00Z", 30);
  ASSERT_EQ(empty.per_day.size(), 30u);
  EXPECT_EQ(empty.total.purchases, 0);
  EXPECT_EQ(empty.total.active_customers, 0);
}

// A run ending now counts the chain's active customers from their last visits, a run
// with purchases after it from the purchases: both give each customer once, a customer
// merged away included.
TEST_P(DashboardTest, ActiveCustomersOfTheChainAreTheSameWhereverTheRunEnds) {
  Buy("S001", "212345678901", "1002", 1, 450, "2026-10-10T10:00:00Z");  // Ada, long ago
  Buy("S002", "212345678901", "1002", 1, 450, "2026-11-28T10:00:00Z");  // and lately
  Buy("S001", "212345678902", "1002", 1, 450, "2026-11-20T10:00:00Z");  // Bob
  Buy("S001", std::nullopt, "1002", 1, 450, "2026-11-21T10:00:00Z");
  Buy("S001", "212345678903", "1002", 1, 450, "2026-10-01T10:00:00Z");  // Cy, long ago
  Buy("S001", "212345678904", "1002", 1, 450, "2026-11-25T10:00:00Z");  // Dee
  const auto customer = [this](const char* card) {
    return database_->Int("SELECT customer_id FROM cards WHERE number = '" +
                          CardNumber::FromBody(card).value().digits() + "'");
  };
  // Dee turns out to be Cy: her purchase is Cy's now.
  ASSERT_TRUE(store_
                  ->MergeCustomers(customer("212345678903"), customer("212345678904"),
                                   At("2026-11-29T10:00:00Z"))
                  .ok());
  const auto active = [this] {
    return Load({}, "2026-11-01T00:00:00Z", 30).total.active_customers;
  };
  EXPECT_EQ(active(), 3) << "Ada, Bob and Cy";
  Buy("S003", "212345678905", "1002", 1, 450, "2026-12-02T10:00:00Z");  // after the run
  EXPECT_EQ(active(), 3);
  EXPECT_EQ(Load({"S001"}, "2026-11-01T00:00:00Z", 30).total.active_customers, 2);
}

}  // namespace
}  // namespace loyalty::server
