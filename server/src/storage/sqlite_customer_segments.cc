// SqliteStore: the nightly run's segments and lapse-risk bands written back.
#include <algorithm>

#include "storage/customer_segments.h"
#include "storage/sqlite_store.h"

namespace loyalty::server {

namespace {

// ?1 segment, ?2 band, ?3 customer, ?4 the history's end, ?5 the run's date.
constexpr char kSetSegmentAndBand[] =
    "UPDATE customers SET segment = ?1, lapse_risk_band = CASE WHEN ?2 > 0 AND"
    " COALESCE(last_visit_at, 0) >= ?4 THEN 0 ELSE ?2 END WHERE id = ?3 AND erased_at IS NULL"
    " AND NOT EXISTS (SELECT 1 FROM customer_features f WHERE f.customer_id = ?3 AND"
    " f.run_date > ?5)";
constexpr char kSetSegment[] =
    "UPDATE customers SET segment = ?1 WHERE id = ?3 AND erased_at IS NULL AND NOT EXISTS"
    " (SELECT 1 FROM customer_features f WHERE f.customer_id = ?3 AND f.run_date > ?5)";

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
  constexpr std::size_t kRowsPerTransaction = 20'000;
  for (std::size_t start = 0; start < writes.size(); start += kRowsPerTransaction) {
    const std::size_t end = std::min(writes.size(), start + kRowsPerTransaction);
    const Status written = writer_->Run([&](sqlite::Connection& db) -> Status {
      for (std::size_t i = start; i < end; ++i) {
        const CustomerSegmentWrite& write = writes[i];
        // Checked again as written: a visit or an erasure may have come since the read,
        // or a later night's run (this one an older date run again) scored the customer.
        // Where the band is left as it is, a visit since the read has made it low itself.
        auto& update =
            write.band_changes ? db.Prepared(kSetSegmentAndBand) : db.Prepared(kSetSegment);
        update.Bind(1, write.segment).Bind(3, write.customer_id).Bind(5, run_date);
        if (write.band_changes) update.Bind(2, write.band).Bind(4, ToUnixSeconds(history_end));
        update.Run();
        // A visit since the history ended, seen at the read or since: the risk this run
        // stored goes to 0 with the band, as the visit's trigger would have made it.
        if (write.band.value_or(0) > 0) {
          db.Prepared("UPDATE customer_features SET lapse_risk = 0 WHERE customer_id = ?1"
                      " AND run_date = ?2 AND EXISTS (SELECT 1 FROM customers WHERE id = ?1"
                      " AND COALESCE(last_visit_at, 0) >= ?3)")
              .Bind(1, write.customer_id)
              .Bind(2, run_date)
              .Bind(3, ToUnixSeconds(history_end))
              .Run();
        }
      }
      return Status();
    });
    if (!written.ok()) return written;
  }
  return Status();
}

}  // namespace loyalty::server
