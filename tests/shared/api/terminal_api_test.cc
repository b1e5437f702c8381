#include "loyalty/api/terminal_api.h"

#include <gtest/gtest.h>

#include "loyalty/crypto/coupon_token.h"

namespace loyalty::api {
namespace {

using nlohmann::json;

const crypto::SigningKey& Key() {
  static const crypto::SigningKey key = crypto::SigningKey::Generate();
  return key;
}

IssuedCoupon Issue(const std::string& category, const crypto::SigningKey& key = Key()) {
  domain::Coupon coupon;
  coupon.customer_id = 42;
  coupon.card_number = "2000000000015";
  coupon.campaign = "next-visit";
  coupon.title = "10% off " + category;
  coupon.target = domain::CouponTarget::kCategory;
  coupon.target_value = category;
  coupon.discount_type = domain::DiscountType::kPercentOff;
  coupon.discount_value = 10;
  coupon.max_discount_minor = 500;
  coupon.issued_at = ParseIso8601("2026-11-23T16:10:00Z").value();
  coupon.expires_at = ParseIso8601("2026-12-07T16:10:00Z").value();
  return {coupon, crypto::SignCoupon(coupon, key)};
}

CardLookup SampleLookup() {
  CardLookup lookup;
  lookup.card_number = "2000000000015";
  lookup.customer = CustomerSummary{42, 7, 12345, ParseIso8601("2025-01-02T03:04:05Z").value(),
                                    domain::Segment::kCantLose};
  lookup.coupons = {Issue("DAIRY"), Issue("BREAD")};
  return lookup;
}

TEST(CardLookup, RoundTripsWithSignedCoupons) {
  const CardLookup lookup = SampleLookup();
  const json body = CardLookupToJson(lookup);
  auto decoded = CardLookupFromJson(body, Key().verify_key());
  ASSERT_TRUE(decoded.ok()) << decoded.error().ToString();
  EXPECT_EQ(decoded->card_number, "2000000000015");
  ASSERT_TRUE(decoded->customer.has_value());
  EXPECT_EQ(decoded->customer->id, 42);
  EXPECT_EQ(decoded->customer->visits, 7);
  EXPECT_EQ(decoded->customer->total_spend_minor, 12345);
  EXPECT_EQ(FormatUtc(decoded->customer->member_since), "2025-01-02T03:04:05Z");
  EXPECT_EQ(body["customer"]["segment"], "cant_lose");
  EXPECT_EQ(decoded->customer->segment, domain::Segment::kCantLose);
  ASSERT_EQ(decoded->coupons.size(), 2u);
  EXPECT_EQ(decoded->coupons[0].coupon.target_value, "DAIRY");
  EXPECT_EQ(decoded->coupons[1].token, lookup.coupons[1].token);
  EXPECT_EQ(CardLookupToJson(*decoded), body);
}

TEST(CardLookup, RoundTripsANewCard) {
  CardLookup lookup;
  lookup.card_number = "2000000000015";
  const json body = CardLookupToJson(lookup);
  EXPECT_TRUE(body["customer"].is_null());
  auto decoded = CardLookupFromJson(body, Key().verify_key());
  ASSERT_TRUE(decoded.ok()) << decoded.error().ToString();
  EXPECT_FALSE(decoded->customer.has_value());
  EXPECT_TRUE(decoded->coupons.empty());
}

TEST(CardLookup, ASegmentAbsentNullOrUnknownReadsAsNoneAndANonStringIsRefused) {
  for (const json& segment : {json(nullptr), json("big_spenders")}) {
    json body = CardLookupToJson(SampleLookup());
    body["customer"]["segment"] = segment;
    auto decoded = CardLookupFromJson(body, Key().verify_key());
    ASSERT_TRUE(decoded.ok()) << decoded.error().ToString();
    EXPECT_FALSE(decoded->customer->segment.has_value()) << segment;
  }
  json body = CardLookupToJson(SampleLookup());
  body["customer"].erase("segment");  // a server from before segments
  ASSERT_TRUE(CardLookupFromJson(body, Key().verify_key()).ok());
  body["customer"]["segment"] = 3;
  EXPECT_EQ(CardLookupFromJson(body, Key().verify_key()).error().field, "customer.segment");
}

TEST(CardLookup, RefusesACouponWhosePlainFieldsDifferFromItsToken) {
  json body = CardLookupToJson(SampleLookup());
  body["coupons"][1]["discount_value"] = 100;
  auto decoded = CardLookupFromJson(body, Key().verify_key());
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.error().field, "coupons[1].token");
  EXPECT_NE(decoded.error().message.find("differ"), std::string::npos);

