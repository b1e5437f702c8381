#include "targeting/offer_economics.h"

#include <gtest/gtest.h>

#include <cmath>

namespace loyalty::server::targeting {
namespace {

TEST(OfferEconomics, PricesADepthByTheResponseModel) {
  OfferCandidate candidate;
  candidate.unit_price_minor = 400;
  candidate.margin_rate = 0.3;
  candidate.probability = 0.2;
  CouponResponse response;  // 0.006 per percent
  const PricedOffer offer = PriceAtDepth(candidate, 20, 0, response);
  EXPECT_EQ(offer.discount_minor, 80);
  // p1 = 0.2 + 0.8 * 0.12 = 0.296
  EXPECT_NEAR(offer.probability_with_coupon, 0.296, 1e-9);
  EXPECT_NEAR(offer.expected_cost_minor, 0.296 * 80, 1e-9);
  // (0.096) * (120 - 80) - 0.2 * 80 = 3.84 - 16
  EXPECT_NEAR(offer.expected_value_minor, 3.84 - 16, 1e-9);
}

TEST(OfferEconomics, CapsTheDiscountAndSaturatesTheResponse) {
  OfferCandidate candidate;
  candidate.unit_price_minor = 10'000;
  const PricedOffer offer = PriceAtDepth(candidate, 90, 500, CouponResponse{});
  EXPECT_EQ(offer.discount_minor, 500);
  EXPECT_NEAR(offer.probability_with_coupon, 0.35, 1e-9);  // max_conversion, from p0 = 0
}

TEST(OfferEconomics, ASureSaleIsNotWorthACoupon) {
  // The customer buys it every visit: any coupon only gives the margin away.
  OfferCandidate staple;
  staple.unit_price_minor = 300;
  staple.probability = 0.95;
  EXPECT_FALSE(BestOffer(staple, DepthLimits{}, CouponResponse{}).has_value());
}

TEST(OfferEconomics, AnUnlikelyButPlausibleProductIsWorthAShallowCoupon) {
  OfferCandidate candidate;
  candidate.unit_price_minor = 800;
  candidate.margin_rate = 0.4;
  candidate.probability = 0.05;
  const auto best = BestOffer(candidate, DepthLimits{5, 30, 5, 0}, CouponResponse{});
  ASSERT_TRUE(best.has_value());
  EXPECT_GT(best->expected_value_minor, 0);
  // Check it is the best of the grid by brute force.
  for (std::int64_t depth = 5; depth <= 30; depth += 5) {
    EXPECT_LE(PriceAtDepth(candidate, depth, 0, CouponResponse{}).expected_value_minor,
              best->expected_value_minor + 1e-9)
        << depth;
  }
  // With a 40% margin a discount past it loses money on every converted sale, so the
  // best depth is well below.
  EXPECT_LT(best->depth_percent, 30);
}

TEST(OfferEconomics, AWinBackOfferEarnsTheBasketItBringsBack) {
  OfferCandidate candidate;
  candidate.unit_price_minor = 300;
  candidate.probability = 0.1;
  // For the product alone, a 30% margin does not pay for the discount at any depth.
  EXPECT_FALSE(BestOffer(candidate, DepthLimits{}, CouponResponse{}).has_value());
  candidate.lapse_risk = 0.8;
  candidate.basket_margin_minor = 1500;
  const auto with = BestOffer(candidate, DepthLimits{}, CouponResponse{});
  ASSERT_TRUE(with.has_value());
  EXPECT_GT(with->expected_value_minor, 0);
  // Deeper coupons bring more visits back: the deepest allowed wins here.
  EXPECT_EQ(with->depth_percent, 30);
}

TEST(OfferEconomics, NoOfferForAProductWithNoPrice) {
  OfferCandidate free_product;
  free_product.probability = 0.1;
  EXPECT_FALSE(BestOffer(free_product, DepthLimits{}, CouponResponse{}).has_value());
}

TEST(OfferEconomics, LapseRiskFollowsTheCustomersOwnRhythm) {
  EXPECT_EQ(LapseRisk(std::nullopt, 40, 14), 0);  // one visit: no rhythm
  // Weekly shopper, seen 3 days ago: coming back within 14 days is near certain.
  const double weekly = LapseRisk(7.0, 3, 14);
  EXPECT_NEAR(weekly, std::exp(-2.0), 1e-12);
  // The same shopper unseen for 35 days has slowed to one visit in 35.
  const double drifting = LapseRisk(7.0, 35, 14);
  EXPECT_NEAR(drifting, std::exp(-14.0 / 35), 1e-12);
  EXPECT_GT(drifting, weekly);
  // A monthly shopper seen 10 days ago is not at risk in the way a weekly one is at 35.
  EXPECT_LT(LapseRisk(30.0, 10, 14), drifting);
}

}  // namespace
// Every discount type through PriceCoupon: docs/targeting.md has the formulas.
CouponTerms Terms(domain::DiscountType type, std::int64_t depth) {
  CouponTerms terms;
  terms.type = type;
  terms.depth = depth;
  return terms;
}

OfferCandidate Candidate(std::int64_t price, double probability) {
  OfferCandidate candidate;
  candidate.unit_price_minor = price;
  candidate.margin_rate = 0.3;
  candidate.probability = probability;
  return candidate;
}

TEST(CouponPricing, PercentOffMatchesTheSingleProductPricing) {
  const OfferCandidate candidate = Candidate(400, 0.2);
  for (const std::int64_t depth : {5, 10, 20, 25}) {
    const PricedOffer general =
        PriceCoupon(candidate, Terms(domain::DiscountType::kPercentOff, depth), CouponResponse{});
    const PricedOffer single = PriceAtDepth(candidate, depth, 0, CouponResponse{});
    EXPECT_EQ(general.discount_minor, single.discount_minor) << depth;
    EXPECT_NEAR(general.expected_value_minor, single.expected_value_minor, 1e-9) << depth;
    EXPECT_NEAR(general.expected_cost_minor, single.expected_cost_minor, 1e-9) << depth;
    EXPECT_EQ(general.depth_percent, depth);
  }
}

TEST(CouponPricing, AmountOffRespondsToItsShareOfThePrice) {
  const PricedOffer offer = PriceCoupon(
      Candidate(400, 0.2), Terms(domain::DiscountType::kAmountOff, 100), CouponResponse{});
  EXPECT_EQ(offer.discount_minor, 100);
  EXPECT_EQ(offer.depth_percent, 0);  // not a percentage
  // 100 of 400 is 25%: r = 0.15, p1 = 0.2 + 0.8 * 0.15 = 0.32
  EXPECT_NEAR(offer.probability_with_coupon, 0.32, 1e-9);
  EXPECT_NEAR(offer.expected_cost_minor, 0.32 * 100, 1e-9);
  // 0.12 * (120 - 100) - 0.2 * 100
  EXPECT_NEAR(offer.expected_value_minor, 2.4 - 20, 1e-9);
  // As deep as a 25% coupon on the same product, so it converts the same.
  EXPECT_NEAR(PriceAtDepth(Candidate(400, 0.2), 25, 0, CouponResponse{}).probability_with_coupon,
              offer.probability_with_coupon, 1e-9);
}

TEST(CouponPricing, AnAmountAboveThePriceGivesThePriceAndAMinSpendBuysMoreUnits) {
  const PricedOffer above = PriceCoupon(
      Candidate(400, 0.2), Terms(domain::DiscountType::kAmountOff, 1'000), CouponResponse{});
  EXPECT_EQ(above.discount_minor, 400);  // the till gives at most the spend on the target
  CouponTerms terms = Terms(domain::DiscountType::kAmountOff, 100);
  terms.min_spend_minor = 1'000;  // three units of 400
  const PricedOffer three = PriceCoupon(Candidate(400, 0.2), terms, CouponResponse{});
  // 100 of 1200: r = 0.006 * 8.33 = 0.05, p1 = 0.2 + 0.8 * 0.05 = 0.24
  EXPECT_NEAR(three.probability_with_coupon, 0.24, 1e-9);
  // Converted: 3 units' margin less the discount; the would-buy-anyway two more units.
  EXPECT_NEAR(three.expected_value_minor, 0.04 * (360 - 100) + 0.2 * (240 - 100), 1e-9);
}

TEST(CouponPricing, BuyXGetYIsPricedOnTheItemsItAsksFor) {
  CouponTerms terms = Terms(domain::DiscountType::kBuyXGetY, 100);
  terms.buy_quantity = 2;
  terms.get_quantity = 1;
  const PricedOffer offer = PriceCoupon(Candidate(300, 0.1), terms, CouponResponse{});
  EXPECT_EQ(offer.discount_minor, 300);  // one of three free
  EXPECT_EQ(offer.depth_percent, 100);
  // A third off the three: r = 0.006 * 33.3 = 0.2, p1 = 0.1 + 0.9 * 0.2 = 0.28
  EXPECT_NEAR(offer.probability_with_coupon, 0.28, 1e-9);
  EXPECT_NEAR(offer.expected_cost_minor, 0.28 * 300, 1e-9);
  EXPECT_NEAR(offer.expected_value_minor, 0.18 * (270 - 300) + 0.1 * (180 - 300), 1e-9);
  // Half off the third item instead: a sixth of the purchase.
  terms.depth = 50;
  const PricedOffer half = PriceCoupon(Candidate(300, 0.1), terms, CouponResponse{});
  EXPECT_EQ(half.discount_minor, 150);
  EXPECT_NEAR(half.probability_with_coupon, 0.1 + 0.9 * 0.1, 1e-9);
}

TEST(CouponPricing, AFreeItemEarnsTheSpendItAsksFor) {
  CouponTerms terms = Terms(domain::DiscountType::kFreeItem, 0);
  terms.get_quantity = 1;
  terms.min_spend_minor = 3'000;
  OfferCandidate candidate = Candidate(200, 0.05);
  candidate.usual_basket_minor = 2'000;
  const PricedOffer offer = PriceCoupon(candidate, terms, CouponResponse{});
  EXPECT_EQ(offer.discount_minor, 200);
  // 200 for a 3000 basket: r = 0.006 * 6.67 = 0.04, p1 = 0.05 + 0.95 * 0.04 = 0.088
  EXPECT_NEAR(offer.probability_with_coupon, 0.088, 1e-9);
  // Converted take it free (-(1 - m) of its price), the would-buy-anyway save it, and
  // every redeemer tops 2000 up to 3000.
  EXPECT_NEAR(offer.expected_value_minor, 0.038 * (60 - 200) + 0.05 * (0 - 200) + 0.088 * 300,
              1e-9);
  EXPECT_GT(offer.expected_value_minor, 0);
  // A shopper whose basket already reaches the spend only takes the item: a loss.
  candidate.usual_basket_minor = 5'000;
  EXPECT_LT(PriceCoupon(candidate, terms, CouponResponse{}).expected_value_minor, 0);
  EXPECT_FALSE(BestCoupon(candidate, terms, {0}, CouponResponse{}).has_value());
}

TEST(CouponPricing, TheAmountGridSpansTheLimitsInAtMostFortyOneSteps) {
  const auto narrow = DepthGrid(domain::DiscountType::kAmountOff, 50, 100, 5, 10);
  EXPECT_EQ(narrow, (std::vector<std::int64_t>{50, 60, 70, 80, 90, 100}));
  const auto wide = DepthGrid(domain::DiscountType::kAmountOff, 100, 5'000, 5, 10);
  EXPECT_LE(wide.size(), 41u);
  EXPECT_EQ(wide.front(), 100);
  EXPECT_EQ(wide.back(), 5'000);
  EXPECT_EQ(DepthGrid(domain::DiscountType::kAmountOff, 55, 120, 5, 50),
            (std::vector<std::int64_t>{55, 105, 120}));
  EXPECT_EQ(DepthGrid(domain::DiscountType::kPercentOff, 5, 30, 5),
            (std::vector<std::int64_t>{5, 10, 15, 20, 25, 30}));
  EXPECT_EQ(DepthGrid(domain::DiscountType::kFreeItem, 0, 0, 5), (std::vector<std::int64_t>{0}));
}

TEST(CouponPricing, BestCouponPicksTheBestAmountOfTheGrid) {
  OfferCandidate candidate = Candidate(800, 0.05);
  candidate.margin_rate = 0.4;
  const CouponTerms terms = Terms(domain::DiscountType::kAmountOff, 0);
  const auto grid = DepthGrid(domain::DiscountType::kAmountOff, 20, 400, 5, 20);
  const auto best = BestCoupon(candidate, terms, grid, CouponResponse{});
  ASSERT_TRUE(best.has_value());
  EXPECT_GT(best->priced.expected_value_minor, 0);
  for (const std::int64_t amount : grid) {
    CouponTerms at = terms;
    at.depth = amount;
    EXPECT_LE(PriceCoupon(candidate, at, CouponResponse{}).expected_value_minor,
              best->priced.expected_value_minor + 1e-9)
        << amount;
  }
  // Past the 40% margin every converted sale loses money: the best is well below 320.
  EXPECT_LT(best->terms.depth, 320);
  EXPECT_EQ(best->priced.discount_minor, best->terms.depth);
}

}  // namespace loyalty::server::targeting
