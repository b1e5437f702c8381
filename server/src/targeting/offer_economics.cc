#include "targeting/offer_economics.h"

#include <algorithm>
#include <cmath>

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

double LapseRisk(std::optional<double> mean_days_between_visits, double days_since_last_visit,
                 double horizon_days) {
  if (!mean_days_between_visits || *mean_days_between_visits <= 0 || horizon_days <= 0) return 0;
  const double gap = std::max(*mean_days_between_visits, days_since_last_visit);
  return std::exp(-horizon_days / gap);
}

}  // namespace loyalty::server::targeting
