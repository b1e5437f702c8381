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
}  // namespace loyalty::server::targeting
