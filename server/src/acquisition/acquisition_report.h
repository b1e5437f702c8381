// The acquisition report: per source, the customers who joined in a period, what they
// have paid since, what the source cost over the period, and the ratios a marketing team
// ranks sources by. Pure functions over what the store returns; no I/O.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "loyalty/core/result.h"
#include "storage/store.h"

namespace loyalty::server::acquisition {

using Day = std::chrono::sys_days;

// "2026-11-23" as a day; kInvalidArgument naming `field` otherwise (a real calendar day
// from 2000 to 2099: costs are booked for recent and coming campaigns).
Result<Day> ParseDay(std::string_view text, std::string_view field);
std::string FormatDay(Day day);

inline constexpr std::size_t kMaxDisplayName = 100;
// A booked amount above this (in minor units) is a typo rather than a budget.
inline constexpr std::int64_t kMaxCostMinor = 1'000'000'000'000;

// The checks every engine applies before it stores a name or a cost.
Status CheckSourceName(const std::string& source, const std::string& display_name);
Status CheckCost(const std::string& source, const AcquisitionCost& cost);

// The part of `costs` that falls on the days first..last (inclusive): each amount spread
// evenly over its own days, rounded to the nearest minor unit.
std::int64_t CostInPeriod(const std::vector<AcquisitionCost>& costs, Day first, Day last);

enum class SourceSort { kRevenue, kCustomers, kCost, kCostPerCustomer, kRevenuePerCost };
// "revenue", "customers", "cost", "cost_per_customer", "revenue_per_cost".
Result<SourceSort> ParseSourceSort(std::string_view text);

struct SourceRow {
  std::optional<std::string> source;  // empty: customers who gave none ("unknown")
  std::string display_name;
  std::int64_t customers = 0;
  std::int64_t revenue_minor = 0;
  // Empty when costs are not part of the view (a store manager's, since costs are the
  // chain's); then the ratios are empty too.
  std::optional<std::int64_t> cost_minor;
  std::optional<std::int64_t> cost_per_customer_minor;  // rounded; needs customers
  std::optional<double> revenue_per_cost;               // revenue / cost; needs a cost > 0
};

// One row per source that brought customers in the period or has a name or a cost,
// ranked by `sort`: the largest first, but the cheapest cost per customer first. Rows
// without the figure go last; ties by display name.
std::vector<SourceRow> RankSources(const std::vector<AcquiredCustomers>& acquired,
                                   const std::vector<AcquisitionSource>& sources, Day first,
                                   Day last, bool with_costs, SourceSort sort);

}  // namespace loyalty::server::acquisition
