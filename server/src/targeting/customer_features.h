// Per-customer features the nightly run derives from the purchase history and the portal
// shows: the customer's visit cadence and how far they are past it (lapse risk), and the
// categories they buy more often than the chain's shoppers do (affinities). One pass over
// the history's baskets and lines, so it costs a fraction of reading the history.
//
// Cadence: the gaps between a customer's visits are taken as log-normal. Each customer's
// mean log gap mu and its spread sigma are their own, shrunk towards the population's by
// `prior_gaps` gaps' worth (empirical Bayes), so a customer with two visits is judged
// mostly by how shoppers in general come back, and a regular by their own rhythm:
//
//   mu      = (n * mean(own log gaps) + k * mu_pop) / (n + k)
//   sigma^2 = (sum of squared deviations of own log gaps + k * sigma_pop^2) / (n - 1 + k)
//             (n - 1 read as 0 for n = 0), at least min_sigma^2
//
// with n own gaps, k = prior_gaps, mu_pop the mean log gap over every gap in the history
// and sigma_pop^2 the pooled within-customer variance of log gaps.
//   days_between_visits = exp(mu)              (the median gap: "usually every N days")
//   next_visit_at       = last visit + exp(mu) days (in the past when overdue)
//   lapse_risk          = Phi((ln d - mu) / sigma), d the days since the last visit:
//                         the share of the customer's own gaps shorter than the absence
//                         so far (0.5: as long as their usual gap; 0.9: longer than nine
//                         in ten of their gaps). 0 when d <= 0.
//
// Affinity: a category's lift for a customer is the share of their baskets holding it
// against the share of all baskets holding it, with a gamma prior worth `prior_baskets`
// expected baskets pulling the ratio towards 1:
//   lift = (x + k) / (n * p + k)
// with x the customer's baskets holding the category, n their baskets, p the population's
// share (CategoryBasketShares) and k = prior_baskets. A rare category bought once lifts
// little; one bought at most visits lifts a lot. (new_product_trial's affinity shrinks the
// share instead, reach / p with reach = (x + k p) / (n + k), which is right for its
// threshold at 1 but ranks a rare category bought once first: 1 of 1 baskets against a
// share of 0.001 is a lift of 334.) The kTopCategories highest lifts above 1 are kept.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "targeting/transaction_history.h"

namespace loyalty::server::targeting {

struct CustomerFeatureOptions {
  // The population's log-gap distribution counts as this many of the customer's gaps.
  double prior_gaps = 3;
  // Two baskets less than this apart are one trip (a forgotten item), not a gap.
  double min_gap_days = 0.5;
  // The least spread of a customer's log gaps: an exactly regular history would
  // otherwise make the risk jump from 0 to 1 on the day.
  double min_sigma = 0.2;
  // Used when the history has no gap at all (every customer visited once).
  double default_gap_days = 14;
  double default_sigma = 1.0;
  // Affinity: the prior's weight in expected baskets, and how many categories to keep.
  double prior_baskets = 2;
};

inline constexpr std::size_t kTopCategories = 5;

struct CategoryLift {
  std::uint32_t category = kNoCategory;  // id in the history's category dictionary
  double lift = 0;
  std::uint32_t baskets = 0;  // the customer's baskets holding the category
};

struct CustomerFeatures {
  std::uint32_t visits = 0;  // baskets before run_at with a time; 0: nothing to say
  std::int64_t last_visit_at = kNoTimestamp;  // Unix seconds UTC
  double days_since_last_visit = 0;
  double days_between_visits = 0;
  double lapse_risk = 0;  // 0-1
  std::int64_t next_visit_at = kNoTimestamp;
  // Highest lift first; `category_count` of them are set.
  std::array<CategoryLift, kTopCategories> categories{};
  std::uint8_t category_count = 0;
};

struct CustomerFeatureTable {
  std::vector<CustomerFeatures> customers;  // by history customer id
  double population_log_gap_mean = 0;       // mu_pop
  double population_log_gap_sigma = 0;      // sigma_pop
};

// Features of every customer of `history` as of `run_at` (Unix seconds UTC); baskets at
// or after run_at, and baskets without a time, do not count for the cadence.
CustomerFeatureTable ComputeCustomerFeatures(const TransactionHistory& history, std::int64_t run_at,
                                             const CustomerFeatureOptions& options = {});

// Lapse-risk bands, as the portal and the run's summary name them: "low" below
// kMediumLapseRisk, "medium" below kHighLapseRisk, else "high" (an absence longer than
// nine in ten of the customer's own gaps).
inline constexpr double kMediumLapseRisk = 0.7;
inline constexpr double kHighLapseRisk = 0.9;
const char* LapseRiskBand(double lapse_risk);

// The standard normal distribution function.
double NormalCdf(double z);

}  // namespace loyalty::server::targeting
