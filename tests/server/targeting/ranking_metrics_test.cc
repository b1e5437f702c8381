#include "targeting/ranking_metrics.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace loyalty::server::targeting {
namespace {

TEST(TargetingMetrics, OneCustomerByHand) {
  // k = 3; the basket holds b, d and one product never seen before (so 3 in all); the
  // ranking finds b in second place.
  RankingMetricsAccumulator metrics(3);
  const std::vector<std::uint32_t> ranked = {10, 11, 12};  // a, b, c
  const std::vector<std::uint32_t> basket = {11, 13};      // b, d
  metrics.Add(ranked, basket, 3);
  const RankingMetrics mean = metrics.Mean();
  EXPECT_EQ(mean.customers, 1u);
  EXPECT_DOUBLE_EQ(mean.recall, 1.0 / 3);
  EXPECT_DOUBLE_EQ(mean.precision, 1.0 / 3);
  // DCG = 1/log2(3); the ideal puts three basket products first: 1 + 1/log2(3) + 1/2.
  EXPECT_NEAR(mean.ndcg, (1 / std::log2(3.0)) / (1 + 1 / std::log2(3.0) + 0.5), 1e-12);
  EXPECT_NEAR(mean.ndcg, 0.29608, 1e-5);
  EXPECT_DOUBLE_EQ(mean.hit_rate, 1);
}

TEST(TargetingMetrics, AveragesOverCustomers) {
  RankingMetricsAccumulator metrics(2);
  // Both basket products in the top 2, best first: everything is 1.
  metrics.Add(std::vector<std::uint32_t>{1, 2}, std::vector<std::uint32_t>{2, 1}, 2);
  // A miss.
  metrics.Add(std::vector<std::uint32_t>{1, 2}, std::vector<std::uint32_t>{7}, 1);
  // One product basket found second: recall 1, precision 1/2, NDCG 1/log2(3).
  metrics.Add(std::vector<std::uint32_t>{1, 7}, std::vector<std::uint32_t>{7}, 1);
  const RankingMetrics mean = metrics.Mean();
  EXPECT_EQ(mean.customers, 3u);
  EXPECT_DOUBLE_EQ(mean.recall, 2.0 / 3);
  EXPECT_DOUBLE_EQ(mean.precision, (1 + 0 + 0.5) / 3);
  EXPECT_NEAR(mean.ndcg, (1 + 0 + 1 / std::log2(3.0)) / 3, 1e-12);
  EXPECT_DOUBLE_EQ(mean.hit_rate, 2.0 / 3);
}

TEST(TargetingMetrics, CountsOnlyTheTopKAndDividesPrecisionByK) {
  RankingMetricsAccumulator metrics(2);
  // The hit in third place is beyond k; a short ranking still divides by k.
  metrics.Add(std::vector<std::uint32_t>{1, 2, 3}, std::vector<std::uint32_t>{3}, 1);
  metrics.Add(std::vector<std::uint32_t>{3}, std::vector<std::uint32_t>{3}, 1);
  const RankingMetrics mean = metrics.Mean();
  EXPECT_DOUBLE_EQ(mean.recall, 0.5);
  EXPECT_DOUBLE_EQ(mean.precision, 0.25);
  EXPECT_DOUBLE_EQ(mean.ndcg, 0.5);
  EXPECT_DOUBLE_EQ(mean.hit_rate, 0.5);
}

TEST(TargetingMetrics, SkipsEmptyBasketsAndIsZeroWithoutCustomers) {
  RankingMetricsAccumulator metrics(10);
  metrics.Add(std::vector<std::uint32_t>{1}, std::vector<std::uint32_t>{}, 0);
  const RankingMetrics mean = metrics.Mean();
  EXPECT_EQ(mean.customers, 0u);
  EXPECT_EQ(mean.recall, 0);
}

}  // namespace
}  // namespace loyalty::server::targeting
