// SqliteStore: the nightly run's segments and lapse-risk bands written back.
#include <algorithm>

#include "storage/customer_segments.h"
#include "storage/sqlite_store.h"
#include "storage/sqlite_values.h"

namespace loyalty::server {

namespace {

// Customers' rows a statement: one UPDATE per customer spent most of its time stepping
// and resetting (docs/benchmarks.md, "The candidates a night replaces").
constexpr std::size_t kRowsPerStatement = 100;

// ?1 the history's end, ?2 the run's date; from ?3 on, (customer, segment, band) or
// (customer, segment) a row. Checked again as written: a visit or an erasure may have
// come since the read, or a later night's run (this one an older date run again) scored
// the customer. Where the band is left as it is, a visit since the read has made it low
// itself.
std::string SetSegmentAndBandSql(std::size_t rows) {
  return "UPDATE customers SET segment = v.column2, lapse_risk_band = CASE WHEN v.column3 > 0"
         " AND COALESCE(customers.last_visit_at, 0) >= ?1 THEN 0 ELSE v.column3 END"
         " FROM (VALUES " +
         SqliteValuesList(rows, 3, 3) +
         ") AS v"
         " WHERE customers.id = v.column1 AND customers.erased_at IS NULL AND NOT EXISTS"
         " (SELECT 1 FROM customer_features f WHERE f.customer_id = v.column1 AND"
         " f.run_date > ?2)";
}
std::string SetSegmentSql(std::size_t rows) {
  return "UPDATE customers SET segment = v.column2 FROM (VALUES " + SqliteValuesList(rows, 2, 3) +
         ") AS v"
         " WHERE customers.id = v.column1 AND customers.erased_at IS NULL AND NOT EXISTS"
         " (SELECT 1 FROM customer_features f WHERE f.customer_id = v.column1 AND"
         " f.run_date > ?2)";
}

}  // namespace

Status SqliteStore::SetCustomerSegments(const std::vector<CustomerSegmentRow>& rows,
                                        Timestamp history_end) {
  CustomerSegmentChanges changes(rows, history_end);
  const std::string run_date = RunDateOf(history_end);
  {
    // One pass over the table in rowid order: a sequential read, where an UPDATE per
    // customer looked each one up to find most of them unchanged.
    auto lease = Read();
    sqlite::Connection& db = *lease;
    auto& stored = db.Prepared(kStoredSegmentsSql);
    while (stored.Step()) {
      changes.Stored(stored.Int(0),
                     stored.IsNull(1) ? std::nullopt : std::optional(stored.TextView(1)),
                     stored.IsNull(2) ? std::nullopt : std::optional(stored.Int(2)),
                     stored.Int(3));
    }
    stored.Reset();
  }
  const auto& writes = changes.writes();
  const std::int64_t ended = ToUnixSeconds(history_end);
  constexpr std::size_t kRowsPerTransaction = 20'000;
  std::vector<const CustomerSegmentWrite*> with_band, segment_only;
  for (std::size_t start = 0; start < writes.size(); start += kRowsPerTransaction) {
    const std::size_t end = std::min(writes.size(), start + kRowsPerTransaction);
    with_band.clear();
    segment_only.clear();
    for (std::size_t i = start; i < end; ++i) {
      (writes[i].band_changes ? with_band : segment_only).push_back(&writes[i]);
    }
    const Status written = writer_->Run([&](sqlite::Connection& db) -> Status {
      for (std::size_t first = 0; first < with_band.size(); first += kRowsPerStatement) {
        const std::size_t count = std::min(kRowsPerStatement, with_band.size() - first);
        auto& update = db.Prepared(SetSegmentAndBandSql(count));
        update.Bind(1, ended).Bind(2, run_date);
        for (std::size_t i = 0; i < count; ++i) {
          const CustomerSegmentWrite& write = *with_band[first + i];
          const int at = static_cast<int>(3 + i * 3);
          update.Bind(at, write.customer_id).Bind(at + 1, write.segment).Bind(at + 2, write.band);
        }
        update.Run();
      }
      for (std::size_t first = 0; first < segment_only.size(); first += kRowsPerStatement) {
        const std::size_t count = std::min(kRowsPerStatement, segment_only.size() - first);
        auto& update = db.Prepared(SetSegmentSql(count));
        update.Bind(2, run_date);
        for (std::size_t i = 0; i < count; ++i) {
          const CustomerSegmentWrite& write = *segment_only[first + i];
          const int at = static_cast<int>(3 + i * 2);
          update.Bind(at, write.customer_id).Bind(at + 1, write.segment);
        }
        update.Run();
      }
      // A visit since the history ended, seen at the read or since: the risk this run
      // stored goes to 0 with the band, as the visit's trigger would have made it. The
      // customers who came since the run's midnight are few, and found by their index
      // (customers_by_last_visit; `+id` keeps SQLite from scanning the id range instead,
      // 0.4 s a night at a million customers).
      auto& visited = db.Prepared(
          "SELECT id FROM customers WHERE COALESCE(last_visit_at, 0) >= ?1 AND +id BETWEEN ?2"
          " AND ?3");
      visited.Bind(1, ended)
          .Bind(2, writes[start].customer_id)
          .Bind(3, writes[end - 1].customer_id);
      std::vector<std::int64_t> came;
      while (visited.Step()) came.push_back(visited.Int(0));
      visited.Reset();
      for (const std::int64_t customer : came) {
        const auto found =
            std::lower_bound(writes.begin() + static_cast<std::ptrdiff_t>(start),
                             writes.begin() + static_cast<std::ptrdiff_t>(end), customer,
                             [](const CustomerSegmentWrite& write, std::int64_t id) {
                               return write.customer_id < id;
                             });
        if (found == writes.begin() + static_cast<std::ptrdiff_t>(end) ||
            found->customer_id != customer || found->band.value_or(0) <= 0) {
          continue;
        }
        db.Prepared(
              "UPDATE customer_features SET lapse_risk = 0 WHERE customer_id = ?1 AND"
              " run_date = ?2")
            .Bind(1, customer)
            .Bind(2, run_date)
            .Run();
      }
      return Status();
    });
    if (!written.ok()) return written;
  }
  return Status();
}

}  // namespace loyalty::server
