#include "storage/dashboard_hours.h"

#include <algorithm>

namespace loyalty::server {
namespace {

constexpr std::int64_t kDaySeconds = 24 * kHourSeconds;

// The start of the UTC hour holding `seconds` (the same as dashboard_hours' hour,
// `t - t % 3600`, for any time after 1970).
std::int64_t HourOf(std::int64_t seconds) { return seconds - seconds % kHourSeconds; }

}  // namespace

DashboardRun DashboardRunOf(const DashboardQuery& query) {
  DashboardRun run;
  run.from = ToUnixSeconds(query.from);
  run.to = run.from + query.days * kDaySeconds;
  run.first_hour = HourOf(run.from);
  run.end_hour = HourOf(run.to - 1) + kHourSeconds;
  return run;
}

std::optional<std::size_t> DashboardRun::DayOfHourAt(std::int64_t offset) const {
  const std::int64_t last = offset + kHourSeconds - 1;
  if (offset < 0 || last >= to - from || offset / kDaySeconds != last / kDaySeconds) {
    return std::nullopt;
  }
  return static_cast<std::size_t>(offset / kDaySeconds);
}

std::vector<std::pair<std::int64_t, std::int64_t>> DashboardRun::CutHours() const {
  std::vector<std::pair<std::int64_t, std::int64_t>> parts;
  if (from % kHourSeconds == 0) return parts;  // every day starts on the hour
  for (std::int64_t start = from; start <= to; start += kDaySeconds) {
    const std::int64_t hour = HourOf(start);
    parts.emplace_back(std::max(hour, from), std::min(hour + kHourSeconds, to));
  }
  return parts;
}

}  // namespace loyalty::server
