#include "loyalty/domain/coupon.h"

#include <gtest/gtest.h>

namespace loyalty::domain {
namespace {

using nlohmann::json;

Coupon SampleCoupon() {
  Coupon coupon;
  coupon.id = Uuid::Parse("0b7e1d2c-3a4f-4b5c-8d6e-7f8091a2b3c4").value();
  coupon.customer_id = 42;
  coupon.card_number = "2000000000015";
  coupon.campaign = "next-visit";
  coupon.title = "10% off DAIRY";
  coupon.target = CouponTarget::kCategory;
  coupon.target_value = "DAIRY";
  coupon.discount_type = DiscountType::kPercentOff;
  coupon.discount_value = 10;
  coupon.min_spend_minor = 2000;
  coupon.max_discount_minor = 500;
  coupon.currency = "USD";
  coupon.issued_at = ParseIso8601("2026-11-23T16:10:00Z").value();
  coupon.expires_at = ParseIso8601("2026-12-07T16:10:00Z").value();
  return coupon;
}

void ExpectRefused(const json& body, const std::string& field) {
  auto coupon = CouponFromJson(body);
  ASSERT_FALSE(coupon.ok()) << "accepted: " << body.dump();
  EXPECT_EQ(coupon.error().field, field) << coupon.error().ToString();
}

TEST(Coupon, WritesTheDocumentedFields) {
  const json body = CouponToJson(SampleCoupon());
  EXPECT_EQ(body["id"], "0b7e1d2c-3a4f-4b5c-8d6e-7f8091a2b3c4");
  EXPECT_EQ(body["target"], "category");
  EXPECT_EQ(body["discount_type"], "percent_off");
  EXPECT_EQ(body["min_spend"], 2000);
  EXPECT_EQ(body["max_discount"], 500);
  EXPECT_EQ(body["issued_at"], "2026-11-23T16:10:00Z");
  EXPECT_EQ(body["expires_at"], "2026-12-07T16:10:00Z");
  EXPECT_EQ(body.size(), 14u);
}

TEST(Coupon, RoundTripsThroughJson) {
  for (CouponTarget target : {CouponTarget::kProduct, CouponTarget::kCategory, CouponTarget::kBasket}) {
    for (DiscountType type : {DiscountType::kPercentOff, DiscountType::kAmountOff}) {
      Coupon coupon = SampleCoupon();
      coupon.target = target;
      coupon.target_value = target == CouponTarget::kBasket ? "" : "X1";
      coupon.discount_type = type;
      coupon.discount_value = type == DiscountType::kPercentOff ? 100 : 150;
      auto decoded = CouponFromJson(CouponToJson(coupon));
      ASSERT_TRUE(decoded.ok()) << decoded.error().ToString();
      EXPECT_EQ(CouponToJson(*decoded), CouponToJson(coupon));
      EXPECT_EQ(decoded->target, target);
      EXPECT_EQ(decoded->discount_type, type);
    }
  }
}

TEST(Coupon, RefusesUnknownAndMissingFields) {
  json body = CouponToJson(SampleCoupon());
  body["bonus"] = 1;
  ExpectRefused(body, "bonus");
  body = CouponToJson(SampleCoupon());
  body.erase("expires_at");
  ExpectRefused(body, "expires_at");
}

TEST(Coupon, RefusesBadEnumsAndRanges) {
  json body = CouponToJson(SampleCoupon());
  body["target"] = "store";
  ExpectRefused(body, "target");
  body = CouponToJson(SampleCoupon());
  body["discount_type"] = "free_lunch";
  ExpectRefused(body, "discount_type");
  body = CouponToJson(SampleCoupon());
  body["discount_value"] = 101;
  ExpectRefused(body, "discount_value");
  body["discount_value"] = 0;
  ExpectRefused(body, "discount_value");
  body = CouponToJson(SampleCoupon());
  body["customer_id"] = 0;
  ExpectRefused(body, "customer_id");
  body = CouponToJson(SampleCoupon());
  body["min_spend"] = -1;
  ExpectRefused(body, "min_spend");
}

TEST(Coupon, RoundTripsItemCouponsWithTheirCounts) {
  Coupon three_for_two = SampleCoupon();
  three_for_two.discount_type = DiscountType::kBuyXGetY;
  three_for_two.discount_value = 100;
  three_for_two.buy_quantity = 2;
  three_for_two.get_quantity = 1;
  json body = CouponToJson(three_for_two);
  EXPECT_EQ(body["buy_quantity"], 2);
  EXPECT_EQ(body["get_quantity"], 1);
  auto decoded = CouponFromJson(body);
  ASSERT_TRUE(decoded.ok()) << decoded.error().ToString();
  EXPECT_EQ(CouponToJson(*decoded), body);

  Coupon free = SampleCoupon();
  free.discount_type = DiscountType::kFreeItem;
  free.discount_value = 0;
  free.target = CouponTarget::kProduct;
  free.target_value = "1004906";
  free.get_quantity = 1;
  body = CouponToJson(free);
  EXPECT_FALSE(body.contains("buy_quantity"));
  decoded = CouponFromJson(body);
  ASSERT_TRUE(decoded.ok()) << decoded.error().ToString();
  EXPECT_EQ(decoded->get_quantity, 1);
}

TEST(Coupon, RefusesItemCountsThatDoNotFitTheKind) {
  // Counts on a percent coupon are unknown fields, not silently ignored.
  json body = CouponToJson(SampleCoupon());
  body["get_quantity"] = 1;
  ExpectRefused(body, "get_quantity");
  body = CouponToJson(SampleCoupon());
  body["discount_type"] = "buy_x_get_y";
  body["discount_value"] = 100;
  body["get_quantity"] = 1;
  ExpectRefused(body, "buy_quantity");
  body["buy_quantity"] = 0;
  ExpectRefused(body, "buy_quantity");
  // A free item is one product, never a category.
  body = CouponToJson(SampleCoupon());
  body["discount_type"] = "free_item";
  body["discount_value"] = 0;
  body["get_quantity"] = 1;
  ExpectRefused(body, "target");
}

TEST(Coupon, RefusesATargetValueThatDoesNotFitTheTarget) {
  json body = CouponToJson(SampleCoupon());
  body["target_value"] = "";
  ExpectRefused(body, "target_value");
  body["target"] = "basket";
  body["target_value"] = "DAIRY";
  ExpectRefused(body, "target_value");
}

TEST(Coupon, RefusesExpiryNotAfterIssue) {
  json body = CouponToJson(SampleCoupon());
  body["expires_at"] = body["issued_at"];
  ExpectRefused(body, "expires_at");
}

TEST(Coupon, IsLiveUntilItsExpiry) {
  const Coupon coupon = SampleCoupon();
  EXPECT_TRUE(coupon.IsLive(coupon.issued_at));
  EXPECT_TRUE(coupon.IsLive(coupon.expires_at - std::chrono::seconds(1)));
  EXPECT_FALSE(coupon.IsLive(coupon.expires_at));
  EXPECT_FALSE(coupon.IsLive(coupon.expires_at + std::chrono::hours(1)));
}

TEST(Coupon, NamesTargetsAndTypes) {
  EXPECT_STREQ(CouponTargetName(CouponTarget::kProduct), "product");
  EXPECT_STREQ(CouponTargetName(CouponTarget::kCategory), "category");
  EXPECT_STREQ(CouponTargetName(CouponTarget::kBasket), "basket");
  EXPECT_STREQ(DiscountTypeName(DiscountType::kPercentOff), "percent_off");
  EXPECT_STREQ(DiscountTypeName(DiscountType::kAmountOff), "amount_off");
}

}  // namespace
}  // namespace loyalty::domain
