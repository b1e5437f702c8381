// Spends campaign budgets on the offers with the best value for cost. Offers from every
// customer and campaign are taken greedily in order of expected incremental margin per
// unit of expected cost, each accepted while its campaign has money and coupons left,
// the customer is under the campaign's cap and under the cap on coupons a customer gets
// in one run. Greedy by ratio is the classic answer to this knapsack: optimal for the
// fractional problem and within one offer of it here, since a single coupon is a tiny
// share of any campaign's budget.
//
// The ratio at which a campaign's budget ran out is its shadow price: the per-purchase
// planner, which cannot see every customer at once, issues an offer during the day only
// if it is worth at least that, so the day's coupons compete with the nightly ones on
// the same terms.
#pragma once

#include <cstdint>
#include <limits>
#include <vector>

#include "targeting/offer_economics.h"

namespace loyalty::server::targeting {

struct CampaignBudget {
  double budget_minor = 0;          // expected discount the campaign may give away; 0: none
  std::int64_t budget_coupons = 0;  // coupons it may issue; 0: no count limit
  std::int64_t per_customer_cap = 1;
};

struct OfferToAllocate {
  std::uint32_t customer = 0;
  std::uint32_t campaign = 0;  // index into the budgets
  std::uint32_t candidate = 0;  // the caller's own reference (product, offer kind, ...)
  PricedOffer priced;
  // A control-group offer: recorded, never issued, so it spends nothing; it is taken on
  // the same terms as a treated one (while its campaign's budget has not bound yet).
  bool held_out = false;
};

struct Allocation {
  std::vector<std::uint32_t> accepted;  // indices into the offers, best value for cost first
  // Per campaign, once its money or count ran out: the value for cost of the last offer it
  // accepted before; 0 when the budget was not exhausted (then any offer worth its
  // printing is welcome).
  std::vector<double> shadow_price;
  std::vector<double> spent_minor;        // expected cost of the accepted treated offers
  std::vector<std::int64_t> issued;       // treated offers accepted
};

// `offers` is reordered (sorted by value for cost). `per_customer_run_cap` bounds the
// coupons one customer gets across campaigns; 0: no bound. Offers with no positive value
// are never accepted.
Allocation AllocateBudgets(std::vector<OfferToAllocate>& offers,
                           const std::vector<CampaignBudget>& budgets,
                           std::uint32_t customers, std::uint32_t per_customer_run_cap);

}  // namespace loyalty::server::targeting
