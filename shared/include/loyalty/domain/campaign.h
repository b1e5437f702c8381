// A campaign: what the marketing team allows the targeting to offer, to whom, for how
// long and for how much. The targeting picks the offers inside these limits; the nightly
// batch issues them; a random control group gets none, so the portal can show what the
// campaign really earned.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "loyalty/core/result.h"
#include "loyalty/core/time.h"
#include "loyalty/domain/coupon.h"
#include "loyalty/domain/segment.h"

namespace loyalty::domain {

enum class CampaignKind {
  kNextVisit,        // personal offers at every purchase, for the next visit
  kWinBack,          // customers past their own visit rhythm, at risk of lapsing
  kBirthday,         // in the days before the customer's birthday
  kAnniversary,      // the anniversary of the customer's first visit
  kCategoryPush,     // a category the chain wants to grow, to likely buyers
  kNewProductTrial,  // new products, to customers likely to try them
};
const char* CampaignKindName(CampaignKind kind);
Result<CampaignKind> ParseCampaignKind(const std::string& text, const std::string& field);

// What the campaign may discount: a product or a category.
struct CampaignTarget {
  CouponTarget target = CouponTarget::kCategory;  // kProduct or kCategory
  std::string value;
};

struct Campaign {
  std::string id;    // slug: lower-case letters, digits and dashes, e.g. "winback-2026-12"
  std::string name;  // what the portal shows
  CampaignKind kind = CampaignKind::kNextVisit;
  Timestamp starts_at;
  Timestamp ends_at;                    // exclusive
  std::vector<CampaignTarget> targets;  // empty: any couponable product
  // Only customers the nightly batch last put in this segment; none: every customer.
  std::optional<Segment> target_segment;
  DiscountType discount_type = DiscountType::kPercentOff;
  // Depth limits: percent for percent_off and buy_x_get_y, minor units for amount_off,
  // 0 for free_item; the targeting chooses a depth within them.
  std::int64_t min_depth = 0;
  std::int64_t max_depth = 0;
  std::int64_t max_discount_minor = 0;  // cap per coupon; 0: none
  // Spend a coupon needs, minor units: on the target for percent_off, amount_off and
  // buy_x_get_y; the whole basket's couponable spend for free_item (the till's rule).
  std::int64_t min_spend_minor = 0;
  // buy_x_get_y: "buy buy_quantity, get get_quantity at depth percent off"; free_item:
  // get_quantity items free. 0 for the other types (Coupon's fields of the same names).
  std::int64_t buy_quantity = 0;
  std::int64_t get_quantity = 0;
  std::int64_t budget_minor = 0;        // expected discount the campaign may give away
  std::int64_t budget_coupons = 0;      // coupons it may issue; 0: no count limit
  std::int64_t per_customer_cap = 1;    // coupons one customer may get over the campaign
  std::int64_t validity_days = 14;      // a coupon's life, counted from its issue
  std::int64_t control_basis_points = 1000;  // share of eligible customers held out: 10%
  bool paused = false;

  bool RunsAt(Timestamp now) const { return !paused && starts_at <= now && now < ends_at; }
};

nlohmann::json CampaignToJson(const Campaign& campaign);
// `target_segment` is null when the campaign aims at every customer.
// Strict: every field checked (ranges, a period that ends after it starts, depth limits
// that fit the discount type, a control share below half), unknown fields refused.
Result<Campaign> CampaignFromJson(const nlohmann::json& json);

}  // namespace loyalty::domain
