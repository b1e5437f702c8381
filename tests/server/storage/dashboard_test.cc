// Store::LoadDashboard on both engines: per-day buckets from the query's start, the
// share sold with a card, customers counted once over the run, and coupons counted in the
// store whose sale issued or redeemed them. And Store::LoadPerformance: the same run's
// sales per store and per cashier.
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
                                  std::vector<domain::Redemption> redemptions = {},
                                  std::optional<std::string> cashier = std::nullopt) {
    domain::Purchase purchase;
    purchase.store_id = store;
    purchase.cashier_id = std::move(cashier);
    purchase.terminal_id = std::string(store) + "-T01";
    if (card) purchase.card = CardNumber::FromBody(*card).value();
    purchase.occurred_at = At(at);
    purchase.lines.push_back({sku, quantity, unit_price, quantity * unit_price});
    purchase.redemptions = std::move(redemptions);
    purchase.total_minor = purchase.SubtotalMinor() - purchase.DiscountMinor();
    auto recorded = store_->RecordPurchase(purchase, At(at));
    EXPECT_TRUE(recorded.ok()) << recorded.error().ToString();
    last_purchase_ = purchase.id;
    std::vector<domain::Coupon> coupons;
    if (recorded.ok()) {
      for (const auto& issued : recorded->ack.next_visit_coupons) coupons.push_back(issued.coupon);
    }
    return coupons;
  }

  Dashboard Load(std::vector<std::string> stores, const char* from, int days) {
    return store_->LoadDashboard({std::move(stores), At(from), days});
  }

  Uuid last_purchase_ = Uuid::Random();  // the id of the purchase Buy recorded last
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

void ExpectFigures(const SalesFigures& figures, std::int64_t purchases, std::int64_t sales,
                   std::int64_t card_purchases, std::int64_t card_sales, std::int64_t discount,
                   std::int64_t coupons_redeemed) {
  EXPECT_EQ(figures.purchases, purchases);
  EXPECT_EQ(figures.sales_minor, sales);
  EXPECT_EQ(figures.card_purchases, card_purchases);
  EXPECT_EQ(figures.card_sales_minor, card_sales);
  EXPECT_EQ(figures.discount_minor, discount);
  EXPECT_EQ(figures.coupons_redeemed, coupons_redeemed);
}

TEST_P(DashboardTest, PerformanceSumsEachCashierInEachStoreAndTheStoresReturns) {
  ASSERT_TRUE(store_->AddStore({"S001", "Main Street"}).ok());
  ASSERT_TRUE(store_->AddStore({"S002", "Harbour"}).ok());
  // S001: C1 sells to Ada (card) and to a shopper without one; C2 takes Ada's coupon and
  // sells to Bob. S002: C3 sells without a card; a till without sign-on sells to Cy.
  const auto ada_coupons = Buy("S001", "212345678901", "1002", 2, 450, "2026-11-23T10:00:00Z",
                               {}, "C1");
  ASSERT_EQ(ada_coupons.size(), 1u);
  Buy("S001", std::nullopt, "1002", 1, 450, "2026-11-23T11:00:00Z", {}, "C1");
  Buy("S001", "212345678901", "1002", 2, 450, "2026-11-24T10:00:00Z", {{ada_coupons[0].id, 90}},
      "C2");
  Buy("S001", "212345678902", "3001", 1, 899, "2026-11-24T12:00:00Z", {}, "C2");
  Buy("S002", std::nullopt, "3001", 2, 899, "2026-11-25T09:00:00Z", {}, "C3");
  const Uuid steaks = last_purchase_;
  Buy("S002", "212345678903", "1002", 1, 450, "2026-11-25T10:00:00Z");
  // Outside the run: the second before it and the second after it.
  Buy("S001", std::nullopt, "3001", 1, 899, "2026-11-22T23:59:59Z", {}, "C1");
  Buy("S001", std::nullopt, "3001", 1, 899, "2026-11-26T00:00:00Z", {}, "C1");
  domain::SaleReturn steak_back;
  steak_back.original_purchase_id = steaks;
  steak_back.store_id = "S002";
  steak_back.terminal_id = "S002-T01";
  steak_back.occurred_at = At("2026-11-25T12:00:00Z");
  steak_back.lines = {{"3001", 1, 899}};
  steak_back.total_minor = 899;
  const auto returned = store_->RecordReturn(steak_back, steak_back.occurred_at);
  ASSERT_TRUE(returned.ok()) << returned.error().ToString();

  const Performance chain = store_->LoadPerformance({{}, At("2026-11-23T00:00:00Z"), 3});
  EXPECT_EQ(chain.currency, "USD");
  ASSERT_EQ(chain.stores.size(), 2u);
  EXPECT_EQ(chain.stores[0].store_id, "S001");
  EXPECT_EQ(chain.stores[0].name, "Main Street");
  ExpectFigures(chain.stores[0].figures, 4, 1350 + 810 + 899, 3, 900 + 810 + 899, 90, 1);
  EXPECT_EQ(chain.stores[0].returns, 0);
  EXPECT_EQ(chain.stores[1].store_id, "S002");
  EXPECT_EQ(chain.stores[1].name, "Harbour");
  ExpectFigures(chain.stores[1].figures, 2, 1798 + 450, 1, 450, 0, 0);
  EXPECT_EQ(chain.stores[1].returns, 1);
  EXPECT_EQ(chain.stores[1].refund_minor, 899);

  ASSERT_EQ(chain.cashiers.size(), 4u);
  const auto expect_cashier = [&](std::size_t i, const char* store,
                                  std::optional<std::string> cashier) {
    EXPECT_EQ(chain.cashiers[i].store_id, store) << i;
    EXPECT_EQ(chain.cashiers[i].cashier_id, cashier) << i;
  };
  expect_cashier(0, "S001", "C1");
  ExpectFigures(chain.cashiers[0].figures, 2, 1350, 1, 900, 0, 0);
  expect_cashier(1, "S001", "C2");
  ExpectFigures(chain.cashiers[1].figures, 2, 810 + 899, 2, 810 + 899, 90, 1);
  expect_cashier(2, "S002", std::nullopt);
  ExpectFigures(chain.cashiers[2].figures, 1, 450, 1, 450, 0, 0);
  expect_cashier(3, "S002", "C3");
  ExpectFigures(chain.cashiers[3].figures, 1, 1798, 0, 0, 0, 0);

  const Performance s002 = store_->LoadPerformance({{"S002"}, At("2026-11-23T00:00:00Z"), 3});
  ASSERT_EQ(s002.stores.size(), 1u);
  EXPECT_EQ(s002.stores[0].store_id, "S002");
  EXPECT_EQ(s002.stores[0].returns, 1);
  ASSERT_EQ(s002.cashiers.size(), 2u);
  EXPECT_EQ(s002.cashiers[1].cashier_id, std::optional<std::string>("C3"));
  // One day: only C3's and Cy's sales and the return fall on the 25th.
  const Performance day = store_->LoadPerformance({{}, At("2026-11-25T00:00:00Z"), 1});
  ASSERT_EQ(day.stores.size(), 1u);
  EXPECT_EQ(day.stores[0].store_id, "S002");
  EXPECT_TRUE(store_->LoadPerformance({{"S404"}, At("2026-11-23T00:00:00Z"), 3}).stores.empty());
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
