#include "targeting/campaign_offers.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <numeric>
#include <random>
#include <set>
#include <span>
#include <stdexcept>
#include <tuple>

namespace loyalty::server::targeting {
namespace {

constexpr std::int64_t kDay = 86'400;
// 2026-12-04T00:00:00Z, the run's date.
constexpr std::int64_t kRunAt = 1'796'342'400;

// A customer's visits, as days before the run; every visit buys `product`.
struct Shopper {
  std::string id;
  std::vector<std::int64_t> days_before_run;  // oldest first
  std::string product = "milk";
};

TransactionHistory MakeHistory(const std::vector<Shopper>& shoppers,
                               const std::map<std::string, std::string>& categories = {}) {
  HistoryBuilder builder;
  int basket = 0;
  for (const auto& shopper : shoppers) {
    for (const auto days : shopper.days_before_run) {
      const std::string basket_id = "b" + std::to_string(++basket);
      HistoryBuilder::Line line;
      line.customer = shopper.id;
      line.basket = basket_id;
      line.product = shopper.product;
      if (const auto category = categories.find(shopper.product); category != categories.end()) {
        line.category = category->second;
      }
      line.timestamp = kRunAt - days * kDay;
      line.amount_minor = 2'000;
      if (const auto problem = builder.Add(line)) throw std::logic_error(*problem);
    }
  }
  return builder.Build();
}

domain::Campaign MakeCampaign(domain::CampaignKind kind, const std::string& id = "c1") {
  domain::Campaign campaign;
  campaign.id = id;
  campaign.name = id;
  campaign.kind = kind;
  campaign.starts_at = FromUnixSeconds(kRunAt - 30 * kDay);
  campaign.ends_at = FromUnixSeconds(kRunAt + 30 * kDay);
  campaign.min_depth = 5;
  campaign.max_depth = 30;
  campaign.budget_minor = 10'000'000;
  campaign.per_customer_cap = 1;
  campaign.validity_days = 14;
  campaign.control_basis_points = 0;
  return campaign;
}

// Every product of the history in every customer's list, at probability `p`, priced 500
// in category DAIRY (or as `categories` says).
struct Fixture {
  TransactionHistory history;
  std::vector<std::vector<ScoredProduct>> recommendations;
  std::vector<ProductFacts> products;

  explicit Fixture(const std::vector<Shopper>& shoppers, float p = 0.05f,
                   const std::map<std::string, std::string>& categories = {})
      : history(MakeHistory(shoppers, categories)) {
    for (std::uint32_t id = 0; id < history.product_count(); ++id) {
      ProductFacts facts;
      facts.sku = std::string(history.products.Name(id));
      const auto category = categories.find(facts.sku);
      facts.category = category == categories.end() ? "DAIRY" : category->second;
      facts.price_minor = 500;
      products.push_back(facts);
    }
    recommendations.resize(history.customer_count());
    for (auto& list : recommendations) {
      for (std::uint32_t id = 0; id < history.product_count(); ++id) {
        list.push_back({id, p, p});
      }
    }
  }

  CampaignPlan Plan(const std::vector<domain::Campaign>& campaigns,
                    const CustomerFacts& customers = {},
                    const std::vector<CampaignHistory>& already = {},
                    std::int64_t run_at = kRunAt) const {
    CampaignRunOptions options;
    options.run_at = run_at;
    return PlanCampaigns(history, recommendations, products, customers, campaigns, already,
                         options);
  }

