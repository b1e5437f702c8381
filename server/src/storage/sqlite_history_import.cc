// SqliteStore: what loyalty-batch import needs of the store (see Store).
#include "storage/sqlite_store.h"

namespace loyalty::server {
namespace {

// A customer merged into another since (MergeCustomers) hands on to the one that
// remains, so later history lands where the rest of theirs went. A merge needs both
// customers unmerged, so the chain ends.
std::int64_t SurvivingCustomer(sqlite::Connection& db, std::int64_t customer_id) {
  for (;;) {
    auto& next = db.Prepared("SELECT merged_into FROM customers WHERE id = ?");
    next.Bind(1, customer_id);
    const bool merged = next.Step() && !next.IsNull(0);
    const std::int64_t into = merged ? next.Int(0) : 0;
    next.Reset();
    if (!merged) return customer_id;
    customer_id = into;
  }
}

}  // namespace

void SqliteStore::RecordHistoricalPurchaseAsync(domain::Purchase purchase,
                                                std::optional<std::int64_t> customer_id,
                                                Timestamp now, PurchaseCallback done) {
  if (!purchase.redemptions.empty()) {
    return done(InvalidArgument("redemptions", "an imported purchase redeems no coupons"));
  }
  SubmitPurchase(std::move(purchase), {customer_id, /*plan_coupons=*/false}, now, std::move(done));
}

Result<std::vector<Store::ImportedCustomer>> SqliteStore::CustomersForImportedIds(
    const std::vector<std::string>& source_ids, Timestamp now) {
  std::vector<ImportedCustomer> customers;
  const Status status = writer_->Run([&](sqlite::Connection& db) -> Status {
    customers.clear();  // a retried batch starts again
    for (const auto& source_id : source_ids) {
      auto& find = db.Prepared("SELECT customer_id FROM imported_customers WHERE source_id = ?");
      find.Bind(1, source_id);
      if (find.Step()) {
        const std::int64_t mapped = find.Int(0);
        find.Reset();
        customers.push_back({SurvivingCustomer(db, mapped), false});
        continue;
      }
      find.Reset();
      db.Prepared("INSERT INTO customers(created_at) VALUES (?)").Bind(1, ToUnixSeconds(now)).Run();
      customers.push_back({db.LastInsertRowId(), true});
      db.Prepared(
            "INSERT INTO imported_customers(source_id, customer_id, imported_at) VALUES (?, ?, ?)")
          .Bind(1, source_id)
          .Bind(2, customers.back().id)
          .Bind(3, ToUnixSeconds(now))
          .Run();
    }
    return {};
  });
  if (!status.ok()) return status.error();
  return customers;
}

Result<StoreInfo> SqliteStore::FindStore(const std::string& store_id) {
  auto lease = Read();
  auto& query = (*lease).Prepared("SELECT id, name, currency FROM stores WHERE id = ?");
  query.Bind(1, store_id);
  if (!query.Step()) return Error{ErrorCode::kNotFound, "no store " + store_id, "store_id"};
  StoreInfo store{query.Text(0), query.Text(1), query.Text(2)};
  query.Reset();
  return store;
}

}  // namespace loyalty::server
