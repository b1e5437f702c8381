#include "api/customer_features_json.h"

#include "targeting/customer_features.h"

namespace loyalty::server {

nlohmann::json CustomerFeaturesJson(const std::optional<CustomerFeaturesRecord>& features) {
  if (!features) return nullptr;
  nlohmann::json categories = nlohmann::json::array();
  for (const auto& category : features->top_categories) {
    categories.push_back(
        {{"category", category.category}, {"lift", category.lift}, {"baskets", category.baskets}});
  }
  return {{"run_date", features->run_date},
          {"visits", features->visits},
          {"last_visit_at", FormatUtc(features->last_visit_at)},
          {"days_since_last_visit", features->days_since_last_visit},
          {"days_between_visits", features->days_between_visits},
          {"lapse_risk", features->lapse_risk},
          {"lapse_risk_band", targeting::LapseRiskBand(features->lapse_risk)},
          {"next_visit_at", FormatUtc(features->next_visit_at)},
          {"top_categories", std::move(categories)}};
}

}  // namespace loyalty::server
