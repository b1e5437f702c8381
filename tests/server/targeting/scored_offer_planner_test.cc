#include "targeting/scored_offer_planner.h"

#include <gtest/gtest.h>

#include "targeting/campaign_offers.h"
#include "targeting/coupon_terms.h"

namespace loyalty::server {
namespace {

const Timestamp kNow = ParseIso8601("2026-11-23T16:10:00Z").value();
const CardNumber kCard = CardNumber::Parse("2000000000015").value();

domain::Campaign NextVisit(std::string id = "nv") {
  domain::Campaign campaign;
  campaign.id = std::move(id);
  campaign.name = "Next visit";
  campaign.kind = domain::CampaignKind::kNextVisit;
  campaign.starts_at = kNow - std::chrono::days(10);
  campaign.ends_at = kNow + std::chrono::days(10);
  campaign.min_depth = 5;
  campaign.max_depth = 30;
  campaign.budget_minor = 100'000;
  campaign.per_customer_cap = 5;
  campaign.validity_days = 7;
  campaign.control_basis_points = 0;
  return campaign;
}

// A: likely to respond, the better value for cost; B: the runner-up.
NextVisitCandidate CandidateA(const std::string& campaign = "nv") {
  return {campaign, "A-1", "Coffee beans", "COFFEE", 1000, 0.4, 0.02, 0};
}
NextVisitCandidate CandidateB(const std::string& campaign = "nv") {
  return {campaign, "B-2", "Rice", "GRAINS", 500, 0.3, 0.05, 0};
}

CustomerProfile Profile(std::vector<domain::Campaign> campaigns,
                        std::vector<NextVisitCandidate> candidates) {
  CustomerProfile profile;
  profile.customer_id = 42;
  profile.currency = "EUR";
  profile.visits = 3;
  profile.categories.push_back({"DAIRY", 9000, 3, kNow});
  for (auto& campaign : campaigns) profile.campaigns.push_back({std::move(campaign)});
  profile.candidates = std::move(candidates);
  return profile;
}

// How the nightly run prices a candidate for a percent-off campaign.
targeting::PricedOffer Priced(const NextVisitCandidate& candidate,
                              const domain::Campaign& campaign = NextVisit()) {
  targeting::OfferCandidate economics;
  economics.unit_price_minor = candidate.unit_price_minor;
  economics.margin_rate = candidate.margin_rate;
  economics.probability = candidate.probability;
  targeting::CouponTerms terms;
  terms.min_spend_minor = campaign.min_spend_minor;
  terms.max_discount_minor = campaign.max_discount_minor;
  return targeting::BestCoupon(economics, terms,
                               targeting::DepthGrid(domain::DiscountType::kPercentOff,
                                                    campaign.min_depth, campaign.max_depth, 5),
                               {})
      ->priced;
}

TEST(ScoredOfferPlanner, WithoutANextVisitCampaignIssuesTheConfiguredCoupon) {
  NextVisitOptions configured;
  configured.percent_off = 15;
  const ScoredOfferPlanner planner({.fallback = configured});
  const TopCategoryPlanner today(configured);
  const CustomerProfile profile = Profile({}, {});
  const auto offers = planner.PlanOffers(profile, kCard, kNow);
  const auto expected = today.Plan(profile, kCard, kNow);
  ASSERT_EQ(offers.size(), 1u);
  ASSERT_EQ(expected.size(), 1u);
  EXPECT_TRUE(offers[0].campaign_id.empty());
  EXPECT_EQ(offers[0].coupon.campaign, expected[0].campaign);
  EXPECT_EQ(offers[0].coupon.title, expected[0].title);
  EXPECT_EQ(offers[0].coupon.discount_value, 15);
  EXPECT_EQ(offers[0].coupon.target_value, "DAIRY");
}

TEST(ScoredOfferPlanner, IssuesTheCandidateWithTheBestValueForCost) {
  const ScoredOfferPlanner planner;
  const auto offers = planner.PlanOffers(Profile({NextVisit()}, {CandidateB(), CandidateA()}),
                                         kCard, kNow);
  ASSERT_EQ(offers.size(), 1u);  // one per purchase by default
  const PlannedOffer& offer = offers[0];
  const targeting::PricedOffer expected = Priced(CandidateA());
  ASSERT_GT(expected.ValueForCost(), Priced(CandidateB()).ValueForCost());
  EXPECT_EQ(offer.campaign_id, "nv");
  EXPECT_FALSE(offer.control);
  EXPECT_EQ(offer.coupon.campaign, "nv");
  EXPECT_EQ(offer.coupon.target, domain::CouponTarget::kProduct);
  EXPECT_EQ(offer.coupon.target_value, "A-1");
  EXPECT_EQ(offer.coupon.discount_value, expected.depth_percent);
  EXPECT_EQ(offer.coupon.title, std::to_string(expected.depth_percent) + "% off Coffee beans");
  EXPECT_EQ(offer.coupon.customer_id, 42);
  EXPECT_EQ(offer.coupon.card_number, kCard.digits());
  EXPECT_EQ(offer.coupon.expires_at, kNow + std::chrono::days(7));
  EXPECT_DOUBLE_EQ(offer.expected_cost_minor, expected.expected_cost_minor);
  EXPECT_DOUBLE_EQ(offer.probability, 0.02);
  // Plan gives the same coupon.
  const auto coupons = planner.Plan(Profile({NextVisit()}, {CandidateA()}), kCard, kNow);
  ASSERT_EQ(coupons.size(), 1u);
  EXPECT_EQ(coupons[0].target_value, "A-1");
}

// Amount off, buy x get y and free item campaigns are priced as the nightly run prices
// them (BestCoupon over the campaign's grid of depths), and the coupon carries the
// campaign's terms and the batch's title.
TEST(ScoredOfferPlanner, PricesEveryDiscountTypeAsTheNightDoes) {
  struct Type {
    domain::DiscountType type;
    std::int64_t min_depth, max_depth, buy, get, min_spend, max_discount;
    const char* title;
  };
  // A free 10.00 item at 40% margin costs more than it brings; capped at 1.00 it pays.
  const Type types[] = {
      {domain::DiscountType::kAmountOff, 50, 300, 0, 0, 0, 0, nullptr},
      {domain::DiscountType::kBuyXGetY, 50, 100, 2, 1, 0, 0, nullptr},
      {domain::DiscountType::kFreeItem, 0, 0, 0, 1, 200, 100, "Free Coffee beans with "},
  };
  for (const Type& type : types) {
    SCOPED_TRACE(domain::DiscountTypeName(type.type));
    domain::Campaign campaign = NextVisit();
    campaign.discount_type = type.type;
    campaign.min_depth = type.min_depth;
    campaign.max_depth = type.max_depth;
    campaign.buy_quantity = type.buy;
    campaign.get_quantity = type.get;
    campaign.min_spend_minor = type.min_spend;
    campaign.max_discount_minor = type.max_discount;
    targeting::OfferCandidate economics;
    economics.unit_price_minor = 1000;
    economics.margin_rate = 0.4;
    economics.probability = 0.02;
    const auto expected = targeting::BestCoupon(
        economics, targeting::TermsOf(campaign),
        targeting::DepthGrid(type.type, std::max<std::int64_t>(1, type.min_depth),
                             type.max_depth, 5, 10),
        {});
    ASSERT_TRUE(expected.has_value());

    const auto offers =
        ScoredOfferPlanner().PlanOffers(Profile({campaign}, {CandidateA()}), kCard, kNow);
    ASSERT_EQ(offers.size(), 1u);
    const domain::Coupon& coupon = offers[0].coupon;
    EXPECT_EQ(coupon.discount_type, type.type);
    EXPECT_EQ(coupon.discount_value, expected->terms.depth);
    EXPECT_EQ(coupon.buy_quantity, type.buy);
    EXPECT_EQ(coupon.get_quantity, type.get);
    EXPECT_EQ(coupon.min_spend_minor, type.min_spend);
    EXPECT_EQ(coupon.target_value, "A-1");
    EXPECT_DOUBLE_EQ(offers[0].expected_cost_minor, expected->priced.expected_cost_minor);
    EXPECT_EQ(coupon.title,
              targeting::CouponTitle(coupon, "Coffee beans", Currency::FromCode("EUR").value()));
    if (type.title != nullptr) {
      EXPECT_EQ(coupon.title.rfind(type.title, 0), 0u) << coupon.title;
    }
  }
}

TEST(ScoredOfferPlanner, AProductInThisBasketIsNotOffered) {
  const ScoredOfferPlanner planner;
  CustomerProfile profile = Profile({NextVisit()}, {CandidateA(), CandidateB()});
  profile.basket_skus = {"A-1", "X-9"};
  const auto offers = planner.PlanOffers(profile, kCard, kNow);
  ASSERT_EQ(offers.size(), 1u);
  EXPECT_EQ(offers[0].coupon.target_value, "B-2");
}

TEST(ScoredOfferPlanner, AProductBoughtEveryOtherVisitLosesHalfItsPull) {
  ScoredOfferOptions options;
  options.max_per_purchase = 2;
  const ScoredOfferPlanner planner(options);
  NextVisitCandidate every_other = CandidateA();
  every_other.gap_visits = 2;
  CustomerProfile profile = Profile({NextVisit()}, {every_other});
  profile.basket_skus = {"A-1"};
  const auto offers = planner.PlanOffers(profile, kCard, kNow);
  ASSERT_EQ(offers.size(), 1u);
  EXPECT_DOUBLE_EQ(offers[0].probability, 0.01);
  EXPECT_LT(offers[0].expected_value_minor, Priced(CandidateA()).expected_value_minor);
  // Bought at every visit, it stays as due as the night said.
  every_other.gap_visits = 1;
  profile.candidates = {every_other};
  EXPECT_DOUBLE_EQ(planner.PlanOffers(profile, kCard, kNow).at(0).probability, 0.02);
}

TEST(ScoredOfferPlanner, SkipsProductsTheCustomerHoldsACouponFor) {
  const ScoredOfferPlanner planner;
  CustomerProfile profile = Profile({NextVisit()}, {CandidateA(), CandidateB()});
  domain::Coupon held;
  held.target = domain::CouponTarget::kCategory;
  held.target_value = "COFFEE";
  profile.live_coupons.push_back(held);
  auto offers = planner.PlanOffers(profile, kCard, kNow);
  ASSERT_EQ(offers.size(), 1u);
  EXPECT_EQ(offers[0].coupon.target_value, "B-2");
  held.target = domain::CouponTarget::kProduct;
  held.target_value = "B-2";
  profile.live_coupons.push_back(held);
  EXPECT_TRUE(planner.PlanOffers(profile, kCard, kNow).empty());
}

TEST(ScoredOfferPlanner, OffersOnlyWhatBeatsTheShadowPrice) {
  const ScoredOfferPlanner planner;
  CustomerProfile profile = Profile({NextVisit()}, {CandidateA(), CandidateB()});
  // Between B's value for cost and A's: A only.
  profile.campaigns[0].shadow_price =
      (Priced(CandidateA()).ValueForCost() + Priced(CandidateB()).ValueForCost()) / 2;
  ScoredOfferOptions two;
  two.max_per_purchase = 2;
  auto offers = ScoredOfferPlanner(two).PlanOffers(profile, kCard, kNow);
  ASSERT_EQ(offers.size(), 1u);
  EXPECT_EQ(offers[0].coupon.target_value, "A-1");
  profile.campaigns[0].shadow_price = Priced(CandidateA()).ValueForCost() + 0.01;
  EXPECT_TRUE(planner.PlanOffers(profile, kCard, kNow).empty());
}

TEST(ScoredOfferPlanner, StaysWithinTheBudgetLeftAndTheCustomersCap) {
  const ScoredOfferPlanner planner;
  CustomerProfile profile = Profile({NextVisit()}, {CandidateA(), CandidateB()});
  NextVisitCampaign& state = profile.campaigns[0];
  // Money for B's expected cost but not A's: B.
  state.spent_minor = static_cast<double>(state.campaign.budget_minor) -
                      (Priced(CandidateA()).expected_cost_minor + Priced(CandidateB()).expected_cost_minor) / 2;
  ASSERT_LT(Priced(CandidateB()).expected_cost_minor, Priced(CandidateA()).expected_cost_minor);
  auto offers = planner.PlanOffers(profile, kCard, kNow);
  ASSERT_EQ(offers.size(), 1u);
  EXPECT_EQ(offers[0].coupon.target_value, "B-2");
  state.spent_minor = static_cast<double>(state.campaign.budget_minor);
  EXPECT_TRUE(planner.PlanOffers(profile, kCard, kNow).empty());

  state.spent_minor = 0;
  state.campaign.budget_coupons = 10;
  state.issued = 10;
  EXPECT_TRUE(planner.PlanOffers(profile, kCard, kNow).empty());
  state.issued = 9;
  EXPECT_EQ(planner.PlanOffers(profile, kCard, kNow).size(), 1u);

  state.customer_offers = state.campaign.per_customer_cap;
  EXPECT_TRUE(planner.PlanOffers(profile, kCard, kNow).empty());
}

TEST(ScoredOfferPlanner, ACustomerInTheControlGroupHasTheOfferRecordedNotIssued) {
  // A campaign whose control group holds customer 42, by the batch's own hash.
  domain::Campaign campaign = NextVisit();
  campaign.control_basis_points = 4999;
  for (int i = 0; !targeting::InControlGroup(campaign, "42"); ++i) {
    campaign.id = "nv-" + std::to_string(i);
  }
  const ScoredOfferPlanner planner;
  const CustomerProfile profile =
      Profile({campaign}, {CandidateA(campaign.id), CandidateB(campaign.id)});
  const auto offers = planner.PlanOffers(profile, kCard, kNow);
  ASSERT_EQ(offers.size(), 1u);
  EXPECT_TRUE(offers[0].control);
  EXPECT_EQ(offers[0].coupon.target_value, "A-1");
  EXPECT_TRUE(planner.Plan(profile, kCard, kNow).empty());
}

TEST(ScoredOfferPlanner, ACustomerWithoutCandidatesGetsTheTopCategoryWithinTheCampaign) {
  NextVisitOptions configured;
  configured.percent_off = 50;  // deeper than the campaign allows
  configured.max_discount_minor = 500;
  const ScoredOfferPlanner planner({.fallback = configured});
  domain::Campaign campaign = NextVisit();
  campaign.max_discount_minor = 300;
  const auto offers = planner.PlanOffers(Profile({campaign}, {}), kCard, kNow);
  ASSERT_EQ(offers.size(), 1u);
  const PlannedOffer& offer = offers[0];
  EXPECT_EQ(offer.campaign_id, "nv");
  EXPECT_EQ(offer.coupon.target, domain::CouponTarget::kCategory);
  EXPECT_EQ(offer.coupon.target_value, "DAIRY");
  EXPECT_EQ(offer.coupon.discount_value, 30);
  EXPECT_EQ(offer.coupon.max_discount_minor, 300);
  EXPECT_EQ(offer.coupon.title, "30% off DAIRY");
  EXPECT_DOUBLE_EQ(offer.expected_cost_minor, 300);  // the most it can give away

  // A campaign for products only cannot carry a category coupon.
  campaign.targets = {{domain::CouponTarget::kProduct, "A-1"}};
  EXPECT_TRUE(planner.PlanOffers(Profile({campaign}, {}), kCard, kNow).empty());
}

// Before its first night a new card's category coupon is the campaign's kind, as the
// nightly run would issue it: an amount off (the smallest the campaign allows, its whole
// amount charged) or a buy-x-get-y (charged the cap), never a percent off the campaign
// does not give. A free item is one of the campaign's products, never a category: such a
// campaign (one a test builds around campaign.cc's check) gives no category coupon.
TEST(ScoredOfferPlanner, ACustomerWithoutCandidatesGetsTheCampaignsKindOfCoupon) {
  struct Type {
    domain::DiscountType type;
    std::int64_t min_depth, max_depth, buy, get, min_spend, max_discount;
    std::int64_t depth;
    double cost;
    const char* title;
  };
  const Type types[] = {
      {domain::DiscountType::kAmountOff, 50, 300, 0, 0, 0, 0, 50, 50, "0.50 off DAIRY"},
      {domain::DiscountType::kBuyXGetY, 50, 100, 2, 1, 0, 0, 50, 500,
       "Buy 2 get 1 at 50% off: DAIRY"},
  };
  NextVisitOptions configured;  // 10% off, capped at 5.00
  const ScoredOfferPlanner planner({.fallback = configured});
  for (const Type& type : types) {
    SCOPED_TRACE(domain::DiscountTypeName(type.type));
    domain::Campaign campaign = NextVisit();
    campaign.discount_type = type.type;
    campaign.min_depth = type.min_depth;
    campaign.max_depth = type.max_depth;
    campaign.buy_quantity = type.buy;
    campaign.get_quantity = type.get;
    campaign.min_spend_minor = type.min_spend;
    campaign.max_discount_minor = type.max_discount;
    const auto offers = planner.PlanOffers(Profile({campaign}, {}), kCard, kNow);
    ASSERT_EQ(offers.size(), 1u);
    const domain::Coupon& coupon = offers[0].coupon;
    EXPECT_EQ(coupon.target, domain::CouponTarget::kCategory);
    EXPECT_EQ(coupon.target_value, "DAIRY");
    EXPECT_EQ(coupon.discount_type, type.type);
    EXPECT_EQ(coupon.discount_value, type.depth);
    EXPECT_EQ(coupon.buy_quantity, type.buy);
    EXPECT_EQ(coupon.get_quantity, type.get);
    EXPECT_EQ(coupon.min_spend_minor, type.min_spend);
    EXPECT_EQ(coupon.title, type.title);
    EXPECT_DOUBLE_EQ(offers[0].expected_cost_minor, type.cost);
  }
  domain::Campaign free_item = NextVisit();
  free_item.discount_type = domain::DiscountType::kFreeItem;
  free_item.min_spend_minor = 200;
  free_item.get_quantity = 1;
  EXPECT_TRUE(planner.PlanOffers(Profile({free_item}, {}), kCard, kNow).empty());
}

TEST(ScoredOfferPlanner, AMinimumSpendIsPricedAsTheNightPricesIt) {
  // 2.00 rice with a 10.00 minimum spend: a redeemer buys five, and the coupon takes its
  // percentage off all five, so it costs five times what one unit would.
  domain::Campaign campaign = NextVisit();
  campaign.min_spend_minor = 1000;
  const NextVisitCandidate rice{"nv", "B-2", "Rice", "GRAINS", 200, 0.3, 0.3, 0};
  const auto offers =
      ScoredOfferPlanner().PlanOffers(Profile({campaign}, {rice}), kCard, kNow);
  ASSERT_EQ(offers.size(), 1u);
  const targeting::PricedOffer night = Priced(rice, campaign);
  EXPECT_EQ(offers[0].coupon.min_spend_minor, 1000);
  EXPECT_EQ(offers[0].depth_percent, night.depth_percent);
  EXPECT_EQ(offers[0].discount_minor, 5 * 200 * night.depth_percent / 100);
  EXPECT_DOUBLE_EQ(offers[0].expected_cost_minor, night.expected_cost_minor);
}

TEST(ScoredOfferPlanner, AnUncappedFallbackCouponStillSpendsTheBudget) {
  NextVisitOptions configured;
  configured.max_discount_minor = 0;  // no cap in the configuration, none in the campaign
  const ScoredOfferPlanner planner({.fallback = configured});
  CustomerProfile profile = Profile({NextVisit()}, {});
  profile.total_spend_minor = 6000;  // 20.00 per visit over 3 visits
  const auto offers = planner.PlanOffers(profile, kCard, kNow);
  ASSERT_EQ(offers.size(), 1u);
  EXPECT_EQ(offers[0].coupon.max_discount_minor, 0);
  EXPECT_DOUBLE_EQ(offers[0].expected_cost_minor, 2000.0 * 10 / 100);  // 10% of 20.00
}

TEST(ScoredOfferPlanner, CandidatesOfACampaignNotRunningAreIgnored) {
  const ScoredOfferPlanner planner;
  // Candidates of "old" only: the running "nv" sees a customer without candidates.
  const auto offers =
      planner.PlanOffers(Profile({NextVisit()}, {CandidateA("old")}), kCard, kNow);
  ASSERT_EQ(offers.size(), 1u);
  EXPECT_EQ(offers[0].coupon.target, domain::CouponTarget::kCategory);
}

}  // namespace
}  // namespace loyalty::server
