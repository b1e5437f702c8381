#include "targeting/new_product_trial.h"

#include <algorithm>
#include <cmath>
#include <unordered_set>

namespace loyalty::server::targeting {

std::vector<std::int64_t> FirstSoldAt(const TransactionHistory& history) {
  std::vector<std::int64_t> first(history.product_count(), kNoTimestamp);
  for (std::uint32_t basket = 0; basket < history.basket_count(); ++basket) {
    const std::int64_t at = history.basket_time[basket];
    if (at == kNoTimestamp) continue;
    for (const std::uint32_t product : history.ProductsIn(basket)) {
      if (first[product] == kNoTimestamp || at < first[product]) first[product] = at;
    }
  }
  return first;
}

std::vector<double> CategoryBasketShares(const TransactionHistory& history) {
  std::vector<double> shares(history.categories.size(), 0);
  std::vector<std::uint32_t> seen_in(history.categories.size(), UINT32_MAX);
  for (std::uint32_t basket = 0; basket < history.basket_count(); ++basket) {
    for (const std::uint32_t product : history.ProductsIn(basket)) {
      const std::uint32_t category = history.product_category[product];
      if (category == kNoCategory || seen_in[category] == basket) continue;
      seen_in[category] = basket;
      shares[category] += 1;
    }
  }
  const double baskets = std::max<double>(1, history.basket_count());
  for (double& share : shares) share /= baskets;
  return shares;
}

CategoryTrialRate MeasureTrialRate(const TransactionHistory& history, std::uint32_t category,
                                   const std::vector<std::int64_t>& first_sold,
                                   std::int64_t run_at, const TrialOptions& options) {
  CategoryTrialRate result{options.default_trial_rate, 0};
  const std::int64_t window = options.new_within_days * 86'400;
  std::int64_t history_start = kNoTimestamp;
  for (const std::int64_t at : history.basket_time) {
    if (at != kNoTimestamp && (history_start == kNoTimestamp || at < history_start)) {
      history_start = at;
    }
  }
  if (history_start == kNoTimestamp) return result;
  // Launched within the history, with a whole window seen before the run: a product
  // first sold in the history's first window may just be old.
  std::vector<std::uint32_t> launches;
  for (std::uint32_t p = 0; p < history.product_count(); ++p) {
    if (history.product_category[p] != category || first_sold[p] == kNoTimestamp) continue;
    if (first_sold[p] >= history_start + window && first_sold[p] + window <= run_at) {
      launches.push_back(p);
    }
  }
  if (launches.empty()) return result;
  std::sort(launches.begin(), launches.end(), [&](std::uint32_t a, std::uint32_t b) {
    return first_sold[a] != first_sold[b] ? first_sold[a] > first_sold[b] : a < b;
  });
  if (launches.size() > options.max_launches_measured) {
    launches.resize(options.max_launches_measured);
  }
  std::vector<std::unordered_set<std::uint32_t>> shoppers(launches.size());
  std::vector<std::unordered_set<std::uint32_t>> triers(launches.size());
  for (std::uint32_t customer = 0; customer < history.customer_count(); ++customer) {
    for (std::uint32_t basket = history.customer_basket_begin[customer];
         basket < history.customer_basket_begin[customer + 1]; ++basket) {
      const std::int64_t at = history.basket_time[basket];
      for (const std::uint32_t product : history.ProductsIn(basket)) {
        if (history.product_category[product] != category) continue;
        for (std::size_t i = 0; i < launches.size(); ++i) {
          const std::int64_t launched = first_sold[launches[i]];
          if (at < launched || at >= launched + window) continue;
          shoppers[i].insert(customer);
          if (product == launches[i]) triers[i].insert(customer);
        }
      }
    }
  }
  double sum = 0;
  std::uint32_t measured = 0;
  for (std::size_t i = 0; i < launches.size(); ++i) {
    if (shoppers[i].empty()) continue;
    sum += static_cast<double>(triers[i].size()) / static_cast<double>(shoppers[i].size());
    ++measured;
  }
  if (measured > 0) result = {sum / measured, measured};
  return result;
}

CategoryStanding StandingIn(const TransactionHistory& history, std::uint32_t customer,
                            std::uint32_t category, double population_share,
                            std::int64_t price_minor, const TrialOptions& options) {
  CategoryStanding standing;
  const std::uint32_t begin = history.customer_basket_begin[customer];
  const std::uint32_t end = history.customer_basket_begin[customer + 1];
  std::uint32_t with_category = 0;
  std::int64_t spend = 0, units = 0;
  for (std::uint32_t basket = begin; basket < end; ++basket) {
    bool holds = false;
    for (std::uint32_t line = history.basket_line_begin[basket];
         line < history.basket_line_begin[basket + 1]; ++line) {
      if (history.product_category[history.line_product[line]] != category) continue;
      holds = true;
      spend += history.LineAmountMinor(basket, line);
      units += std::max<std::int32_t>(1, history.LineQuantity(basket, line));
    }
    if (holds) ++with_category;
  }
  standing.reach = (with_category + options.prior_baskets * population_share) /
                   (static_cast<double>(end - begin) + options.prior_baskets);
  if (population_share > 0) standing.affinity = standing.reach / population_share;
  if (spend > 0 && units > 0 && price_minor > 0) {
    const double mean_unit = static_cast<double>(spend) / static_cast<double>(units);
    standing.price_fit =
        std::pow(std::min(1.0, mean_unit / static_cast<double>(price_minor)), options.price_weight);
  }
  return standing;
}

}  // namespace loyalty::server::targeting
