#include "targeting/option_tuning.h"

#include <gtest/gtest.h>

#include <cmath>

namespace loyalty::server::targeting {
namespace {

TEST(OptionTuning, PersonalFrequencyTurnsEverythingButTheCountsOff) {
  NextBasketOptions given;
  given.neighbours = 77;
  const NextBasketOptions frequency = PersonalFrequency(given);
  EXPECT_EQ(frequency.groups, 1u);
  EXPECT_EQ(frequency.within_decay, 1);
  EXPECT_EQ(frequency.alpha, 1);
  EXPECT_EQ(frequency.rhythm_weight, 0);
  EXPECT_EQ(frequency.repeat_weight, 0);
  EXPECT_EQ(frequency.cross_sell_weight, 0);
  EXPECT_EQ(frequency.category_weight, 0);
  EXPECT_EQ(frequency.neighbours, 77u);  // not the search's business
}

TEST(OptionTuning, AFlatReplayKeepsTheGivenOptions) {
  NextBasketOptions given;
  given.alpha = 0.7;
  given.replay_customers = 123;
  std::size_t calls = 0;
  const NextBasketOptions chosen = TuneOptions(given, [&](const NextBasketOptions&) {
    ++calls;
    return 0.5;
  });
  EXPECT_EQ(chosen.alpha, 0.7);
  EXPECT_EQ(chosen.groups, given.groups);
  EXPECT_EQ(chosen.group_decay, given.group_decay);
  EXPECT_EQ(chosen.replay_customers, 123u);
  // Nothing moved, so one pass: the start, the corner and each of the grid's 19 values
  // but the 6 that are the defaults' own (group_decay 0.7 and alpha 0.7 are not).
  EXPECT_EQ(calls, 2u + 19 - 6);
  EXPECT_EQ(TuningPointsAtMost(), 2u + 2 * 19);
}

TEST(OptionTuning, TakesTheCornerWhenTheReplaySaysCountsWin) {
  // Scores fall with every step away from the personal-frequency corner.
  const NextBasketOptions corner = PersonalFrequency({});
  const auto distance = [&](const NextBasketOptions& o) {
    return std::abs(o.within_decay - corner.within_decay) + std::abs(o.alpha - corner.alpha) +
           o.rhythm_weight + o.repeat_weight + o.cross_sell_weight + o.category_weight +
           (o.groups == 1 ? 0 : 1);
  };
  const NextBasketOptions chosen = TuneOptions({}, [&](const NextBasketOptions& o) {
    // From the corner's one group, a group decay is never tried: it changes nothing.
    if (o.groups == 1) {
      EXPECT_EQ(o.group_decay, 1);
    }
    return -distance(o);
  });
  EXPECT_EQ(distance(chosen), 0);
}

TEST(OptionTuning, NeverScoresBelowTheCornerAndFindsASeparablePeak) {
  // The peak: three groups, no within-group decay, alpha 0.5 and cross-sell on; the
  // corner is better than the defaults but not the best.
  const auto score = [](const NextBasketOptions& o) {
    double s = 0;
    s += o.groups == 3 ? 1 : 0;
    s += o.within_decay == 1 ? 1 : 0;
    s += o.group_decay == 0.8 ? 1 : 0;
    s += o.alpha == 0.5 ? 2 : (o.alpha == 1 ? 1.5 : 0);
    s += o.rhythm_weight == 0 ? 1 : 0;
    s += o.cross_sell_weight == 0.1 ? 1 : 0;
    return s;
  };
  NextBasketOptions given;
  std::size_t calls = 0;
  std::vector<std::pair<std::string, std::size_t>> progress;
  const NextBasketOptions chosen = TuneOptions(
      given,
      [&](const NextBasketOptions& o) {
        ++calls;
        return score(o);
      },
      [&](std::string_view phase, std::size_t done, std::size_t total) {
        progress.emplace_back(std::string(phase), done);
        EXPECT_EQ(total, TuningPointsAtMost());
      });
  EXPECT_GE(score(chosen), score(PersonalFrequency(given)));
  EXPECT_EQ(chosen.groups, 3u);
  EXPECT_EQ(chosen.within_decay, 1);
  EXPECT_EQ(chosen.group_decay, 0.8);
  EXPECT_EQ(chosen.alpha, 0.5);
  EXPECT_EQ(chosen.rhythm_weight, 0);
  EXPECT_EQ(chosen.cross_sell_weight, 0.1);
  EXPECT_LE(calls, TuningPointsAtMost());
  ASSERT_FALSE(progress.empty());
  EXPECT_EQ(progress.back().first, "tuning replay");
  EXPECT_EQ(progress.back().second, TuningPointsAtMost());
}

}  // namespace
}  // namespace loyalty::server::targeting
