// The acquisition report's arithmetic: days, costs spread over their days and cut to the
// period, and the ranking with its ratios and the "unknown" row.
#include "acquisition/acquisition_report.h"

#include <gtest/gtest.h>

namespace loyalty::server::acquisition {
namespace {

Day D(const char* text) { return ParseDay(text, "day").value(); }

AcquisitionCost Cost(const char* start, const char* end, std::int64_t minor) {
  return {start, end, minor, {}};
}

TEST(AcquisitionDay, ReadsRealDaysAndNamesTheFieldOfABadOne) {
  EXPECT_EQ(FormatDay(D("2026-02-28")), "2026-02-28");
  EXPECT_EQ(FormatDay(D("2028-02-29")), "2028-02-29");
  for (const char* bad : {"2026-02-29", "2026-13-01", "2026-1-01", "26-01-01", "2026/01/01",
                          "2026-01-01T00:00:00Z", "", "1999-12-31", "-026-01-01"}) {
    const auto parsed = ParseDay(bad, "period_start");
    ASSERT_FALSE(parsed.ok()) << bad;
    EXPECT_EQ(parsed.error().field, "period_start") << bad;
  }
}

TEST(AcquisitionCostCheck, RefusesABadTokenReversedDaysAndANegativeAmount) {
  EXPECT_TRUE(CheckCost("flyer", Cost("2026-11-01", "2026-11-30", 150000)).ok());
  EXPECT_TRUE(CheckCost("radio_fm-2", Cost("2026-11-01", "2026-11-01", 0)).ok());
  EXPECT_EQ(CheckCost("Flyer", Cost("2026-11-01", "2026-11-30", 1)).error().field, "source");
  EXPECT_EQ(CheckCost("flyer", Cost("2026-11-30", "2026-11-01", 1)).error().field, "period_end");
  EXPECT_EQ(CheckCost("flyer", Cost("2026-11-01", "2026-11-30", -1)).error().field, "cost");
  EXPECT_EQ(CheckCost("flyer", Cost("2026-11-01", "2026-11-30", kMaxCostMinor + 1)).error().field,
            "cost");
  EXPECT_EQ(CheckSourceName("flyer", "").error().field, "display_name");
  EXPECT_EQ(CheckSourceName("flyer", std::string(kMaxDisplayName + 1, 'x')).error().field,
            "display_name");
  EXPECT_EQ(CheckSourceName("", "Flyers").error().field, "source");
}

TEST(AcquisitionCostInPeriod, SpreadsEachAmountOverItsDaysAndKeepsThePartInThePeriod) {
  // 30 days of flyers for 3000.00: 100.00 a day.
  const std::vector<AcquisitionCost> flyers = {Cost("2026-11-01", "2026-11-30", 300000)};
  EXPECT_EQ(CostInPeriod(flyers, D("2026-11-01"), D("2026-11-30")), 300000);
  EXPECT_EQ(CostInPeriod(flyers, D("2026-10-01"), D("2026-12-31")), 300000);
  EXPECT_EQ(CostInPeriod(flyers, D("2026-11-21"), D("2026-12-31")), 100000);  // 10 days
  EXPECT_EQ(CostInPeriod(flyers, D("2026-11-30"), D("2026-11-30")), 10000);
  EXPECT_EQ(CostInPeriod(flyers, D("2026-12-01"), D("2026-12-31")), 0);
  // Two bookings add up; 100 over 3 days, one day in: 33.33 rounds to 33.
  const std::vector<AcquisitionCost> two = {Cost("2026-11-01", "2026-11-30", 300000),
                                            Cost("2026-12-01", "2026-12-03", 100)};
  EXPECT_EQ(CostInPeriod(two, D("2026-11-30"), D("2026-12-01")), 10000 + 33);
}

TEST(AcquisitionRanking, RanksByRevenueWithRatiosAndAnUnknownRow) {
  const std::vector<AcquiredCustomers> acquired = {
      {"flyer", 10, 50000}, {"friend", 4, 80000}, {"", 3, 9000}};
  const std::vector<AcquisitionSource> sources = {
      {"flyer", "Door-to-door flyers", {Cost("2026-11-01", "2026-11-30", 30000)}},
      {"radio", "Radio", {Cost("2026-11-01", "2026-11-30", 60000)}}};
  const auto rows =
      RankSources(acquired, sources, D("2026-11-01"), D("2026-11-30"), true, SourceSort::kRevenue);
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows[0].source, "friend");
  EXPECT_EQ(rows[0].display_name, "friend");  // never named: its token
  EXPECT_EQ(rows[0].cost_minor, 0);
  EXPECT_EQ(rows[0].cost_per_customer_minor, 0);
  EXPECT_FALSE(rows[0].revenue_per_cost.has_value());  // free: no ratio
  EXPECT_EQ(rows[1].display_name, "Door-to-door flyers");
  EXPECT_EQ(rows[1].customers, 10);
  EXPECT_EQ(rows[1].cost_minor, 30000);
  EXPECT_EQ(rows[1].cost_per_customer_minor, 3000);
  EXPECT_DOUBLE_EQ(rows[1].revenue_per_cost.value(), 50000.0 / 30000.0);
  EXPECT_FALSE(rows[2].source.has_value());
  EXPECT_EQ(rows[2].display_name, "Unknown");
  EXPECT_EQ(rows[2].customers, 3);
  EXPECT_FALSE(rows[2].cost_minor.has_value());  // not a source: nothing was spent on it
  // Radio cost money and brought nobody: still listed, so the spend shows.
  EXPECT_EQ(rows[3].source, "radio");
  EXPECT_EQ(rows[3].customers, 0);
  EXPECT_EQ(rows[3].cost_minor, 60000);
  EXPECT_FALSE(rows[3].cost_per_customer_minor.has_value());
  EXPECT_DOUBLE_EQ(rows[3].revenue_per_cost.value(), 0.0);

  const auto cheapest = RankSources(acquired, sources, D("2026-11-01"), D("2026-11-30"), true,
                                    SourceSort::kCostPerCustomer);
  EXPECT_EQ(cheapest[0].source, "friend");  // 0 a customer
  EXPECT_EQ(cheapest[1].source, "flyer");
  // Rows without the figure (no customers, or no cost) come last, by name.
  EXPECT_EQ(cheapest[2].source, "radio");
  EXPECT_FALSE(cheapest[3].source.has_value());
  const auto best_return = RankSources(acquired, sources, D("2026-11-01"), D("2026-11-30"), true,
                                       SourceSort::kRevenuePerCost);
  EXPECT_EQ(best_return[0].source, "flyer");
  EXPECT_EQ(best_return[1].source, "radio");
}

TEST(AcquisitionRanking, LeavesCostsOutOfAViewWithoutThem) {
  const auto rows = RankSources({{"flyer", 2, 1000}},
                                {{"flyer", "Flyers", {Cost("2026-11-01", "2026-11-30", 300)}}},
                                D("2026-11-01"), D("2026-11-30"), false, SourceSort::kCost);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_FALSE(rows[0].cost_minor.has_value());
  EXPECT_FALSE(rows[0].cost_per_customer_minor.has_value());
  EXPECT_FALSE(rows[0].revenue_per_cost.has_value());
  EXPECT_EQ(ParseSourceSort("spend").error().field, "sort");
}

}  // namespace
}  // namespace loyalty::server::acquisition
