#include "checkout/coupon_rules.h"

#include <algorithm>

namespace loyalty::terminal {
namespace {

bool Targets(const domain::Coupon& coupon, const BasketLine& line) {
  if (!line.couponable) return false;
  switch (coupon.target) {
    case domain::CouponTarget::kProduct:
      return line.sku == coupon.target_value;
    case domain::CouponTarget::kCategory:
      return line.category == coupon.target_value;
    case domain::CouponTarget::kBasket:
      return true;
  }
  return false;
}

std::string TargetName(const domain::Coupon& coupon) {
  return coupon.target == domain::CouponTarget::kBasket ? "couponable items" : coupon.target_value;
}

struct Candidate {
  const domain::Coupon* coupon;
  std::int64_t standalone_value;
};

// The discount `coupon` gives on `lines` (those not yet taken), or a reason it gives none.
std::int64_t Value(const domain::Coupon& coupon, const std::vector<BasketLine>& lines,
                   const std::vector<bool>& taken, const Currency& currency,
                   std::vector<std::size_t>* used, std::string* reason) {
  std::int64_t spend = 0;
  bool any_target = false;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (!Targets(coupon, lines[i])) continue;
    any_target = true;
    if (taken[i]) continue;
    spend += lines[i].AmountMinor();
    if (used) used->push_back(i);
  }
  if (!any_target) {
    if (reason) *reason = "no " + TargetName(coupon) + " in the basket";
    return 0;
  }
  if (spend == 0) {
    if (reason) *reason = "its items already carry another coupon";
    return 0;
  }
  if (spend < coupon.min_spend_minor) {
    if (reason) {
      *reason = "needs " + FormatMinor(coupon.min_spend_minor, currency) + " of " +
                TargetName(coupon) + ", basket has " + FormatMinor(spend, currency);
    }
    return 0;
  }
  std::int64_t discount = coupon.discount_type == domain::DiscountType::kPercentOff
                              ? MulDivRound(spend, coupon.discount_value, 100)
                              : coupon.discount_value;
  if (coupon.max_discount_minor > 0) discount = std::min(discount, coupon.max_discount_minor);
  discount = std::min(discount, spend);
  // A small percentage of a small spend can round to nothing; say so rather than nothing.
  if (discount <= 0 && reason) {
    *reason = "gives no discount on " + FormatMinor(spend, currency) + " of " + TargetName(coupon);
  }
  return discount;
}

}  // namespace

std::int64_t CouponOutcome::DiscountMinor() const {
  std::int64_t sum = 0;
  for (const auto& coupon : applied) sum += coupon.discount_minor;
  return sum;
}

CouponOutcome ApplyCoupons(const std::vector<BasketLine>& lines,
                           const std::vector<domain::Coupon>& coupons,
                           std::optional<std::int64_t> customer_id, const Currency& currency,
                           Timestamp now, const std::string& card_number) {
  CouponOutcome outcome;
  std::vector<Candidate> candidates;
  const std::vector<bool> nothing_taken(lines.size(), false);
  for (const auto& coupon : coupons) {
    std::string reason;
    if (!coupon.IsLive(now)) {
      reason = "expired " + FormatLocal(coupon.expires_at);
    } else if (customer_id ? coupon.customer_id != *customer_id
                           : card_number.empty() || coupon.card_number != card_number) {
      reason = "issued to another customer";
    } else if (coupon.currency != currency.code()) {
      reason = "issued in " + coupon.currency + ", this store sells in " + currency.code();
    }
    if (!reason.empty()) {
      outcome.not_applied.push_back({coupon, reason});
      continue;
    }
    candidates.push_back(
        {&coupon, Value(coupon, lines, nothing_taken, currency, nullptr, nullptr)});
  }
  // Best value for the shopper first; ties by id so the outcome never depends on order.
  std::stable_sort(candidates.begin(), candidates.end(), [](const auto& a, const auto& b) {
    if (a.standalone_value != b.standalone_value) return a.standalone_value > b.standalone_value;
    return a.coupon->id.str() < b.coupon->id.str();
  });
  std::vector<bool> taken(lines.size(), false);
  for (const auto& candidate : candidates) {
    std::vector<std::size_t> used;
    std::string reason;
    const std::int64_t discount = Value(*candidate.coupon, lines, taken, currency, &used, &reason);
    if (discount <= 0) {
      outcome.not_applied.push_back({*candidate.coupon, reason});
      continue;
    }
    for (std::size_t index : used) taken[index] = true;
    outcome.applied.push_back({*candidate.coupon, discount, std::move(used)});
  }
  return outcome;
}

}  // namespace loyalty::terminal
