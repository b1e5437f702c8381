#include "checkout/basket.h"

namespace loyalty::terminal {

Result<std::size_t> Basket::Add(const domain::Product& product, std::int64_t quantity) {
  if (quantity < 1 || quantity > domain::kMaxLineQuantity) {
    return InvalidArgument("quantity",
                           "must be between 1 and " + std::to_string(domain::kMaxLineQuantity));
  }
  if (lines_.size() >= domain::kMaxPurchaseLines) {
    return InvalidArgument(
        "sku", "a sale holds at most " + std::to_string(domain::kMaxPurchaseLines) + " lines");
  }
  lines_.push_back(BasketLine{product.sku, product.name, product.category, quantity,
                              product.price_minor, product.couponable});
  return lines_.size() - 1;
}

CouponOutcome Basket::Coupons(Timestamp now) const {
  if (!shopper_) return {};
  std::optional<std::int64_t> customer_id;
  if (shopper_->customer) customer_id = shopper_->customer->id;
  return ApplyCoupons(lines_, shopper_->coupons, customer_id, currency_, now,
                      shopper_->card.digits());
}

Totals Basket::ComputeTotals(const CouponOutcome& coupons) const {
  Totals totals;
  for (const auto& line : lines_) totals.subtotal_minor += line.AmountMinor();
  totals.discount_minor = coupons.DiscountMinor();
  totals.total_minor = totals.subtotal_minor - totals.discount_minor;
  return totals;
}

domain::Purchase Basket::Finish(const std::string& store_id, const std::string& terminal_id,
                                Timestamp now) const {
  domain::Purchase purchase;
  purchase.store_id = store_id;
  purchase.terminal_id = terminal_id;
  if (shopper_) purchase.card = shopper_->card;
  purchase.occurred_at = now;
  purchase.currency = currency_;
  for (const auto& line : lines_) {
    purchase.lines.push_back({line.sku, line.quantity, line.unit_price_minor, line.AmountMinor()});
  }
  const CouponOutcome coupons = Coupons(now);
  for (const auto& applied : coupons.applied) {
    purchase.redemptions.push_back({applied.coupon.id, applied.discount_minor});
  }
  purchase.total_minor = ComputeTotals(coupons).total_minor;
  return purchase;
}

}  // namespace loyalty::terminal
