#include "checkout/coupon_rules.h"

#include <algorithm>

#include "loyalty/domain/purchase.h"

namespace loyalty::terminal {

std::int64_t BasketLine::AmountMinor() const {
  return domain::LineAmountMinor(quantity, unit_price_minor, weight_grams);
}

namespace {

bool Targets(const domain::Coupon& coupon, const BasketLine& line) {
  if (line.voided || !line.couponable) return false;
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

bool CountsItems(const domain::Coupon& coupon) {
  return coupon.discount_type == domain::DiscountType::kBuyXGetY ||
         coupon.discount_type == domain::DiscountType::kFreeItem;
}

std::string TargetName(const domain::Coupon& coupon) {
  return coupon.target == domain::CouponTarget::kBasket ? "couponable items" : coupon.target_value;
}

std::string Items(std::int64_t count) {
  return std::to_string(count) + (count == 1 ? " item" : " items");
}

// What a coupon would give on the lines not yet taken by another: the discount, the
// lines it takes, or the reason it gives nothing.
struct Valuation {
  std::int64_t discount = 0;
  std::vector<std::size_t> lines;
  std::string reason;
};

// For every buy + get items, the get cheapest are discount_value percent off.
Valuation BuyXGetY(const domain::Coupon& coupon, const std::vector<BasketLine>& lines,
                   const std::vector<std::size_t>& open, std::int64_t weighed_skipped) {
  Valuation value;
  std::vector<std::int64_t> unit_prices;
  for (std::size_t i : open) {
    for (std::int64_t n = 0; n < lines[i].quantity; ++n) {
      unit_prices.push_back(lines[i].unit_price_minor);
    }
  }
  const std::int64_t group = coupon.buy_quantity + coupon.get_quantity;
  const auto items = static_cast<std::int64_t>(unit_prices.size());
  if (items < group) {
    value.reason = "needs " + Items(group) + " of " + TargetName(coupon) + ", basket has " +
                   std::to_string(items);
    if (weighed_skipped > 0) value.reason += " (weighed items do not count)";
    return value;
  }
  // The shopper pays for the dearer items of each group: the cheapest ones are discounted.
  std::sort(unit_prices.begin(), unit_prices.end());
  const auto discounted = static_cast<std::size_t>(items / group * coupon.get_quantity);
  std::int64_t price_of_discounted = 0;
  for (std::size_t n = 0; n < discounted; ++n) price_of_discounted += unit_prices[n];
  value.discount = MulDivRound(price_of_discounted, coupon.discount_value, 100);
  value.lines = open;
  return value;
}

Valuation Value(const domain::Coupon& coupon, const std::vector<BasketLine>& lines,
                const std::vector<bool>& taken, const Currency& currency) {
  Valuation value;
  std::int64_t spend = 0;
  std::int64_t weighed_skipped = 0;
  bool any_target = false;
  std::vector<std::size_t> open;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (!Targets(coupon, lines[i])) continue;
    any_target = true;
    if (taken[i]) continue;
    if (CountsItems(coupon) && lines[i].weighed()) {
      ++weighed_skipped;
      continue;
    }
    spend += lines[i].AmountMinor();
    open.push_back(i);
  }
  if (!any_target) {
    value.reason = "no " + TargetName(coupon) + " in the basket";
    return value;
  }
  if (open.empty()) {
    value.reason = weighed_skipped > 0 ? "weighed items do not count for this coupon"
                                       : "its items already carry another coupon";
    return value;
  }
  switch (coupon.discount_type) {
    case domain::DiscountType::kFreeItem: {
      // The spend that unlocks a free item is the whole basket's couponable spend.
      std::int64_t basket = 0;
      for (const auto& line : lines) {
        if (!line.voided && line.couponable) basket += line.AmountMinor();
      }
      if (basket < coupon.min_spend_minor) {
        value.reason = "needs " + FormatMinor(coupon.min_spend_minor, currency) +
                       " of couponable items, basket has " + FormatMinor(basket, currency);
        return value;
      }
      std::int64_t left = coupon.get_quantity;
      for (std::size_t i : open) {
        const std::int64_t free = std::min(left, lines[i].quantity);
        value.discount += free * lines[i].unit_price_minor;
        left -= free;
        value.lines.push_back(i);
        if (left == 0) break;
      }
      break;
    }
    case domain::DiscountType::kBuyXGetY:
      if (spend < coupon.min_spend_minor) break;
      value = BuyXGetY(coupon, lines, open, weighed_skipped);
      if (value.discount == 0) return value;
      break;
    case domain::DiscountType::kPercentOff:
      value.discount = MulDivRound(spend, coupon.discount_value, 100);
      value.lines = open;
      break;
    case domain::DiscountType::kAmountOff:
      value.discount = coupon.discount_value;
      value.lines = open;
      break;
  }
  if (coupon.discount_type != domain::DiscountType::kFreeItem && spend < coupon.min_spend_minor) {
    value = {};
    value.reason = "needs " + FormatMinor(coupon.min_spend_minor, currency) + " of " +
                   TargetName(coupon) + ", basket has " + FormatMinor(spend, currency);
    return value;
  }
  if (coupon.max_discount_minor > 0) {
    value.discount = std::min(value.discount, coupon.max_discount_minor);
  }
  value.discount = std::min(value.discount, spend);
  // A small percentage of a small spend can round to nothing; say so rather than nothing.
  if (value.discount <= 0) {
    value.reason = "gives no discount on " + FormatMinor(spend, currency) + " of " +
                   TargetName(coupon);
    value.lines.clear();
  }
  return value;
}

struct Candidate {
  const domain::Coupon* coupon;
  std::int64_t standalone_value;
};

}  // namespace

std::int64_t CouponOutcome::DiscountMinor() const {
  std::int64_t sum = 0;
  for (const auto& coupon : applied) sum += coupon.discount_minor;
  return sum;
}

CouponOutcome ApplyCoupons(const std::vector<BasketLine>& lines,
                           const std::vector<domain::Coupon>& coupons, const CouponHolder& holder,
                           const Currency& currency, Timestamp now) {
  CouponOutcome outcome;
  std::vector<Candidate> candidates;
  const std::vector<bool> nothing_taken(lines.size(), false);
  for (const auto& coupon : coupons) {
    std::string reason;
    if (const auto spent = holder.spent_here.find(coupon.id.str());
        spent != holder.spent_here.end()) {
      reason = "already used on this till " + FormatLocal(spent->second);
    } else if (!coupon.IsLive(now)) {
      reason = "expired " + FormatLocal(coupon.expires_at);
    } else if (holder.customer_id
                   ? coupon.customer_id != *holder.customer_id
                   : holder.card_number.empty() || coupon.card_number != holder.card_number) {
      reason = "issued to another customer";
    } else if (coupon.currency != currency.code()) {
      reason = "issued in " + coupon.currency + ", this store sells in " + currency.code();
    }
    if (!reason.empty()) {
      outcome.not_applied.push_back({coupon, reason});
      continue;
    }
    candidates.push_back({&coupon, Value(coupon, lines, nothing_taken, currency).discount});
  }
  // Best value for the shopper first; ties by id so the outcome never depends on order.
  std::stable_sort(candidates.begin(), candidates.end(), [](const auto& a, const auto& b) {
    if (a.standalone_value != b.standalone_value) return a.standalone_value > b.standalone_value;
    return a.coupon->id.str() < b.coupon->id.str();
  });
  std::vector<bool> taken(lines.size(), false);
  for (const auto& candidate : candidates) {
    Valuation value = Value(*candidate.coupon, lines, taken, currency);
    if (value.discount > 0 && outcome.applied.size() >= kMaxCouponsPerSale) {
      value.reason = "a sale takes at most " + std::to_string(kMaxCouponsPerSale) + " coupons";
      value.discount = 0;
    }
    if (value.discount <= 0) {
      outcome.not_applied.push_back({*candidate.coupon, std::move(value.reason)});
      continue;
    }
    for (std::size_t index : value.lines) taken[index] = true;
    outcome.applied.push_back({*candidate.coupon, value.discount, std::move(value.lines)});
  }
  return outcome;
}

}  // namespace loyalty::terminal