  body = CardLookupToJson(SampleLookup());
  body["coupons"][0]["expires_at"] = "2030-01-01T00:00:00Z";
  EXPECT_EQ(CardLookupFromJson(body, Key().verify_key()).error().field, "coupons[0].token");

  body = CardLookupToJson(SampleLookup());
  body["coupons"][0]["note"] = "extra";
  EXPECT_FALSE(CardLookupFromJson(body, Key().verify_key()).ok());

  body = CardLookupToJson(SampleLookup());
  body["coupons"][0].erase("title");
  EXPECT_FALSE(CardLookupFromJson(body, Key().verify_key()).ok());
}

TEST(CardLookup, RefusesACouponWithAnotherCouponsToken) {
  json body = CardLookupToJson(SampleLookup());
  body["coupons"][0]["token"] = body["coupons"][1]["token"];
  auto decoded = CardLookupFromJson(body, Key().verify_key());
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.error().field, "coupons[0].token");
}

TEST(CardLookup, RefusesACouponSignedByAnotherKey) {
  const crypto::SigningKey other = crypto::SigningKey::Generate();
  CardLookup lookup = SampleLookup();
  lookup.coupons.push_back(Issue("MEAT", other));
  auto decoded = CardLookupFromJson(CardLookupToJson(lookup), Key().verify_key());
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.error().field, "coupons[2].token");
}

TEST(CardLookup, RefusesACouponWithoutToken) {
  json body = CardLookupToJson(SampleLookup());
  body["coupons"][0].erase("token");
  auto decoded = CardLookupFromJson(body, Key().verify_key());
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.error().field, "coupons[0].token");
}

TEST(CardLookup, RefusesBadCustomerAndUnknownFields) {
  json body = CardLookupToJson(SampleLookup());
  body["customer"]["visits"] = -1;
  EXPECT_EQ(CardLookupFromJson(body, Key().verify_key()).error().field, "customer.visits");
  body = CardLookupToJson(SampleLookup());
  body["customer"]["member_since"] = "2025-01-02";
  EXPECT_EQ(CardLookupFromJson(body, Key().verify_key()).error().field, "customer.member_since");
  body = CardLookupToJson(SampleLookup());
  body["points"] = 10;
  EXPECT_EQ(CardLookupFromJson(body, Key().verify_key()).error().field, "points");
  body = CardLookupToJson(SampleLookup());
  body.erase("coupons");
  EXPECT_EQ(CardLookupFromJson(body, Key().verify_key()).error().field, "coupons");
}

TEST(PurchaseAck, RoundTripsWithSignedCoupons) {
  PurchaseAck ack;
  ack.purchase_id = "6f1c2a4e-8b3d-4c5e-9f70-1a2b3c4d5e6f";
  ack.customer_id = 42;
  ack.next_visit_coupons = {Issue("DAIRY")};
  const json body = PurchaseAckToJson(ack);
  auto decoded = PurchaseAckFromJson(body, Key().verify_key());
  ASSERT_TRUE(decoded.ok()) << decoded.error().ToString();
  EXPECT_EQ(decoded->purchase_id, ack.purchase_id);
  EXPECT_EQ(decoded->customer_id, 42);
  ASSERT_EQ(decoded->next_visit_coupons.size(), 1u);
  EXPECT_EQ(decoded->next_visit_coupons[0].token, ack.next_visit_coupons[0].token);
  EXPECT_EQ(PurchaseAckToJson(*decoded), body);
}

TEST(PurchaseAck, RoundTripsASaleWithoutCard) {
  PurchaseAck ack;
  ack.purchase_id = "6f1c2a4e-8b3d-4c5e-9f70-1a2b3c4d5e6f";
  const json body = PurchaseAckToJson(ack);
  EXPECT_TRUE(body["customer_id"].is_null());
  auto decoded = PurchaseAckFromJson(body, Key().verify_key());
  ASSERT_TRUE(decoded.ok()) << decoded.error().ToString();
  EXPECT_FALSE(decoded->customer_id.has_value());
  EXPECT_TRUE(decoded->next_visit_coupons.empty());
}

TEST(PurchaseAck, RefusesATamperedCoupon) {
  PurchaseAck ack;
  ack.purchase_id = "6f1c2a4e-8b3d-4c5e-9f70-1a2b3c4d5e6f";
  ack.customer_id = 42;
  ack.next_visit_coupons = {Issue("DAIRY")};
  json body = PurchaseAckToJson(ack);
  body["next_visit_coupons"][0]["max_discount"] = 5000;
  auto decoded = PurchaseAckFromJson(body, Key().verify_key());
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.error().field, "next_visit_coupons[0].token");
}

}  // namespace
}  // namespace loyalty::api
