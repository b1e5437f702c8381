// The customer_features table's row (migration 0022), shared by both engines so the
// column list and the way a record becomes columns and back are written once.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "storage/store.h"

namespace loyalty::server {

// The columns FindCustomerFeatures selects, in the order ReadCustomerFeatures reads.
inline constexpr char kCustomerFeaturesColumns[] =
    "customer_id, run_date, visits, last_visit_at, days_since_last_visit,"
    " days_between_visits, lapse_risk, next_visit_at, top_categories";

// top_categories as the JSON text the column holds, and back. A value that is not such
// a list (edited by hand, say) reads as no categories rather than failing the page.
std::string TopCategoriesJson(const std::vector<CategoryAffinity>& categories);
std::vector<CategoryAffinity> TopCategoriesFromJson(std::string_view text);

// Reads the current row of either engine (sqlite::Statement, or a row adapter with
// Int, Double and Text by column).
template <typename Row>
CustomerFeaturesRecord ReadCustomerFeatures(const Row& row) {
  CustomerFeaturesRecord record;
  record.customer_id = row.Int(0);
  record.run_date = row.Text(1);
  record.visits = row.Int(2);
  record.last_visit_at = FromUnixSeconds(row.Int(3));
  record.days_since_last_visit = row.Double(4);
  record.days_between_visits = row.Double(5);
  record.lapse_risk = row.Double(6);
  record.next_visit_at = FromUnixSeconds(row.Int(7));
  record.top_categories = TopCategoriesFromJson(row.Text(8));
  return record;
}

}  // namespace loyalty::server
