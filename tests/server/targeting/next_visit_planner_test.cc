#include "targeting/next_visit_planner.h"

#include <gtest/gtest.h>

namespace loyalty::server {
namespace {

const Timestamp kNow = ParseIso8601("2026-11-23T16:10:00Z").value();
const CardNumber kCard = CardNumber::Parse("2000000000015").value();

CustomerProfile Profile(std::vector<std::string> categories_by_spend) {
  CustomerProfile profile;
  profile.customer_id = 42;
  profile.currency = "EUR";
  profile.visits = 3;
  std::int64_t spend = 10000;
  for (auto& category : categories_by_spend) {
    profile.categories.push_back({std::move(category), spend, 1, kNow});
    spend -= 1000;
  }
  return profile;
}

domain::Coupon Held(domain::CouponTarget target, const std::string& value) {
  domain::Coupon coupon;
  coupon.customer_id = 42;
  coupon.target = target;
  coupon.target_value = value;
  coupon.expires_at = kNow + std::chrono::days(3);
  return coupon;
}

TEST(TopCategoryPlanner, PicksTheTopCategory) {
  const TopCategoryPlanner planner;
  const auto coupons = planner.Plan(Profile({"DAIRY", "BREAD", "MEAT"}), kCard, kNow);
  ASSERT_EQ(coupons.size(), 1u);
  const domain::Coupon& coupon = coupons[0];
  EXPECT_EQ(coupon.target, domain::CouponTarget::kCategory);
  EXPECT_EQ(coupon.target_value, "DAIRY");
  EXPECT_EQ(coupon.title, "10% off DAIRY");
  EXPECT_EQ(coupon.discount_type, domain::DiscountType::kPercentOff);
  EXPECT_EQ(coupon.discount_value, 10);
  EXPECT_EQ(coupon.max_discount_minor, 500);
  EXPECT_EQ(coupon.customer_id, 42);
  EXPECT_EQ(coupon.card_number, "2000000000015");
  EXPECT_EQ(coupon.campaign, "next-visit");
  EXPECT_EQ(coupon.currency, "EUR");
  EXPECT_EQ(coupon.issued_at, kNow);
  EXPECT_EQ(coupon.expires_at, kNow + std::chrono::days(14));
  // The coupon is one the strict decoder accepts.
  EXPECT_TRUE(domain::CouponFromJson(domain::CouponToJson(coupon)).ok());
}

TEST(TopCategoryPlanner, SkipsCategoriesWithALiveCoupon) {
  const TopCategoryPlanner planner;
  CustomerProfile profile = Profile({"DAIRY", "BREAD", "MEAT"});
  profile.live_coupons = {Held(domain::CouponTarget::kCategory, "DAIRY")};
  auto coupons = planner.Plan(profile, kCard, kNow);
  ASSERT_EQ(coupons.size(), 1u);
  EXPECT_EQ(coupons[0].target_value, "BREAD");

  profile.live_coupons.push_back(Held(domain::CouponTarget::kCategory, "BREAD"));
  coupons = planner.Plan(profile, kCard, kNow);
  ASSERT_EQ(coupons.size(), 1u);
  EXPECT_EQ(coupons[0].target_value, "MEAT");
}

TEST(TopCategoryPlanner, CountsOnlyCategoryCouponsAsHoldingACategory) {
  const TopCategoryPlanner planner;
  CustomerProfile profile = Profile({"DAIRY", "BREAD"});
  profile.live_coupons = {Held(domain::CouponTarget::kProduct, "DAIRY")};
  const auto coupons = planner.Plan(profile, kCard, kNow);
  ASSERT_EQ(coupons.size(), 1u);
  EXPECT_EQ(coupons[0].target_value, "DAIRY");
}

TEST(TopCategoryPlanner, IssuesNoneWhenEveryCategoryIsHeld) {
  const TopCategoryPlanner planner;
  CustomerProfile profile = Profile({"DAIRY", "BREAD"});
  profile.live_coupons = {Held(domain::CouponTarget::kCategory, "BREAD"),
                          Held(domain::CouponTarget::kCategory, "DAIRY")};
  EXPECT_TRUE(planner.Plan(profile, kCard, kNow).empty());
}

TEST(TopCategoryPlanner, IssuesNoneAtMaxLiveCoupons) {
  const TopCategoryPlanner planner;  // max_live_coupons = 3
  CustomerProfile profile = Profile({"DAIRY", "BREAD", "MEAT", "FRUIT"});
  profile.live_coupons = {Held(domain::CouponTarget::kCategory, "X"),
                          Held(domain::CouponTarget::kCategory, "Y")};
  EXPECT_EQ(planner.Plan(profile, kCard, kNow).size(), 1u);
  profile.live_coupons.push_back(Held(domain::CouponTarget::kBasket, ""));
  EXPECT_TRUE(planner.Plan(profile, kCard, kNow).empty());
  profile.live_coupons.push_back(Held(domain::CouponTarget::kCategory, "Z"));
  EXPECT_TRUE(planner.Plan(profile, kCard, kNow).empty());
}

TEST(TopCategoryPlanner, IssuesNoneWithoutPurchaseHistory) {
  const TopCategoryPlanner planner;
  EXPECT_TRUE(planner.Plan(Profile({}), kCard, kNow).empty());
}

TEST(TopCategoryPlanner, FollowsItsOptions) {
  NextVisitOptions options;
  options.percent_off = 25;
  options.max_discount_minor = 1000;
  options.valid_for = std::chrono::days(7);
  options.max_live_coupons = 1;
  const TopCategoryPlanner planner(options);
  CustomerProfile profile = Profile({"MEAT"});
  auto coupons = planner.Plan(profile, kCard, kNow);
  ASSERT_EQ(coupons.size(), 1u);
  EXPECT_EQ(coupons[0].discount_value, 25);
  EXPECT_EQ(coupons[0].title, "25% off MEAT");
  EXPECT_EQ(coupons[0].max_discount_minor, 1000);
  EXPECT_EQ(coupons[0].expires_at, kNow + std::chrono::days(7));
  profile.live_coupons = {Held(domain::CouponTarget::kCategory, "OTHER")};
  EXPECT_TRUE(planner.Plan(profile, kCard, kNow).empty());
}

}  // namespace
}  // namespace loyalty::server
