#include "targeting/coupon_terms.h"

namespace loyalty::server::targeting {

CouponTerms TermsOf(const domain::Campaign& campaign) {
  CouponTerms terms;
  terms.type = campaign.discount_type;
  terms.buy_quantity = campaign.buy_quantity;
  terms.get_quantity = campaign.get_quantity;
  terms.min_spend_minor = campaign.min_spend_minor;
  terms.max_discount_minor = campaign.max_discount_minor;
  return terms;
}

std::string CouponTitle(const domain::Coupon& coupon, const std::string& product,
                        const Currency& currency) {
  const std::string items =
      coupon.get_quantity > 1 ? std::to_string(coupon.get_quantity) + " " : std::string();
  switch (coupon.discount_type) {
    case domain::DiscountType::kPercentOff:
      return std::to_string(coupon.discount_value) + "% off " + product;
    case domain::DiscountType::kAmountOff:
      return FormatMinor(coupon.discount_value, currency) + " off " + product;
    case domain::DiscountType::kBuyXGetY:
      return "Buy " + std::to_string(coupon.buy_quantity) + " get " +
             std::to_string(coupon.get_quantity) +
             (coupon.discount_value >= 100
                  ? std::string(" free: ")
                  : " at " + std::to_string(coupon.discount_value) + "% off: ") +
             product;
    case domain::DiscountType::kFreeItem:
      return "Free " + items + product + " with " + FormatMinor(coupon.min_spend_minor, currency);
  }
  return product;
}

}  // namespace loyalty::server::targeting
