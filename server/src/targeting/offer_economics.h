// What a coupon is worth to the chain. A coupon costs its discount every time it is
// redeemed, including by shoppers who would have bought the product anyway; it earns
// only the purchases it causes. So the offer worth making is not the product a customer
// is most likely to buy (that coupon mostly subsidises a sale the chain had) but the one
// where the coupon changes most behaviour per unit of discount. This module prices one
// candidate at every depth a campaign allows and keeps the depth with the best expected
// incremental margin; budget_allocation.h then spends a campaign's budget on the
// candidates with the best value for cost.
//
// The response model (documented in docs/targeting.md): a coupon of depth d percent
// converts a share r(d) = min(max_conversion, conversion_per_percent × d) of the
// shoppers who would not have bought, so
//   P(buy | coupon)  p1 = p0 + (1 - p0) × r(d)
//   expected cost        = p1 × discount            (every redemption pays it)
//   incremental margin   = (p1 - p0) × (unit margin - discount) - p0 × discount
//                        + visit_gain(d) × basket margin   (win-back: the visit itself)
// with p0 the calibrated P(buy at next visit) from the next-basket model. The two
// response parameters are assumptions until the chain's own control groups measure them
// (loyalty-batch report); they are options, not constants.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "loyalty/domain/coupon.h"

