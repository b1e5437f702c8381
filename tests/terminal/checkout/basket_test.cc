#include "checkout/basket.h"

#include <gtest/gtest.h>

namespace loyalty::terminal {
namespace {

const Timestamp kNow = ParseIso8601("2026-11-25T10:00:00Z").value();

domain::Product Product(std::string sku, std::string category, std::int64_t price,
                        bool couponable = true) {
  domain::Product product;
  product.sku = std::move(sku);
  product.name = "Item " + product.sku;
  product.department = "GROCERY";
  product.category = std::move(category);
  product.price_minor = price;
  product.couponable = couponable;
  return product;
}

domain::Coupon Coupon(domain::CouponTarget target, std::string value, domain::DiscountType type,
                      std::int64_t amount, std::int64_t customer_id = 42) {
  domain::Coupon coupon;
  coupon.customer_id = customer_id;
  coupon.card_number = "2000000000015";
  coupon.campaign = "next-visit";
  coupon.title = "test coupon";
  coupon.target = target;
  coupon.target_value = std::move(value);
  coupon.discount_type = type;
  coupon.discount_value = amount;
  coupon.issued_at = kNow - std::chrono::days(1);
  coupon.expires_at = kNow + std::chrono::days(13);
  return coupon;
}

Shopper MakeShopper(std::vector<domain::Coupon> coupons) {
  return Shopper{CardNumber::Parse("2000000000015").value(),
                 api::CustomerSummary{42, 3, 5000, kNow - std::chrono::days(100)},
                 std::move(coupons), true, {}};
}

Basket FilledBasket() {
  Basket basket(Currency::Usd());
  EXPECT_TRUE(basket.Add(Product("1002", "DAIRY", 450), 2).ok());
  EXPECT_TRUE(basket.Add(Product("2001", "BREAD", 249), 1).ok());
  EXPECT_TRUE(basket.Add(Product("1001", "DAIRY", 170), 2).ok());
  EXPECT_TRUE(basket.Add(Product("3001", "MEAT", 899, false), 1).ok());
  return basket;
}

void ExpectAcceptedByTheServer(const domain::Purchase& purchase) {
  const nlohmann::json json = domain::PurchaseToJson(purchase);
  auto decoded = domain::PurchaseFromJson(json);
  ASSERT_TRUE(decoded.ok()) << decoded.error().ToString() << "\n" << json.dump();
  EXPECT_EQ(domain::PurchaseToJson(*decoded), json);
  EXPECT_EQ(decoded->total_minor, decoded->SubtotalMinor() - decoded->DiscountMinor());
}

TEST(Basket, AddsLinesAndReturnsTheirIndex) {
  Basket basket(Currency::Usd());
  EXPECT_TRUE(basket.empty());
  auto first = basket.Add(Product("1", "A", 100), 3);
  auto second = basket.Add(Product("2", "B", 50, false), 1);
  ASSERT_TRUE(first.ok());
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(*first, 0u);
  EXPECT_EQ(*second, 1u);
  ASSERT_EQ(basket.lines().size(), 2u);
  EXPECT_EQ(basket.lines()[0].AmountMinor(), 300);
  EXPECT_EQ(basket.lines()[0].name, "Item 1");
  EXPECT_EQ(basket.lines()[0].category, "A");
  EXPECT_FALSE(basket.lines()[1].couponable);
}

TEST(Basket, RejectsQuantitiesOutOfRange) {
  Basket basket(Currency::Usd());
  for (std::int64_t quantity : {std::int64_t{0}, std::int64_t{-1}, std::int64_t{10000}}) {
    auto added = basket.Add(Product("1", "A", 100), quantity);
    ASSERT_FALSE(added.ok()) << quantity;
    EXPECT_EQ(added.error().field, "quantity");
  }
  EXPECT_TRUE(basket.empty());
  EXPECT_TRUE(basket.Add(Product("1", "A", 100), 9999).ok());
}

TEST(Basket, RejectsMoreLinesThanAPurchaseHolds) {
  Basket basket(Currency::Usd());
  for (std::size_t i = 0; i < domain::kMaxPurchaseLines; ++i) {
    ASSERT_TRUE(basket.Add(Product(std::to_string(i), "A", 1), 1).ok());
  }
  EXPECT_FALSE(basket.Add(Product("x", "A", 1), 1).ok());
  EXPECT_EQ(basket.lines().size(), domain::kMaxPurchaseLines);
}

TEST(Basket, TotalsWithoutAShopper) {
  const Basket basket = FilledBasket();
  const CouponOutcome coupons = basket.Coupons(kNow);
  EXPECT_TRUE(coupons.applied.empty());
  const Totals totals = basket.ComputeTotals(coupons);
  EXPECT_EQ(totals.subtotal_minor, 900 + 249 + 340 + 899);
  EXPECT_EQ(totals.discount_minor, 0);
  EXPECT_EQ(totals.total_minor, totals.subtotal_minor);
}

TEST(Basket, TotalsWithCoupons) {
  Basket basket = FilledBasket();
  basket.SetShopper(MakeShopper(
      {Coupon(domain::CouponTarget::kCategory, "DAIRY", domain::DiscountType::kPercentOff, 10),
       Coupon(domain::CouponTarget::kProduct, "2001", domain::DiscountType::kAmountOff, 50)}));
  const CouponOutcome coupons = basket.Coupons(kNow);
  EXPECT_EQ(coupons.applied.size(), 2u);
  const Totals totals = basket.ComputeTotals(coupons);
  EXPECT_EQ(totals.subtotal_minor, 2388);
  EXPECT_EQ(totals.discount_minor, 124 + 50);
  EXPECT_EQ(totals.total_minor, 2388 - 174);
}

TEST(Basket, FinishMakesAPurchaseTheServerAccepts) {
  Basket basket = FilledBasket();
  const auto dairy =
      Coupon(domain::CouponTarget::kCategory, "DAIRY", domain::DiscountType::kPercentOff, 10);
  const auto bread =
      Coupon(domain::CouponTarget::kProduct, "2001", domain::DiscountType::kAmountOff, 50);
  const auto stranger =
      Coupon(domain::CouponTarget::kBasket, "", domain::DiscountType::kAmountOff, 500, 7);
  basket.SetShopper(MakeShopper({dairy, bread, stranger}));
  const domain::Purchase purchase = basket.Finish("S001", "T01", kNow);

  EXPECT_EQ(purchase.store_id, "S001");
  EXPECT_EQ(purchase.terminal_id, "T01");
  EXPECT_EQ(purchase.occurred_at, kNow);
  EXPECT_EQ(purchase.currency, Currency::Usd());
  ASSERT_TRUE(purchase.card.has_value());
  EXPECT_EQ(purchase.card->digits(), "2000000000015");
  ASSERT_EQ(purchase.lines.size(), 4u);
  EXPECT_EQ(purchase.lines[0].sku, "1002");
  EXPECT_EQ(purchase.lines[0].quantity, 2);
  EXPECT_EQ(purchase.lines[0].unit_price_minor, 450);
  EXPECT_EQ(purchase.lines[0].amount_minor, 900);
  ASSERT_EQ(purchase.redemptions.size(), 2u);
  EXPECT_EQ(purchase.redemptions[0].coupon_id, dairy.id);
  EXPECT_EQ(purchase.redemptions[0].discount_minor, 124);
  EXPECT_EQ(purchase.redemptions[1].coupon_id, bread.id);
  EXPECT_EQ(purchase.SubtotalMinor(), 2388);
  EXPECT_EQ(purchase.total_minor, purchase.SubtotalMinor() - purchase.DiscountMinor());
  EXPECT_EQ(purchase.total_minor, 2214);
  ExpectAcceptedByTheServer(purchase);
}

TEST(Basket, FinishWithoutACard) {
  const domain::Purchase purchase = FilledBasket().Finish("S001", "T01", kNow);
  EXPECT_FALSE(purchase.card.has_value());
  EXPECT_TRUE(purchase.redemptions.empty());
  EXPECT_EQ(purchase.total_minor, 2388);
  ExpectAcceptedByTheServer(purchase);
}

TEST(Basket, FinishWithAFreeBasket) {
  Basket basket(Currency::Usd());
  ASSERT_TRUE(basket.Add(Product("1", "DAIRY", 199), 1).ok());
  basket.SetShopper(MakeShopper(
      {Coupon(domain::CouponTarget::kBasket, "", domain::DiscountType::kPercentOff, 100)}));
  const domain::Purchase purchase = basket.Finish("S001", "T01", kNow);
  EXPECT_EQ(purchase.total_minor, 0);
  EXPECT_EQ(purchase.DiscountMinor(), 199);
  ExpectAcceptedByTheServer(purchase);
}

TEST(Basket, FinishGivesEachSaleItsOwnId) {
  const Basket basket = FilledBasket();
  EXPECT_NE(basket.Finish("S001", "T01", kNow).id, basket.Finish("S001", "T01", kNow).id);
}

TEST(Basket, FinishOfARandomisedBasketAlwaysAddsUp) {
  // Deterministic pseudo-random baskets and coupons: whatever the mix, the server accepts.
  std::uint32_t state = 12345;
  const auto next = [&state](std::uint32_t bound) {
    state = state * 1103515245u + 12345u;
    return static_cast<std::int64_t>((state >> 8) % bound);
  };
  const char* categories[] = {"DAIRY", "BREAD", "MEAT", "FRUIT"};
  for (int round = 0; round < 200; ++round) {
    Basket basket(Currency::Usd());
    const std::int64_t lines = 1 + next(8);
    for (std::int64_t i = 0; i < lines; ++i) {
      ASSERT_TRUE(basket
                      .Add(Product(std::to_string(next(20)), categories[next(4)], next(5000),
                                   next(5) != 0),
                           1 + next(5))
                      .ok());
    }
    std::vector<domain::Coupon> coupons;
    const std::int64_t count = next(5);
    for (std::int64_t i = 0; i < count; ++i) {
      const bool percent = next(2) == 0;
      auto coupon = Coupon(domain::CouponTarget::kCategory, categories[next(4)],
                           percent ? domain::DiscountType::kPercentOff
                                   : domain::DiscountType::kAmountOff,
                           percent ? 1 + next(100) : 1 + next(3000));
      if (next(3) == 0) {
        coupon.target = domain::CouponTarget::kBasket;
        coupon.target_value = "";
      }
      coupon.max_discount_minor = next(2) == 0 ? 0 : next(1000);
      coupon.min_spend_minor = next(3) == 0 ? next(5000) : 0;
      coupons.push_back(coupon);
    }
    basket.SetShopper(MakeShopper(coupons));
    const domain::Purchase purchase = basket.Finish("S001", "T01", kNow);
    EXPECT_GE(purchase.total_minor, 0);
    ExpectAcceptedByTheServer(purchase);
    if (::testing::Test::HasFailure()) break;
  }
}

domain::Product Weighed(std::string sku, std::int64_t price_per_kg, std::int64_t tax_rate_bp) {
  auto product = Product(std::move(sku), "PRODUCE", price_per_kg);
  product.sold_by = domain::SoldBy::kWeight;
  product.tax_rate_bp = tax_rate_bp;
  return product;
}

TEST(Basket, PricesAWeighedLineByTheGram) {
  Basket basket(Currency::Usd());
  // 1.234 kg at 3.49/kg = 4.30666 -> 4.31.
  ASSERT_TRUE(basket.AddWeighed(Weighed("4011", 349, 225), 1234).ok());
  EXPECT_EQ(basket.lines()[0].AmountMinor(), 431);
  const auto purchase = basket.Finish("S001", "T01", kNow);
  ASSERT_EQ(purchase.lines.size(), 1u);
  EXPECT_EQ(purchase.lines[0].weight_grams, 1234);
  EXPECT_EQ(purchase.lines[0].quantity, 1);
  ExpectAcceptedByTheServer(purchase);
}

TEST(Basket, RefusesToCountAWeighedProductOrWeighACountedOne) {
  Basket basket(Currency::Usd());
  EXPECT_EQ(basket.Add(Weighed("4011", 349, 0), 1).error().field, "weight_grams");
  EXPECT_EQ(basket.AddWeighed(Product("1002", "DAIRY", 450), 500).error().field, "weight_grams");
  EXPECT_FALSE(basket.AddWeighed(Weighed("4011", 349, 0), 0).ok());
  EXPECT_FALSE(basket.AddWeighed(Weighed("4011", 349, 0), domain::kMaxLineWeightGrams + 1).ok());
  EXPECT_TRUE(basket.empty());
}

TEST(Basket, AVoidedLineIsNeitherSoldNorDiscounted) {
  Basket basket = FilledBasket();
  basket.SetShopper(MakeShopper(
      {Coupon(domain::CouponTarget::kCategory, "BREAD", domain::DiscountType::kPercentOff, 10)}));
  ASSERT_TRUE(basket.Void(1).ok());  // the bread
  EXPECT_FALSE(basket.Void(1).ok());
  EXPECT_EQ(basket.Void(9).error().field, "line");
  const auto coupons = basket.Coupons(kNow);
  EXPECT_TRUE(coupons.applied.empty());
  EXPECT_EQ(basket.ComputeTotals(coupons).subtotal_minor, 900 + 340 + 899);
  const auto purchase = basket.Finish("S001", "T01", kNow);
  EXPECT_EQ(purchase.lines.size(), 3u);
  ExpectAcceptedByTheServer(purchase);
  ASSERT_TRUE(basket.Void(0).ok());
  ASSERT_TRUE(basket.Void(2).ok());
  ASSERT_TRUE(basket.Void(3).ok());
  EXPECT_TRUE(basket.empty());
}

TEST(Basket, SumsTheTaxInsideThePricesByRateAfterCoupons) {
  Basket basket(Currency::Usd());
  auto milk = Product("1001", "DAIRY", 1000);
  milk.tax_rate_bp = 225;
  auto soap = Product("7001", "SOAP", 2050);
  soap.tax_rate_bp = 1025;
  ASSERT_TRUE(basket.Add(milk, 1).ok());
  ASSERT_TRUE(basket.Add(soap, 1).ok());
  // 3.00 off the basket, spread 10.00 : 20.50 -> 0.98 on the milk, 2.02 on the soap.
  basket.SetShopper(
      MakeShopper({Coupon(domain::CouponTarget::kBasket, "", domain::DiscountType::kAmountOff, 300)}));
  const Totals totals = basket.ComputeTotals(basket.Coupons(kNow));
  EXPECT_EQ(totals.total_minor, 2750);
  ASSERT_EQ(totals.taxes.size(), 2u);
  EXPECT_EQ(totals.taxes[0].rate_bp, 225);
  EXPECT_EQ(totals.taxes[0].gross_minor, 902);
  EXPECT_EQ(totals.taxes[0].tax_minor, 20);   // 902 * 2.25 / 102.25 = 19.85
  EXPECT_EQ(totals.taxes[0].net_minor, 882);
  EXPECT_EQ(totals.taxes[1].rate_bp, 1025);
  EXPECT_EQ(totals.taxes[1].gross_minor, 1848);
  EXPECT_EQ(totals.taxes[1].tax_minor, 172);  // 1848 * 10.25 / 110.25 = 171.81
  EXPECT_EQ(totals.taxes[0].gross_minor + totals.taxes[1].gross_minor, totals.total_minor);
  EXPECT_EQ(totals.TaxMinor(), 192);
}

TEST(Basket, MarksRedemptionsOfAnOfflineSaleForTheServerToCheck) {
  Basket basket = FilledBasket();
  Shopper shopper = MakeShopper(
      {Coupon(domain::CouponTarget::kCategory, "DAIRY", domain::DiscountType::kPercentOff, 10)});
  shopper.customer.reset();
  shopper.online = false;
  basket.SetShopper(shopper);
  const auto purchase = basket.Finish("S001", "T01", kNow);
  ASSERT_EQ(purchase.redemptions.size(), 1u);
  EXPECT_TRUE(purchase.redemptions[0].verified_offline);
  ExpectAcceptedByTheServer(purchase);
}

}  // namespace
}  // namespace loyalty::terminal