  std::vector<std::string> Customers(const CampaignPlan& plan, bool control = false) const {
    std::vector<std::string> names;
    for (const auto& offer : plan.offers) {
      if (offer.control == control) names.emplace_back(history.customers.Name(offer.customer));
    }
    return names;
  }
};

TEST(CampaignOffers, WinBackIsForCustomersPastTheirOwnRhythm) {
  // Both shop weekly; "drifting" has not been seen for 40 days, "regular" for 2. A
  // monthly shopper 20 days out is on their rhythm.
  const Fixture fixture({{"regular", {30, 23, 16, 9, 2}},
                         {"drifting", {75, 68, 61, 54, 47, 40}},
                         {"monthly", {110, 80, 50, 20}},
                         {"once", {60}}});
  const auto plan = fixture.Plan({MakeCampaign(domain::CampaignKind::kWinBack)});
  EXPECT_EQ(fixture.Customers(plan), std::vector<std::string>{"drifting"});
  EXPECT_EQ(plan.campaigns[0].eligible, 1);
  EXPECT_EQ(plan.campaigns[0].treated, 1);
  EXPECT_GT(plan.offers[0].priced.expected_value_minor, 0);
}

TEST(CampaignOffers, BirthdayIsForBirthdaysWithinTheCouponsLife) {
  const Fixture fixture({{"soon", {10}}, {"past", {10}}, {"unknown", {10}}, {"far", {10}}});
  std::vector<std::optional<MonthDay>> birthdays(4);
  birthdays[*fixture.history.customers.Find("soon")] = MonthDay{12, 15};  // in 11 days
  birthdays[*fixture.history.customers.Find("past")] = MonthDay{12, 1};
  birthdays[*fixture.history.customers.Find("far")] = MonthDay{12, 18};  // the 15th day out
  const auto plan =
      fixture.Plan({MakeCampaign(domain::CampaignKind::kBirthday)}, {.birthdays = birthdays});
  EXPECT_EQ(fixture.Customers(plan), std::vector<std::string>{"soon"});
}

TEST(CampaignOffers, AnniversaryIsAYearAfterTheFirstVisit) {
  // 2025-12-10 is 359 days before the run; 2026-11-10 only 24 days before.
  const Fixture fixture({{"year", {359, 100, 5}}, {"new", {24, 5}}, {"old", {400, 5}}});
  const auto plan = fixture.Plan({MakeCampaign(domain::CampaignKind::kAnniversary)});
  EXPECT_EQ(fixture.Customers(plan), std::vector<std::string>{"year"});
}

TEST(CampaignOffers, ACategoryPushOffersOnlyItsCategories) {
  const Fixture fixture({{"a", {10}, "milk"}, {"b", {9}, "bread"}}, 0.05f,
                        {{"milk", "DAIRY"}, {"bread", "BAKERY"}});
  auto push = MakeCampaign(domain::CampaignKind::kCategoryPush);
  push.targets = {{domain::CouponTarget::kCategory, "BAKERY"}};
  const auto plan = fixture.Plan({push});
  ASSERT_EQ(plan.offers.size(), 2u);  // both customers, each offered bread
  for (const auto& offer : plan.offers) {
    EXPECT_EQ(fixture.products[offer.product].sku, "bread");
  }
}

TEST(CampaignOffers, HoldsOutTheControlShareStablyAndSpendsTheBudgetOnTheTreated) {
  std::vector<Shopper> shoppers;
  for (int i = 0; i < 4000; ++i) shoppers.push_back({"customer-" + std::to_string(i), {10}});
  const Fixture fixture(shoppers);
  auto campaign = MakeCampaign(domain::CampaignKind::kCategoryPush);
  campaign.control_basis_points = 2000;
  const auto plan = fixture.Plan({campaign});
  const auto& summary = plan.campaigns[0];
  EXPECT_EQ(summary.treated + summary.control, 4000);
  EXPECT_NEAR(static_cast<double>(summary.control) / 4000, 0.2, 0.03);
  for (const auto& offer : plan.offers) {
    EXPECT_EQ(offer.control,
              InControlGroup(campaign, fixture.history.customers.Name(offer.customer)));
  }

  // A budget for 1600 of them: the treated spend it and not a coupon more; the held-out
  // share is taken on the same terms and spends nothing.
  const double per_offer = plan.offers[0].priced.expected_cost_minor;
  campaign.budget_minor = static_cast<std::int64_t>(per_offer * 1600) + 1;
  const auto tight = fixture.Plan({campaign});
  EXPECT_LE(tight.campaigns[0].expected_cost_minor, static_cast<double>(campaign.budget_minor));
  EXPECT_EQ(tight.campaigns[0].treated, 1600);
  EXPECT_NEAR(static_cast<double>(tight.campaigns[0].control) /
                  static_cast<double>(tight.campaigns[0].treated + tight.campaigns[0].control),
              0.2, 0.04);
  EXPECT_GT(tight.campaigns[0].shadow_price, 0);
}

TEST(CampaignOffers, SkipsWhatCannotRunAndRespectsEarlierRuns) {
  const Fixture fixture({{"a", {10}}, {"b", {9}}});
  auto paused = MakeCampaign(domain::CampaignKind::kCategoryPush, "paused");
  paused.paused = true;
  auto later = MakeCampaign(domain::CampaignKind::kCategoryPush, "later");
  later.starts_at = FromUnixSeconds(kRunAt + kDay);
  auto spent = MakeCampaign(domain::CampaignKind::kCategoryPush, "spent");
  spent.budget_coupons = 5;
  auto capped = MakeCampaign(domain::CampaignKind::kCategoryPush, "capped");
  auto segment = MakeCampaign(domain::CampaignKind::kCategoryPush, "segment");
  segment.target_segment = domain::Segment::kAtRisk;

  std::vector<CampaignHistory> already(5);
  already[2].issued = 5;
  already[3].previous_offers = {{*fixture.history.customers.Find("a"), 1}};
  const auto plan = fixture.Plan({paused, later, spent, capped, segment}, {}, already);
  EXPECT_EQ(plan.campaigns[0].skipped_reason, "paused");
  EXPECT_EQ(plan.campaigns[1].skipped_reason, "not running on this date");
  EXPECT_EQ(plan.campaigns[2].skipped_reason, "budget spent");
  EXPECT_EQ(plan.campaigns[3].skipped_reason, "");
  EXPECT_NE(plan.campaigns[4].skipped_reason.find("at_risk"), std::string::npos);
  EXPECT_EQ(fixture.Customers(plan), std::vector<std::string>{"b"});
}

TEST(CampaignOffers, ATargetSegmentLimitsTheCampaignToThatSegment) {
  const Fixture fixture({{"a", {10}}, {"b", {9}}, {"c", {8}}});
  auto campaign = MakeCampaign(domain::CampaignKind::kCategoryPush);
  campaign.target_segment = domain::Segment::kAtRisk;
  CustomerFacts facts;
  facts.segments.assign(3, domain::Segment::kLoyal);
  facts.segments[*fixture.history.customers.Find("b")] = domain::Segment::kAtRisk;
  const auto plan = fixture.Plan({campaign}, facts);
  EXPECT_EQ(plan.campaigns[0].skipped_reason, "");
  EXPECT_EQ(fixture.Customers(plan), std::vector<std::string>{"b"});
  EXPECT_EQ(plan.campaigns[0].eligible, 1);
}

TEST(CampaignOffers, OnlyCustomersACouponCanReachAreOffered) {
  const Fixture fixture({{"a", {10}}, {"b", {9}}});
  std::vector<bool> reachable(2, true);
  reachable[*fixture.history.customers.Find("a")] = false;  // no active card
  const auto plan =
      fixture.Plan({MakeCampaign(domain::CampaignKind::kCategoryPush)}, {.reachable = reachable});
  EXPECT_EQ(fixture.Customers(plan), std::vector<std::string>{"b"});
}

TEST(CampaignOffers, ALeapDayBirthdayIsTheTwentyEighthInOtherYears) {
  const Fixture fixture({{"leap", {10}}});
  std::vector<std::optional<MonthDay>> birthdays = {MonthDay{2, 29}};
  constexpr std::int64_t k2027Feb20 = 1'803'081'600;  // 2027 has no 29 February
  auto birthday = MakeCampaign(domain::CampaignKind::kBirthday);
  birthday.ends_at = FromUnixSeconds(k2027Feb20 + 30 * kDay);
  const auto plan = fixture.Plan({birthday}, {.birthdays = birthdays}, {}, k2027Feb20);
  EXPECT_EQ(fixture.Customers(plan), std::vector<std::string>{"leap"});
}

TEST(CampaignOffers, ASureSaleGetsNoCoupon) {
  const Fixture fixture({{"a", {10}}}, 0.97f);
  const auto plan = fixture.Plan({MakeCampaign(domain::CampaignKind::kCategoryPush)});
  EXPECT_TRUE(plan.offers.empty());
  EXPECT_EQ(plan.campaigns[0].eligible, 0);
}

TEST(CampaignOffers, EachDiscountTypeIsOfferedWithItsTerms) {
  const Fixture fixture({{"a", {10}, "milk"}, {"b", {9}, "bread"}}, 0.05f);
  // Category pushes: the nightly run issues them (next_visit ones are the purchases').
  auto amount = MakeCampaign(domain::CampaignKind::kCategoryPush, "amount");
  amount.discount_type = domain::DiscountType::kAmountOff;
  amount.min_depth = 10;
  amount.max_depth = 200;
  auto multi = MakeCampaign(domain::CampaignKind::kCategoryPush, "multi");
  multi.discount_type = domain::DiscountType::kBuyXGetY;
  multi.min_depth = 50;
  multi.max_depth = 100;
  multi.buy_quantity = 2;
  multi.get_quantity = 1;
  const auto plan = fixture.Plan({amount, multi});
  for (std::size_t k = 0; k < 2; ++k) {
    EXPECT_TRUE(plan.campaigns[k].skipped_reason.empty()) << plan.campaigns[k].skipped_reason;
    EXPECT_EQ(plan.campaigns[k].treated, 2) << k;  // one offer each for a and b
  }
  for (const auto& offer : plan.offers) {
    if (offer.campaign == 0) {
      EXPECT_EQ(offer.terms.type, domain::DiscountType::kAmountOff);
      EXPECT_GE(offer.terms.depth, 10);
      EXPECT_LE(offer.terms.depth, 200);
      EXPECT_EQ(offer.priced.discount_minor, offer.terms.depth);
    } else {
      EXPECT_EQ(offer.terms.type, domain::DiscountType::kBuyXGetY);
      EXPECT_EQ(offer.terms.buy_quantity, 2);
      EXPECT_EQ(offer.terms.get_quantity, 1);
      EXPECT_EQ(offer.priced.depth_percent, offer.terms.depth);
    }
    EXPECT_FLOAT_EQ(static_cast<float>(offer.probability), 0.05f);
  }
}

// A percent-off next_visit campaign is issued at the purchases: the plan keeps each
// customer's candidates and prices the budget for its shadow price, and offers nothing
// itself, nor takes a customer's room on tonight's receipt from other campaigns.
TEST(CampaignOffers, APercentOffNextVisitCampaignIsLeftToThePurchases) {
  std::vector<Shopper> shoppers;
  for (int i = 0; i < 400; ++i) shoppers.push_back({"customer-" + std::to_string(i), {10}});
  const Fixture fixture(shoppers);
  auto next = MakeCampaign(domain::CampaignKind::kNextVisit, "next");
  auto push = MakeCampaign(domain::CampaignKind::kCategoryPush, "push");
  const auto loose = fixture.Plan({push});
  const double per_offer = loose.offers[0].priced.expected_cost_minor;
  next.budget_minor = push.budget_minor = static_cast<std::int64_t>(per_offer * 100) + 1;
  const auto alone = fixture.Plan({push});

  CampaignRunOptions options;
  options.run_at = kRunAt;
  options.per_customer_run_cap = 1;
  const auto plan = PlanCampaigns(fixture.history, fixture.recommendations, fixture.products, {},
                                  {next, push}, {}, options);
  EXPECT_TRUE(IssuedAtPurchases(next));
  EXPECT_FALSE(IssuedAtPurchases(push));
  EXPECT_EQ(plan.campaigns[0].treated, 0);
  EXPECT_EQ(plan.campaigns[0].eligible, 400);
  for (const auto& offer : plan.offers) EXPECT_EQ(offer.campaign, 1u);
  EXPECT_EQ(plan.next_visit_candidates.size(), 400u);
  // Its budget binds on paper as the push's binds for real, at the same value for cost.
  EXPECT_GT(plan.campaigns[0].shadow_price, 0);
  EXPECT_DOUBLE_EQ(plan.campaigns[0].shadow_price, alone.campaigns[0].shadow_price);
  // With one coupon a customer tonight, the push still reaches as many as alone.
  EXPECT_EQ(plan.campaigns[1].treated, alone.campaigns[0].treated);

  // Every discount type is the purchases' to issue: they price them all.
  next.discount_type = domain::DiscountType::kAmountOff;
  next.min_depth = 10;
  next.max_depth = 200;
  EXPECT_TRUE(IssuedAtPurchases(next));
  EXPECT_EQ(fixture.Plan({next}).campaigns[0].treated, 0);
  push.discount_type = domain::DiscountType::kAmountOff;
  push.min_depth = 10;
  push.max_depth = 200;
  EXPECT_FALSE(IssuedAtPurchases(push));
  EXPECT_GT(fixture.Plan({push}).campaigns[0].treated, 0);
}

// A chain of 30,000 customers, more than one wave of PlanCampaigns' parts, and three
// campaigns whose budgets bind, so the allocation's order and the shadow prices count.
struct ChainFixture : Fixture {
  std::vector<domain::Campaign> campaigns;
  CampaignRunOptions options;

