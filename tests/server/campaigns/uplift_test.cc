#include "campaigns/uplift.h"

#include <gtest/gtest.h>

#include <random>

namespace loyalty::server {
namespace {

TEST(Uplift, DifferenceOfMeansWithAWelchInterval) {
  const auto uplift = MeasureUplift({10, 12, 14}, {9, 10, 11, 10});
  EXPECT_DOUBLE_EQ(uplift.treated_mean, 12);
  EXPECT_DOUBLE_EQ(uplift.control_mean, 10);
  EXPECT_DOUBLE_EQ(uplift.per_customer, 2);
  // Variances 4 and 2/3: se = sqrt(4/3 + (2/3)/4).
  const double se = std::sqrt(4.0 / 3 + (2.0 / 3) / 4);
  EXPECT_NEAR(uplift.low, 2 - 1.959963984540054 * se, 1e-12);
  EXPECT_NEAR(uplift.high, 2 + 1.959963984540054 * se, 1e-12);
  EXPECT_TRUE(uplift.interval);
  EXPECT_DOUBLE_EQ(uplift.Total(), 6);
}

TEST(Uplift, NoIntervalFromAGroupOfOne) {
  const auto uplift = MeasureUplift({10, 12}, {9});
  EXPECT_FALSE(uplift.interval);
  EXPECT_DOUBLE_EQ(uplift.low, uplift.per_customer);
}

TEST(Uplift, TheIntervalCoversTheTrueEffectAboutNineteenTimesInTwenty) {
  std::mt19937_64 random(7);
  std::normal_distribution<double> spend(5000, 2000);
  int covered = 0;
  constexpr int kTrials = 400;
  for (int trial = 0; trial < kTrials; ++trial) {
    std::vector<double> treated(500), control(120);
    for (auto& value : treated) value = spend(random) + 150;  // the coupon adds 150
    for (auto& value : control) value = spend(random);
    const auto uplift = MeasureUplift(treated, control);
    if (uplift.low <= 150 && 150 <= uplift.high) ++covered;
  }
  EXPECT_NEAR(static_cast<double>(covered) / kTrials, 0.95, 0.035);
}

}  // namespace
}  // namespace loyalty::server
