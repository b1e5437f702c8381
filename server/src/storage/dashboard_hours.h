// How the dashboard's run of days is read on both engines: most of it from the per-hour,
// per-store totals of dashboard_hours (migration 0016), the rest from the rows.
#pragma once

#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "storage/store.h"

namespace loyalty::server {

inline constexpr std::int64_t kHourSeconds = 60 * 60;

// A run of days cut into UTC hours. The viewer's days start at their local midnight: for
// an offset from UTC in whole hours every hour lies inside one day; for others (India's
// +5:30, Nepal's +5:45) a day's start cuts an hour in two, and that hour's parts are
// read from the purchases and coupons themselves (one hour a day, at most 25 for 24
// days) so that each day's figures stay exact.
struct DashboardRun {
  std::int64_t from = 0;  // the first day's start, Unix seconds
  std::int64_t to = 0;    // the last day's end
  // The hours of dashboard_hours to read: [first_hour, end_hour) covers [from, to).
  std::int64_t first_hour = 0;
  std::int64_t end_hour = 0;

  // The day (from 0) of the hour that starts `offset` seconds after `from`; none when
  // the hour is not wholly inside one day of the run.
  std::optional<std::size_t> DayOfHourAt(std::int64_t offset) const;
  // The parts of the run, [start, end) in Unix seconds, inside hours a day's start cuts.
  std::vector<std::pair<std::int64_t, std::int64_t>> CutHours() const;
};

DashboardRun DashboardRunOf(const DashboardQuery& query);

}  // namespace loyalty::server
