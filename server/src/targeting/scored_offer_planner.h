// The next-visit coupons a purchase earns, chosen from the nightly batch's scored offers
// (docs/targeting.md, "At every purchase"). For each running next_visit campaign the
// nightly run keeps a customer's best priced candidates and the campaign's shadow price;
// at a purchase this planner
//   - updates the candidates with what the purchase shows: a product in this basket is
//     not due at the next visit unless the customer buys it at every visit, so its
//     probability and the coupon's pull on it fall by the customer's own rhythm, and it
//     is priced again for the campaign's discount type, as the nightly run prices it
//     (offer_economics.h, coupon_terms.h); products the customer holds a live coupon for
//     (for the product or its category) are skipped;
//   - issues the best by value for cost that beat their campaign's shadow price, within
//     the campaign's budget left (money and count), its per-customer cap and the live
//     coupon limit; a customer in the campaign's control group (the batch's hash) has
//     the offer recorded, not issued;
//   - for a customer with no candidates yet (a new card, before their first nightly
//     run), offers the top-category coupon of the campaign's discount type (the first by
//     id without a target segment, whose targets allow the category): a percentage at
//     the configured depth clamped to the campaign's limits, an amount at its smallest;
//     its expected cost taken as the most it can give away (the amount, else the cap);
//   - with no next_visit campaign running, is exactly TopCategoryPlanner: the server's
//     configured `next_visit` coupon, so tills keep what they had.
// Pure: the store reads the candidates and the campaigns' budgets inside the purchase's
// transaction and writes back the spend.
#pragma once

#include <cstddef>

#include "storage/store.h"
#include "targeting/next_visit_planner.h"
#include "targeting/offer_economics.h"

namespace loyalty::server {

struct ScoredOfferOptions {
  // The configured coupon: alone when no next_visit campaign runs, and the fallback's
  // depth and validity for a customer without candidates.
  NextVisitOptions fallback;
  targeting::CouponResponse response;
  std::int64_t depth_step_percent = 5;  // the batch's grids (CampaignRunOptions)
  std::int64_t depth_step_minor = 10;   // amount_off
  // How much a purchase today lowers a product's demand at the next visit, as the
  // next-basket model's rhythm does: a product bought every g visits keeps
  // 1 - weight × (1 - 1/g) of it; one bought only once before (g unknown) keeps 1 - weight.
  // At 1, a product bought every visit stays due and one bought rarely is not offered.
  double just_bought_weight = 1.0;
  std::size_t max_per_purchase = 1;  // offers per purchase, treated or held out
};

class ScoredOfferPlanner final : public NextVisitPlanner {
 public:
  explicit ScoredOfferPlanner(ScoredOfferOptions options = {});
  // The offers to issue (control-group offers left out).
  std::vector<domain::Coupon> Plan(const CustomerProfile& profile, const CardNumber& card,
                                   Timestamp now) const override;
  std::vector<PlannedOffer> PlanOffers(const CustomerProfile& profile, const CardNumber& card,
                                       Timestamp now) const override;
  bool WouldIssue(const CustomerProfile& profile) const override {
    return fallback_.WouldIssue(profile);
  }
  bool UsesCampaigns() const override { return true; }

 private:
  ScoredOfferOptions options_;
  TopCategoryPlanner fallback_;
};

}  // namespace loyalty::server
