// Which coupons apply to a basket, and for how much. Rules, as shoppers expect them:
// each coupon is valued on its own; the most valuable for the shopper is applied first;
// a basket line takes at most one coupon; a coupon is capped by its max_discount and by
// what its lines cost. Every coupon that does not apply gets a reason a cashier can
// read out ("needs 20.00 of DAIRY, basket has 12.40").
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "loyalty/core/money.h"
#include "loyalty/domain/coupon.h"

namespace loyalty::terminal {

struct BasketLine {
  std::string sku;
  std::string name;
  std::string category;
  std::int64_t quantity = 0;
  std::int64_t unit_price_minor = 0;
  bool couponable = true;

  std::int64_t AmountMinor() const { return quantity * unit_price_minor; }
};

struct AppliedCoupon {
  domain::Coupon coupon;
  std::int64_t discount_minor = 0;
  std::vector<std::size_t> lines;  // indexes of the basket lines it discounts
};

struct NotAppliedCoupon {
  domain::Coupon coupon;
  std::string reason;
};

struct CouponOutcome {
  std::vector<AppliedCoupon> applied;
  std::vector<NotAppliedCoupon> not_applied;

  std::int64_t DiscountMinor() const;
};

// `customer_id` is the card holder's, nullopt when the server could not say (offline, or
// a new card); a coupon then applies when it was issued to `card_number`.
CouponOutcome ApplyCoupons(const std::vector<BasketLine>& lines,
                           const std::vector<domain::Coupon>& coupons,
                           std::optional<std::int64_t> customer_id, const Currency& currency,
                           Timestamp now, const std::string& card_number = {});

}  // namespace loyalty::terminal
