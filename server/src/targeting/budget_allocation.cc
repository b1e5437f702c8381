#include "targeting/budget_allocation.h"

#include <algorithm>
#include <unordered_map>

namespace loyalty::server::targeting {

Allocation AllocateBudgets(std::vector<OfferToAllocate>& offers,
                           const std::vector<CampaignBudget>& budgets,
                           std::uint32_t customers, std::uint32_t per_customer_run_cap) {
  // Ties broken by customer, campaign and candidate so that the same input always gives
  // the same coupons: a rerun of the batch for a date must not change its mind.
  std::sort(offers.begin(), offers.end(), [](const OfferToAllocate& a, const OfferToAllocate& b) {
    const double va = a.priced.ValueForCost(), vb = b.priced.ValueForCost();
    if (va != vb) return va > vb;
    if (a.customer != b.customer) return a.customer < b.customer;
    if (a.campaign != b.campaign) return a.campaign < b.campaign;
    return a.candidate < b.candidate;
  });

  Allocation allocation;
  allocation.shadow_price.assign(budgets.size(), 0.0);
  allocation.spent_minor.assign(budgets.size(), 0.0);
  allocation.issued.assign(budgets.size(), 0);
  std::vector<std::uint8_t> per_customer(customers, 0);
  // (customer, campaign) pairs: only campaigns with a cap above one need counting past
  // the per-customer total, and those are few, so a map is enough.
  std::unordered_map<std::uint64_t, std::int64_t> per_customer_campaign;
  std::vector<bool> exhausted(budgets.size(), false);
  std::vector<double> last_accepted_ratio(budgets.size(), 0.0);

  for (std::uint32_t i = 0; i < offers.size(); ++i) {
    const OfferToAllocate& offer = offers[i];
    if (offer.priced.expected_value_minor <= 0) break;  // sorted: the rest are no better
    const CampaignBudget& budget = budgets[offer.campaign];
    if (exhausted[offer.campaign]) continue;
    if (per_customer_run_cap > 0 && per_customer[offer.customer] >= per_customer_run_cap) continue;
    const std::uint64_t pair = (std::uint64_t{offer.customer} << 32) | offer.campaign;
    std::int64_t& taken = per_customer_campaign[pair];
    if (budget.per_customer_cap > 0 && taken >= budget.per_customer_cap) continue;

    if (offer.held_out) {
      // Taken while a treated offer at this value for cost would have been.
      if (allocation.shadow_price[offer.campaign] != 0) continue;
      allocation.accepted.push_back(i);
      ++taken;
      if (per_customer[offer.customer] < 255) ++per_customer[offer.customer];
      continue;
    }
    const bool money_left = budget.budget_minor <= 0 ||
                            allocation.spent_minor[offer.campaign] +
                                    offer.priced.expected_cost_minor <= budget.budget_minor;
    if (!money_left) {
      // Out of money for this offer; a cheaper one further down may still fit, but the
      // budget binds from here, at the last ratio it paid for.
      if (allocation.shadow_price[offer.campaign] == 0) {
        allocation.shadow_price[offer.campaign] = last_accepted_ratio[offer.campaign];
      }
      continue;
    }
    allocation.accepted.push_back(i);
    allocation.spent_minor[offer.campaign] += offer.priced.expected_cost_minor;
    ++allocation.issued[offer.campaign];
    last_accepted_ratio[offer.campaign] = offer.priced.ValueForCost();
    ++taken;
    if (per_customer[offer.customer] < 255) ++per_customer[offer.customer];
    if (budget.budget_coupons > 0 && allocation.issued[offer.campaign] >= budget.budget_coupons) {
      exhausted[offer.campaign] = true;
      allocation.shadow_price[offer.campaign] = offer.priced.ValueForCost();
    }
  }
  return allocation;
}

}  // namespace loyalty::server::targeting
