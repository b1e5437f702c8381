#include "checkout/coupon_rules.h"

#include <algorithm>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace loyalty::terminal {
namespace {

const Timestamp kNow = ParseIso8601("2026-11-25T10:00:00Z").value();
constexpr std::int64_t kCustomer = 42;

domain::Coupon MakeCoupon(domain::CouponTarget target, std::string target_value,
                          domain::DiscountType type, std::int64_t value) {
  domain::Coupon coupon;
  coupon.customer_id = kCustomer;
  coupon.card_number = "2000000000015";
  coupon.campaign = "test";
  coupon.title = "coupon";
  coupon.target = target;
  coupon.target_value = std::move(target_value);
  coupon.discount_type = type;
  coupon.discount_value = value;
  coupon.issued_at = kNow - std::chrono::days(2);
  coupon.expires_at = kNow + std::chrono::days(12);
  return coupon;
}

domain::Coupon PercentOffCategory(const std::string& category, std::int64_t percent) {
  return MakeCoupon(domain::CouponTarget::kCategory, category, domain::DiscountType::kPercentOff,
                    percent);
}

domain::Coupon AmountOff(domain::CouponTarget target, const std::string& value,
                         std::int64_t amount) {
  return MakeCoupon(target, value, domain::DiscountType::kAmountOff, amount);
}

// DAIRY 2 x 4.50 + 2 x 1.70 = 12.40; BREAD 2.49; MEAT 8.99 (not couponable).
std::vector<BasketLine> Lines() {
  return {
      {"1002", "Cheddar", "DAIRY", 2, 450, true},
      {"2001", "Baguette", "BREAD", 1, 249, true},
      {"1001", "Milk", "DAIRY", 2, 170, true},
      {"3001", "Steak", "MEAT", 1, 899, false},
  };
}

CouponOutcome Apply(const std::vector<BasketLine>& lines,
                    const std::vector<domain::Coupon>& coupons,
                    std::optional<std::int64_t> customer = kCustomer) {
  return ApplyCoupons(lines, coupons, CouponHolder{customer, "2000000000015", {}}, Currency::Usd(),
                      kNow);
}

CouponOutcome ApplyOffline(const std::vector<BasketLine>& lines,
                           const std::vector<domain::Coupon>& coupons, const std::string& card) {
  return ApplyCoupons(lines, coupons, CouponHolder{std::nullopt, card, {}}, Currency::Usd(), kNow);
}

std::string ReasonFor(const CouponOutcome& outcome, const Uuid& id) {
  for (const auto& not_applied : outcome.not_applied) {
    if (not_applied.coupon.id == id) return not_applied.reason;
  }
  return "<applied or missing>";
}

TEST(ApplyCoupons, OfflineAppliesCouponsIssuedToThePresentedCard) {
  const auto coupon = PercentOffCategory("BREAD", 10);
  // The server could not say who holds the card: the coupon's card binding decides.
  const auto own_card = ApplyOffline(Lines(), {coupon}, "2000000000015");
  ASSERT_EQ(own_card.applied.size(), 1u);
  const auto other_card = ApplyOffline(Lines(), {coupon}, "2000000000022");
  EXPECT_TRUE(other_card.applied.empty());
  EXPECT_EQ(ReasonFor(other_card, coupon.id), "issued to another customer");
  EXPECT_TRUE(ApplyOffline(Lines(), {coupon}, "").applied.empty());
}

TEST(ApplyCoupons, TakesAPercentageOffACategory) {
  const auto coupon = PercentOffCategory("DAIRY", 10);
  const CouponOutcome outcome = Apply(Lines(), {coupon});
  ASSERT_EQ(outcome.applied.size(), 1u);
  EXPECT_TRUE(outcome.not_applied.empty());
  EXPECT_EQ(outcome.applied[0].coupon.id, coupon.id);
  EXPECT_EQ(outcome.applied[0].discount_minor, 124);  // 10% of 12.40
  EXPECT_EQ(outcome.applied[0].lines, (std::vector<std::size_t>{0, 2}));
  EXPECT_EQ(outcome.DiscountMinor(), 124);
}

TEST(ApplyCoupons, RoundsPercentagesHalfAwayFromZero) {
  std::vector<BasketLine> lines = {{"1", "A", "DAIRY", 1, 125, true}};
  // 10% of 1.25 is 12.5 cents: the shopper gets 13.
  EXPECT_EQ(Apply(lines, {PercentOffCategory("DAIRY", 10)}).DiscountMinor(), 13);
  lines[0].unit_price_minor = 124;
  EXPECT_EQ(Apply(lines, {PercentOffCategory("DAIRY", 10)}).DiscountMinor(), 12);
}

TEST(ApplyCoupons, TakesAnAmountOffAProductAndTheBasket) {
  const auto product = AmountOff(domain::CouponTarget::kProduct, "2001", 100);
  CouponOutcome outcome = Apply(Lines(), {product});
  ASSERT_EQ(outcome.applied.size(), 1u);
  EXPECT_EQ(outcome.applied[0].discount_minor, 100);
  EXPECT_EQ(outcome.applied[0].lines, (std::vector<std::size_t>{1}));

  const auto basket = AmountOff(domain::CouponTarget::kBasket, "", 300);
  outcome = Apply(Lines(), {basket});
  ASSERT_EQ(outcome.applied.size(), 1u);
  EXPECT_EQ(outcome.applied[0].discount_minor, 300);
  // The non-couponable steak is not one of the basket coupon's lines.
  EXPECT_EQ(outcome.applied[0].lines, (std::vector<std::size_t>{0, 1, 2}));
}

TEST(ApplyCoupons, ExplainsAMinimumSpendNotReached) {
  auto coupon = PercentOffCategory("DAIRY", 10);
  coupon.min_spend_minor = 2000;
  const CouponOutcome outcome = Apply(Lines(), {coupon});
  EXPECT_TRUE(outcome.applied.empty());
  EXPECT_EQ(ReasonFor(outcome, coupon.id), "needs 20.00 of DAIRY, basket has 12.40");

  coupon.min_spend_minor = 1240;  // exactly reached
  EXPECT_EQ(Apply(Lines(), {coupon}).DiscountMinor(), 124);

  auto basket = AmountOff(domain::CouponTarget::kBasket, "", 500);
  basket.min_spend_minor = 5000;
  EXPECT_EQ(ReasonFor(Apply(Lines(), {basket}), basket.id),
            "needs 50.00 of couponable items, basket has 14.89");
}

TEST(ApplyCoupons, CapsAtMaxDiscount) {
  auto coupon = PercentOffCategory("DAIRY", 50);
  coupon.max_discount_minor = 500;
  EXPECT_EQ(Apply(Lines(), {coupon}).DiscountMinor(), 500);  // 50% would be 6.20
  coupon.max_discount_minor = 0;                               // no cap
  EXPECT_EQ(Apply(Lines(), {coupon}).DiscountMinor(), 620);
}

TEST(ApplyCoupons, NeverDiscountsMoreThanTheLinesCost) {
  const auto coupon = AmountOff(domain::CouponTarget::kProduct, "2001", 1000);
  EXPECT_EQ(Apply(Lines(), {coupon}).DiscountMinor(), 249);
  EXPECT_EQ(Apply(Lines(), {PercentOffCategory("BREAD", 100)}).DiscountMinor(), 249);
  const auto basket = AmountOff(domain::CouponTarget::kBasket, "", 100000);
  EXPECT_EQ(Apply(Lines(), {basket}).DiscountMinor(), 1489);
}

TEST(ApplyCoupons, GivesEachLineOneCouponBestValueFirst) {
  const auto percent = PercentOffCategory("DAIRY", 10);                      // 1.24
  const auto amount = AmountOff(domain::CouponTarget::kCategory, "DAIRY", 200);  // 2.00
  const auto milk = AmountOff(domain::CouponTarget::kProduct, "1001", 50);       // 0.50
  const auto bread = AmountOff(domain::CouponTarget::kProduct, "2001", 20);      // 0.20
  const CouponOutcome outcome = Apply(Lines(), {bread, percent, milk, amount});
  ASSERT_EQ(outcome.applied.size(), 2u);
  EXPECT_EQ(outcome.applied[0].coupon.id, amount.id);
  EXPECT_EQ(outcome.applied[0].discount_minor, 200);
  EXPECT_EQ(outcome.applied[1].coupon.id, bread.id);
  EXPECT_EQ(outcome.DiscountMinor(), 220);
  EXPECT_EQ(ReasonFor(outcome, percent.id), "its items already carry another coupon");
  EXPECT_EQ(ReasonFor(outcome, milk.id), "its items already carry another coupon");
  // No line is discounted twice.
  std::vector<std::size_t> all;
  for (const auto& applied : outcome.applied) {
    all.insert(all.end(), applied.lines.begin(), applied.lines.end());
  }
  std::sort(all.begin(), all.end());
  EXPECT_EQ(std::adjacent_find(all.begin(), all.end()), all.end());
}

TEST(ApplyCoupons, AppliesASmallerCouponToLinesTheBestOneLeftFree) {
  const auto milk = AmountOff(domain::CouponTarget::kProduct, "1001", 300);  // 3.00 on 3.40
  const auto dairy = PercentOffCategory("DAIRY", 10);                         // 1.24
  const CouponOutcome outcome = Apply(Lines(), {dairy, milk});
  ASSERT_EQ(outcome.applied.size(), 2u);
  EXPECT_EQ(outcome.applied[0].coupon.id, milk.id);
  EXPECT_EQ(outcome.applied[1].coupon.id, dairy.id);
  // Valued again on what is left: 10% of the cheddar alone.
  EXPECT_EQ(outcome.applied[1].discount_minor, 90);
  EXPECT_EQ(outcome.applied[1].lines, (std::vector<std::size_t>{0}));
}

TEST(ApplyCoupons, DoesNotDependOnTheOrderCouponsArriveIn) {
  auto a = AmountOff(domain::CouponTarget::kCategory, "DAIRY", 100);
  auto b = AmountOff(domain::CouponTarget::kCategory, "DAIRY", 100);  // a tie
  const CouponOutcome forward = Apply(Lines(), {a, b});
  const CouponOutcome backward = Apply(Lines(), {b, a});
  ASSERT_EQ(forward.applied.size(), 1u);
  ASSERT_EQ(backward.applied.size(), 1u);
  EXPECT_EQ(forward.applied[0].coupon.id, backward.applied[0].coupon.id);
}

TEST(ApplyCoupons, ExplainsExpiredCoupons) {
  auto coupon = PercentOffCategory("DAIRY", 10);
  coupon.expires_at = kNow;
  const CouponOutcome outcome = Apply(Lines(), {coupon});
  EXPECT_TRUE(outcome.applied.empty());
  EXPECT_EQ(ReasonFor(outcome, coupon.id).rfind("expired ", 0), 0u) << ReasonFor(outcome, coupon.id);
}

TEST(ApplyCoupons, ExplainsAnotherCustomersCoupon) {
  auto coupon = PercentOffCategory("DAIRY", 10);
  coupon.customer_id = 7;
  EXPECT_EQ(ReasonFor(Apply(Lines(), {coupon}), coupon.id), "issued to another customer");
  // A card the server did not know yet holds no coupons of anyone's.
  coupon.customer_id = kCustomer;
  EXPECT_EQ(ReasonFor(ApplyOffline(Lines(), {coupon}, "2000000000022"), coupon.id),
            "issued to another customer");
}

TEST(ApplyCoupons, ExplainsAnotherCurrency) {
  auto coupon = PercentOffCategory("DAIRY", 10);
  coupon.currency = "EUR";
  EXPECT_EQ(ReasonFor(Apply(Lines(), {coupon}), coupon.id), "issued in EUR, this store sells in USD");
}

TEST(ApplyCoupons, ExplainsNoMatchingItem) {
  const auto fruit = PercentOffCategory("FRUIT", 10);
  const auto product = AmountOff(domain::CouponTarget::kProduct, "9999", 100);
  const CouponOutcome outcome = Apply(Lines(), {fruit, product});
  EXPECT_TRUE(outcome.applied.empty());
  EXPECT_EQ(ReasonFor(outcome, fruit.id), "no FRUIT in the basket");
  EXPECT_EQ(ReasonFor(outcome, product.id), "no 9999 in the basket");
}

TEST(ApplyCoupons, ExcludesNonCouponableLines) {
  // The steak is in the basket but not couponable: a MEAT coupon finds nothing to discount.
  const auto meat = PercentOffCategory("MEAT", 50);
  CouponOutcome outcome = Apply(Lines(), {meat});
  EXPECT_TRUE(outcome.applied.empty());
  EXPECT_EQ(ReasonFor(outcome, meat.id), "no MEAT in the basket");

  auto lines = Lines();
  lines[2].couponable = false;  // the milk too
  const auto dairy = PercentOffCategory("DAIRY", 10);
  outcome = Apply(lines, {dairy});
  ASSERT_EQ(outcome.applied.size(), 1u);
  EXPECT_EQ(outcome.applied[0].discount_minor, 90);
  EXPECT_EQ(outcome.applied[0].lines, (std::vector<std::size_t>{0}));

  std::vector<BasketLine> only_excluded = {{"3001", "Steak", "MEAT", 1, 899, false}};
  const auto whole_basket = AmountOff(domain::CouponTarget::kBasket, "", 100);
  EXPECT_EQ(ReasonFor(Apply(only_excluded, {whole_basket}), whole_basket.id),
            "no couponable items in the basket");
}

TEST(ApplyCoupons, ExplainsACouponWorthNothingOnThisBasket) {
  // 1% of 0.40 rounds to nothing: the coupon does not apply, and says why.
  const std::vector<BasketLine> lines = {{"1", "Gum", "CANDY", 1, 40, true}};
  const auto coupon = PercentOffCategory("CANDY", 1);
  const CouponOutcome outcome = Apply(lines, {coupon});
  EXPECT_TRUE(outcome.applied.empty());
  ASSERT_EQ(outcome.not_applied.size(), 1u);
  EXPECT_EQ(outcome.not_applied[0].reason, "gives no discount on 0.40 of CANDY");
}

TEST(ApplyCoupons, ReportsEveryCouponExactlyOnce) {
  auto expired = PercentOffCategory("DAIRY", 10);
  expired.expires_at = kNow - std::chrono::hours(1);
  const std::vector<domain::Coupon> coupons = {
      expired, PercentOffCategory("DAIRY", 10), AmountOff(domain::CouponTarget::kCategory, "DAIRY", 200),
      PercentOffCategory("FRUIT", 5), AmountOff(domain::CouponTarget::kBasket, "", 100)};
  const CouponOutcome outcome = Apply(Lines(), coupons);
  EXPECT_EQ(outcome.applied.size() + outcome.not_applied.size(), coupons.size());
  for (const auto& not_applied : outcome.not_applied) {
    EXPECT_FALSE(not_applied.reason.empty()) << not_applied.coupon.id.str();
  }
}

domain::Coupon BuyGet(domain::CouponTarget target, const std::string& value, std::int64_t buy,
                      std::int64_t get, std::int64_t percent = 100) {
  auto coupon = MakeCoupon(target, value, domain::DiscountType::kBuyXGetY, percent);
  coupon.buy_quantity = buy;
  coupon.get_quantity = get;
  return coupon;
}

domain::Coupon FreeItem(const std::string& sku, std::int64_t min_spend) {
  auto coupon = MakeCoupon(domain::CouponTarget::kProduct, sku, domain::DiscountType::kFreeItem, 0);
  coupon.get_quantity = 1;
  coupon.min_spend_minor = min_spend;
  return coupon;
}

TEST(ApplyCoupons, BuyTwoGetOneFreeDiscountsTheCheapestOfEachGroup) {
  // Seven DAIRY items: 3 x 4.50, 4 x 1.70. Two whole groups of three: the two cheapest
  // items (1.70 each) are free; the seventh item pays full price.
  const std::vector<BasketLine> lines = {{"1002", "Cheddar", "DAIRY", 3, 450, true},
                                         {"1001", "Milk", "DAIRY", 4, 170, true}};
  const auto coupon = BuyGet(domain::CouponTarget::kCategory, "DAIRY", 2, 1);
  const CouponOutcome outcome = Apply(lines, {coupon});
  ASSERT_EQ(outcome.applied.size(), 1u);
  EXPECT_EQ(outcome.applied[0].discount_minor, 340);
  EXPECT_EQ(outcome.applied[0].lines, (std::vector<std::size_t>{0, 1}));
}

TEST(ApplyCoupons, BuyXGetYAtHalfPriceAndWithTooFewItems) {
  const std::vector<BasketLine> lines = {{"2001", "Baguette", "BREAD", 2, 249, true}};
  const auto half = BuyGet(domain::CouponTarget::kProduct, "2001", 1, 1, 50);
  EXPECT_EQ(Apply(lines, {half}).applied.at(0).discount_minor, 125);  // 2.49 / 2, rounded
  const auto three_for_two = BuyGet(domain::CouponTarget::kProduct, "2001", 2, 1);
  EXPECT_EQ(ReasonFor(Apply(lines, {three_for_two}), three_for_two.id),
            "needs 3 items of 2001, basket has 2");
}

TEST(ApplyCoupons, WeighedItemsDoNotCountForItemCoupons) {
  const std::vector<BasketLine> lines = {
      {"4011", "Bananas", "FRUIT", 1, 199, true, 225, std::int64_t{1500}}};
  const auto coupon = BuyGet(domain::CouponTarget::kCategory, "FRUIT", 1, 1);
  EXPECT_EQ(ReasonFor(Apply(lines, {coupon}), coupon.id),
            "weighed items do not count for this coupon");
  // A percentage does apply to a weighed line: 10% of 1.5 kg at 1.99 = 2.99 (2.985).
  const auto percent = PercentOffCategory("FRUIT", 10);
  EXPECT_EQ(Apply(lines, {percent}).applied.at(0).discount_minor, 30);
}

TEST(ApplyCoupons, FreeItemNeedsTheBasketSpendAndTheItem) {
  const auto coffee = FreeItem("2001", 1500);
  // Couponable spend is 12.40 + 2.49 = 14.89 (the steak is not couponable).
  EXPECT_EQ(ReasonFor(Apply(Lines(), {coffee}), coffee.id),
            "needs 15.00 of couponable items, basket has 14.89");
  auto lines = Lines();
  lines[1].quantity = 2;  // a second baguette: 17.38 of couponable spend
  const CouponOutcome outcome = Apply(lines, {coffee});
  ASSERT_EQ(outcome.applied.size(), 1u);
  EXPECT_EQ(outcome.applied[0].discount_minor, 249);  // one of the two free
  const auto missing = FreeItem("9999", 0);
  EXPECT_EQ(ReasonFor(Apply(Lines(), {missing}), missing.id), "no 9999 in the basket");
}

TEST(ApplyCoupons, NeverAppliesACouponThisTillSpentBefore) {
  const auto coupon = PercentOffCategory("DAIRY", 10);
  CouponHolder holder{kCustomer, "2000000000015", {{coupon.id.str(), kNow - std::chrono::hours(2)}}};
  const CouponOutcome outcome = ApplyCoupons(Lines(), {coupon}, holder, Currency::Usd(), kNow);
  EXPECT_TRUE(outcome.applied.empty());
  EXPECT_EQ(ReasonFor(outcome, coupon.id).rfind("already used on this till ", 0), 0u)
      << ReasonFor(outcome, coupon.id);
}

TEST(ApplyCoupons, TakesAtMostTenCouponsASale) {
  std::vector<BasketLine> lines;
  std::vector<domain::Coupon> coupons;
  for (int i = 0; i < 12; ++i) {
    const std::string sku = std::to_string(5000 + i);
    lines.push_back({sku, "Item", "GROCERY", 1, 1000 + i, true});
    coupons.push_back(AmountOff(domain::CouponTarget::kProduct, sku, 100 + i));
  }
  const CouponOutcome outcome = Apply(lines, coupons);
  ASSERT_EQ(outcome.applied.size(), kMaxCouponsPerSale);
  ASSERT_EQ(outcome.not_applied.size(), 2u);
  // The two of least value are the ones left out.
  EXPECT_EQ(outcome.not_applied[0].coupon.discount_value, 101);
  EXPECT_EQ(outcome.not_applied[0].reason, "a sale takes at most 10 coupons");
}

TEST(ApplyCoupons, IgnoresVoidedLines) {
  auto lines = Lines();
  lines[1].voided = true;  // the baguette
  const auto coupon = PercentOffCategory("BREAD", 10);
  EXPECT_EQ(ReasonFor(Apply(lines, {coupon}), coupon.id), "no BREAD in the basket");
}

}  // namespace
}  // namespace loyalty::terminal
