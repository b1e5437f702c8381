#include "targeting/offer_economics.h"

#include <algorithm>
#include <cmath>

#include "loyalty/core/money.h"

namespace loyalty::server::targeting {

PricedOffer PriceAtDepth(const OfferCandidate& candidate, std::int64_t depth_percent,
                         std::int64_t max_discount_minor, const CouponResponse& response) {
  PricedOffer offer;
  offer.depth_percent = depth_percent;
  // Rounded down: the till computes a percent-off discount in whole minor units the same
  // way, so the budget is charged what the shopper will actually get.
  offer.discount_minor = candidate.unit_price_minor * depth_percent / 100;
  if (max_discount_minor > 0) offer.discount_minor = std::min(offer.discount_minor, max_discount_minor);

  const double p0 = std::clamp(candidate.probability, 0.0, 1.0);
  const double conversion = std::min(response.max_conversion,
                                     response.conversion_per_percent *
                                         static_cast<double>(depth_percent));
  const double p1 = p0 + (1 - p0) * conversion;
  const double discount = static_cast<double>(offer.discount_minor);
  const double unit_margin = candidate.margin_rate * static_cast<double>(candidate.unit_price_minor);

  offer.probability_with_coupon = p1;
  offer.expected_cost_minor = p1 * discount;
  offer.expected_value_minor =
      (p1 - p0) * (unit_margin - discount) - p0 * discount +
      std::clamp(candidate.lapse_risk, 0.0, 1.0) * conversion *
          static_cast<double>(candidate.basket_margin_minor);
  return offer;
}

std::optional<PricedOffer> BestOffer(const OfferCandidate& candidate, const DepthLimits& limits,
                                     const CouponResponse& response) {
  if (candidate.unit_price_minor <= 0) return std::nullopt;
  const std::int64_t step = std::max<std::int64_t>(1, limits.step_percent);
  std::optional<PricedOffer> best;
  for (std::int64_t depth = std::max<std::int64_t>(1, limits.min_percent);
       depth <= limits.max_percent; depth += step) {
    const PricedOffer offer = PriceAtDepth(candidate, depth, limits.max_discount_minor, response);
    if (offer.discount_minor <= 0) continue;  // a coupon worth nothing to the shopper
    // Strictly better only: at equal value the shallower depth, found first, costs less.
    if (!best || offer.expected_value_minor > best->expected_value_minor) best = offer;
  }
  if (!best || best->expected_value_minor < response.min_value_minor) return std::nullopt;
  return best;
}

std::vector<std::int64_t> DepthGrid(domain::DiscountType type, std::int64_t min_depth,
                                    std::int64_t max_depth, std::int64_t step_percent,
                                    std::int64_t amount_step_minor, std::size_t max_amounts) {
  std::vector<std::int64_t> depths;
  if (type == domain::DiscountType::kFreeItem) return {0};
  const bool amount = type == domain::DiscountType::kAmountOff;
  std::int64_t step = std::max<std::int64_t>(1, amount ? amount_step_minor : step_percent);
  const std::int64_t low = std::max<std::int64_t>(1, min_depth);
  if (amount && max_amounts > 1) {
    // Wide limits (1.00 to 50.00) in 10-cent steps would be 491 prices per candidate.
    const auto span = static_cast<std::uint64_t>(std::max<std::int64_t>(0, max_depth - low));
    const std::uint64_t needed = (span + max_amounts - 2) / (max_amounts - 1);
    step = std::max<std::int64_t>(step, static_cast<std::int64_t>(needed));
  }
  for (std::int64_t depth = low; depth <= max_depth; depth += step) depths.push_back(depth);
  // The deepest a campaign allows is always a choice, whatever the step.
  if (amount && !depths.empty() && depths.back() != max_depth) depths.push_back(max_depth);
  return depths;
}

PricedOffer PriceCoupon(const OfferCandidate& candidate, const CouponTerms& terms,
                        const CouponResponse& response) {
  using domain::DiscountType;
  PricedOffer offer;
  const std::int64_t price = candidate.unit_price_minor;
  if (price <= 0) return offer;
  // The units the coupon asks the shopper to buy, and what the till takes off them.
  std::int64_t units = 1;
  switch (terms.type) {
    case DiscountType::kPercentOff:
    case DiscountType::kAmountOff:
      units = std::max<std::int64_t>(1, (terms.min_spend_minor + price - 1) / price);
      offer.discount_minor = terms.type == DiscountType::kPercentOff
                                 ? MulDivRound(units * price, terms.depth, 100)
                                 : terms.depth;
      break;
    case DiscountType::kBuyXGetY:
      units = std::max<std::int64_t>(1, terms.buy_quantity + terms.get_quantity);
      offer.discount_minor = MulDivRound(terms.get_quantity * price, terms.depth, 100);
      break;
    case DiscountType::kFreeItem:
      units = std::max<std::int64_t>(1, terms.get_quantity);
      offer.discount_minor = units * price;
      break;
  }
  if (terms.type == DiscountType::kPercentOff || terms.type == DiscountType::kBuyXGetY) {
    offer.depth_percent = terms.depth;
  }
  if (terms.max_discount_minor > 0) {
    offer.discount_minor = std::min(offer.discount_minor, terms.max_discount_minor);
  }
  const std::int64_t spend = units * price;
  offer.discount_minor = std::min(offer.discount_minor, spend);  // the till's own limit

  const double discount = static_cast<double>(offer.discount_minor);
  const double share =
      terms.type == DiscountType::kFreeItem
          ? discount / std::max(static_cast<double>(terms.min_spend_minor), discount)
          : discount / static_cast<double>(spend);
  const double conversion =
      std::min(response.max_conversion, response.conversion_per_percent * 100.0 * share);
  const double p0 = std::clamp(candidate.probability, 0.0, 1.0);
  const double p1 = p0 + (1 - p0) * conversion;
  const double unit_margin = candidate.margin_rate * static_cast<double>(price);
  const double top_up =
      terms.type == DiscountType::kFreeItem && candidate.usual_basket_minor > 0
          ? static_cast<double>(
                std::max<std::int64_t>(0, terms.min_spend_minor - candidate.usual_basket_minor))
          : 0.0;
  const auto n = static_cast<double>(units);

  const double reach = std::clamp(candidate.reach, 0.0, 1.0);
  offer.probability_with_coupon = reach * p1;
  offer.expected_cost_minor = reach * p1 * discount;
  offer.expected_value_minor =
      reach * ((p1 - p0) * (n * unit_margin - discount) + p0 * ((n - 1) * unit_margin - discount) +
               p1 * candidate.margin_rate * top_up +
               std::clamp(candidate.lapse_risk, 0.0, 1.0) * conversion *
                   static_cast<double>(candidate.basket_margin_minor));
  return offer;
}

std::optional<PricedCoupon> BestCoupon(const OfferCandidate& candidate, const CouponTerms& terms,
                                       const std::vector<std::int64_t>& depths,
                                       const CouponResponse& response) {
  if (candidate.unit_price_minor <= 0) return std::nullopt;
  std::optional<PricedCoupon> best;
  for (const std::int64_t depth : depths) {
    CouponTerms at = terms;
    at.depth = depth;
    const PricedOffer offer = PriceCoupon(candidate, at, response);
    if (offer.discount_minor <= 0) continue;  // a coupon worth nothing to the shopper
    if (!best || offer.expected_value_minor > best->priced.expected_value_minor) {
      best = PricedCoupon{at, offer};
    }
  }
  if (!best || best->priced.expected_value_minor < response.min_value_minor) return std::nullopt;
  return best;
}

double LapseRisk(std::optional<double> mean_days_between_visits, double days_since_last_visit,
                 double horizon_days) {
  if (!mean_days_between_visits || *mean_days_between_visits <= 0 || horizon_days <= 0) return 0;
  const double gap = std::max(*mean_days_between_visits, days_since_last_visit);
  return std::exp(-horizon_days / gap);
}

}  // namespace loyalty::server::targeting
