#include "storage/campaign_room.h"

#include <algorithm>

namespace loyalty::server {
namespace {

// The plan sums costs in its own order; a budget it filled to the last minor unit must
// not lose its last offer to rounding here.
constexpr double kCostSlackMinor = 1e-6;

}  // namespace

OfferFit CampaignRoom::Check(const CampaignOfferRecord& offer,
                             std::int64_t customer_offers) const {
  // As PlanCampaigns reads the cap: a campaign always allows one offer a customer.
  if (customer_offers >= std::max<std::int64_t>(1, per_customer_cap_)) return OfferFit::kOverCap;
  if (offer.control) return OfferFit::kFits;
  if (budget_minor_ > 0 &&
      spent_minor_ + offer.expected_cost_minor > static_cast<double>(budget_minor_) + kCostSlackMinor) {
    return OfferFit::kOverBudget;
  }
  if (budget_coupons_ > 0 && issued_ >= budget_coupons_) return OfferFit::kOverBudget;
  return OfferFit::kFits;
}

void CountDropped(OfferFit fit, RecordedOffers& recorded) {
  if (fit == OfferFit::kOverBudget) ++recorded.over_budget;
  if (fit == OfferFit::kOverCap) ++recorded.over_cap;
}

}  // namespace loyalty::server
