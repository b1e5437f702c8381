#include "storage/customer_features_rows.h"

#include <nlohmann/json.hpp>

namespace loyalty::server {

std::string TopCategoriesJson(const std::vector<CategoryAffinity>& categories) {
  nlohmann::json items = nlohmann::json::array();
  for (const auto& category : categories) {
    items.push_back(
        {{"category", category.category}, {"lift", category.lift}, {"baskets", category.baskets}});
  }
  return items.dump();
}

std::vector<CategoryAffinity> TopCategoriesFromJson(std::string_view text) {
  std::vector<CategoryAffinity> categories;
  const auto items = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!items.is_array()) return categories;
  for (const auto& item : items) {
    if (!item.is_object() || !item.value("category", nlohmann::json()).is_string() ||
        !item.value("lift", nlohmann::json()).is_number() ||
        !item.value("baskets", nlohmann::json()).is_number_integer()) {
      return {};
    }
    categories.push_back({item["category"].get<std::string>(), item["lift"].get<double>(),
                          item["baskets"].get<std::int64_t>()});
  }
  return categories;
}

}  // namespace loyalty::server
