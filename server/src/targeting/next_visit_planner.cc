#include "targeting/next_visit_planner.h"

#include <algorithm>

#include "loyalty/core/utf8.h"

namespace loyalty::server {

std::vector<domain::Coupon> TopCategoryPlanner::Plan(const CustomerProfile& profile,
                                                     const CardNumber& card,
                                                     Timestamp now) const {
  if (!WouldIssue(profile)) return {};
  const auto held = [&](const std::string& category) {
    return std::any_of(profile.live_coupons.begin(), profile.live_coupons.end(),
                       [&](const domain::Coupon& coupon) {
                         return coupon.target == domain::CouponTarget::kCategory &&
                                coupon.target_value == category;
                       });
  };
  for (const auto& stat : profile.categories) {  // highest spend first
    if (held(stat.category)) continue;
    domain::Coupon coupon;
    coupon.customer_id = profile.customer_id;
    coupon.card_number = card.digits();
    coupon.campaign = "next-visit";
    // A long category name must not make a title the coupon codec refuses.
    coupon.title = TruncateUtf8(std::to_string(options_.percent_off) + "% off " + stat.category,
                                domain::kMaxCouponTitleLength);
    coupon.target = domain::CouponTarget::kCategory;
    coupon.target_value = stat.category;
    coupon.discount_type = domain::DiscountType::kPercentOff;
    coupon.discount_value = options_.percent_off;
    coupon.max_discount_minor = options_.max_discount_minor;
    coupon.currency = profile.currency;
    coupon.issued_at = now;
    coupon.expires_at = now + options_.valid_for;
    return {coupon};
  }
  return {};
}

}  // namespace loyalty::server
