#include "checkout/basket.h"

#include <map>

namespace loyalty::terminal {

std::int64_t Totals::TaxMinor() const {
  std::int64_t sum = 0;
  for (const auto& tax : taxes) sum += tax.tax_minor;
  return sum;
}

Result<std::size_t> Basket::AddLine(BasketLine line) {
  if (lines_.size() >= domain::kMaxPurchaseLines) {
    return InvalidArgument(
        "sku", "a sale holds at most " + std::to_string(domain::kMaxPurchaseLines) + " lines");
  }
  lines_.push_back(std::move(line));
  return lines_.size() - 1;
}

Result<std::size_t> Basket::Add(const domain::Product& product, std::int64_t quantity) {
  if (product.sold_by == domain::SoldBy::kWeight) {
    return InvalidArgument("weight_grams", product.name + " is sold by weight: weigh it");
  }
  if (quantity < 1 || quantity > domain::kMaxLineQuantity) {
    return InvalidArgument("quantity",
                           "must be between 1 and " + std::to_string(domain::kMaxLineQuantity));
  }
  return AddLine(BasketLine{product.sku, product.name, product.category, quantity,
                            product.price_minor, product.couponable, product.tax_rate_bp,
                            std::nullopt, false});
}

Result<std::size_t> Basket::AddWeighed(const domain::Product& product, std::int64_t grams) {
  if (product.sold_by != domain::SoldBy::kWeight) {
    return InvalidArgument("weight_grams", product.name + " is sold each, not by weight");
  }
  if (grams < 1 || grams > domain::kMaxLineWeightGrams) {
    return InvalidArgument("weight_grams", "must be between 1 and " +
                                               std::to_string(domain::kMaxLineWeightGrams) +
                                               " g");
  }
  return AddLine(BasketLine{product.sku, product.name, product.category, 1, product.price_minor,
                            product.couponable, product.tax_rate_bp, grams, false});
}

Status Basket::Void(std::size_t index) {
  if (index >= lines_.size()) {
    return InvalidArgument("line", "no line " + std::to_string(index + 1) + " in this sale (it has " +
                                       std::to_string(lines_.size()) + ")");
  }
  if (lines_[index].voided) {
    return InvalidArgument("line", "line " + std::to_string(index + 1) + " is already void");
  }
  lines_[index].voided = true;
  return {};
}

bool Basket::empty() const {
  for (const auto& line : lines_) {
    if (!line.voided) return false;
  }
  return true;
}

CouponOutcome Basket::Coupons(Timestamp now) const {
  if (!shopper_) return {};
  CouponHolder holder;
  if (shopper_->customer) holder.customer_id = shopper_->customer->id;
  holder.card_number = shopper_->card.digits();
  holder.spent_here = shopper_->spent_here;
  return ApplyCoupons(lines_, shopper_->coupons, holder, currency_, now);
}

Totals Basket::ComputeTotals(const CouponOutcome& coupons) const {
  Totals totals;
  for (const auto& line : lines_) {
    if (!line.voided) totals.subtotal_minor += line.AmountMinor();
  }
  totals.discount_minor = coupons.DiscountMinor();
  totals.total_minor = totals.subtotal_minor - totals.discount_minor;
  totals.taxes = TaxSummary(lines_, coupons);
  return totals;
}

std::vector<TaxLine> TaxSummary(const std::vector<BasketLine>& lines,
                                const CouponOutcome& coupons) {
  std::vector<std::int64_t> net(lines.size(), 0);
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (!lines[i].voided) net[i] = lines[i].AmountMinor();
  }
  for (const auto& applied : coupons.applied) {
    std::int64_t base = 0;
    for (std::size_t i : applied.lines) base += lines[i].AmountMinor();
    if (base <= 0) continue;
    // Cumulative rounding: each line's share is the difference of two rounded running
    // totals, so the shares add up to the discount exactly.
    std::int64_t running = 0;
    std::int64_t given = 0;
    for (std::size_t i : applied.lines) {
      running += lines[i].AmountMinor();
      const std::int64_t upto = MulDivRound(applied.discount_minor, running, base);
      net[i] -= upto - given;
      given = upto;
    }
  }
  std::map<std::int64_t, std::int64_t> gross_by_rate;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (!lines[i].voided) gross_by_rate[lines[i].tax_rate_bp] += net[i];
  }
  std::vector<TaxLine> taxes;
  for (const auto& [rate, gross] : gross_by_rate) {
    // Prices include tax: the tax in a gross amount g at rate r is g * r / (1 + r).
    const std::int64_t tax = MulDivRound(gross, rate, 10'000 + rate);
    taxes.push_back({rate, gross, tax, gross - tax});
  }
  return taxes;
}

domain::Purchase Basket::Finish(const std::string& store_id, const std::string& terminal_id,
                                Timestamp now) const {
  return Finish(store_id, terminal_id, now, Coupons(now));
}

domain::Purchase Basket::Finish(const std::string& store_id, const std::string& terminal_id,
                                Timestamp now, const CouponOutcome& coupons) const {
  domain::Purchase purchase;
  purchase.store_id = store_id;
  purchase.terminal_id = terminal_id;
  if (shopper_) purchase.card = shopper_->card;
  purchase.occurred_at = now;
  purchase.currency = currency_;
  for (const auto& line : lines_) {
    if (line.voided) continue;
    purchase.lines.push_back(
        {line.sku, line.quantity, line.unit_price_minor, line.AmountMinor(), line.weight_grams});
  }
  for (const auto& applied : coupons.applied) {
    purchase.redemptions.push_back(
        {applied.coupon.id, applied.discount_minor, shopper_ && !shopper_->online});
  }
  purchase.total_minor = ComputeTotals(coupons).total_minor;
  return purchase;
}

}  // namespace loyalty::terminal
