// What the integration tests know of tests/testdata/catalog.csv.
#pragma once

#include <nlohmann/json.hpp>

namespace loyalty::testing {

// A campaign's targets naming the categories of the twelve products the batch and
// campaign tests' shoppers buy (28897 EGGS, 30049 and 32301 BAKED BREAD/BUNS/ROLLS, ...):
// a category_push campaign must name its categories.
inline nlohmann::json ShopperCategoryTargets() {
  nlohmann::json targets = nlohmann::json::array();
  for (const char* category : {"EGGS", "BAKED BREAD/BUNS/ROLLS", "FLUID MILK PRODUCTS", "CHEESE",
                               "COFFEE", "SOFT DRINKS", "BAG SNACKS", "FROZEN PIZZA"}) {
    targets.push_back({{"target", "category"}, {"value", category}});
  }
  return targets;
}

}  // namespace loyalty::testing
