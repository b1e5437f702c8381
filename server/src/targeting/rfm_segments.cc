#include "targeting/rfm_segments.h"

#include <algorithm>
#include <cmath>

namespace loyalty::server::targeting {
namespace {

using domain::Segment;

constexpr std::int64_t kSecondsPerDay = 86'400;

// Mid-rank quintiles: a value's score is 1 + 5 x (share below it + half the share equal
// to it), so customers tied on a value share one score and a population where most
// customers visited once does not put those at opposite ends.
std::vector<std::uint8_t> Quintiles(const std::vector<double>& values) {
  // The values in order with their places, then each run of equal values scored at once:
  // a binary search of the sorted values for every customer was most of this step at a
  // million customers.
  std::vector<std::pair<double, std::uint32_t>> sorted(values.size());
  for (std::size_t i = 0; i < values.size(); ++i) {
    sorted[i] = {values[i], static_cast<std::uint32_t>(i)};
  }
  std::sort(sorted.begin(), sorted.end());
  const double n = static_cast<double>(sorted.size());
  std::vector<std::uint8_t> scores(values.size(), 1);
  for (std::size_t low = 0; low < sorted.size();) {
    std::size_t high = low + 1;
    while (high < sorted.size() && sorted[high].first == sorted[low].first) ++high;
    const double share = (static_cast<double>(low) + static_cast<double>(high - low) / 2) / n;
    const auto score = static_cast<std::uint8_t>(std::min(5.0, 1 + std::floor(5 * share)));
    for (std::size_t i = low; i < high; ++i) scores[sorted[i].second] = score;
    low = high;
  }
  return scores;
}

std::size_t IndexOf(Segment segment) {
  return static_cast<std::size_t>(
      std::find(domain::kSegments.begin(), domain::kSegments.end(), segment) -
      domain::kSegments.begin());
}

}  // namespace

Segment SegmentFor(RfmScores scores, bool is_new) {
  const int r = scores.recency, f = scores.frequency, m = scores.monetary;
  if (is_new && f <= 2) return Segment::kNew;
  if (r >= 4) {
    if (f >= 4) return m >= 3 ? Segment::kChampions : Segment::kLoyal;
    if (f == 3 && r == 4) return Segment::kLoyal;
    return Segment::kPotentialLoyalists;
  }
  if (r == 3) return f >= 3 ? Segment::kLoyal : Segment::kHibernating;
  // Not seen lately (r 1-2): how much they were worth says how much it matters.
  if (f >= 5 || (r == 1 && f == 4)) return m >= 4 ? Segment::kCantLose : Segment::kAtRisk;
  if (f >= 3) return m >= 2 ? Segment::kAtRisk : Segment::kHibernating;
  return r == 2 ? Segment::kHibernating : Segment::kLost;
}

CustomerRfm ComputeRfm(const TransactionHistory& history, std::int64_t run_at,
                       const RfmOptions& options) {
  const std::uint32_t customers = history.customer_count();
  const std::int64_t window_start = run_at - options.window_days * kSecondsPerDay;
  const std::int64_t new_since = run_at - options.new_days * kSecondsPerDay;
  // Only customers with a visit in the window are scored against each other; the others
  // are lost whatever their past (scored among themselves, a chain's lapsed customers
  // would fill every quintile, the least lapsed "champions").
  std::vector<std::uint32_t> active;
  // Recency as minus the days since, so that larger is better for all three.
  std::vector<double> recency, frequency, monetary;
  std::vector<bool> is_new(customers, false);
  for (std::uint32_t c = 0; c < customers; ++c) {
    const std::uint32_t begin = history.customer_basket_begin[c];
    const std::uint32_t end = history.customer_basket_begin[c + 1];
    std::int64_t first = kNoTimestamp, last = kNoTimestamp;
    std::int64_t visits = 0, spend = 0;
    for (std::uint32_t b = begin; b < end; ++b) {
      const std::int64_t at = history.basket_time[b];
      if (at == kNoTimestamp || at >= run_at) continue;
      if (first == kNoTimestamp) first = at;
      last = std::max(last, at);
      if (at < window_start) continue;
      ++visits;
      spend += history.basket_amount_minor[b];
    }
    is_new[c] = first != kNoTimestamp && first >= new_since;
    if (visits == 0) continue;
    active.push_back(c);
    recency.push_back(-static_cast<double>(run_at - last));
    frequency.push_back(static_cast<double>(visits));
    monetary.push_back(static_cast<double>(spend));
  }
  const auto r = Quintiles(recency), f = Quintiles(frequency), m = Quintiles(monetary);
  CustomerRfm result;
  result.scores.assign(customers, RfmScores{1, 1, 1});
  for (std::size_t i = 0; i < active.size(); ++i) result.scores[active[i]] = {r[i], f[i], m[i]};
  result.segments.resize(customers);
  for (std::uint32_t c = 0; c < customers; ++c) {
    result.segments[c] = SegmentFor(result.scores[c], is_new[c]);
    ++result.per_segment[IndexOf(result.segments[c])];
  }
  return result;
}

}  // namespace loyalty::server::targeting
