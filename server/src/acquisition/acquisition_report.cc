#include "acquisition/acquisition_report.h"

#include <algorithm>
#include <cstdio>
#include <map>

#include "loyalty/core/number.h"
#include "loyalty/domain/customer.h"

namespace loyalty::server::acquisition {
namespace {

constexpr char kUnknownName[] = "Unknown";

// Days from `first` to `last`, both counted.
std::int64_t DaysIn(Day first, Day last) { return (last - first).count() + 1; }

// The figure a row ranks by, larger first; cost per customer is turned around so that
// the cheapest comes first.
std::optional<double> RankKey(const SourceRow& row, SourceSort sort) {
  switch (sort) {
    case SourceSort::kRevenue:
      return static_cast<double>(row.revenue_minor);
    case SourceSort::kCustomers:
      return static_cast<double>(row.customers);
    case SourceSort::kCost:
      if (!row.cost_minor) return std::nullopt;
      return static_cast<double>(*row.cost_minor);
    case SourceSort::kCostPerCustomer:
      if (!row.cost_per_customer_minor) return std::nullopt;
      return -static_cast<double>(*row.cost_per_customer_minor);
    case SourceSort::kRevenuePerCost:
      return row.revenue_per_cost;
  }
  return std::nullopt;
}

}  // namespace

Result<Day> ParseDay(std::string_view text, std::string_view field) {
  const Error bad = InvalidArgument(std::string(field), "must be a day written YYYY-MM-DD");
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return bad;
  const auto year = ParseWholeNumber(text.substr(0, 4), 9999);
  const auto month = ParseWholeNumber(text.substr(5, 2), 99);
  const auto day = ParseWholeNumber(text.substr(8, 2), 99);
  if (!year || !month || !day) return bad;
  const std::chrono::year_month_day date{std::chrono::year(static_cast<int>(*year)),
                                         std::chrono::month(static_cast<unsigned>(*month)),
                                         std::chrono::day(static_cast<unsigned>(*day))};
  if (!date.ok()) return bad;
  if (*year < 2000 || *year > 2099) {
    return InvalidArgument(std::string(field), "must be a day from 2000 to 2099");
  }
  return Day(date);
}

std::string FormatDay(Day day) {
  const std::chrono::year_month_day date(day);
  char text[32];
  std::snprintf(text, sizeof text, "%04d-%02u-%02u", static_cast<int>(date.year()),
                static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()));
  return text;
}

Status CheckSourceName(const std::string& source, const std::string& display_name) {
  if (!domain::IsAcquisitionSource(source)) {
    return InvalidArgument("source", "must be 1 to 64 of a-z, 0-9, - and _, such as flyer");
  }
  if (display_name.empty() || display_name.size() > kMaxDisplayName) {
    return InvalidArgument("display_name",
                           "must have 1 to " + std::to_string(kMaxDisplayName) + " characters");
  }
  return {};
}

Status CheckCost(const std::string& source, const AcquisitionCost& cost) {
  if (!domain::IsAcquisitionSource(source)) {
    return InvalidArgument("source", "must be 1 to 64 of a-z, 0-9, - and _, such as flyer");
  }
  auto start = ParseDay(cost.period_start, "period_start");
  if (!start.ok()) return start.error();
  auto end = ParseDay(cost.period_end, "period_end");
  if (!end.ok()) return end.error();
  if (*end < *start) return InvalidArgument("period_end", "must not be before period_start");
  if (cost.cost_minor < 0 || cost.cost_minor > kMaxCostMinor) {
    return InvalidArgument(
        "cost", "must be a whole number of minor units from 0 to " + std::to_string(kMaxCostMinor));
  }
  return {};
}

std::int64_t CostInPeriod(const std::vector<AcquisitionCost>& costs, Day first, Day last) {
  std::int64_t total = 0;
  for (const auto& cost : costs) {
    auto start = ParseDay(cost.period_start, "period_start");
    auto end = ParseDay(cost.period_end, "period_end");
    if (!start.ok() || !end.ok() || *end < *start) continue;  // refused on the way in
    const Day from = std::max(*start, first);
    const Day to = std::min(*end, last);
    if (to < from) continue;
    const std::int64_t days = DaysIn(*start, *end);
    // At most 10^12 x 36,525 days: well inside 64 bits.
    total += (cost.cost_minor * DaysIn(from, to) + days / 2) / days;
  }
  return total;
}

Result<SourceSort> ParseSourceSort(std::string_view text) {
  if (text == "revenue") return SourceSort::kRevenue;
  if (text == "customers") return SourceSort::kCustomers;
  if (text == "cost") return SourceSort::kCost;
  if (text == "cost_per_customer") return SourceSort::kCostPerCustomer;
  if (text == "revenue_per_cost") return SourceSort::kRevenuePerCost;
  return InvalidArgument("sort",
                         "must be revenue, customers, cost, cost_per_customer or revenue_per_cost");
}

std::vector<SourceRow> RankSources(const std::vector<AcquiredCustomers>& acquired,
                                   const std::vector<AcquisitionSource>& sources, Day first,
                                   Day last, bool with_costs, SourceSort sort) {
  // Keyed by token; "" is the customers without one, which has no name and no cost.
  std::map<std::string, SourceRow> rows;
  for (const auto& source : sources) {
    SourceRow& row = rows[source.source];
    row.source = source.source;
    row.display_name = source.display_name;
    if (with_costs) row.cost_minor = CostInPeriod(source.costs, first, last);
  }
  for (const auto& group : acquired) {
    auto [it, added] = rows.try_emplace(group.source);
    SourceRow& row = it->second;
    if (added) {
      if (!group.source.empty()) row.source = group.source;
      row.display_name = group.source.empty() ? kUnknownName : group.source;
      // A token nobody booked a cost for cost nothing; customers without one are no
      // source, so they have no cost at all.
      if (with_costs && !group.source.empty()) row.cost_minor = 0;
    }
    row.customers += group.customers;
    row.revenue_minor += group.revenue_minor;
  }
  std::vector<SourceRow> ranked;
  for (auto& [token, row] : rows) {
    if (row.cost_minor && row.customers > 0) {
      row.cost_per_customer_minor = (*row.cost_minor + row.customers / 2) / row.customers;
    }
    if (row.cost_minor && *row.cost_minor > 0) {
      row.revenue_per_cost =
          static_cast<double>(row.revenue_minor) / static_cast<double>(*row.cost_minor);
    }
    ranked.push_back(std::move(row));
  }
  std::stable_sort(ranked.begin(), ranked.end(), [sort](const SourceRow& a, const SourceRow& b) {
    const auto key_a = RankKey(a, sort);
    const auto key_b = RankKey(b, sort);
    if (key_a.has_value() != key_b.has_value()) return key_a.has_value();
    if (key_a && *key_a != *key_b) return *key_a > *key_b;
    return a.display_name < b.display_name;
  });
  return ranked;
}

}  // namespace loyalty::server::acquisition
