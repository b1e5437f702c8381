// PostgresStore: the nightly run's segments and lapse-risk bands written back.
#include <algorithm>

#include "storage/customer_segments.h"
#include "storage/pg_store.h"

namespace loyalty::server {

Status PostgresStore::SetCustomerSegments(const std::vector<CustomerSegmentRow>& rows,
                                          Timestamp history_end) {
  CustomerSegmentChanges changes(rows, history_end);
  const std::string run_date = RunDateOf(history_end);
  {
    // One pass in id order through a cursor, where the UPDATE of every customer joined
    // each chunk of the run's rows to the table to find most of them unchanged.
    auto lease = Read();
    postgres::Connection& db = *lease;
    postgres::Transaction snapshot(db, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    db.ForEachRow(
        kStoredSegmentsSql, postgres::Params(),
        [&](const postgres::Rows& stored, int i) {
          changes.Stored(stored.Int(i, 0),
                         stored.IsNull(i, 1) ? std::nullopt
                                             : std::optional(stored.TextView(i, 1)),
                         stored.OptionalInt(i, 2), stored.Int(i, 3));
        },
        10'000);
    snapshot.Commit();
  }
  const auto& writes = changes.writes();
  constexpr std::size_t kRowsPerTransaction = 5'000;
  for (std::size_t start = 0; start < writes.size(); start += kRowsPerTransaction) {
    const std::size_t end = std::min(writes.size(), start + kRowsPerTransaction);
    std::vector<std::int64_t> ids;
    std::vector<std::string> segments;
    std::vector<std::optional<std::int64_t>> bands;
    for (std::size_t i = start; i < end; ++i) {
      ids.push_back(writes[i].customer_id);
      segments.push_back(writes[i].segment);
      bands.push_back(writes[i].band);
    }
    const Status written = writer_->Run([&](postgres::Connection& db) -> Status {
      // Checked again as written: a visit or an erasure may have come since the read, or
      // a later night's run (this one an older date run again) scored the customer. A
      // customer at risk who visited since the history ended, seen at the read or since,
      // gets the band low and the risk this run stored 0, as the visit's trigger would
      // have made them; customers' rows first, as a purchase locks them.
      db.Run(
          "WITH v AS (SELECT * FROM unnest($1::bigint[], $2::text[], $3::bigint[])"
          "   AS v(id, segment, band)),"
          " u AS (UPDATE customers c SET segment = v.segment, lapse_risk_band = CASE"
          "   WHEN v.band > 0 AND COALESCE(c.last_visit_at, 0) >= $4::bigint THEN 0 ELSE v.band END"
          "   FROM v WHERE c.id = v.id AND c.erased_at IS NULL AND NOT EXISTS (SELECT 1 FROM"
          "   customer_features f WHERE f.customer_id = c.id AND f.run_date > $5)"
          "   RETURNING c.id, v.band, COALESCE(c.last_visit_at, 0) AS last_visit_at)"
          " UPDATE customer_features f SET lapse_risk = 0 FROM u"
          " WHERE f.customer_id = u.id AND u.band > 0 AND u.last_visit_at >= $4::bigint"
          "   AND f.run_date = $5",
          postgres::Params()
              .AddArray(ids)
              .AddArray(segments)
              .AddArray(bands)
              .Add(ToUnixSeconds(history_end))
              .Add(run_date));
      return Status();
    });
    if (!written.ok()) return written;
  }
  return Status();
}

}  // namespace loyalty::server
