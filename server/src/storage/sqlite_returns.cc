// SqliteStore: returns, netted out of the profile in the return's own transaction.
#include <map>

#include "loyalty/crypto/hash.h"
#include "storage/coupon_voids.h"
#include "storage/sqlite_store.h"

namespace loyalty::server {
namespace {

struct Sold {
  std::int64_t quantity = 0;
  std::int64_t amount = 0;
  std::string category;
};

}  // namespace

void SqliteStore::RecordReturnAsync(domain::SaleReturn sale_return, Timestamp now,
                                    ReturnCallback done) {
  auto body_hash = crypto::Sha256Hex(domain::SaleReturnToJson(sale_return).dump());
  auto state = std::make_shared<std::optional<Result<RecordedReturn>>>();
  writer_->Submit(
      SqliteWriter::Job{[this, state, sale_return = std::move(sale_return),
                         body_hash = std::move(body_hash), now](sqlite::Connection& db) -> Status {
                          *state = WriteReturn(db, sale_return, body_hash, now);
                          return (*state)->status();
                        },
                        [state, done = std::move(done)](Status status) {
                          if (!status.ok()) return done(status.error());
                          done(std::move(**state));
                        }});
}

Result<RecordedReturn> SqliteStore::WriteReturn(sqlite::Connection& db,
                                                const domain::SaleReturn& sale_return,
                                                const std::string& body_hash, Timestamp now) {
  RecordedReturn recorded;
  recorded.return_id = sale_return.id.str();
  auto& existing = db.Prepared("SELECT body_sha256, refund_minor FROM returns WHERE id = ?");
  existing.Bind(1, sale_return.id.str());
  if (existing.Step()) {
    const bool same = existing.Text(0) == body_hash;
    recorded.refund_minor = existing.Int(1);
    existing.Reset();
    if (!same) {
      return Error{ErrorCode::kConflict,
                   "return id " + sale_return.id.str() + " was already used for another return",
                   "id"};
    }
    recorded.replay = true;
    return recorded;
  }

  auto& original = db.Prepared(
      "SELECT seq, customer_id, currency, occurred_at, total_minor FROM purchases WHERE id = ?");
  original.Bind(1, sale_return.original_purchase_id.str());
  if (!original.Step()) {
    return Error{ErrorCode::kNotFound,
                 "no purchase " + sale_return.original_purchase_id.str() + " to return goods of",
                 "original_purchase_id"};
  }
  const std::int64_t purchase_seq = original.Int(0);
  std::optional<std::int64_t> customer_id;
  if (!original.IsNull(1)) customer_id = original.Int(1);
  const std::string currency = original.Text(2);
  const std::int64_t purchased_at = original.Int(3);
  const std::int64_t paid = original.Int(4);  // after coupon discounts
  original.Reset();
  if (currency != sale_return.currency.code()) {
    return InvalidArgument("currency", "the purchase was in " + currency);
  }

  // What the purchase sold, less what earlier returns took back already.
  std::map<std::string, Sold> left;
  auto& lines = db.Prepared(
      "SELECT sku, quantity, amount_minor, COALESCE(category, '') FROM purchase_lines"
      " WHERE purchase_seq = ?");
  lines.Bind(1, purchase_seq);
  while (lines.Step()) {
    auto& sold = left[lines.Text(0)];
    sold.quantity += lines.Int(1);
    sold.amount += lines.Int(2);
    sold.category = lines.Text(3);
  }
  auto& returned = db.Prepared(
      "SELECT l.sku, SUM(l.quantity), SUM(l.amount_minor) FROM return_lines l"
      " JOIN returns r ON r.seq = l.return_seq WHERE r.original_purchase_seq = ? GROUP BY l.sku");
  returned.Bind(1, purchase_seq);
  while (returned.Step()) {
    auto& sold = left[returned.Text(0)];
    sold.quantity -= returned.Int(1);
    sold.amount -= returned.Int(2);
  }
  std::map<std::string, std::pair<std::int64_t, std::int64_t>> asked;  // sku: quantity, amount
  for (const auto& line : sale_return.lines) {
    asked[line.sku].first += line.quantity;
    asked[line.sku].second += line.amount_minor;
  }
  for (const auto& [sku, quantity_amount] : asked) {
    const auto it = left.find(sku);
    const Sold sold = it == left.end() ? Sold{} : it->second;
    if (quantity_amount.first > sold.quantity) {
      return InvalidArgument("lines", "returns " + std::to_string(quantity_amount.first) + " of " +
                                          sku + " but the purchase has " +
                                          std::to_string(std::max<std::int64_t>(sold.quantity, 0)) +
                                          " left to return");
    }
    if (quantity_amount.second > sold.amount) {
      return InvalidArgument("lines", "refunds " + std::to_string(quantity_amount.second) +
                                          " for " + sku + ", more than the " +
                                          std::to_string(sold.amount) + " paid for it");
    }
  }

  // Never more back than the shopper paid, coupons deducted, less earlier refunds.
  auto& refunded = db.Prepared(
      "SELECT COALESCE(SUM(refund_minor), 0) FROM returns WHERE original_purchase_seq = ?");
  refunded.Bind(1, purchase_seq);
  refunded.Step();
  const std::int64_t refundable = paid - refunded.Int(0);
  refunded.Reset();
  if (sale_return.total_minor > refundable) {
    return InvalidArgument("total", "refunds " + std::to_string(sale_return.total_minor) +
                                        " but only " + std::to_string(refundable) +
                                        " of what was paid is left to refund");
  }
  db.Prepared(
        "INSERT INTO returns(id, original_purchase_seq, customer_id, store_id, terminal_id,"
        " occurred_at, received_at, refund_minor, body_sha256) VALUES (?,?,?,?,?,?,?,?,?)")
      .Bind(1, sale_return.id.str())
      .Bind(2, purchase_seq)
      .Bind(3, customer_id)
      .Bind(4, sale_return.store_id)
      .Bind(5, sale_return.terminal_id)
      .Bind(6, ToUnixSeconds(sale_return.occurred_at))
      .Bind(7, ToUnixSeconds(now))
      .Bind(8, sale_return.total_minor)
      .Bind(9, body_hash)
      .Run();
  const std::int64_t return_seq = db.LastInsertRowId();
  for (std::size_t i = 0; i < sale_return.lines.size(); ++i) {
    const auto& line = sale_return.lines[i];
    db.Prepared(
          "INSERT INTO return_lines(return_seq, line_no, customer_id, sku, quantity, amount_minor)"
          " VALUES (?, ?, ?, ?, ?, ?)")
        .Bind(1, return_seq)
        .Bind(2, static_cast<std::int64_t>(i + 1))
        .Bind(3, customer_id)
        .Bind(4, line.sku)
        .Bind(5, line.quantity)
        .Bind(6, line.amount_minor)
        .Run();
  }
  recorded.refund_minor = sale_return.total_minor;
  if (!customer_id) return recorded;

  // Net out of the profile.
  db.Prepared("UPDATE customers SET total_spend_minor = total_spend_minor - ? WHERE id = ?")
      .Bind(1, sale_return.total_minor)
      .Bind(2, *customer_id)
      .Run();
  for (const auto& [sku, quantity_amount] : asked) {
    const std::string& category = left[sku].category;
    if (!category.empty()) {
      db.Prepared(
            "UPDATE customer_category_stats SET spend_minor = MAX(0, spend_minor - ?),"
            " items = MAX(0, items - ?) WHERE customer_id = ? AND category = ?")
          .Bind(1, quantity_amount.second)
          .Bind(2, quantity_amount.first)
          .Bind(3, *customer_id)
          .Bind(4, category)
          .Run();
    }
    db.Prepared(
          "UPDATE customer_product_stats SET quantity = MAX(0, quantity - ?1),"
          " score = MAX(0, score - ?1 * pow(0.5, (score_at - ?2) / 2592000.0))"
          " WHERE customer_id = ?3 AND sku = ?4")
        .Bind(1, quantity_amount.first)
        .Bind(2, purchased_at)  // the purchase's contribution decayed from when it was made
        .Bind(3, *customer_id)
        .Bind(4, sku)
        .Run();
  }
  // Take back what the returned sale earned: its coupons, unless already spent.
  auto& earned = db.Prepared(
      "SELECT id, redeemed_at IS NOT NULL FROM coupons WHERE issued_by_purchase = ?"
      " AND voided_at IS NULL");
  earned.Bind(1, purchase_seq);
  while (earned.Step()) {
    (earned.Int(1) != 0 ? recorded.already_redeemed_coupons : recorded.voided_coupons)
        .push_back(earned.Text(0));
  }
  // A coupon voided now gives its budget back (coupon_voids.h).
  recorded.voided_coupons = VoidUnspentCoupons(db, recorded.voided_coupons,
                                               "purchase returned: " + sale_return.id.str(), now);
  return recorded;
}

}  // namespace loyalty::server
