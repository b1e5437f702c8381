// PostgresStore: the purchase history as the nightly batch reads it.
#include <algorithm>

#include "storage/pg_store.h"

namespace loyalty::server {

// The lines with their purchase's id; kHistoryRangeSql is the same walk by sequence.
constexpr char kHistorySql[] =
    "SELECT p.customer_id, p.seq, p.occurred_at, l.sku, COALESCE(l.category, ''),"
    " l.quantity, l.amount_minor, p.id"
    " FROM purchases p JOIN purchase_lines l ON l.purchase_seq = p.seq"
    " WHERE p.customer_id IS NOT NULL AND p.occurred_at < $1::bigint"
    " ORDER BY p.seq, l.line_no";

// kHistorySql for one range of purchase sequences, each purchase by its sequence.
constexpr char kHistoryRangeSql[] =
    "SELECT p.customer_id, p.seq, p.occurred_at, l.sku, COALESCE(l.category, ''),"
    " l.quantity, l.amount_minor"
    " FROM purchases p JOIN purchase_lines l ON l.purchase_seq = p.seq"
    " WHERE p.customer_id IS NOT NULL AND p.occurred_at < $1::bigint"
    " AND p.seq >= $2::bigint AND p.seq < $3::bigint"
    " ORDER BY p.seq, l.line_no";

void PostgresStore::ScanPurchaseHistory(Timestamp before, const HistoryLineFunction& line) {
  auto lease = Read();
  postgres::Connection& db = *lease;
  // A read-only snapshot for the whole scan, fetched through a cursor a batch at a time.
  postgres::Transaction snapshot(db, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
  HistoryLine row;
  db.ForEachRow(
      kHistorySql,
      postgres::Params().Add(ToUnixSeconds(before)),
      [&](const postgres::Rows& rows, int i) {
        row.customer_id = rows.Int(i, 0);
        row.purchase_id = rows.Text(i, 7);
        row.occurred_at = FromUnixSeconds(rows.Int(i, 2));
        row.sku = rows.Text(i, 3);
        row.category = rows.Text(i, 4);
        row.quantity = rows.Int(i, 5);
        row.amount_minor = rows.Int(i, 6);
        line(row);
      },
      10'000);
  snapshot.Commit();
}

void PostgresStore::ScanPurchaseHistoryKeyRanges(Timestamp before,
                                                 const std::vector<PurchaseSeqRange>& ranges,
                                                 const HistoryKeyLineFunction& line,
                                                 const std::function<void()>& range_done) {
  auto lease = Read();
  postgres::Connection& db = *lease;
  postgres::Transaction snapshot(db, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
  HistoryKeyLine row;
  for (const PurchaseSeqRange& range : ranges) {
    db.ForEachRow(
        kHistoryRangeSql,
        postgres::Params().Add(ToUnixSeconds(before)).Add(range.from).Add(range.to),
        [&](const postgres::Rows& rows, int i) {
          row.customer_id = rows.Int(i, 0);
          row.purchase_seq = rows.Int(i, 1);
          row.occurred_at = rows.Int(i, 2);
          row.sku = rows.TextView(i, 3);
          row.category = rows.TextView(i, 4);
          row.quantity = rows.Int(i, 5);
          row.amount_minor = rows.Int(i, 6);
          line(row);
        },
        10'000);
    if (range_done) range_done();
  }
  snapshot.Commit();
}

std::int64_t PostgresStore::PurchaseSeqEnd() {
  auto lease = Read();
  const auto rows = (*lease).Run("SELECT COALESCE(MAX(seq), 0) + 1 FROM purchases");
  return rows.size() > 0 ? rows.Int(0, 0) : 1;
}

std::vector<std::pair<std::int64_t, std::string>> PostgresStore::ListBirthdays() {
  auto lease = Read();
  const auto rows = (*lease).Run(
      "SELECT customer_id, birthday FROM customer_details WHERE birthday IS NOT NULL"
      " ORDER BY customer_id");
  std::vector<std::pair<std::int64_t, std::string>> birthdays;
  birthdays.reserve(static_cast<std::size_t>(rows.size()));
  for (int i = 0; i < rows.size(); ++i) birthdays.emplace_back(rows.Int(i, 0), rows.Text(i, 1));
  return birthdays;
}

std::vector<std::int64_t> PostgresStore::ListCardholders() {
  auto lease = Read();
  postgres::Connection& db = *lease;
  postgres::Transaction snapshot(db, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
  std::vector<std::int64_t> customers;
  db.ForEachRow(
      "SELECT DISTINCT customer_id FROM cards WHERE status = 'active' ORDER BY customer_id",
      postgres::Params(),
      [&](const postgres::Rows& rows, int i) { customers.push_back(rows.Int(i, 0)); }, 10'000);
  snapshot.Commit();
  return customers;
}

}  // namespace loyalty::server
