// Offline measures of a top-k recommendation against the basket the customer then
// bought, as the next-basket literature reports them, averaged over customers.
#pragma once

#include <cstdint>
#include <span>

namespace loyalty::server::targeting {

struct RankingMetrics {
  double recall = 0;     // basket products in the top k / basket size
  double precision = 0;  // basket products in the top k / k
  double ndcg = 0;       // DCG of the top k / DCG of a perfect top k, gains 1 or 0
  double hit_rate = 0;   // share of customers with at least one basket product in the top k
  std::size_t customers = 0;
};

class RankingMetricsAccumulator {
 public:
  explicit RankingMetricsAccumulator(std::size_t k) : k_(k) {}

  // One customer: `ranked` best first (only its first k count, no repeats); `basket`
  // the distinct products of the next basket that the ranking could name, and
  // `basket_size` how many distinct products that basket held in all (products never
  // seen before count against recall, though no ranking can name them). A customer
  // whose basket is empty is not counted.
  void Add(std::span<const std::uint32_t> ranked, std::span<const std::uint32_t> basket,
           std::size_t basket_size);

  RankingMetrics Mean() const;

 private:
  std::size_t k_;
  RankingMetrics sum_;
};

}  // namespace loyalty::server::targeting
