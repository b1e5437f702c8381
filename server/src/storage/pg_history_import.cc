// PostgresStore: what loyalty-batch import needs of the store (see Store).
#include <unordered_map>

#include "loyalty/crypto/hash.h"
#include "storage/pg_store.h"

namespace loyalty::server {

using postgres::Params;

void PostgresStore::RecordHistoricalPurchaseAsync(domain::Purchase purchase,
                                                  std::optional<std::int64_t> customer_id,
                                                  Timestamp now, PurchaseCallback done) {
  if (!purchase.redemptions.empty()) {
    return done(InvalidArgument("redemptions", "an imported purchase redeems no coupons"));
  }
  auto body_hash = crypto::Sha256Hex(domain::PurchaseToJson(purchase).dump());
  QueueInGroup({std::move(purchase),
                std::move(body_hash),
                now,
                std::move(done),
                std::nullopt,
                {customer_id, /*plan_coupons=*/false}});
}

Result<std::vector<Store::ImportedCustomer>> PostgresStore::CustomersForImportedIds(
    const std::vector<std::string>& source_ids, Timestamp now) {
  std::vector<ImportedCustomer> customers;
  const Status status = writer_->Run([&](postgres::Connection& db) -> Status {
    customers.clear();  // a retried batch starts again
    // Ids not mapped yet get a customer each, drawn from the sequence in the ids' order;
    // then every id is read back with its customer and whether it was made now.
    const auto rows = db.Run(
        "WITH ids AS (SELECT source_id, n FROM unnest($1::text[]) WITH ORDINALITY AS x(source_id, "
        "n)),"
        " fresh AS (SELECT DISTINCT ON (source_id) source_id,"
        "   nextval(pg_get_serial_sequence('customers', 'id')) AS id FROM ids"
        "   WHERE source_id NOT IN (SELECT source_id FROM imported_customers)"
        "   ORDER BY source_id, n),"
        " c AS (INSERT INTO customers(id, created_at) SELECT id, $2::bigint FROM fresh),"
        " m AS (INSERT INTO imported_customers(source_id, customer_id, imported_at)"
        "   SELECT source_id, id, $2::bigint FROM fresh)"
        " SELECT COALESCE(f.id, i.customer_id), f.id IS NOT NULL FROM ids"
        " LEFT JOIN fresh f ON f.source_id = ids.source_id"
        " LEFT JOIN imported_customers i ON i.source_id = ids.source_id ORDER BY ids.n",
        Params().AddArray(source_ids).Add(ToUnixSeconds(now)));
    std::vector<std::int64_t> mapped;
    for (int row = 0; row < rows.size(); ++row) {
      customers.push_back({rows.Int(row, 0), rows.Text(row, 1) == "t"});
      if (!customers.back().created) mapped.push_back(customers.back().id);
    }
    // A customer merged into another since (MergeCustomers) hands on to the one that
    // remains, so later history lands where the rest of theirs went. A merge needs both
    // customers unmerged, so each chain ends.
    const auto surviving = db.Run(
        "WITH RECURSIVE up(start, id, next) AS (SELECT id, id, merged_into FROM customers"
        "   WHERE id = ANY($1::bigint[]) AND merged_into IS NOT NULL"
        " UNION ALL SELECT up.start, c.id, c.merged_into FROM customers c"
        "   JOIN up ON c.id = up.next)"
        " SELECT start, id FROM up WHERE next IS NULL",
        Params().AddArray(mapped));
    std::unordered_map<std::int64_t, std::int64_t> into;
    for (int row = 0; row < surviving.size(); ++row) {
      into.emplace(surviving.Int(row, 0), surviving.Int(row, 1));
    }
    for (auto& customer : customers) {
      if (const auto found = into.find(customer.id); found != into.end()) {
        customer.id = found->second;
      }
    }
    return {};
  });
  if (!status.ok()) return status.error();
  return customers;
}

Result<StoreInfo> PostgresStore::FindStore(const std::string& store_id) {
  auto lease = Read();
  const auto rows = (*lease).Run("SELECT id, name, currency FROM stores WHERE id = $1::text",
                                 Params().Add(store_id));
  if (rows.empty()) return Error{ErrorCode::kNotFound, "no store " + store_id, "store_id"};
  return StoreInfo{rows.Text(0, 0), rows.Text(0, 1), rows.Text(0, 2)};
}

}  // namespace loyalty::server
