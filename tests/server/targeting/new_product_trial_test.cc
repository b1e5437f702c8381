#include "targeting/new_product_trial.h"

#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>
#include <string>

namespace loyalty::server::targeting {
namespace {

constexpr std::int64_t kDay = 86'400;
constexpr std::int64_t kRunAt = 1'796'342'400;  // 2026-12-04T00:00:00Z

struct Purchase {
  std::string customer;
  std::int64_t days_before_run;
  std::string product;
  std::string category;
  std::int64_t amount_minor = 300;
};

TransactionHistory Build(const std::vector<Purchase>& purchases) {
  HistoryBuilder builder;
  int basket = 0;
  for (const auto& purchase : purchases) {
    HistoryBuilder::Line line;
    const std::string basket_id = "b" + std::to_string(++basket);
    line.customer = purchase.customer;
    line.basket = basket_id;
    line.product = purchase.product;
    line.category = purchase.category;
    line.timestamp = kRunAt - purchase.days_before_run * kDay;
    line.amount_minor = purchase.amount_minor;
    if (const auto problem = builder.Add(line)) throw std::logic_error(*problem);
  }
  return builder.Build();
}

TEST(NewProductTrial, TheTrialRateIsMeasuredOnTheCategorysEarlierLaunches) {
  // Chips sold from the history's start, 300 days back; crisps launched 200 days back,
  // tried in their first 60 days by one of the four snack shoppers of that window.
  std::vector<Purchase> purchases;
  for (const char* customer : {"a", "b", "c", "d"}) {
    purchases.push_back({customer, 300, "chips", "SNACKS"});
    purchases.push_back({customer, 180, "chips", "SNACKS"});
  }
  purchases.push_back({"a", 200, "crisps", "SNACKS"});
  purchases.push_back({"e", 100, "crisps", "SNACKS"});  // after the window: not counted
  purchases.push_back({"e", 300, "milk", "DAIRY"});
  const TransactionHistory history = Build(purchases);
  const auto first = FirstSoldAt(history);
  EXPECT_EQ(first[*history.products.Find("crisps")], kRunAt - 200 * kDay);
  TrialOptions options;
  const auto snacks =
      MeasureTrialRate(history, *history.categories.Find("SNACKS"), first, kRunAt, options);
  EXPECT_EQ(snacks.launches, 1u);  // crisps; chips are as old as the history
  EXPECT_DOUBLE_EQ(snacks.rate, 0.25);
  // Dairy had no launch: the assumed rate.
  const auto dairy =
      MeasureTrialRate(history, *history.categories.Find("DAIRY"), first, kRunAt, options);
  EXPECT_EQ(dairy.launches, 0u);
  EXPECT_DOUBLE_EQ(dairy.rate, options.default_trial_rate);
  // A launch whose first window is not over by the run is not measured yet.
  EXPECT_EQ(MeasureTrialRate(history, *history.categories.Find("SNACKS"), first,
                             kRunAt - 150 * kDay, options)
                .launches,
            0u);
}

TEST(NewProductTrial, ReachAffinityAndPriceFitComeFromTheCustomersBaskets) {
  const TransactionHistory history = Build({{"fan", 30, "chips", "SNACKS", 200},
                                            {"fan", 20, "chips", "SNACKS", 200},
                                            {"fan", 10, "milk", "DAIRY"},
                                            {"never", 30, "milk", "DAIRY"},
                                            {"never", 20, "milk", "DAIRY"},
                                            {"never", 10, "milk", "DAIRY"}});
  const auto shares = CategoryBasketShares(history);
  const std::uint32_t snacks = *history.categories.Find("SNACKS");
  EXPECT_DOUBLE_EQ(shares[snacks], 2.0 / 6);
  TrialOptions options;
  const auto fan = StandingIn(history, *history.customers.Find("fan"), snacks, shares[snacks],
                              400, options);
  // (2 baskets + 2 × 1/3) / (3 + 2)
  EXPECT_DOUBLE_EQ(fan.reach, (2 + 2.0 / 3) / 5);
  EXPECT_DOUBLE_EQ(fan.affinity, fan.reach / (2.0 / 6));
  EXPECT_DOUBLE_EQ(fan.price_fit, std::sqrt(200.0 / 400));  // pays 2.00 an item, offered 4.00
  const auto never = StandingIn(history, *history.customers.Find("never"), snacks,
                                shares[snacks], 400, options);
  EXPECT_DOUBLE_EQ(never.reach, (2.0 / 3) / 5);
  EXPECT_LT(never.affinity, 1);  // below the population: never offered a trial
  EXPECT_DOUBLE_EQ(never.price_fit, 1);  // nothing to judge by
}

}  // namespace
}  // namespace loyalty::server::targeting
