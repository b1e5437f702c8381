#include "targeting/calibration.h"

#include <gtest/gtest.h>

namespace loyalty::server::targeting {
namespace {

TEST(TargetingCalibration, PoolsAdjacentViolators) {
  std::vector<Calibration::Observation> observations = {{0.6f, true}, {0.1f, false}, {0.4f, false},
                                                        {0.3f, true}, {0.2f, false}, {0.5f, true}};
  const Calibration calibration = Calibration::Fit(observations);
  // 0.3 (yes) and 0.4 (no) violate the order and pool to 1/2; 0.5 and 0.6 pool at 1.
  EXPECT_EQ(calibration.steps(), 3u);
  EXPECT_FLOAT_EQ(calibration.Probability(0.05f), 0);  // below every step: the lowest
  EXPECT_FLOAT_EQ(calibration.Probability(0.25f), 0);
  EXPECT_FLOAT_EQ(calibration.Probability(0.3f), 0.5f);
  EXPECT_FLOAT_EQ(calibration.Probability(0.45f), 0.5f);
  EXPECT_FLOAT_EQ(calibration.Probability(0.5f), 1);
  EXPECT_FLOAT_EQ(calibration.Probability(9), 1);
}

TEST(TargetingCalibration, MatchesTheObservedRateAndNeverFallsAsTheScoreRises) {
  std::vector<Calibration::Observation> observations;
  // Score s in (0, 1] happens with frequency s, exactly, in blocks of 10.
  for (int block = 1; block <= 10; ++block) {
    for (int i = 0; i < 10; ++i) {
      observations.push_back({static_cast<float>(block) / 10, i < block});
    }
  }
  const Calibration calibration = Calibration::Fit(observations);
  for (int block = 1; block <= 10; ++block) {
    EXPECT_NEAR(calibration.Probability(static_cast<float>(block) / 10), block / 10.0, 1e-6);
  }
  float previous = 0;
  for (float score = 0; score <= 1.2f; score += 0.01f) {
    EXPECT_GE(calibration.Probability(score), previous);
    previous = calibration.Probability(score);
  }
}

TEST(TargetingCalibration, WithoutObservationsClampsTheScore) {
  std::vector<Calibration::Observation> none;
  const Calibration calibration = Calibration::Fit(none);
  EXPECT_EQ(calibration.steps(), 0u);
  EXPECT_FLOAT_EQ(calibration.Probability(0.25f), 0.25f);
  EXPECT_FLOAT_EQ(calibration.Probability(3), 1);
  EXPECT_FLOAT_EQ(calibration.Probability(-1), 0);
}

}  // namespace
}  // namespace loyalty::server::targeting
