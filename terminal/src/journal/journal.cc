#include "journal/journal.h"

#include "loyalty/codec/json_reader.h"
#include "loyalty/core/log.h"

namespace loyalty::terminal {

const std::vector<std::pair<std::string_view, std::string_view>>& JournalMigrations();

Journal::Journal(const std::string& path) : db_(path) { sqlite::Migrate(db_, JournalMigrations()); }

void Journal::Append(const domain::Purchase& purchase,
                     const std::vector<domain::Coupon>& redeemed) {
  sqlite::Transaction transaction(db_);
  db_.Prepared("INSERT INTO sales(id, body, finished_at) VALUES (?, ?, ?)")
      .Bind(1, purchase.id.str())
      .Bind(2, domain::PurchaseToJson(purchase).dump())
      .Bind(3, ToUnixSeconds(Now()))
      .Run();
  for (const auto& coupon : redeemed) {
    // OR IGNORE: the UNIQUE sale id above has already refused a true duplicate.
    db_.Prepared(
           "INSERT OR IGNORE INTO coupon_ledger(coupon_id, sale_id, redeemed_at, expires_at)"
           " VALUES (?, ?, ?, ?)")
        .Bind(1, coupon.id.str())
        .Bind(2, purchase.id.str())
        .Bind(3, ToUnixSeconds(purchase.occurred_at))
        .Bind(4, ToUnixSeconds(coupon.expires_at))
        .Run();
  }
  transaction.Commit();
}

std::unordered_map<std::string, Timestamp> Journal::SpentCoupons(
    const std::vector<domain::Coupon>& coupons) {
  std::unordered_map<std::string, Timestamp> spent;
  auto& query = db_.Prepared("SELECT redeemed_at FROM coupon_ledger WHERE coupon_id = ?");
  for (const auto& coupon : coupons) {
    query.Bind(1, coupon.id.str());
    if (query.Step()) spent.emplace(coupon.id.str(), FromUnixSeconds(query.Int(0)));
    query.Reset();
  }
  return spent;
}

std::int64_t Journal::PruneLedger(Timestamp now) {
  db_.Prepared("DELETE FROM coupon_ledger WHERE expires_at < ?").Bind(1, ToUnixSeconds(now)).Run();
  return db_.Changes();
}

std::vector<JournaledSale> Journal::Pending(std::size_t limit) {
  auto& query = db_.Prepared(
      "SELECT seq, id, body, attempts FROM sales WHERE state = 'pending' ORDER BY seq LIMIT ?");
  query.Bind(1, static_cast<std::int64_t>(limit));
  std::vector<JournaledSale> sales;
  while (query.Step()) {
    sales.push_back({query.Int(0), query.Text(1), query.Text(2), query.Int(3)});
  }
  return sales;
}

std::int64_t Journal::PendingCount() {
  auto& query = db_.Prepared("SELECT COUNT(*) FROM sales WHERE state = 'pending'");
  query.Step();
  const std::int64_t count = query.Int(0);
  query.Reset();
  return count;
}

void Journal::MarkUploaded(const std::string& id, const std::string& ack_json) {
  db_.Prepared(
         "UPDATE sales SET state = 'uploaded', uploaded_at = ?, ack = ?, attempts = attempts + 1"
         " WHERE id = ?")
      .Bind(1, ToUnixSeconds(Now()))
      .Bind(2, ack_json)
      .Bind(3, id)
      .Run();
}

void Journal::MarkRejected(const std::string& id, const std::string& error) {
  db_.Prepared(
         "UPDATE sales SET state = 'rejected', last_error = ?, attempts = attempts + 1"
         " WHERE id = ?")
      .Bind(1, error)
      .Bind(2, id)
      .Run();
}

void Journal::RecordFailedAttempt(const std::string& id, const std::string& error) {
  db_.Prepared("UPDATE sales SET attempts = attempts + 1, last_error = ? WHERE id = ?")
      .Bind(1, error)
      .Bind(2, id)
      .Run();
}

std::optional<domain::Catalog> Journal::LoadCatalog() {
  domain::Catalog catalog;
  bool held = false;
  auto& meta = db_.Prepared("SELECT key, value FROM meta WHERE key IN ('catalog_version', 'currency')");
  while (meta.Step()) {
    if (meta.Text(0) == "catalog_version") {
      catalog.version = std::stoll(meta.Text(1));
      held = true;
    } else if (auto currency = Currency::FromCode(meta.Text(1)); currency.ok()) {
      catalog.currency = *currency;
    }
  }
  if (!held) return std::nullopt;
  // Row by row: one product's JSON at a time, never the whole catalog as one tree.
  auto& products = db_.Prepared("SELECT sku, json FROM catalog_products ORDER BY sku");
  while (products.Step()) {
    codec::FieldErrors errors;
    const auto json = nlohmann::json::parse(products.Text(1), nullptr, false);
    codec::ObjectReader reader(json, "catalog_products[" + products.Text(0) + "]", errors);
    catalog.products.push_back(domain::ProductFromJson(reader));
    reader.Finish();
    if (!errors.ok()) {
      // A copy that does not decode is no copy: the till fetches the whole catalog.
      products.Reset();
      log::Error("the journal's catalog copy is damaged; it will be fetched whole",
                 {{"error", errors.error().ToString()}});
      return std::nullopt;
    }
  }
  return catalog;
}

void Journal::SaveCatalog(const domain::Catalog& catalog) {
  sqlite::Transaction transaction(db_);
  db_.Exec("DELETE FROM catalog_products");
  for (const auto& product : catalog.products) {
    db_.Prepared("INSERT INTO catalog_products(sku, json) VALUES (?, ?)")
        .Bind(1, product.sku)
        .Bind(2, domain::ProductToJson(product).dump())
        .Run();
  }
  db_.Prepared("INSERT OR REPLACE INTO meta(key, value) VALUES ('catalog_version', ?), ('currency', ?)")
      .Bind(1, std::to_string(catalog.version))
      .Bind(2, catalog.currency.code())
      .Run();
  transaction.Commit();
}

}  // namespace loyalty::terminal
