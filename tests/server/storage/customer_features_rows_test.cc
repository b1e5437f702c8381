// top_categories' JSON, written by hand: the text nlohmann's dump gives, and it reads back
// as it was.
#include "storage/customer_features_rows.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include <nlohmann/json.hpp>

namespace loyalty::server {
namespace {

std::string ByNlohmann(const std::vector<CategoryAffinity>& categories) {
  nlohmann::json items = nlohmann::json::array();
  for (const auto& category : categories) {
    items.push_back(
        {{"category", category.category}, {"lift", category.lift}, {"baskets", category.baskets}});
  }
  return items.dump();
}

TEST(CustomerFeaturesRowsTest, TopCategoriesJsonIsTheTextNlohmannWrites) {
  const std::vector<std::vector<CategoryAffinity>> cases = {
      {},
      {{"FROZEN PIE/DESSERTS", 1.4881788184176163, 1}, {"COFFEE", 1.4817623154448412, 12}},
      {{"DAIRY \\ \"MILK\"", 4.0 / 3, 2}, {"tab\tnew\nline\x01\x1f", 2.0, 0}},
      {{"CAF\xc3\x89 \xe2\x82\xac", 0.1, 7}, {"", 1e-05, 3}, {"big", 123456.5, 1'000'000'000'000}},
      {{"tiny", 5e-324, -1}, {"one", 1.0, 1}, {"ten", 10.0, 10}},
  };
  for (const auto& categories : cases) {
    EXPECT_EQ(TopCategoriesJson(categories), ByNlohmann(categories));
    const auto back = TopCategoriesFromJson(TopCategoriesJson(categories));
    ASSERT_EQ(back.size(), categories.size());
    for (std::size_t i = 0; i < back.size(); ++i) {
      EXPECT_EQ(back[i].category, categories[i].category);
      EXPECT_EQ(back[i].lift, categories[i].lift);
      EXPECT_EQ(back[i].baskets, categories[i].baskets);
    }
  }
}

TEST(CustomerFeaturesRowsTest, ANonFiniteLiftIsWrittenAsNlohmannWritesIt) {
  const std::vector<CategoryAffinity> categories = {
      {"A", std::numeric_limits<double>::quiet_NaN(), 1},
      {"B", std::numeric_limits<double>::infinity(), 2}};
  EXPECT_EQ(TopCategoriesJson(categories), ByNlohmann(categories));
}

}  // namespace
}  // namespace loyalty::server
