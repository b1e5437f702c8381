// The nightly batch's choice of coupons: for every running campaign, the customers it
// is for (its kind's eligibility: lapsing, birthday, anniversary, or everyone), the
// products it may discount among what the next-basket model expects each of them to
// want, each priced at its best depth (offer_economics.h), and the campaign's budget
// spent on the best value for cost (budget_allocation.h).
//
// Control groups: a fixed share of each campaign's eligible customers is held out,
// chosen by a hash of the campaign and the customer, so a customer stays in the same
// group for the campaign's whole life and every run. Held-out customers go through the
// same choice (their offers are computed and recorded, not issued), so treated and
// control differ only by the coupon and the report's comparison measures what the coupon
// caused. Held-out offers spend nothing of the budget: they are taken while the budget
// still has room at their value for cost (budget_allocation.h), so the treated coupons
// never spend more than the campaign allows.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "loyalty/domain/campaign.h"
#include "targeting/budget_allocation.h"
#include "targeting/new_product_trial.h"
#include "targeting/next_basket_model.h"
#include "targeting/offer_economics.h"
#include "targeting/transaction_history.h"

namespace loyalty::server::targeting {

// What the offer needs of a product, by the history's product id.
struct ProductFacts {
  std::int64_t price_minor = 0;  // 0: not in the catalog, never offered
  std::optional<double> margin_rate;  // unknown: CampaignRunOptions::default_margin_rate
  bool couponable = true;
  std::string sku;
  std::string category;
};

// Month and day of a customer's birthday, from their registration.
struct MonthDay {
  unsigned month = 1;  // 1-12
  unsigned day = 1;    // 1-31
};

struct CampaignRunOptions {
  std::int64_t run_at = 0;  // Unix seconds UTC: the run's date at midnight
  // Gross margin share assumed for products the catalog gives none (grocery: 25-30%).
  double default_margin_rate = 0.3;
  CouponResponse response;
  // Win-back is for customers unseen for at least this many of their own mean gaps
  // between visits: a weekly shopper after two weeks, a monthly one after two months.
  // The offer's value then counts the visit it may bring back (LapseRisk).
  double win_back_min_overdue = 2.0;
  // Anniversary: the first visit at least this long before the run.
  std::int64_t anniversary_min_days = 330;
  // Coupons one customer gets from one run, across campaigns: a receipt has room.
  std::uint32_t per_customer_run_cap = 3;
  // Depth grid step, percent.
  std::int64_t depth_step_percent = 5;
  // Depth grid step for amount_off campaigns, minor units (widened on wide limits:
  // DepthGrid).
  std::int64_t depth_step_minor = 10;
  // new_product_trial: what is new and how P(try) is estimated (new_product_trial.h).
  TrialOptions trial;
  // Per customer and next_visit campaign, how many priced offers (best value for cost
  // first) the plan keeps for the per-purchase planner; 0: none.
  std::size_t next_visit_candidates = 10;
  // Threads planning the customers; 0: one per core.
  std::uint32_t threads = 0;
};

// Per campaign: what it has given out in earlier runs.
struct CampaignHistory {
  double spent_minor = 0;          // expected cost of the coupons issued so far
  std::int64_t issued = 0;
  // Offers (issued or held out) each customer (history id) had from the campaign
  // before, sorted by customer: they count against its per-customer cap.
  std::vector<std::pair<std::uint32_t, std::int64_t>> previous_offers;
};

struct ChosenOffer {
  std::uint32_t customer = 0;  // history id
  std::uint32_t campaign = 0;  // index into the campaigns given
  std::uint32_t product = 0;   // history id
  PricedOffer priced;
  bool control = false;        // held out: recorded, not issued
  // The coupon to issue: the campaign's discount type and quantities at the chosen depth.
  CouponTerms terms;
  // p0: P(buy at the next visit) without the coupon; the model's, or for a new product
  // the trial estimate (reach × trial rate × price fit).
  double probability = 0;
};

struct CampaignRunSummary {
  std::int64_t eligible = 0;  // customers the kind is for, with at least one candidate
  std::int64_t treated = 0;   // offers to issue
  std::int64_t control = 0;   // offers held out
  double expected_cost_minor = 0;   // of the treated offers
  double expected_value_minor = 0;  // of the treated offers
  double shadow_price = 0;          // budget_allocation.h; 0 if the budget did not bind
  std::string skipped_reason;       // non-empty: the campaign was not run, and why
};

// A product a next_visit campaign keeps for a customer's purchases to choose from, which
// price it again when the customer shops (scored_offer_planner.h): all they take of the
// night is the product and its probability, so a chain's ten million of them stay small.
struct KeptCandidate {
  std::uint32_t customer = 0;  // history id
  std::uint32_t campaign = 0;  // index into the campaigns given
  std::uint32_t product = 0;   // history id
  float probability = 0;       // p0, the model's
};

struct CampaignPlan {
  std::vector<ChosenOffer> offers;  // by customer, then campaign
  // For next_visit campaigns: each eligible customer's best priced offers (at most
  // options.next_visit_candidates, best value for cost first), chosen or not tonight.
  // By customer in the order planned (CandidateStream), then campaign. Empty when a
  // CandidateStream took them.
  std::vector<KeptCandidate> next_visit_candidates;
  std::vector<CampaignRunSummary> campaigns;
};

// True for the campaigns whose coupons the purchases issue: next_visit, of any discount
// type (scored_offer_planner.h prices them all). For those the nightly run keeps
// candidates and the shadow price, and issues nothing itself: a customer would otherwise
// be offered the campaign twice and the budget spent twice.
bool IssuedAtPurchases(const domain::Campaign& campaign);

// True when `customer_key` (the customer's stable external id) is in the campaign's
// control group. Deterministic for a campaign id and key, independent of the run.
bool InControlGroup(const domain::Campaign& campaign, std::string_view customer_key);

// What the plan knows of each customer beyond their baskets, by history customer id. An
// empty vector means not known: no birthdays, everyone reachable, segments not computed.
struct CustomerFacts {
  std::vector<std::optional<MonthDay>> birthdays;
  std::vector<bool> reachable;  // false: no active card, so no coupon can reach them
  std::vector<domain::Segment> segments;  // rfm_segments.h
};

// How PlanCampaigns plans its customers and hands out next_visit candidates as it goes,
// for a caller that stores them while the rest are planned (the nightly run: a million
// customers' candidates took the store seconds after the plan, with a processor idle).
struct CandidateStream {
  // The customers (history ids) in the order to plan them, each once; empty: by history
  // id. The plan is the same in any order; only the candidates come in this one.
  std::span<const std::uint32_t> order;
  // Called on the calling thread with the candidates of each few thousand customers, in
  // `order`, all of a customer's in one call. Empty: they are kept in the plan.
  std::function<void(std::span<const KeptCandidate>)> take;
};

// `recommendations[c]` is the model's list for history customer c (ScoredProduct with
// calibrated probability), `products[p]` facts by history product id (ids from
// history.product_count() on are catalog products nobody bought before the run, which
// only new_product_trial offers), `already[k]` what
// campaign k gave out before (empty: nothing). A campaign with a target segment is for
// the customers in that segment only, and is skipped when segments are not known.
// Every discount type is priced (PriceCoupon) on the campaign's depth grid (DepthGrid).
// new_product_trial offers its new products (its product targets, and the products of
// its category targets first sold within options.trial.new_within_days or never) to
// customers who have not bought them, at the trial estimate of new_product_trial.h,
// rather than from the model's lists, which cannot score them.
// Campaigns that do not run at options.run_at are skipped with a reason.
CampaignPlan PlanCampaigns(const TransactionHistory& history,
                           const std::vector<std::vector<ScoredProduct>>& recommendations,
                           const std::vector<ProductFacts>& products,
                           const CustomerFacts& customers,
                           const std::vector<domain::Campaign>& campaigns,
                           const std::vector<CampaignHistory>& already,
                           const CampaignRunOptions& options, const CandidateStream& stream = {});

}  // namespace loyalty::server::targeting
