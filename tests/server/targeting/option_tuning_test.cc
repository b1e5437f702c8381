#include "targeting/option_tuning.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace loyalty::server::targeting {
namespace {

TEST(OptionTuning, PersonalFrequencyTurnsEverythingButTheCountsOff) {
  NextBasketOptions given;
  given.neighbours = 77;
  const NextBasketOptions frequency = PersonalFrequency(given);
  EXPECT_EQ(frequency.groups, 1u);
  EXPECT_EQ(frequency.within_decay, 1);
  EXPECT_EQ(frequency.alpha, 1);
  EXPECT_EQ(frequency.prior_baskets, 0);
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
    return std::vector<double>{0.5, 0.2, 0.7};
  });
  EXPECT_EQ(chosen.alpha, 0.7);
  EXPECT_EQ(chosen.groups, given.groups);
  EXPECT_EQ(chosen.group_decay, given.group_decay);
  EXPECT_EQ(chosen.replay_customers, 123u);
  // Nothing moved, so one pass: the start, the corner and each of the grid's 25 values
  // but the 8 that are the defaults' own (group_decay 0.7 and alpha 0.7 are not).
  EXPECT_EQ(calls, 2u + 25 - 8);
  EXPECT_EQ(TuningPointsAtMost(), 2u + 2 * 25);
}

TEST(OptionTuning, TakesTheCornerWhenTheReplaySaysCountsWin) {
  // Scores fall with every step away from the personal-frequency corner.
  const NextBasketOptions corner = PersonalFrequency({});
  const auto distance = [&](const NextBasketOptions& o) {
    return std::abs(o.within_decay - corner.within_decay) + std::abs(o.alpha - corner.alpha) +
           o.prior_baskets / 100 +
           o.rhythm_weight + o.repeat_weight + o.cross_sell_weight + o.category_weight +
           (o.groups == 1 ? 0 : 1);
  };
  const NextBasketOptions chosen = TuneOptions({}, [&](const NextBasketOptions& o) {
    // From the corner's one group, a group decay is never tried: it changes nothing.
    if (o.groups == 1) {
      EXPECT_EQ(o.group_decay, 1);
    }
    return std::vector<double>{-distance(o), 1 - distance(o)};
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
        return std::vector<double>{score(o), score(o) + 1, score(o) / 2};
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

TEST(OptionTuning, AGainWithinTheNoiseDoesNotMove) {
  // Every point but the start and the corner gains on average over four customers, but
  // the gains scatter around their mean by far more than twice its standard error.
  const NextBasketOptions given;
  const NextBasketOptions corner = PersonalFrequency(given);
  const auto same = [](const NextBasketOptions& a, const NextBasketOptions& b) {
    return a.alpha == b.alpha && a.groups == b.groups && a.within_decay == b.within_decay &&
           a.group_decay == b.group_decay && a.prior_baskets == b.prior_baskets &&
           a.customer_neighbours == b.customer_neighbours && a.rhythm_weight == b.rhythm_weight && a.repeat_weight == b.repeat_weight &&
           a.cross_sell_weight == b.cross_sell_weight && a.category_weight == b.category_weight;
  };
  const NextBasketOptions chosen = TuneOptions(given, [&](const NextBasketOptions& o) {
    if (same(o, given)) return std::vector<double>{0.5, 0.5, 0.5, 0.5};
    if (same(o, corner)) return std::vector<double>{0.4, 0.4, 0.4, 0.4};
    return std::vector<double>{0.9, 0.1, 0.9, 0.2};  // mean 0.525
  });
  EXPECT_TRUE(same(chosen, given));
}

TEST(OptionTuning, TheTunedValuesGoBackByNameWithinTheCommandLinesBounds) {
  NextBasketOptions tuned;
  tuned.groups = 1;
  tuned.alpha = 0.2;
  tuned.prior_baskets = 30;
  tuned.cross_sell_weight = 0;
  NextBasketOptions restored;
  const auto values = TunedValues(tuned);
  ASSERT_EQ(values.size(), 10u);
  for (const auto& [name, value] : values) EXPECT_TRUE(SetTunedValue(restored, name, value));
  EXPECT_EQ(restored.groups, 1u);
  EXPECT_EQ(restored.alpha, 0.2);
  EXPECT_EQ(restored.prior_baskets, 30);
  EXPECT_EQ(restored.cross_sell_weight, 0);
  EXPECT_EQ(restored.within_decay, tuned.within_decay);

  EXPECT_FALSE(SetTunedValue(restored, "alpha", 1.5));
  EXPECT_FALSE(SetTunedValue(restored, "alpha", std::nan("")));
  EXPECT_FALSE(SetTunedValue(restored, "groups", 2.5));
  EXPECT_FALSE(SetTunedValue(restored, "groups", 0));
  EXPECT_FALSE(SetTunedValue(restored, "neighbours", 10));  // not tuned
  EXPECT_EQ(restored.alpha, 0.2);
  EXPECT_EQ(restored.groups, 1u);
}

}  // namespace
}  // namespace loyalty::server::targeting
