#include "targeting/option_tuning.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <initializer_list>
#include <string_view>
#include <utility>

namespace loyalty::server::targeting {
namespace {

struct TuningAxis {
  std::string_view name;  // as the run's summary stores it (the command line's, with _)
  double max;             // the largest value the command line accepts
  double (*get)(const NextBasketOptions&);
  void (*set)(NextBasketOptions&, double);
  std::initializer_list<double> values;
};

const std::array<TuningAxis, 10>& Axes() {
  static const std::array<TuningAxis, 10> axes{{
      {"groups", 1000,
       [](const NextBasketOptions& o) { return static_cast<double>(o.groups); },
       [](NextBasketOptions& o, double v) { o.groups = static_cast<std::uint32_t>(v); },
       {1, 3}},
      {"within_decay", 1,
       [](const NextBasketOptions& o) { return o.within_decay; },
       [](NextBasketOptions& o, double v) { o.within_decay = v; },
       {0.9, 1}},
      {"group_decay", 1,
       [](const NextBasketOptions& o) { return o.group_decay; },
       [](NextBasketOptions& o, double v) { o.group_decay = v; },
       {0.6, 0.8, 1}},
      {"alpha", 1,
       [](const NextBasketOptions& o) { return o.alpha; },
       [](NextBasketOptions& o, double v) { o.alpha = v; },
       {0.2, 0.5, 0.8, 1}},
      {"prior_baskets", 100000,
       [](const NextBasketOptions& o) { return o.prior_baskets; },
       [](NextBasketOptions& o, double v) { o.prior_baskets = v; },
       {0, 30, 100, 300}},
      {"customer_neighbours", 1,
       [](const NextBasketOptions& o) { return o.customer_neighbours; },
       [](NextBasketOptions& o, double v) { o.customer_neighbours = v; },
       {0, 1}},
      {"rhythm_weight", 1,
       [](const NextBasketOptions& o) { return o.rhythm_weight; },
       [](NextBasketOptions& o, double v) { o.rhythm_weight = v; },
       {0, 0.5}},
      {"repeat_weight", 4,
       [](const NextBasketOptions& o) { return o.repeat_weight; },
       [](NextBasketOptions& o, double v) { o.repeat_weight = v; },
       {0, 0.5}},
      {"cross_sell_weight", 100,
       [](const NextBasketOptions& o) { return o.cross_sell_weight; },
       [](NextBasketOptions& o, double v) { o.cross_sell_weight = v; },
       {0, 0.1}},
      {"category_weight", 100,
       [](const NextBasketOptions& o) { return o.category_weight; },
       [](NextBasketOptions& o, double v) { o.category_weight = v; },
       {0, 0.05}},
  }};
  return axes;
}

// The group decay is the third axis; with one group it changes nothing.
constexpr std::size_t kGroupDecayAxis = 2;
constexpr std::size_t kPasses = 2;
// How many standard errors a gain must exceed to count.
constexpr double kStandardErrors = 2;

double Mean(const std::vector<double>& values) {
  double sum = 0;
  for (const double value : values) sum += value;
  return values.empty() ? 0 : sum / static_cast<double>(values.size());
}

// Whether `found` beats `best` by more than chance would, customer by customer.
bool ClearlyBetter(const std::vector<double>& found, const std::vector<double>& best) {
  const std::size_t n = std::min(found.size(), best.size());
  if (n == 0) return false;
  double sum = 0, squares = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const double gain = found[i] - best[i];
    sum += gain;
    squares += gain * gain;
  }
  const double mean = sum / static_cast<double>(n);
  if (mean <= 0) return false;
  if (n < 2) return true;
  const double variance =
      std::max(0.0, (squares - static_cast<double>(n) * mean * mean) / static_cast<double>(n - 1));
  return mean > kStandardErrors * std::sqrt(variance / static_cast<double>(n));
}

}  // namespace

NextBasketOptions PersonalFrequency(const NextBasketOptions& options) {
  NextBasketOptions frequency = options;
  frequency.groups = 1;
  frequency.within_decay = 1;
  frequency.group_decay = 1;
  frequency.alpha = 1;
  frequency.prior_baskets = 0;
  frequency.rhythm_weight = 0;
  frequency.repeat_weight = 0;
  frequency.cross_sell_weight = 0;
  frequency.category_weight = 0;
  return frequency;
}

std::vector<std::pair<std::string_view, double>> TunedValues(const NextBasketOptions& options) {
  std::vector<std::pair<std::string_view, double>> values;
  for (const TuningAxis& axis : Axes()) values.emplace_back(axis.name, axis.get(options));
  return values;
}

bool SetTunedValue(NextBasketOptions& options, std::string_view name, double value) {
  for (const TuningAxis& axis : Axes()) {
    if (axis.name != name) continue;
    // A stored summary is input like any other: the command line's bounds hold.
    if (!(value >= 0 && value <= axis.max)) return false;
    if (name == "groups" && (value < 1 || value != std::floor(value))) return false;
    axis.set(options, value);
    return true;
  }
  return false;
}

std::size_t TuningPointsAtMost() {
  std::size_t per_pass = 0;
  for (const TuningAxis& axis : Axes()) per_pass += axis.values.size();
  return 2 + kPasses * per_pass;
}

NextBasketOptions TuneOptions(const NextBasketOptions& given, const ReplayScore& score,
                              const ProgressFunction& progress) {
  const std::size_t most = TuningPointsAtMost();
  std::size_t tried = 0;
  const auto try_point = [&](const NextBasketOptions& options) {
    auto found = score(options);
    if (progress) progress("tuning replay", ++tried, most);
    return found;
  };
  NextBasketOptions best = given;
  std::vector<double> best_score = try_point(given);
  const NextBasketOptions frequency = PersonalFrequency(given);
  if (auto found = try_point(frequency); Mean(found) > Mean(best_score)) {
    best = frequency;
    best_score = std::move(found);
  }
  for (std::size_t pass = 0; pass < kPasses; ++pass) {
    bool moved = false;
    for (std::size_t a = 0; a < Axes().size(); ++a) {
      const TuningAxis& axis = Axes()[a];
      if (a == kGroupDecayAxis && best.groups <= 1) continue;
      for (const double value : axis.values) {
        if (axis.get(best) == value) continue;
        NextBasketOptions candidate = best;
        axis.set(candidate, value);
        if (auto found = try_point(candidate); ClearlyBetter(found, best_score)) {
          best = candidate;
          best_score = std::move(found);
          moved = true;
        }
      }
    }
    if (!moved) break;
  }
  if (progress && tried < most) progress("tuning replay", most, most);
  return best;
}

}  // namespace loyalty::server::targeting
