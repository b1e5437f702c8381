#include "journal/journal.h"

#include "loyalty/codec/json_reader.h"

namespace loyalty::terminal {

const std::vector<std::pair<std::string_view, std::string_view>>& JournalMigrations();

Journal::Journal(const std::string& path) : db_(path) { sqlite::Migrate(db_, JournalMigrations()); }

void Journal::Append(const domain::Purchase& purchase) {
  sqlite::Transaction transaction(db_);
  db_.Prepared("INSERT INTO sales(id, body, finished_at) VALUES (?, ?, ?)")
      .Bind(1, purchase.id.str())
      .Bind(2, domain::PurchaseToJson(purchase).dump())
      .Bind(3, ToUnixSeconds(Now()))
      .Run();
  transaction.Commit();
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
  auto& meta = db_.Prepared("SELECT key, value FROM meta WHERE key IN ('catalog_version', 'currency')");
  nlohmann::json catalog_json = {{"since", 0}, {"products", nlohmann::json::array()}};
  while (meta.Step()) {
    if (meta.Text(0) == "catalog_version") {
      catalog_json["version"] = std::stoll(meta.Text(1));
    } else {
      catalog_json["currency"] = meta.Text(1);
    }
  }
  if (!catalog_json.contains("version")) return std::nullopt;
  auto& products = db_.Prepared("SELECT json FROM catalog_products ORDER BY sku");
  while (products.Step()) catalog_json["products"].push_back(nlohmann::json::parse(products.Text(0)));
  auto catalog = domain::CatalogFromJson(catalog_json);
  if (!catalog.ok()) {
    throw std::runtime_error("journal's catalog copy is damaged: " + catalog.error().ToString());
  }
  return std::move(catalog).value();
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
