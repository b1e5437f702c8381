// new_product_trial: what the targeting can say about a product nobody (or almost
// nobody) has bought yet, which the next-basket model cannot score. P(try at the next
// visit) is built from what is known (docs/targeting.md, "New products"):
//   reach  = P(the customer buys in the product's category at the next visit): their
//            share of baskets holding the category, shrunk towards the population's
//            share over `prior_baskets` baskets' worth of evidence;
//   trial  = the category's trial rate: for earlier products of the category launched
//            within the history (first sold at least new_within_days after its start and
//            before the run), the share of the category's shoppers in their first
//            new_within_days who bought them; `default_trial_rate` when the category had
//            no such launch;
//   fit    = min(1, the customer's mean unit price in the category / the product's
//            price)^price_weight: a shopper of cheap items is less likely to try a dear
//            one; 1 with no purchase in the category to judge by.
// A coupon can move only shoppers who consider the category (PriceCoupon's reach):
// p0 = reach × trial × fit, and the coupon converts within reach only. And the offer is
// for the category's likely buyers: a customer whose affinity (reach against the
// population's share) is below `min_affinity` gets none, so a customer who never buys
// the category, whose shrunk share is always below the population's, never does.
#pragma once

#include <cstdint>
#include <vector>

#include "targeting/transaction_history.h"

namespace loyalty::server::targeting {

struct TrialOptions {
  // A product first sold within this many days before the run (or never) is new.
  std::int64_t new_within_days = 60;
  // Trial share assumed for a category whose earlier launches cannot be measured:
  // grocery trial of a new item among its category's shoppers in its first months is a
  // few percent.
  double default_trial_rate = 0.05;
  double prior_baskets = 2;   // shrinkage of a customer's category share
  double price_weight = 0.5;  // exponent of the price fit
  // Offered only to customers at least this keen on the category against the
  // population (1: as keen as the average basket).
  double min_affinity = 1.0;
  // Earlier launches measured per category, the most recent first.
  std::uint32_t max_launches_measured = 20;
};

// Per history product: its first sale (Unix seconds), kNoTimestamp if never dated.
std::vector<std::int64_t> FirstSoldAt(const TransactionHistory& history);

// Per history category: the share of all baskets holding it.
std::vector<double> CategoryBasketShares(const TransactionHistory& history);

struct CategoryTrialRate {
  double rate = 0;
  std::uint32_t launches = 0;  // earlier launches it was measured on; 0: the default
};
CategoryTrialRate MeasureTrialRate(const TransactionHistory& history, std::uint32_t category,
                                   const std::vector<std::int64_t>& first_sold,
                                   std::int64_t run_at, const TrialOptions& options);

// One customer's standing in a category.
struct CategoryStanding {
  double reach = 0;      // P(buys in the category at the next visit)
  double affinity = 0;   // reach / the population's share; 0 when that share is 0
  double price_fit = 1;  // for a product of `price_minor`
};
CategoryStanding StandingIn(const TransactionHistory& history, std::uint32_t customer,
                            std::uint32_t category, double population_share,
                            std::int64_t price_minor, const TrialOptions& options);

}  // namespace loyalty::server::targeting
