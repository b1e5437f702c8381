#include "targeting/popularity_baselines.h"

#include <gtest/gtest.h>

#include "server/targeting/synthetic_history.h"

namespace loyalty::server::targeting {
namespace {

using testing::MakeHistory;

std::vector<std::string> Names(const TransactionHistory& history,
                               const std::vector<std::uint32_t>& products) {
  std::vector<std::string> names;
  for (const std::uint32_t product : products) names.emplace_back(history.products.Name(product));
  return names;
}

TEST(TargetingBaselines, GlobalCountsBasketsNotLines) {
  const auto history = MakeHistory({
      {"a", {{"milk", "milk", "milk"}, {"bread"}}},  // milk three times in one basket
      {"b", {{"bread", "eggs"}, {"eggs"}}},
      {"c", {{"eggs"}}},
  });
  const PopularityBaselines baselines(history);
  EXPECT_EQ(Names(history, baselines.Global(2)), (std::vector<std::string>{"eggs", "bread"}));
  EXPECT_EQ(baselines.Global(10).size(), 3u);
}

TEST(TargetingBaselines, PersonalRanksByFrequencyThenRecencyThenTopsUp) {
  const auto history = MakeHistory({
      {"a", {{"tea"}, {"jam", "tea"}, {"soap"}, {"tea"}}},
      {"b", {{"eggs"}, {"eggs"}, {"eggs", "jam"}, {"eggs"}, {"eggs"}}},
  });
  const PopularityBaselines baselines(history);
  // tea 3 baskets; jam and soap once each, soap more recently; then eggs, the best seller
  // a has not bought.
  EXPECT_EQ(Names(history, baselines.Personal(history.customers.Find("a").value(), 4)),
            (std::vector<std::string>{"tea", "soap", "jam", "eggs"}));
  EXPECT_EQ(Names(history, baselines.Personal(history.customers.Find("a").value(), 1)),
            (std::vector<std::string>{"tea"}));
}

}  // namespace
}  // namespace loyalty::server::targeting
