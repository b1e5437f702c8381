// What a campaign has left when the nightly run stores an offer, read inside the storing
// transaction after the campaign's lock (docs/targeting.md, "The nightly run"): the run
// planned from the spend it read before the model (hours earlier at a chain's scale),
// while purchases, or any other writer of offers, kept spending the same budget. Shared by
// both engines so the rule is written once.
#pragma once

#include <cstdint>

#include "storage/store.h"

namespace loyalty::server {

enum class OfferFit { kFits, kOverBudget, kOverCap };

class CampaignRoom {
 public:
  // Limits as the campaigns table holds them (0: no money or count limit), and the spend
  // in campaign_budgets.
  CampaignRoom(std::int64_t budget_minor, std::int64_t budget_coupons,
               std::int64_t per_customer_cap, double spent_minor, std::int64_t issued)
      : budget_minor_(budget_minor),
        budget_coupons_(budget_coupons),
        per_customer_cap_(per_customer_cap),
        spent_minor_(spent_minor),
        issued_(issued) {}

  // Whether `offer` still fits, given the offers (treated or held out) the customer
  // already has of the campaign. A held-out offer spends nothing but counts against the
  // cap, as the plan counts it.
  OfferFit Check(const CampaignOfferRecord& offer, std::int64_t customer_offers) const;
  // Counts a stored treated offer's spend.
  void Spend(double cost_minor) {
    spent_minor_ += cost_minor;
    ++issued_;
  }

 private:
  std::int64_t budget_minor_;
  std::int64_t budget_coupons_;
  std::int64_t per_customer_cap_;
  double spent_minor_;
  std::int64_t issued_;
};

// Counts a dropped offer into the run's tally.
void CountDropped(OfferFit fit, RecordedOffers& recorded);

}  // namespace loyalty::server
