// Customer features: cadence, lapse risk and category lifts on histories small enough to
// work out by hand (the figures in the comments are those sums).
#include "targeting/customer_features.h"

#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

namespace loyalty::server::targeting {
namespace {

constexpr std::int64_t kDay = 86'400;
constexpr std::int64_t kRunAt = 1'796'083'200;  // 2026-12-01T00:00:00Z

struct Basket {
  std::string customer;
  std::int64_t at;                                            // Unix seconds
  std::vector<std::pair<std::string, std::string>> products;  // product, category
};

TransactionHistory MakeHistory(const std::vector<Basket>& baskets) {
  HistoryBuilder builder;
  int number = 0;
  for (const auto& basket : baskets) {
    const std::string basket_id = "b" + std::to_string(++number);
    for (const auto& [product, category] : basket.products) {
      HistoryBuilder::Line line;
      line.customer = basket.customer;
      line.basket = basket_id;
      line.product = product;
      line.category = category;
      line.timestamp = basket.at;
      if (const auto problem = builder.Add(line)) throw std::logic_error(*problem);
    }
  }
  return builder.Build();
}

Basket Visit(const std::string& customer, double days_before_run) {
  return {customer,
          kRunAt - static_cast<std::int64_t>(days_before_run * static_cast<double>(kDay)),
          {{"milk", "dairy"}}};
}

const CustomerFeatures& Of(const TransactionHistory& history, const CustomerFeatureTable& table,
                           const std::string& customer) {
  return table.customers.at(*history.customers.Find(customer));
}

TEST(CustomerFeatures, CadenceShrinksEachCustomerTowardsThePopulation) {
  // A: every 7 days (21, 14, 7 days before the run), with a second basket 6 hours into
  // the visit 14 days back (the same trip) and one after the run (not yet seen).
  // C: gaps of 2 then 8 days (40, 38, 30). D: one visit, 10 days back.
  const auto history =
      MakeHistory({Visit("A", 21), Visit("A", 14), Visit("A", 13.75), Visit("A", 7), Visit("A", -1),
                   Visit("C", 40), Visit("C", 38), Visit("C", 30), Visit("D", 10)});
  const auto table = ComputeCustomerFeatures(history, kRunAt);
  // Gaps 7, 7, 2, 8: mu_pop = ln(7 * 7 * 2 * 8) / 4 = ln 5.2915; within-customer spread:
  // A's logs agree, C's differ by ln 2 either side of ln 4, so sigma_pop^2 =
  // (0 + 2 (ln 2)^2) / (1 + 1): sigma_pop = ln 2.
  EXPECT_NEAR(std::exp(table.population_log_gap_mean), 5.29150, 1e-4);
  EXPECT_NEAR(table.population_log_gap_sigma, std::log(2.0), 1e-9);

  // A: mu = (2 ln 7 + 3 mu_pop) / 5 = ln 5.91816; sigma^2 = 3 (ln 2)^2 / 4, sigma 0.60028;
  // 7 days since: Phi((ln 7 - mu) / sigma) = Phi(0.2797) = 0.61014.
  const auto& a = Of(history, table, "A");
  EXPECT_EQ(a.visits, 4U);  // the trip's two baskets count as two; the one after the run not
  EXPECT_EQ(a.last_visit_at, kRunAt - 7 * kDay);
  EXPECT_NEAR(a.days_since_last_visit, 7, 1e-9);
  EXPECT_NEAR(a.days_between_visits, 5.91816, 1e-4);
  EXPECT_NEAR(a.lapse_risk, 0.61014, 1e-4);
  EXPECT_EQ(a.next_visit_at,
            kRunAt - 7 * kDay + std::llround(5.918159 * static_cast<double>(kDay)));

  // C: mu = (ln 16 + 3 mu_pop) / 5 = ln 4.73120; sigma^2 = (2 (ln 2)^2 + 3 (ln 2)^2) / 4,
  // sigma 0.77496; 30 days since: Phi(2.3844) = 0.99142, long overdue.
  const auto& c = Of(history, table, "C");
  EXPECT_NEAR(c.days_between_visits, 4.73120, 1e-4);
  EXPECT_NEAR(c.lapse_risk, 0.99142, 1e-4);
  EXPECT_LT(c.next_visit_at, kRunAt);

  // D: no gap of their own, so the population's: Phi((ln 10 - ln 5.2915) / ln 2) = 0.82076.
  const auto& d = Of(history, table, "D");
  EXPECT_EQ(d.visits, 1U);
  EXPECT_NEAR(d.days_between_visits, 5.29150, 1e-4);
  EXPECT_NEAR(d.lapse_risk, 0.82076, 1e-4);
}

TEST(CustomerFeatures, ALastTripOfTwoBasketsEndsAtItsLaterOne) {
  // E: 20 days back, then a trip of two baskets 10 and 9.75 days back. The gap runs from
  // trip to trip (10 days); the absence from the trip's last basket.
  const auto history = MakeHistory({Visit("E", 20), Visit("E", 10), Visit("E", 9.75)});
  const auto table = ComputeCustomerFeatures(history, kRunAt);
  const auto& e = Of(history, table, "E");
  EXPECT_EQ(e.visits, 3U);
  EXPECT_EQ(e.last_visit_at, kRunAt - 9 * kDay - 18 * 3600);
  EXPECT_NEAR(e.days_since_last_visit, 9.75, 1e-9);
  EXPECT_NEAR(e.days_between_visits, 10, 1e-9);  // its own gap and the population's agree
}

TEST(CustomerFeatures, WithoutAnyGapTheDefaultsStandIn) {
  // Two shoppers with one visit each, 14 and 28 days back: the default 14-day median
  // gap with sigma 1, so Phi(0) = 0.5 and Phi(ln 2) = 0.75589.
  const auto history = MakeHistory({Visit("E", 14), Visit("F", 28)});
  const auto table = ComputeCustomerFeatures(history, kRunAt);
  const auto& e = Of(history, table, "E");
  EXPECT_NEAR(e.days_between_visits, 14, 1e-9);
  EXPECT_NEAR(e.lapse_risk, 0.5, 1e-9);
  EXPECT_EQ(e.next_visit_at, kRunAt);
  EXPECT_NEAR(Of(history, table, "F").lapse_risk, 0.75589, 1e-4);
}

TEST(CustomerFeatures, ExactlyRegularShoppersKeepASpread) {
  // Everybody every 10 days: sigma_pop is 0, so min_sigma (0.2) keeps the risk a curve:
  // 10 days since is Phi(0) = 0.5, 12 days Phi(ln 1.2 / 0.2) = Phi(0.9116) = 0.81901.
  const auto history = MakeHistory({Visit("G", 30), Visit("G", 20), Visit("G", 10), Visit("H", 32),
                                    Visit("H", 22), Visit("H", 12)});
  const auto table = ComputeCustomerFeatures(history, kRunAt);
  EXPECT_NEAR(Of(history, table, "G").lapse_risk, 0.5, 1e-9);
  EXPECT_NEAR(Of(history, table, "H").lapse_risk, 0.81901, 1e-4);
  EXPECT_NEAR(Of(history, table, "H").days_between_visits, 10, 1e-9);
}

TEST(CustomerFeatures, CategoryLiftIsShrunkTowardsOne) {
  // 8 baskets: dairy in 5 (share 0.625), bakery in 4 (0.5), deli in 1 (0.125).
  // X: milk and cheese (both dairy, counted once a basket) at each of 4 visits, caviar at
  // one. Y: bread at each of 4 visits, milk at one.
  std::vector<Basket> baskets;
  for (int i = 0; i < 4; ++i) {
    Basket x{"X", kRunAt - (10 - i) * kDay, {{"milk", "dairy"}, {"cheese", "dairy"}}};
    if (i == 0) x.products.emplace_back("caviar", "deli");
    baskets.push_back(x);
    Basket y{"Y", kRunAt - (10 - i) * kDay, {{"bread", "bakery"}}};
    if (i == 0) y.products.emplace_back("milk", "dairy");
    baskets.push_back(y);
  }
  const auto history = MakeHistory(baskets);
  const auto table = ComputeCustomerFeatures(history, kRunAt);
  const auto& x = Of(history, table, "X");
  // dairy (4 + 2) / (4 * 0.625 + 2) = 1.3333; deli (1 + 2) / (4 * 0.125 + 2) = 1.2.
  ASSERT_EQ(x.category_count, 2);
  EXPECT_EQ(history.categories.Name(x.categories[0].category), "dairy");
  EXPECT_NEAR(x.categories[0].lift, 6.0 / 4.5, 1e-9);
  EXPECT_EQ(x.categories[0].baskets, 4U);
  EXPECT_EQ(history.categories.Name(x.categories[1].category), "deli");
  EXPECT_NEAR(x.categories[1].lift, 1.2, 1e-9);
  EXPECT_EQ(x.categories[1].baskets, 1U);
  // Y: bakery (4 + 2) / (4 * 0.5 + 2) = 1.5; dairy (1 + 2) / (4 * 0.625 + 2) = 0.667, below
  // the population, so not an affinity.
  const auto& y = Of(history, table, "Y");
  ASSERT_EQ(y.category_count, 1);
  EXPECT_EQ(history.categories.Name(y.categories[0].category), "bakery");
  EXPECT_NEAR(y.categories[0].lift, 1.5, 1e-9);
}

TEST(CustomerFeatures, KeepsTheFiveHighestLifts) {
  // Z buys categories c1..c7, c_i in i of 7 baskets; W buys "other" at 7 visits, so each
  // c_i's share is i / 14 and Z's lift (i + 2) / (7 i / 14 + 2) grows with i.
  std::vector<Basket> baskets;
  for (int visit = 0; visit < 7; ++visit) {
    Basket z{"Z", kRunAt - (20 - visit) * kDay, {}};
    for (int i = 1; i <= 7; ++i) {
      if (visit < i) z.products.emplace_back("p" + std::to_string(i), "c" + std::to_string(i));
    }
    baskets.push_back(z);
    baskets.push_back({"W", kRunAt - (20 - visit) * kDay, {{"other", "other"}}});
  }
  const auto history = MakeHistory(baskets);
  const auto table = ComputeCustomerFeatures(history, kRunAt);
  const auto& z = Of(history, table, "Z");
  ASSERT_EQ(z.category_count, kTopCategories);
  for (std::size_t rank = 0; rank < kTopCategories; ++rank) {
    const int i = 7 - static_cast<int>(rank);
    EXPECT_EQ(history.categories.Name(z.categories[rank].category), "c" + std::to_string(i));
    EXPECT_NEAR(z.categories[rank].lift, (i + 2) / (7.0 * i / 14 + 2), 1e-9);
  }
}

TEST(CustomerFeatures, NormalCdfMatchesTheTable) {
  EXPECT_NEAR(NormalCdf(0), 0.5, 1e-12);
  EXPECT_NEAR(NormalCdf(1.959964), 0.975, 1e-6);
  EXPECT_NEAR(NormalCdf(-1), 0.158655, 1e-6);
}

}  // namespace
}  // namespace loyalty::server::targeting
