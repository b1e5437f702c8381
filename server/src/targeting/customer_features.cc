#include "targeting/customer_features.h"

#include <algorithm>
#include <cmath>

#include "targeting/new_product_trial.h"

namespace loyalty::server::targeting {
namespace {

constexpr double kSecondsPerDay = 86'400;

// One customer's gaps between visits, as logs of days.
struct Gaps {
  std::uint32_t visits = 0;
  std::int64_t trip_at = kNoTimestamp;  // the latest trip's first basket: gaps run from it
  std::int64_t last_at = kNoTimestamp;  // the latest basket: the absence runs from it
  std::uint32_t count = 0;
  double log_sum = 0;
  double log_square_sum = 0;

  double SquaredDeviations() const {
    if (count == 0) return 0;
    return std::max(0.0, log_square_sum - log_sum * log_sum / count);
  }
};

Gaps GapsOf(const TransactionHistory& history, std::uint32_t customer, std::int64_t run_at,
            double min_gap_days) {
  Gaps gaps;
  for (std::uint32_t basket = history.customer_basket_begin[customer];
       basket < history.customer_basket_begin[customer + 1]; ++basket) {
    const std::int64_t at = history.basket_time[basket];
    if (at == kNoTimestamp || at >= run_at) continue;
    ++gaps.visits;
    gaps.last_at = at;
    if (gaps.trip_at != kNoTimestamp) {
      const double days = static_cast<double>(at - gaps.trip_at) / kSecondsPerDay;
      if (days < min_gap_days) continue;  // the same trip
      const double log_days = std::log(days);
      ++gaps.count;
      gaps.log_sum += log_days;
      gaps.log_square_sum += log_days * log_days;
    }
    gaps.trip_at = at;
  }
  return gaps;
}

// Keeps the customer's highest lifts, touching only the categories they bought.
void TopCategories(const TransactionHistory& history, std::uint32_t customer,
                   const std::vector<double>& population_share, double prior_baskets,
                   std::vector<std::uint32_t>& baskets_with, std::vector<std::uint32_t>& seen_in,
                   std::vector<std::uint32_t>& touched, CustomerFeatures& features) {
  const std::uint32_t begin = history.customer_basket_begin[customer];
  const std::uint32_t end = history.customer_basket_begin[customer + 1];
  touched.clear();
  for (std::uint32_t basket = begin; basket < end; ++basket) {
    for (const std::uint32_t product : history.ProductsIn(basket)) {
      const std::uint32_t category = history.product_category[product];
      if (category == kNoCategory || seen_in[category] == basket) continue;
      seen_in[category] = basket;
      if (baskets_with[category]++ == 0) touched.push_back(category);
    }
  }
  const double baskets = end - begin;
  std::array<CategoryLift, kTopCategories + 1> best{};
  std::size_t kept = 0;
  for (const std::uint32_t category : touched) {
    const std::uint32_t with = baskets_with[category];
    baskets_with[category] = 0;
    const double lift =
        (with + prior_baskets) / (baskets * population_share[category] + prior_baskets);
    if (lift <= 1) continue;
    // Insertion into a list of at most kTopCategories: ties go to the lower category id,
    // so the order does not depend on the order of the customer's baskets.
    std::size_t at = kept;
    while (at > 0 && (best[at - 1].lift < lift ||
                      (best[at - 1].lift == lift && best[at - 1].category > category))) {
      best[at] = best[at - 1];
      --at;
    }
    best[at] = {category, lift, with};
    kept = std::min(kept + 1, kTopCategories);
  }
  std::copy_n(best.begin(), kept, features.categories.begin());
  features.category_count = static_cast<std::uint8_t>(kept);
}

}  // namespace

const char* LapseRiskBand(double lapse_risk) {
  return lapse_risk >= kHighLapseRisk ? "high" : lapse_risk >= kMediumLapseRisk ? "medium" : "low";
}

double NormalCdf(double z) { return 0.5 * std::erfc(-z / std::sqrt(2.0)); }

CustomerFeatureTable ComputeCustomerFeatures(const TransactionHistory& history, std::int64_t run_at,
                                             const CustomerFeatureOptions& options) {
  const std::uint32_t customers = history.customer_count();
  CustomerFeatureTable table;
  table.customers.resize(customers);

  // The population's log gaps: the mean over every gap, and the spread within customers
  // (the spread across customers is the differences in rhythm the customer's own mean
  // already carries).
  double gaps = 0, log_sum = 0, deviations = 0, degrees = 0;
  for (std::uint32_t c = 0; c < customers; ++c) {
    const Gaps own = GapsOf(history, c, run_at, options.min_gap_days);
    gaps += own.count;
    log_sum += own.log_sum;
    if (own.count >= 2) {
      deviations += own.SquaredDeviations();
      degrees += own.count - 1;
    }
  }
  const double mu_pop = gaps > 0 ? log_sum / gaps : std::log(options.default_gap_days);
  const double sigma_pop = degrees > 0 ? std::sqrt(deviations / degrees) : options.default_sigma;
  table.population_log_gap_mean = mu_pop;
  table.population_log_gap_sigma = sigma_pop;

  const std::vector<double> population_share = CategoryBasketShares(history);
  std::vector<std::uint32_t> baskets_with(history.categories.size(), 0);
  std::vector<std::uint32_t> seen_in(history.categories.size(), UINT32_MAX);
  std::vector<std::uint32_t> touched;
  const double k = options.prior_gaps;
  for (std::uint32_t c = 0; c < customers; ++c) {
    CustomerFeatures& features = table.customers[c];
    const Gaps own = GapsOf(history, c, run_at, options.min_gap_days);
    if (own.visits == 0) continue;
    const double n = own.count;
    const double mu = (own.log_sum + k * mu_pop) / (n + k);
    const double variance =
        (own.SquaredDeviations() + k * sigma_pop * sigma_pop) / (std::max(0.0, n - 1) + k);
    const double sigma = std::max(options.min_sigma, std::sqrt(variance));
    features.visits = own.visits;
    features.last_visit_at = own.last_at;
    features.days_since_last_visit = static_cast<double>(run_at - own.last_at) / kSecondsPerDay;
    features.days_between_visits = std::exp(mu);
    features.next_visit_at =
        own.last_at +
        static_cast<std::int64_t>(std::llround(features.days_between_visits * kSecondsPerDay));
    features.lapse_risk = features.days_since_last_visit > 0
                              ? NormalCdf((std::log(features.days_since_last_visit) - mu) / sigma)
                              : 0;
    TopCategories(history, c, population_share, options.prior_baskets, baskets_with, seen_in,
                  touched, features);
  }
  return table;
}

}  // namespace loyalty::server::targeting
