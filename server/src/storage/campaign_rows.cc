#include "storage/campaign_rows.h"

#include <stdexcept>

namespace loyalty::server {

const std::vector<std::string>& CampaignFieldColumns() {
  static const std::vector<std::string> columns{
      "id",           "name",          "kind",               "starts_at",
      "ends_at",      "targets",       "target_segment",     "discount_type",
      "min_depth",    "max_depth",     "max_discount_minor", "min_spend_minor",
      "budget_minor", "budget_coupons", "per_customer_cap",  "validity_days",
      "control_basis_points", "paused", "buy_quantity", "get_quantity"};
  return columns;
}

const std::string& CampaignSelectList() {
  static const std::string list = [] {
    std::string joined;
    for (const auto& column : CampaignFieldColumns()) {
      joined += (joined.empty() ? "" : ", ") + column;
    }
    return joined + ", created_at, updated_at, created_by";
  }();
  return list;
}

std::vector<ColumnValue> CampaignFieldValues(const domain::Campaign& campaign) {
  // One by one rather than from an initializer list of variants, which g++ 12 at -O2
  // wrongly reports as maybe-uninitialized.
  std::vector<ColumnValue> values;
  values.reserve(CampaignFieldColumns().size());
  values.emplace_back(campaign.id);
  values.emplace_back(campaign.name);
  values.emplace_back(std::string(domain::CampaignKindName(campaign.kind)));
  values.emplace_back(ToUnixSeconds(campaign.starts_at));
  values.emplace_back(ToUnixSeconds(campaign.ends_at));
  // The codec writes the targets exactly as it reads them back.
  values.emplace_back(domain::CampaignToJson(campaign).at("targets").dump());
  if (campaign.target_segment) {
    values.emplace_back(std::string(domain::SegmentName(*campaign.target_segment)));
  } else {
    values.emplace_back(std::monostate());
  }
  values.emplace_back(std::string(domain::DiscountTypeName(campaign.discount_type)));
  for (const std::int64_t number :
       {campaign.min_depth, campaign.max_depth, campaign.max_discount_minor,
        campaign.min_spend_minor, campaign.budget_minor, campaign.budget_coupons,
        campaign.per_customer_cap, campaign.validity_days, campaign.control_basis_points,
        std::int64_t{campaign.paused ? 1 : 0}, campaign.buy_quantity, campaign.get_quantity}) {
    values.emplace_back(number);
  }
  return values;
}

StoredCampaign CampaignFromRow(const RowColumns& row) {
  // Back through the codec, so a stored campaign obeys the same rules as a new one.
  const auto targets = nlohmann::json::parse(row.text(5), nullptr, /*allow_exceptions=*/false);
  const nlohmann::json json{
      {"id", row.text(0)},
      {"name", row.text(1)},
      {"kind", row.text(2)},
      {"starts_at", FormatUtc(FromUnixSeconds(row.integer(3)))},
      {"ends_at", FormatUtc(FromUnixSeconds(row.integer(4)))},
      {"targets", targets},
      {"target_segment", row.is_null(6) ? nlohmann::json(nullptr) : nlohmann::json(row.text(6))},
      {"discount_type", row.text(7)},
      {"min_depth", row.integer(8)},
      {"max_depth", row.integer(9)},
      {"max_discount", row.integer(10)},
      {"min_spend", row.integer(11)},
      {"budget", row.integer(12)},
      {"budget_coupons", row.integer(13)},
      {"per_customer_cap", row.integer(14)},
      {"validity_days", row.integer(15)},
      {"control_basis_points", row.integer(16)},
      {"paused", row.integer(17) != 0},
      {"buy_quantity", row.integer(18)},
      {"get_quantity", row.integer(19)}};
  auto campaign = domain::CampaignFromJson(json);
  if (!campaign.ok()) {
    throw std::runtime_error("campaign " + row.text(0) +
                             " in the database is invalid: " + campaign.error().ToString());
  }
  StoredCampaign stored;
  stored.campaign = std::move(campaign).value();
  stored.created_at = FromUnixSeconds(row.integer(20));
  stored.updated_at = FromUnixSeconds(row.integer(21));
  if (!row.is_null(22)) stored.created_by = row.integer(22);
  return stored;
}

}  // namespace loyalty::server
