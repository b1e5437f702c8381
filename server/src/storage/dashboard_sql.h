// The portal dashboard's SQL shared by both engines (SQLite text with ?N parameters;
// PostgreSQL runs it through ForPostgres()).
#pragma once

#include <string>

namespace loyalty::server {

// The distinct customers who bought in [?1, ?2), the whole chain, read from the
// customers' last visits rather than from every purchase of the run (1 to 2 s for 30
// days of a million customers). Exact when no purchase was made at or after ?2: the
// purchase path keeps last_visit_at at the customer's latest purchase, and a merge moves
// the purchases to the customer merged into (whose last visit is then the later of the
// two) while the one merged away keeps its own, which is why those are taken off
// (migration 0015 indexes them). -1 when a later purchase exists: the run is in the past
// and the caller counts the purchases themselves.
inline constexpr char kActiveCustomersFromLastVisitsSql[] =
    "SELECT CASE WHEN EXISTS (SELECT 1 FROM purchases WHERE occurred_at >= ?2) THEN -1 ELSE"
    " (SELECT COUNT(*) FROM customers WHERE COALESCE(last_visit_at, 0) >= ?1"
    "   AND COALESCE(last_visit_at, 0) < ?2)"
    " - (SELECT COUNT(*) FROM customers WHERE merged_into IS NOT NULL"
    "   AND COALESCE(last_visit_at, 0) >= ?1 AND COALESCE(last_visit_at, 0) < ?2) END";

// The purchases of the run [?1, ?2) whose customer bought earlier on the same day (of the
// days from ?1), per day: each day's customers are its purchases with a customer less
// these (migration 0020). Only a purchase that follows its customer's previous one by
// less than a day can be one, and the partial index purchases_repeat_visits holds just
// those, so this reads a few rows rather than the run's purchases. `from` names the
// table as the engine needs it (SQLite is told the index: without statistics for it, it
// may walk the time index instead).
inline std::string RepeatVisitsPerDaySql(const char* from = "purchases") {
  return std::string("SELECT (occurred_at - ?1) / 86400, COUNT(*) FROM ") + from +
         " WHERE occurred_at >= ?1 AND occurred_at < ?2"
         " AND previous_purchase_at > occurred_at - 86400"
         " AND previous_purchase_at >= ?1 + (occurred_at - ?1) / 86400 * 86400 GROUP BY 1";
}

}  // namespace loyalty::server