namespace loyalty::server::targeting {

struct CouponResponse {
  // Share of would-not-buy shoppers a coupon converts per percent of discount: 0.006
  // makes a 20%-off coupon convert 12% of them, in the range published redemption
  // studies of targeted grocery coupons report for incremental (not total) response.
  double conversion_per_percent = 0.006;
  // Deeper discounts stop converting more: the response saturates here.
  double max_conversion = 0.35;
  // Minimum expected incremental margin, minor units, for an offer to be worth printing
  // (paper, a line on the receipt, the shopper's attention).
  double min_value_minor = 1.0;
};

// A product (or category) a customer might be offered, with what the targeting knows.
struct OfferCandidate {
  std::int64_t unit_price_minor = 0;  // what one unit sells for, tax included
  double margin_rate = 0.3;           // gross margin share of the price, 0-1
  double probability = 0;             // p0: calibrated P(buy at next visit), no coupon
  // For a customer drifting away: P(they do not come back within the coupon's life
  // without it) (LapseRisk), and the margin of their usual basket besides this product.
  // A coupon that brings the visit back earns that margin too; 0 for offers that are
  // about the product alone.
  double lapse_risk = 0;
  std::int64_t basket_margin_minor = 0;
  // The customer's usual basket, minor units: a free_item coupon needing a larger spend
  // makes the redeeming shopper top it up (PriceCoupon). 0: unknown, no top-up counted.
  std::int64_t usual_basket_minor = 0;
  // Share of this shopper's visits in which the coupon can change anything at all
  // (PriceCoupon only): new_product_trial's P(buying in the product's category), since
  // a coupon for a new yoghurt does not move someone who never buys yoghurt. Then
  // `probability` is P(buy | in reach), and every expectation is scaled by reach.
  double reach = 1.0;
};

// The limits a campaign puts on an offer's depth (domain::Campaign's min/max depth and
// cap), for percent-off offers: depths in whole percent.
struct DepthLimits {
  std::int64_t min_percent = 5;
  std::int64_t max_percent = 30;
  std::int64_t step_percent = 5;
  std::int64_t max_discount_minor = 0;  // cap per coupon; 0: none
};

struct PricedOffer {
  std::int64_t depth_percent = 0;
  std::int64_t discount_minor = 0;       // what one redemption gives away
  double probability_with_coupon = 0;    // p1
  double expected_cost_minor = 0;        // p1 × discount: what it spends of the budget
  double expected_value_minor = 0;       // expected incremental margin, net of the cost
  // Value for cost, the order in which a budget is spent; cost floored at one minor
  // unit so a free offer does not divide by zero.
  double ValueForCost() const { return expected_value_minor / (expected_cost_minor + 1.0); }
};

// The expected economics of `candidate` at `depth_percent` (no search).
PricedOffer PriceAtDepth(const OfferCandidate& candidate, std::int64_t depth_percent,
                         std::int64_t max_discount_minor, const CouponResponse& response);

// The depth within `limits` with the highest expected incremental margin (ties: the
// shallower, which costs less); nullopt when no depth earns at least
// response.min_value_minor, i.e. the coupon would cost more than it brings.
std::optional<PricedOffer> BestOffer(const OfferCandidate& candidate, const DepthLimits& limits,
                                     const CouponResponse& response);

// Every discount type (coupon.h) priced by one response model. What a coupon asks of the
// shopper is a purchase of n units of the product: n = buy + get for buy_x_get_y, get
// for free_item, else the units its min_spend on the target needs (at least one). Its
// discount D is what the till gives on that purchase (coupon_rules.cc), capped. The
// response depends on the effective share of the discount:
//   share = D / (n × unit price), for free_item D / max(min_spend, D) (a free 2.00 item
//   for a 30.00 basket is worth 6.7% of what the shopper pays, not 100% of the item),
//   r = min(max_conversion, conversion_per_percent × 100 × share), p1 = p0 + (1 - p0) r.
// A would-buy-anyway shopper (p0) is assumed to buy one unit without the coupon, so
// with it they buy n - 1 more:
//   expected cost = p1 × D
//   value = (p1 - p0)(n m P - D) + p0((n - 1) m P - D) + p1 × m_basket × top_up
//         + lapse_risk × r × basket margin
// where top_up = max(0, min_spend - usual basket) for free_item (the spend it asks for
// beyond the usual basket, at the default margin rate m_basket = the candidate's) and 0
// otherwise. For percent_off with no min_spend above the price (n = 1) this is exactly
// PriceAtDepth.
struct CouponTerms {
  domain::DiscountType type = domain::DiscountType::kPercentOff;
  // percent for percent_off and buy_x_get_y, minor units for amount_off, 0 for free_item
  std::int64_t depth = 0;
  std::int64_t buy_quantity = 0;  // buy_x_get_y
  std::int64_t get_quantity = 0;  // buy_x_get_y, free_item
  std::int64_t min_spend_minor = 0;
  std::int64_t max_discount_minor = 0;  // 0: no cap
};

// The depths a campaign's limits allow for `type`: percent from min to max in
// `step_percent` steps (percent_off, buy_x_get_y); minor units from min to max in steps
// of `amount_step_minor`, widened so there are at most `max_amounts` of them, max always
// included (amount_off); {0} for free_item.
std::vector<std::int64_t> DepthGrid(domain::DiscountType type, std::int64_t min_depth,
                                    std::int64_t max_depth, std::int64_t step_percent,
                                    std::int64_t amount_step_minor = 10,
                                    std::size_t max_amounts = 41);

// The expected economics of `candidate` with a coupon of `terms` (no search). Its
// depth_percent is terms.depth for the percent types, 0 for the others.
PricedOffer PriceCoupon(const OfferCandidate& candidate, const CouponTerms& terms,
                        const CouponResponse& response);

// The depth among `depths` (terms.depth is replaced by each) with the highest expected
// incremental margin, the first on ties; nullopt as for BestOffer. The chosen depth is
// the returned terms' depth.
struct PricedCoupon {
  CouponTerms terms;
  PricedOffer priced;
};
std::optional<PricedCoupon> BestCoupon(const OfferCandidate& candidate, const CouponTerms& terms,
                                       const std::vector<std::int64_t>& depths,
                                       const CouponResponse& response);

// Lapse risk from the customer's own rhythm: with a mean gap of g days between visits and
// d days since the last, P(no visit within the next `horizon_days`) if visits came at
// the rate 1 / max(g, d): exp(-horizon / max(g, d)). A customer on their rhythm keeps
// their own rate; one overdue (d > g) is treated as having slowed to one visit per d,
// which is what drifting away looks like. 0 with fewer than two visits (no rhythm to
// judge by).
double LapseRisk(std::optional<double> mean_days_between_visits, double days_since_last_visit,
                 double horizon_days);

}  // namespace loyalty::server::targeting