  ChainFixture() : Fixture(Shoppers()) {
    for (std::uint32_t p = 0; p < products.size(); ++p) products[p].price_minor = 150 + 230 * p;
    for (std::uint32_t c = 0; c < recommendations.size(); ++c) {
      for (auto& scored : recommendations[c]) {
        scored.probability = 0.01f + static_cast<float>((c * 7 + scored.product * 13) % 50) / 100;
      }
    }
    auto next = MakeCampaign(domain::CampaignKind::kNextVisit, "next");
    auto push = MakeCampaign(domain::CampaignKind::kCategoryPush, "push");
    auto win_back = MakeCampaign(domain::CampaignKind::kWinBack, "win-back");
    push.control_basis_points = 1500;
    push.per_customer_cap = 2;
    next.budget_minor = push.budget_minor = win_back.budget_minor = 20'000;
    campaigns = {next, push, win_back};
    options.run_at = kRunAt;
    options.next_visit_candidates = 3;
  }

  static std::vector<Shopper> Shoppers() {
    std::vector<Shopper> shoppers;
    const std::vector<std::string> products = {"milk", "bread", "coffee", "rice", "tea"};
    for (int i = 0; i < 30'000; ++i) {
      Shopper shopper{
          "customer-" + std::to_string(i), {}, products[static_cast<std::size_t>(i % 5)]};
      // Some regulars, some long gone (win-back's), a day or a few between visits.
      const std::int64_t last = i % 7 == 0 ? 60 + i % 30 : 1 + i % 9;
      for (int v = 3 + i % 4; v >= 0; --v) {
        shopper.days_before_run.push_back(last + v * (2 + i % 5));
      }
      shoppers.push_back(shopper);
    }
    return shoppers;
  }

