#include "targeting/ranking_metrics.h"

#include <algorithm>
#include <cmath>

namespace loyalty::server::targeting {

void RankingMetricsAccumulator::Add(std::span<const std::uint32_t> ranked,
                                    std::span<const std::uint32_t> basket,
                                    std::size_t basket_size) {
  if (basket_size == 0 || k_ == 0) return;
  const std::size_t shown = std::min(k_, ranked.size());
  std::size_t hits = 0;
  double dcg = 0;
  for (std::size_t rank = 0; rank < shown; ++rank) {
    if (std::find(basket.begin(), basket.end(), ranked[rank]) == basket.end()) continue;
    ++hits;
    dcg += 1.0 / std::log2(static_cast<double>(rank) + 2);
  }
  // The ideal top k puts the basket's products first, as many as fit.
  double ideal = 0;
  for (std::size_t rank = 0; rank < std::min(k_, basket_size); ++rank) {
    ideal += 1.0 / std::log2(static_cast<double>(rank) + 2);
  }
  sum_.recall += static_cast<double>(hits) / static_cast<double>(basket_size);
  sum_.precision += static_cast<double>(hits) / static_cast<double>(k_);
  sum_.ndcg += dcg / ideal;
  sum_.hit_rate += hits > 0 ? 1 : 0;
  ++sum_.customers;
}

RankingMetrics RankingMetricsAccumulator::Mean() const {
  RankingMetrics mean = sum_;
  if (sum_.customers == 0) return mean;
  const auto n = static_cast<double>(sum_.customers);
  mean.recall /= n;
  mean.precision /= n;
  mean.ndcg /= n;
  mean.hit_rate /= n;
  return mean;
}

}  // namespace loyalty::server::targeting
