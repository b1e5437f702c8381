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

namespace {

// A candidate's coupon of given terms priced at any depth: what does not depend on the
// depth is worked out once, since the nightly plan prices every candidate at each depth
// of its campaign's grid (hundreds of millions of coupons at a million customers).
class CouponPricing {
 public:
  CouponPricing(const OfferCandidate& candidate, const CouponTerms& terms,
                const CouponResponse& response)
      : candidate_(candidate), terms_(terms), response_(response) {
    using domain::DiscountType;
    const std::int64_t price = candidate.unit_price_minor;
    // The units the coupon asks the shopper to buy.
    switch (terms.type) {
      case DiscountType::kPercentOff:
      case DiscountType::kAmountOff:
        units_ = std::max<std::int64_t>(1, (terms.min_spend_minor + price - 1) / price);
        break;
      case DiscountType::kBuyXGetY:
        units_ = std::max<std::int64_t>(1, terms.buy_quantity + terms.get_quantity);
        break;
      case DiscountType::kFreeItem:
        units_ = std::max<std::int64_t>(1, terms.get_quantity);
        break;
    }
    spend_ = units_ * price;
    p0_ = std::clamp(candidate.probability, 0.0, 1.0);
    const double unit_margin = candidate.margin_rate * static_cast<double>(price);
    top_up_ = terms.type == DiscountType::kFreeItem && candidate.usual_basket_minor > 0
                  ? static_cast<double>(std::max<std::int64_t>(
                        0, terms.min_spend_minor - candidate.usual_basket_minor))
                  : 0.0;
    const auto n = static_cast<double>(units_);
    margin_all_ = n * unit_margin;
    margin_but_one_ = (n - 1) * unit_margin;
    reach_ = std::clamp(candidate.reach, 0.0, 1.0);
    lapse_risk_ = std::clamp(candidate.lapse_risk, 0.0, 1.0);
  }

  PricedOffer At(std::int64_t depth) const {
    using domain::DiscountType;
    PricedOffer offer;
    const std::int64_t price = candidate_.unit_price_minor;
    // What the till takes off the units.
    switch (terms_.type) {
      case DiscountType::kPercentOff:
        offer.discount_minor = MulDivRound(spend_, depth, 100);
        break;
      case DiscountType::kAmountOff:
        offer.discount_minor = depth;
        break;
      case DiscountType::kBuyXGetY:
        offer.discount_minor = MulDivRound(terms_.get_quantity * price, depth, 100);
        break;
      case DiscountType::kFreeItem:
        offer.discount_minor = spend_;
        break;
    }
    if (terms_.type == DiscountType::kPercentOff || terms_.type == DiscountType::kBuyXGetY) {
      offer.depth_percent = depth;
    }
    if (terms_.max_discount_minor > 0) {
      offer.discount_minor = std::min(offer.discount_minor, terms_.max_discount_minor);
    }
    offer.discount_minor = std::min(offer.discount_minor, spend_);  // the till's own limit

    const double discount = static_cast<double>(offer.discount_minor);
    const double share =
        terms_.type == DiscountType::kFreeItem
            ? discount / std::max(static_cast<double>(terms_.min_spend_minor), discount)
            : discount / static_cast<double>(spend_);
    const double conversion =
        std::min(response_.max_conversion, response_.conversion_per_percent * 100.0 * share);
    const double p1 = p0_ + (1 - p0_) * conversion;
    offer.probability_with_coupon = reach_ * p1;
    offer.expected_cost_minor = reach_ * p1 * discount;
    offer.expected_value_minor =
        reach_ * ((p1 - p0_) * (margin_all_ - discount) + p0_ * (margin_but_one_ - discount) +
                  p1 * candidate_.margin_rate * top_up_ +
                  lapse_risk_ * conversion * static_cast<double>(candidate_.basket_margin_minor));
    return offer;
  }

 private:
  const OfferCandidate& candidate_;
  const CouponTerms& terms_;
  const CouponResponse& response_;
  std::int64_t units_ = 1;
  std::int64_t spend_ = 0;
  double p0_ = 0, top_up_ = 0, margin_all_ = 0, margin_but_one_ = 0, reach_ = 0, lapse_risk_ = 0;
};

}  // namespace

PricedOffer PriceCoupon(const OfferCandidate& candidate, const CouponTerms& terms,
                        const CouponResponse& response) {
  if (candidate.unit_price_minor <= 0) return PricedOffer();
  return CouponPricing(candidate, terms, response).At(terms.depth);
}

std::optional<PricedCoupon> BestCoupon(const OfferCandidate& candidate, const CouponTerms& terms,
                                       const std::vector<std::int64_t>& depths,
                                       const CouponResponse& response) {
  if (candidate.unit_price_minor <= 0) return std::nullopt;
  const CouponPricing pricing(candidate, terms, response);
  std::optional<PricedCoupon> best;
  for (const std::int64_t depth : depths) {
    const PricedOffer offer = pricing.At(depth);
    if (offer.discount_minor <= 0) continue;  // a coupon worth nothing to the shopper
    if (!best || offer.expected_value_minor > best->priced.expected_value_minor) {
      best = PricedCoupon{terms, offer};
      best->terms.depth = depth;
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
