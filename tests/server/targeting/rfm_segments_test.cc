// RFM segments: the grid from scores to segment names, and scores by mid-rank quintile
// over a population where each kind of shopper is plain to see.
#include "targeting/rfm_segments.h"

#include <gtest/gtest.h>

#include <string>

namespace loyalty::server::targeting {
namespace {

using domain::Segment;

constexpr std::int64_t kDay = 86'400;
constexpr std::int64_t kRunAt = 1'796'083'200;  // 2026-12-01T00:00:00Z

TEST(RfmSegments, GridPlacesScoresInTheNamedSegments) {
  EXPECT_EQ(SegmentFor({5, 5, 5}, false), Segment::kChampions);
  EXPECT_EQ(SegmentFor({5, 5, 2}, false), Segment::kLoyal);  // frequent, small baskets
  EXPECT_EQ(SegmentFor({3, 4, 3}, false), Segment::kLoyal);
  EXPECT_EQ(SegmentFor({5, 2, 2}, false), Segment::kPotentialLoyalists);
  EXPECT_EQ(SegmentFor({5, 1, 1}, true), Segment::kNew);
  EXPECT_EQ(SegmentFor({5, 4, 4}, true), Segment::kChampions);  // new, but already frequent
  EXPECT_EQ(SegmentFor({2, 4, 3}, false), Segment::kAtRisk);
  EXPECT_EQ(SegmentFor({1, 5, 5}, false), Segment::kCantLose);
  EXPECT_EQ(SegmentFor({1, 5, 2}, false), Segment::kAtRisk);
  EXPECT_EQ(SegmentFor({2, 2, 2}, false), Segment::kHibernating);
  EXPECT_EQ(SegmentFor({3, 1, 1}, false), Segment::kHibernating);
  EXPECT_EQ(SegmentFor({1, 1, 1}, false), Segment::kLost);
  // Every score lands somewhere: the grid has no hole.
  for (std::uint8_t r = 1; r <= 5; ++r) {
    for (std::uint8_t f = 1; f <= 5; ++f) {
      for (std::uint8_t m = 1; m <= 5; ++m) {
        const Segment segment = SegmentFor({r, f, m}, false);
        EXPECT_NE(segment, Segment::kNew) << int(r) << int(f) << int(m);
      }
    }
  }
}

struct Shopper {
  std::string id;
  std::vector<int> days_before_run;  // one basket each
  std::int64_t basket_minor;
};

TransactionHistory MakeHistory(const std::vector<Shopper>& shoppers) {
  HistoryBuilder builder;
  int basket = 0;
  for (const auto& shopper : shoppers) {
    for (const int days : shopper.days_before_run) {
      const std::string basket_id = "b" + std::to_string(++basket);
      HistoryBuilder::Line line;
      line.customer = shopper.id;
      line.basket = basket_id;
      line.product = "milk";
      line.timestamp = kRunAt - days * kDay;
      line.amount_minor = shopper.basket_minor;
      if (const auto problem = builder.Add(line)) throw std::logic_error(*problem);
    }
  }
  return builder.Build();
}

std::vector<int> Every(int step, int from, int to) {
  std::vector<int> days;
  for (int day = to; day >= from; day -= step) days.push_back(day);
  return days;
}

TEST(RfmSegments, ScoresAPopulationIntoItsSegments) {
  // Ten ordinary monthly shoppers set the scale; around them one of each kind.
  std::vector<Shopper> shoppers;
  for (int i = 0; i < 10; ++i) {
    shoppers.push_back({"monthly" + std::to_string(i), Every(30, 20 + i, 340), 3'000});
  }
  shoppers.push_back({"champion", Every(3, 1, 360), 9'000});
  shoppers.push_back({"newcomer", {5}, 2'000});
  shoppers.push_back({"slipping", Every(3, 150, 360), 9'000});
  shoppers.push_back({"gone", {330}, 1'000});
  const TransactionHistory history = MakeHistory(shoppers);
  const CustomerRfm rfm = ComputeRfm(history, kRunAt);
  const auto segment = [&](const char* id) {
    return rfm.segments[*history.customers.Find(id)];
  };
  EXPECT_EQ(segment("champion"), Segment::kChampions);
  EXPECT_EQ(segment("newcomer"), Segment::kNew);
  EXPECT_EQ(segment("slipping"), Segment::kCantLose);
  EXPECT_EQ(segment("gone"), Segment::kLost);
  const RfmScores champion = rfm.scores[*history.customers.Find("champion")];
  EXPECT_EQ(champion.frequency, 5);
  EXPECT_EQ(champion.monetary, 5);
  std::int64_t counted = 0;
  for (const auto n : rfm.per_segment) counted += n;
  EXPECT_EQ(counted, static_cast<std::int64_t>(history.customer_count()));
}

// A score is 1 + 5 x (the share below the value + half the share equal to it), so a tie
// shares one score wherever the quintiles' edges fall: six of ten who came once score 2
// (0.3 of the way up), two who came twice 4 (0.7), two who came three times 5 (0.9).
TEST(RfmSegments, TiedCustomersShareTheScoreOfTheirMiddleRank) {
  std::vector<Shopper> shoppers;
  for (int i = 0; i < 6; ++i) shoppers.push_back({"once" + std::to_string(i), {10}, 1'000});
  for (int i = 0; i < 2; ++i) shoppers.push_back({"twice" + std::to_string(i), {10, 40}, 1'000});
  for (int i = 0; i < 2; ++i) {
    shoppers.push_back({"thrice" + std::to_string(i), {10, 40, 70}, 1'000});
  }
  const TransactionHistory history = MakeHistory(shoppers);
  const CustomerRfm rfm = ComputeRfm(history, kRunAt);
  const auto scores = [&](const std::string& id) {
    return rfm.scores[*history.customers.Find(id)];
  };
  for (int i = 0; i < 6; ++i) {
    const std::string id = "once" + std::to_string(i);
    EXPECT_EQ(scores(id).frequency, 2) << id;
    EXPECT_EQ(scores(id).monetary, 2) << id;  // 1,000 spent
    EXPECT_EQ(scores(id).recency, 3) << id;   // all ten last came 10 days ago: 0.5
  }
  for (int i = 0; i < 2; ++i) {
    EXPECT_EQ(scores("twice" + std::to_string(i)).frequency, 4);
    EXPECT_EQ(scores("twice" + std::to_string(i)).monetary, 4);  // 2,000
    EXPECT_EQ(scores("thrice" + std::to_string(i)).frequency, 5);
    EXPECT_EQ(scores("thrice" + std::to_string(i)).monetary, 5);  // 3,000
  }
}

TEST(RfmSegments, CustomersUnseenForAYearAreLost) {
  // Both last came 400 days ago; one was a weekly shopper before that. Neither has a
  // visit in the year: both are lost, however the other customers score.
  const TransactionHistory history =
      MakeHistory({{"weekly-then", Every(7, 400, 701), 5'000}, {"once-then", {400}, 5'000},
                   {"lapsed-long-ago", {3000}, 5'000}, {"recent", {2, 9}, 5'000}});
  const CustomerRfm rfm = ComputeRfm(history, kRunAt, {.window_days = 365, .new_days = 0});
  EXPECT_EQ(rfm.scores[*history.customers.Find("weekly-then")].frequency,
            rfm.scores[*history.customers.Find("once-then")].frequency);
  EXPECT_EQ(rfm.scores[*history.customers.Find("weekly-then")].monetary,
            rfm.scores[*history.customers.Find("once-then")].monetary);
  EXPECT_EQ(rfm.segments[*history.customers.Find("weekly-then")], Segment::kLost);
  EXPECT_EQ(rfm.segments[*history.customers.Find("once-then")], Segment::kLost);
  EXPECT_EQ(rfm.scores[*history.customers.Find("weekly-then")].recency, 1);
}

}  // namespace
}  // namespace loyalty::server::targeting
