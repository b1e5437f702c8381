// PostgresStore: the nightly run's segments and lapse-risk bands written back.
#include <algorithm>

#include "storage/customer_segments.h"
#include "storage/pg_store.h"

namespace loyalty::server {

Status PostgresStore::SetCustomerSegments(const std::vector<CustomerSegmentRow>& rows,
                                          Timestamp history_end) {
  CustomerSegmentChanges changes(rows, history_end);
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
    std::vector<std::int64_t> ids, visited_since;
    std::vector<std::string> segments;
    std::vector<std::optional<std::int64_t>> bands;
    for (std::size_t i = start; i < end; ++i) {
      ids.push_back(writes[i].customer_id);
      segments.push_back(writes[i].segment);
      bands.push_back(writes[i].band);
      if (writes[i].visited_since) visited_since.push_back(writes[i].customer_id);
    }
    const Status written = writer_->Run([&](postgres::Connection& db) -> Status {
      // Checked again as written: a visit or an erasure may have come since the read.
      db.Run(
          "UPDATE customers c SET segment = v.segment, lapse_risk_band = CASE WHEN v.band > 0"
          " AND COALESCE(c.last_visit_at, 0) >= $4::bigint THEN 0 ELSE v.band END"
          " FROM unnest($1::bigint[], $2::text[], $3::bigint[]) AS v(id, segment, band)"
          " WHERE c.id = v.id AND c.erased_at IS NULL",
          postgres::Params()
              .AddArray(ids)
              .AddArray(segments)
              .AddArray(bands)
              .Add(ToUnixSeconds(history_end)));
      if (!visited_since.empty()) {
        db.Run("UPDATE customer_features SET lapse_risk = 0 WHERE customer_id = ANY($1::bigint[])",
               postgres::Params().AddArray(visited_since));
      }
      return Status();
    });
    if (!written.ok()) return written;
  }
  return Status();
}

}  // namespace loyalty::server