  CampaignPlan PlanOn(std::uint32_t threads, const CandidateStream& stream = {}) {
    options.threads = threads;
    return PlanCampaigns(history, recommendations, products, {}, campaigns, {}, options, stream);
  }
};

// The same offers and campaign figures, offer for offer.
void ExpectSameOffers(const CampaignPlan& one, const CampaignPlan& other) {
  ASSERT_EQ(other.offers.size(), one.offers.size());
  for (std::size_t i = 0; i < one.offers.size(); ++i) {
    const ChosenOffer& a = one.offers[i];
    const ChosenOffer& b = other.offers[i];
    ASSERT_EQ(std::tie(a.customer, a.campaign, a.product, a.control, a.terms.depth),
              std::tie(b.customer, b.campaign, b.product, b.control, b.terms.depth))
        << "offer " << i;
    EXPECT_EQ(a.priced.expected_cost_minor, b.priced.expected_cost_minor);
    EXPECT_EQ(a.probability, b.probability);
  }
  for (std::size_t k = 0; k < one.campaigns.size(); ++k) {
    EXPECT_EQ(other.campaigns[k].eligible, one.campaigns[k].eligible);
    EXPECT_EQ(other.campaigns[k].treated, one.campaigns[k].treated);
    EXPECT_EQ(other.campaigns[k].control, one.campaigns[k].control);
    EXPECT_EQ(other.campaigns[k].expected_cost_minor, one.campaigns[k].expected_cost_minor);
    EXPECT_EQ(other.campaigns[k].shadow_price, one.campaigns[k].shadow_price);
  }
}

void ExpectSameCandidate(const KeptCandidate& a, const KeptCandidate& b) {
  EXPECT_EQ(std::tie(a.customer, a.campaign, a.product, a.probability),
            std::tie(b.customer, b.campaign, b.product, b.probability));
}

// Planned on several threads, a chain's customers get the plan one thread makes, offer
// for offer: the parts of later waves are appended after the first's and their offers'
// references shifted.
TEST(CampaignOffers, ThreadsPlanWhatOneThreadPlans) {
  ChainFixture chain;
  const CampaignPlan one = chain.PlanOn(1);
  ASSERT_GT(one.offers.size(), 1000u);
  ASSERT_GT(one.next_visit_candidates.size(), 10'000u);
  for (const std::uint32_t threads : {2u, 3u, 5u}) {
    SCOPED_TRACE(threads);
    const CampaignPlan many = chain.PlanOn(threads);
    ExpectSameOffers(one, many);
    ASSERT_EQ(many.next_visit_candidates.size(), one.next_visit_candidates.size());
    for (std::size_t i = 0; i < one.next_visit_candidates.size(); ++i) {
      SCOPED_TRACE(i);
      ExpectSameCandidate(one.next_visit_candidates[i], many.next_visit_candidates[i]);
    }
  }
  // The budgets bound and every kind found customers.
  for (const auto& summary : one.campaigns) EXPECT_GT(summary.eligible, 0);
  EXPECT_GT(one.campaigns[0].shadow_price, 0);
  EXPECT_GT(one.campaigns[1].shadow_price, 0);
  EXPECT_GT(one.campaigns[1].control, 0);
}

// The nightly run plans the customers in the order of the candidates table's key and
// stores their candidates as they come: the plan is the same, and the candidates come
// in that order, all of a customer's in one call, as the plan would have kept them.
TEST(CampaignOffers, AStreamGetsTheCandidatesInItsOrderAndThePlanIsTheSame) {
  ChainFixture chain;
  const CampaignPlan kept = chain.PlanOn(1);
  std::vector<std::uint32_t> order(chain.history.customer_count());
  std::iota(order.begin(), order.end(), 0u);
  std::shuffle(order.begin(), order.end(), std::mt19937(7));
  std::vector<std::vector<KeptCandidate>> calls;
  const CampaignPlan streamed =
      chain.PlanOn(2, {order, [&](std::span<const KeptCandidate> candidates) {
                         calls.emplace_back(candidates.begin(), candidates.end());
                       }});
  ExpectSameOffers(kept, streamed);
  EXPECT_TRUE(streamed.next_visit_candidates.empty());
  ASSERT_GT(calls.size(), 1u);

  // Each customer's candidates as the plan kept them.
  std::map<std::uint32_t, std::vector<KeptCandidate>> of_customer;
  for (const KeptCandidate& candidate : kept.next_visit_candidates) {
    of_customer[candidate.customer].push_back(candidate);
  }
  std::size_t next_in_order = 0;
  std::set<std::uint32_t> seen;
  for (const auto& call : calls) {
    ASSERT_FALSE(call.empty());
    for (std::size_t first = 0; first < call.size();) {
      const std::uint32_t customer = call[first].customer;
      std::size_t end = first;
      while (end < call.size() && call[end].customer == customer) ++end;
      ASSERT_TRUE(seen.insert(customer).second) << "customer " << customer << " in two runs";
      while (next_in_order < order.size() && order[next_in_order] != customer) ++next_in_order;
      ASSERT_LT(next_in_order, order.size()) << "customer " << customer << " out of order";
      const auto& expected = of_customer[customer];
      ASSERT_EQ(end - first, expected.size()) << "customer " << customer;
      for (std::size_t i = 0; i < expected.size(); ++i) {
        ExpectSameCandidate(expected[i], call[first + i]);
      }
      first = end;
    }
  }
  EXPECT_EQ(seen.size(), of_customer.size());
}

// new_product_trial: a yoghurt nobody has bought yet, for a chain where half the
// customers buy yoghurt and half never do.
struct TrialFixture : Fixture {
  TrialFixture()
      : Fixture({{"y1", {40, 30, 20, 10}, "old-yog"},
                 {"y2", {41, 31, 21, 11}, "old-yog"},
                 {"b1", {40, 30, 20, 10}, "bread"},
                 {"b2", {41, 31, 21, 11}, "bread"}},
                0.05f, {{"old-yog", "YOGURT"}, {"bread", "BAKERY"}}) {
    ProductFacts fresh;
    fresh.sku = "new-yog";
    fresh.category = "YOGURT";
    fresh.price_minor = 500;
    products.push_back(fresh);  // after the history's products: never sold
  }
};

TEST(CampaignOffers, ANewProductTrialGoesToTheCategorysBuyersAndNotToOthers) {
  const TrialFixture fixture;
  auto trial = MakeCampaign(domain::CampaignKind::kNewProductTrial);
  trial.targets = {{domain::CouponTarget::kCategory, "YOGURT"}};
  const auto plan = fixture.Plan({trial});
  EXPECT_EQ(fixture.Customers(plan), (std::vector<std::string>{"y1", "y2"}));
  for (const auto& offer : plan.offers) {
    // The new one only: old-yog was first sold 41 days before the run... within the 60
    // days that count as new, but y1 and y2 have bought it, so they tried it already.
    EXPECT_EQ(fixture.products[offer.product].sku, "new-yog");
    // reach (4 + 2 × 0.5) / (4 + 2) × the default trial rate 0.05 × a price fit of 1
    EXPECT_NEAR(offer.probability, 5.0 / 6 * 0.05, 1e-9);
    EXPECT_GT(offer.priced.expected_value_minor, 1);
  }
  // Named as a product, it is new by the campaign's word; the same customers.
  trial.targets = {{domain::CouponTarget::kProduct, "new-yog"}};
  EXPECT_EQ(fixture.Customers(fixture.Plan({trial})), (std::vector<std::string>{"y1", "y2"}));
  // A category push cannot offer what the model never scored.
  auto next = MakeCampaign(domain::CampaignKind::kCategoryPush);
  next.targets = trial.targets;
  EXPECT_TRUE(fixture.Plan({next}).offers.empty());
}

TEST(CampaignOffers, AProductSoldLongBeforeTheRunIsNotNew) {
  const TrialFixture fixture;
  auto trial = MakeCampaign(domain::CampaignKind::kNewProductTrial);
  trial.targets = {{domain::CouponTarget::kCategory, "BAKERY"}};
  // bread was first sold 41 days ago: new within 60 days (b1 and b2 bought it, so no
  // one is left to try it), not within 30.
  CampaignRunOptions options;
  options.run_at = kRunAt;
  options.trial.new_within_days = 30;
  const auto plan = PlanCampaigns(fixture.history, fixture.recommendations, fixture.products, {},
                                  {trial}, {}, options);
  EXPECT_TRUE(plan.offers.empty());
  EXPECT_EQ(plan.campaigns[0].eligible, 0);
}

}  // namespace
}  // namespace loyalty::server::targeting
