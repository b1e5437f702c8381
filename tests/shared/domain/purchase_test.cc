#include "loyalty/domain/purchase.h"

#include <cctype>
#include <string>

#include <gtest/gtest.h>

namespace loyalty::domain {
namespace {

using nlohmann::json;

constexpr char kPurchaseId[] = "6f1c2a4e-8b3d-4c5e-9f70-1a2b3c4d5e6f";
constexpr char kCouponA[] = "0b7e1d2c-3a4f-4b5c-8d6e-7f8091a2b3c4";
constexpr char kCouponB[] = "1c8f2e3d-4b50-4c6d-9e7f-8091a2b3c4d5";

json ValidPurchaseJson() {
  return {{"id", kPurchaseId},
          {"store_id", "S001"},
          {"terminal_id", "T01"},
          {"card_number", "2000000000015"},
          {"occurred_at", "2026-11-23T16:10:00Z"},
          {"currency", "USD"},
          {"lines", json::array({{{"sku", "1001"}, {"quantity", 2}, {"unit_price", 199},
                                  {"amount", 398}},
                                 {{"sku", "1002"}, {"quantity", 1}, {"unit_price", 250},
                                  {"amount", 250}},
                                 {{"sku", "1003"}, {"quantity", 3}, {"unit_price", 0},
                                  {"amount", 0}}})},
          {"redemptions", json::array({{{"coupon_id", kCouponA}, {"discount", 50}}})},
          {"total", 598}};
}

// Expects `body` to be refused, naming `field`.
void ExpectRefused(const json& body, const std::string& field) {
  auto purchase = PurchaseFromJson(body);
  ASSERT_FALSE(purchase.ok()) << "accepted: " << body.dump();
  EXPECT_EQ(purchase.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(purchase.error().field, field) << purchase.error().ToString();
}

TEST(PurchaseFromJson, AcceptsAValidPurchase) {
  auto purchase = PurchaseFromJson(ValidPurchaseJson());
  ASSERT_TRUE(purchase.ok()) << purchase.error().ToString();
  EXPECT_EQ(purchase->id.str(), kPurchaseId);
  EXPECT_EQ(purchase->store_id, "S001");
  EXPECT_EQ(purchase->terminal_id, "T01");
  ASSERT_TRUE(purchase->card.has_value());
  EXPECT_EQ(purchase->card->digits(), "2000000000015");
  EXPECT_EQ(FormatUtc(purchase->occurred_at), "2026-11-23T16:10:00Z");
  EXPECT_EQ(purchase->currency.code(), "USD");
  ASSERT_EQ(purchase->lines.size(), 3u);
  EXPECT_EQ(purchase->lines[0].sku, "1001");
  EXPECT_EQ(purchase->lines[0].quantity, 2);
  EXPECT_EQ(purchase->lines[0].unit_price_minor, 199);
  EXPECT_EQ(purchase->lines[0].amount_minor, 398);
  ASSERT_EQ(purchase->redemptions.size(), 1u);
  EXPECT_EQ(purchase->redemptions[0].coupon_id.str(), kCouponA);
  EXPECT_EQ(purchase->redemptions[0].discount_minor, 50);
  EXPECT_EQ(purchase->SubtotalMinor(), 648);
  EXPECT_EQ(purchase->DiscountMinor(), 50);
  EXPECT_EQ(purchase->total_minor, 598);
}

TEST(PurchaseFromJson, RoundTripsThroughPurchaseToJson) {
  auto purchase = PurchaseFromJson(ValidPurchaseJson());
  ASSERT_TRUE(purchase.ok());
  const json written = PurchaseToJson(*purchase);
  EXPECT_EQ(written, ValidPurchaseJson());
  auto again = PurchaseFromJson(written);
  ASSERT_TRUE(again.ok()) << again.error().ToString();
  EXPECT_EQ(PurchaseToJson(*again), written);
}

TEST(PurchaseFromJson, AcceptsASaleWithoutCardOrCoupons) {
  json body = ValidPurchaseJson();
  body["card_number"] = nullptr;
  body["redemptions"] = json::array();
  body["total"] = 648;
  auto purchase = PurchaseFromJson(body);
  ASSERT_TRUE(purchase.ok()) << purchase.error().ToString();
  EXPECT_FALSE(purchase->card.has_value());
  EXPECT_EQ(PurchaseToJson(*purchase), body);
  body.erase("card_number");
  EXPECT_TRUE(PurchaseFromJson(body).ok());
}

TEST(PurchaseFromJson, RoundTripsTheCashier) {
  json body = ValidPurchaseJson();
  body["cashier_id"] = "C042";
  auto purchase = PurchaseFromJson(body);
  ASSERT_TRUE(purchase.ok()) << purchase.error().ToString();
  EXPECT_EQ(purchase->cashier_id, std::optional<std::string>("C042"));
  EXPECT_EQ(PurchaseToJson(*purchase), body);
  body["cashier_id"] = std::string(32, '~');
  purchase = PurchaseFromJson(body);
  ASSERT_TRUE(purchase.ok()) << purchase.error().ToString();
  EXPECT_EQ(purchase->cashier_id->size(), 32u);
  body["cashier_id"] = "Jo Ann 7";  // spaces inside are printable
  EXPECT_TRUE(PurchaseFromJson(body).ok());
}

TEST(PurchaseFromJson, ASaleFromAnOlderTillHasNoCashier) {
  auto purchase = PurchaseFromJson(ValidPurchaseJson());
  ASSERT_TRUE(purchase.ok());
  EXPECT_FALSE(purchase->cashier_id.has_value());
  // Left out, not null, so the body (and the server's hash of it) is what it was.
  EXPECT_FALSE(PurchaseToJson(*purchase).contains("cashier_id"));
  json body = ValidPurchaseJson();
  body["cashier_id"] = nullptr;
  purchase = PurchaseFromJson(body);
  ASSERT_TRUE(purchase.ok()) << purchase.error().ToString();
  EXPECT_FALSE(purchase->cashier_id.has_value());
}

TEST(PurchaseFromJson, RefusesBadCashierIds) {
  for (const json& bad : {json(""), json(std::string(33, 'C')), json("C\t42"), json("C\n42"),
                          json("C\x7f"), json("Caf\xc3\xa9"), json(" C042"), json("C042 "),
                          json(42), json(true), json::array({"C042"})}) {
    json body = ValidPurchaseJson();
    body["cashier_id"] = bad;
    ExpectRefused(body, "cashier_id");
  }
}

TEST(ParseCashierId, NamesTheFieldItWasGiven) {
  EXPECT_EQ(ParseCashierId("C042", "cashier").value(), "C042");
  const auto refused = ParseCashierId("", "cashier");
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().field, "cashier");
  EXPECT_NE(refused.error().message.find("1 to 32"), std::string::npos);
}

TEST(PurchaseFromJson, RefusesUnknownFields) {
  json body = ValidPurchaseJson();
  body["cashier"] = "Bob";
  ExpectRefused(body, "cashier");
  body = ValidPurchaseJson();
  body["lines"][1]["color"] = "red";
  ExpectRefused(body, "lines[1].color");
  body = ValidPurchaseJson();
  body["redemptions"][0]["reason"] = "x";
  ExpectRefused(body, "redemptions[0].reason");
}

TEST(PurchaseFromJson, RefusesMissingFields) {
  for (const char* field : {"id", "store_id", "terminal_id", "occurred_at", "currency", "lines",
                            "redemptions", "total"}) {
    json body = ValidPurchaseJson();
    body.erase(field);
    ExpectRefused(body, field);
  }
  for (const char* field : {"sku", "quantity", "unit_price", "amount"}) {
    json body = ValidPurchaseJson();
    body["lines"][1].erase(field);
    ExpectRefused(body, std::string("lines[1].") + field);
  }
  json body = ValidPurchaseJson();
  body["redemptions"][0].erase("discount");
  ExpectRefused(body, "redemptions[0].discount");
}

TEST(PurchaseFromJson, RefusesWrongTypes) {
  json body = ValidPurchaseJson();
  body["total"] = "598";
  ExpectRefused(body, "total");
  body = ValidPurchaseJson();
  body["total"] = 598.0;
  ExpectRefused(body, "total");
  body = ValidPurchaseJson();
  body["lines"][0]["quantity"] = "2";
  ExpectRefused(body, "lines[0].quantity");
  body = ValidPurchaseJson();
  body["store_id"] = 1;
  ExpectRefused(body, "store_id");
  body = ValidPurchaseJson();
  body["lines"] = "none";
  ExpectRefused(body, "lines");
  body = ValidPurchaseJson();
  body["card_number"] = 2000000000015;
  ExpectRefused(body, "card_number");
  ExpectRefused(json::array(), "body");
}

TEST(PurchaseFromJson, RefusesQuantitiesOutOfRange) {
  for (std::int64_t quantity : {std::int64_t{0}, std::int64_t{10000}, std::int64_t{-1}}) {
    json body = ValidPurchaseJson();
    body["lines"][1]["quantity"] = quantity;
    body["lines"][1]["amount"] = quantity * 250;
    ExpectRefused(body, "lines[1].quantity");
  }
  json body = ValidPurchaseJson();
  body["lines"][1]["quantity"] = 9999;
  body["lines"][1]["amount"] = 9999 * 250;
  body["total"] = 398 + 9999 * 250 - 50;
  EXPECT_TRUE(PurchaseFromJson(body).ok());
}

TEST(PurchaseFromJson, RefusesANegativePrice) {
  json body = ValidPurchaseJson();
  body["lines"][0]["unit_price"] = -199;
  body["lines"][0]["amount"] = -398;
  ExpectRefused(body, "lines[0].unit_price");
}

TEST(PurchaseFromJson, RefusesAnAmountThatIsNotQuantityTimesPrice) {
  json body = ValidPurchaseJson();
  body["lines"][1]["amount"] = 251;
  body["total"] = 599;
  ExpectRefused(body, "lines[1].amount");
  auto purchase = PurchaseFromJson(body);
  EXPECT_NE(purchase.error().message.find("250"), std::string::npos) << purchase.error().message;
}

TEST(PurchaseFromJson, PricesAWeighedLineByTheGramAndKeepsTheOfflineMark) {
  json body = ValidPurchaseJson();
  // 0.755 kg at 3.49 a kilogram is 2.63495: 2.63.
  body["lines"][2] = {{"sku", "4011"}, {"quantity", 1}, {"unit_price", 349},
                      {"weight_grams", 755}, {"amount", 263}};
  body["redemptions"][0]["verified_offline"] = true;
  body["total"] = 398 + 250 + 263 - 50;
  auto purchase = PurchaseFromJson(body);
  ASSERT_TRUE(purchase.ok()) << purchase.error().ToString();
  EXPECT_EQ(purchase->lines[2].weight_grams, 755);
  EXPECT_TRUE(purchase->redemptions[0].verified_offline);
  EXPECT_EQ(PurchaseToJson(*purchase), body);

  body["lines"][2]["amount"] = 264;
  body["total"] = 398 + 250 + 264 - 50;
  ExpectRefused(body, "lines[2].amount");
  body["lines"][2]["amount"] = 263;
  body["total"] = 398 + 250 + 263 - 50;
  body["lines"][2]["quantity"] = 2;
  ExpectRefused(body, "lines[2].quantity");
  body["lines"][2]["quantity"] = 1;
  body["lines"][2]["weight_grams"] = kMaxLineWeightGrams + 1;
  ExpectRefused(body, "lines[2].weight_grams");
}

TEST(PurchaseFromJson, RefusesATotalThatDoesNotAddUp) {
  for (std::int64_t total : {std::int64_t{597}, std::int64_t{599}, std::int64_t{648},
                             std::int64_t{0}}) {
    json body = ValidPurchaseJson();
    body["total"] = total;
    ExpectRefused(body, "total");
  }
  json body = ValidPurchaseJson();
  body["total"] = -50;
  ExpectRefused(body, "total");
}

TEST(PurchaseFromJson, RefusesDiscountsAboveTheSubtotal) {
  json body = ValidPurchaseJson();
  body["redemptions"] = json::array({{{"coupon_id", kCouponA}, {"discount", 400}},
                                     {{"coupon_id", kCouponB}, {"discount", 249}}});
  body["total"] = 0;
  ExpectRefused(body, "redemptions");
  // Exactly the subtotal is a free basket, which is allowed.
  body["redemptions"][1]["discount"] = 248;
  EXPECT_TRUE(PurchaseFromJson(body).ok());
}

TEST(PurchaseFromJson, RefusesZeroAndNegativeDiscounts) {
  json body = ValidPurchaseJson();
  body["redemptions"][0]["discount"] = 0;
  body["total"] = 648;
  ExpectRefused(body, "redemptions[0].discount");
  body["redemptions"][0]["discount"] = -5;
  body["total"] = 653;
  ExpectRefused(body, "redemptions[0].discount");
}

TEST(PurchaseFromJson, RefusesTheSameCouponTwice) {
  json body = ValidPurchaseJson();
  body["redemptions"] = json::array({{{"coupon_id", kCouponA}, {"discount", 10}},
                                     {{"coupon_id", kCouponB}, {"discount", 10}},
                                     {{"coupon_id", kCouponA}, {"discount", 30}}});
  ExpectRefused(body, "redemptions[2].coupon_id");
  // The same id in upper case is the same coupon.
  std::string upper = kCouponA;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  body["redemptions"][2]["coupon_id"] = upper;
  ExpectRefused(body, "redemptions[2].coupon_id");
}

TEST(PurchaseFromJson, RefusesABadCardCheckDigit) {
  json body = ValidPurchaseJson();
  body["card_number"] = "2000000000016";
  ExpectRefused(body, "card_number");
  body["card_number"] = "4006381333931";
  ExpectRefused(body, "card_number");
  body["card_number"] = "";
  ExpectRefused(body, "card_number");
}

TEST(PurchaseFromJson, RefusesBadUuids) {
  json body = ValidPurchaseJson();
  body["id"] = "not-a-uuid";
  ExpectRefused(body, "id");
  body = ValidPurchaseJson();
  body["id"] = "6f1c2a4e-8b3d-4c5e-9f70-1a2b3c4d5e6g";
  ExpectRefused(body, "id");
  body = ValidPurchaseJson();
  body["redemptions"][0]["coupon_id"] = "0b7e1d2c3a4f4b5c8d6e7f8091a2b3c4";
  ExpectRefused(body, "redemptions[0].coupon_id");
}

TEST(PurchaseFromJson, RefusesBadTimestamps) {
  for (const char* text : {"2026-11-23T16:10:00", "2026-02-30T10:00:00Z", "yesterday", ""}) {
    json body = ValidPurchaseJson();
    body["occurred_at"] = text;
    ExpectRefused(body, "occurred_at");
  }
}

TEST(PurchaseFromJson, RefusesUnknownCurrencyAndEmptyLines) {
  json body = ValidPurchaseJson();
  body["currency"] = "XXX";
  ExpectRefused(body, "currency");
  body = ValidPurchaseJson();
  body["lines"] = json::array();
  ExpectRefused(body, "lines");
}

TEST(PurchaseFromJson, RefusesOverlongIdentifiers) {
  json body = ValidPurchaseJson();
  body["store_id"] = std::string(33, 'S');
  ExpectRefused(body, "store_id");
  body = ValidPurchaseJson();
  body["lines"][0]["sku"] = std::string(kMaxSkuLength + 1, '9');
  ExpectRefused(body, "lines[0].sku");
}

}  // namespace
}  // namespace loyalty::domain
