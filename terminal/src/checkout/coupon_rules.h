// Which coupons apply to a basket, and for how much. Rules, as shoppers expect them:
// each coupon is valued on its own; the most valuable for the shopper is applied first;
// a basket line takes at most one coupon; a coupon is capped by its max_discount and by
// what its lines cost; a sale takes at most kMaxCouponsPerSale coupons. Every coupon
// that does not apply gets a reason a cashier can read out ("needs 20.00 of DAIRY,
// basket has 12.40").
#pragma once

#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "loyalty/core/money.h"
#include "loyalty/domain/coupon.h"

namespace loyalty::terminal {

inline constexpr std::size_t kMaxCouponsPerSale = 10;

struct BasketLine {
  std::string sku;
  std::string name;
  std::string category;
  std::int64_t quantity = 0;          // 1 for a weighed line
  std::int64_t unit_price_minor = 0;  // per item, or per kilogram when weighed
  bool couponable = true;
  std::int64_t tax_rate_bp = 0;       // the tax inside the price
  std::optional<std::int64_t> weight_grams;
  bool voided = false;                // kept for the screen; not sold, not discounted

  std::int64_t AmountMinor() const;
  bool weighed() const { return weight_grams.has_value(); }
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

// Who holds the coupons, and what this till already knows of them.
struct CouponHolder {
  // The card holder's id; nullopt when the server could not say (offline, or a new
  // card): a coupon then applies when it was issued to `card_number`.
  std::optional<std::int64_t> customer_id;
  std::string card_number;
  // Coupons this till redeemed before (its ledger), with when: never applied again,
  // even while the server, which has not heard of the sale yet, still lists them.
  std::unordered_map<std::string, Timestamp> spent_here;
};

CouponOutcome ApplyCoupons(const std::vector<BasketLine>& lines,
                           const std::vector<domain::Coupon>& coupons, const CouponHolder& holder,
                           const Currency& currency, Timestamp now);

}  // namespace loyalty::terminal
