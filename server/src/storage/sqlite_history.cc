// SqliteStore: the purchase history as the nightly batch reads it.
#include <algorithm>

#include "storage/sqlite_store.h"

namespace loyalty::server {

// The lines with their purchase's id; kHistoryRangeSql is the same walk by sequence.
constexpr char kHistorySql[] =
    "SELECT p.customer_id, p.seq, p.occurred_at, l.sku, COALESCE(l.category, ''),"
    " l.quantity, l.amount_minor, p.id"
    " FROM purchases p JOIN purchase_lines l ON l.purchase_seq = p.seq"
    " WHERE p.customer_id IS NOT NULL AND p.occurred_at < ?"
    " ORDER BY p.seq, l.line_no";

void SqliteStore::ScanPurchaseHistory(Timestamp before, const HistoryLineFunction& line) {
  auto lease = Read();
  sqlite::Connection& db = *lease;
  // One statement is one read transaction: in WAL mode it sees the database as it was
  // when the scan began, whatever the writer commits meanwhile.
  auto& query = db.Prepared(kHistorySql);
  query.Bind(1, ToUnixSeconds(before));
  HistoryLine row;
  while (query.Step()) {
    row.customer_id = query.Int(0);
    row.purchase_id = query.Text(7);
    row.occurred_at = FromUnixSeconds(query.Int(2));
    row.sku = query.Text(3);
    row.category = query.Text(4);
    row.quantity = query.Int(5);
    row.amount_minor = query.Int(6);
    line(row);
  }
}

// kHistorySql for one range of purchase sequences, each purchase by its sequence: a seek
// by rowid, then the same walk.
constexpr char kHistoryRangeSql[] =
    "SELECT p.customer_id, p.seq, p.occurred_at, l.sku, COALESCE(l.category, ''),"
    " l.quantity, l.amount_minor"
    " FROM purchases p JOIN purchase_lines l ON l.purchase_seq = p.seq"
    " WHERE p.customer_id IS NOT NULL AND p.occurred_at < ?1 AND p.seq >= ?2 AND p.seq < ?3"
    " ORDER BY p.seq, l.line_no";

void SqliteStore::ScanPurchaseHistoryKeyRanges(Timestamp before,
                                               const std::vector<PurchaseSeqRange>& ranges,
                                               const HistoryKeyLineFunction& line,
                                               const std::function<void()>& range_done) {
  auto lease = Read();
  sqlite::Connection& db = *lease;
  const sqlite::ReadTransaction snapshot(db);
  auto& query = db.Prepared(kHistoryRangeSql);
  HistoryKeyLine row;
  for (const PurchaseSeqRange& range : ranges) {
    query.Bind(1, ToUnixSeconds(before)).Bind(2, range.from).Bind(3, range.to);
    while (query.Step()) {
      row.customer_id = query.Int(0);
      row.purchase_seq = query.Int(1);
      row.occurred_at = query.Int(2);
      row.sku = query.TextView(3);
      row.category = query.TextView(4);
      row.quantity = query.Int(5);
      row.amount_minor = query.Int(6);
      line(row);
    }
    query.Reset();
    if (range_done) range_done();
  }
}

std::int64_t SqliteStore::PurchaseSeqEnd() {
  auto lease = Read();
  sqlite::Connection& db = *lease;
  auto& query = db.Prepared("SELECT COALESCE(MAX(seq), 0) + 1 FROM purchases");
  const std::int64_t end = query.Step() ? query.Int(0) : 1;
  query.Reset();
  return end;
}

std::vector<std::pair<std::int64_t, std::string>> SqliteStore::ListBirthdays() {
  auto lease = Read();
  sqlite::Connection& db = *lease;
  auto& query = db.Prepared(
      "SELECT customer_id, birthday FROM customer_details WHERE birthday IS NOT NULL"
      " ORDER BY customer_id");
  std::vector<std::pair<std::int64_t, std::string>> birthdays;
  while (query.Step()) birthdays.emplace_back(query.Int(0), query.Text(1));
  return birthdays;
}

std::vector<std::int64_t> SqliteStore::ListCardholders() {
  auto lease = Read();
  sqlite::Connection& db = *lease;
  auto& query = db.Prepared(
      "SELECT DISTINCT customer_id FROM cards WHERE status = 'active' ORDER BY customer_id");
  std::vector<std::int64_t> customers;
  while (query.Step()) customers.push_back(query.Int(0));
  return customers;
}

}  // namespace loyalty::server
