// PostgresStore: returns, netted out of the profile in the return's own transaction.
#include <map>

#include "loyalty/crypto/hash.h"
#include "storage/coupon_voids.h"
#include "storage/pg_store.h"

namespace loyalty::server {
namespace {

struct Sold {
  std::int64_t quantity = 0;
  std::int64_t amount = 0;
  std::string category;
};

}  // namespace

void PostgresStore::RecordReturnAsync(domain::SaleReturn sale_return, Timestamp now,
                                      ReturnCallback done) {
  auto body_hash = crypto::Sha256Hex(domain::SaleReturnToJson(sale_return).dump());
  auto state = std::make_shared<std::optional<Result<RecordedReturn>>>();
  writer_->Submit(PostgresWriter::Job{
      [this, state, sale_return = std::move(sale_return), body_hash = std::move(body_hash),
       now](postgres::Connection& db) -> Status {
        *state = WriteReturn(db, sale_return, body_hash, now);
        return (*state)->status();
      },
      [state, done = std::move(done)](Status status) {
        if (!status.ok()) return done(status.error());
        done(std::move(**state));
      },
      // It may give budget back (pg_next_visit.h).
      /*done_on_writer=*/false, nullptr, /*lock_first=*/true});
}

Result<RecordedReturn> PostgresStore::WriteReturn(postgres::Connection& db,
                                                  const domain::SaleReturn& sale_return,
                                                  const std::string& body_hash, Timestamp now) {
  using postgres::Params;
  RecordedReturn recorded;
  recorded.return_id = sale_return.id.str();
  const auto existing = db.Run("SELECT body_sha256, refund_minor FROM returns WHERE id = $1::text",
                               Params().Add(sale_return.id.str()));
  if (!existing.empty()) {
    if (existing.Text(0, 0) != body_hash) {
      return Error{ErrorCode::kConflict,
                   "return id " + sale_return.id.str() + " was already used for another return",
                   "id"};
    }
    recorded.refund_minor = existing.Int(0, 1);
    recorded.replay = true;
    return recorded;
  }

  // FOR UPDATE: another return of the same purchase (from an admin process) waits, so
  // two returns cannot both take back the last item.
  const auto original = db.Run(
      "SELECT seq, customer_id, currency, occurred_at, total_minor FROM purchases"
      " WHERE id = $1::text FOR UPDATE",
      Params().Add(sale_return.original_purchase_id.str()));
  if (original.empty()) {
    return Error{ErrorCode::kNotFound,
                 "no purchase " + sale_return.original_purchase_id.str() + " to return goods of",
                 "original_purchase_id"};
  }
  const std::int64_t purchase_seq = original.Int(0, 0);
  const std::optional<std::int64_t> customer_id = original.OptionalInt(0, 1);
  const std::string currency = original.Text(0, 2);
  const std::int64_t purchased_at = original.Int(0, 3);
  const std::int64_t paid = original.Int(0, 4);  // after coupon discounts
  if (currency != sale_return.currency.code()) {
    return InvalidArgument("currency", "the purchase was in " + currency);
  }

  // What the purchase sold, less what earlier returns took back already.
  std::map<std::string, Sold> left;
  const auto lines = db.Run(
      "SELECT sku, quantity, amount_minor, COALESCE(category, '') FROM purchase_lines"
      " WHERE purchase_seq = $1::bigint",
      Params().Add(purchase_seq));
  for (int i = 0; i < lines.size(); ++i) {
    auto& sold = left[lines.Text(i, 0)];
    sold.quantity += lines.Int(i, 1);
    sold.amount += lines.Int(i, 2);
    sold.category = lines.Text(i, 3);
  }
  const auto returned = db.Run(
      "SELECT l.sku, SUM(l.quantity), SUM(l.amount_minor) FROM return_lines l"
      " JOIN returns r ON r.seq = l.return_seq WHERE r.original_purchase_seq = $1::bigint"
      " GROUP BY l.sku",
      Params().Add(purchase_seq));
  for (int i = 0; i < returned.size(); ++i) {
    auto& sold = left[returned.Text(i, 0)];
    sold.quantity -= returned.Int(i, 1);
    sold.amount -= returned.Int(i, 2);
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
  const std::int64_t refundable =
      paid - db.Run(
                   "SELECT COALESCE(SUM(refund_minor), 0)::bigint FROM returns"
                   " WHERE original_purchase_seq = $1::bigint",
                   Params().Add(purchase_seq))
                 .Int(0, 0);
  if (sale_return.total_minor > refundable) {
    return InvalidArgument("total", "refunds " + std::to_string(sale_return.total_minor) +
                                        " but only " + std::to_string(refundable) +
                                        " of what was paid is left to refund");
  }
  const std::int64_t return_seq =
      db.Run(
            "INSERT INTO returns(id, original_purchase_seq, customer_id, store_id, terminal_id,"
            " occurred_at, received_at, refund_minor, body_sha256) VALUES ($1::text, $2::bigint,"
            " $3::bigint, $4::text, $5::text, $6::bigint, $7::bigint, $8::bigint, $9::text)"
            " RETURNING seq",
            Params()
                .Add(sale_return.id.str())
                .Add(purchase_seq)
                .Add(customer_id)
                .Add(sale_return.store_id)
                .Add(sale_return.terminal_id)
                .Add(ToUnixSeconds(sale_return.occurred_at))
                .Add(ToUnixSeconds(now))
                .Add(sale_return.total_minor)
                .Add(body_hash))
          .Int(0, 0);
  for (std::size_t i = 0; i < sale_return.lines.size(); ++i) {
    const auto& line = sale_return.lines[i];
    db.Run(
        "INSERT INTO return_lines(return_seq, line_no, customer_id, sku, quantity, amount_minor)"
        " VALUES ($1::bigint, $2::bigint, $3::bigint, $4::text, $5::bigint, $6::bigint)",
        Params()
            .Add(return_seq)
            .Add(static_cast<std::int64_t>(i + 1))
            .Add(customer_id)
            .Add(line.sku)
            .Add(line.quantity)
            .Add(line.amount_minor));
  }
  recorded.refund_minor = sale_return.total_minor;
  if (!customer_id) return recorded;

  // Net out of the profile.
  db.Run(
      "UPDATE customers SET total_spend_minor = total_spend_minor - $1::bigint"
      " WHERE id = $2::bigint",
      Params().Add(sale_return.total_minor).Add(*customer_id));
  for (const auto& [sku, quantity_amount] : asked) {
    const std::string& category = left[sku].category;
    if (!category.empty()) {
      db.Run(
          "UPDATE customer_category_stats SET spend_minor = GREATEST(0, spend_minor - $1::bigint),"
          " items = GREATEST(0, items - $2::bigint)"
          " WHERE customer_id = $3::bigint AND category = $4::text",
          Params()
              .Add(quantity_amount.second)
              .Add(quantity_amount.first)
              .Add(*customer_id)
              .Add(category));
    }
    // The purchase's contribution to the score, decayed from when it was made.
    db.Run(
        "UPDATE customer_product_stats SET quantity = GREATEST(0, quantity - $1::bigint),"
        " score = GREATEST(0, score - $1::bigint"
        "   * power(0.5::float8, (score_at - $2::bigint) / 2592000.0::float8))"
        " WHERE customer_id = $3::bigint AND sku = $4::text",
        Params().Add(quantity_amount.first).Add(purchased_at).Add(*customer_id).Add(sku));
  }
  // Take back what the returned sale earned: its coupons, unless already spent.
  const auto earned = db.Run(
      "SELECT id, redeemed_at IS NOT NULL FROM coupons WHERE issued_by_purchase = $1::bigint"
      " AND voided_at IS NULL ORDER BY seq",
      Params().Add(purchase_seq));
  for (int i = 0; i < earned.size(); ++i) {
    (earned.Text(i, 1) == "t" ? recorded.already_redeemed_coupons : recorded.voided_coupons)
        .push_back(earned.Text(i, 0));
  }
  // A coupon voided now gives its budget back (coupon_voids.h); the transaction began
  // with the campaigns' lock (RecordReturnAsync), as a purchase spending it does.
  recorded.voided_coupons = VoidUnspentCoupons(db, recorded.voided_coupons,
                                               "purchase returned: " + sale_return.id.str(), now);
  return recorded;
}

}  // namespace loyalty::server
