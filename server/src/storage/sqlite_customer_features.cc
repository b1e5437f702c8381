// SqliteStore: the nightly run's customer features (migration 0022).
#include "storage/customer_features_rows.h"
#include "storage/sqlite_store.h"

namespace loyalty::server {

Status SqliteStore::WriteCustomerFeatures(const std::vector<CustomerFeaturesRecord>& rows) {
  return writer_->Run([&](sqlite::Connection& db) -> Status {
    for (const auto& row : rows) {
      db.Prepared(
            "INSERT INTO customer_features(customer_id, run_date, visits, last_visit_at,"
            " days_since_last_visit, days_between_visits, lapse_risk, next_visit_at,"
            " top_categories)"
            " SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9 FROM customers"
            " WHERE id = ?1 AND merged_into IS NULL AND erased_at IS NULL"
            " ON CONFLICT(customer_id) DO UPDATE SET run_date = excluded.run_date,"
            " visits = excluded.visits, last_visit_at = excluded.last_visit_at,"
            " days_since_last_visit = excluded.days_since_last_visit,"
            " days_between_visits = excluded.days_between_visits,"
            " lapse_risk = excluded.lapse_risk, next_visit_at = excluded.next_visit_at,"
            " top_categories = excluded.top_categories"
            " WHERE customer_features.run_date <= excluded.run_date")
          .Bind(1, row.customer_id)
          .Bind(2, row.run_date)
          .Bind(3, row.visits)
          .Bind(4, ToUnixSeconds(row.last_visit_at))
          .BindDouble(5, row.days_since_last_visit)
          .BindDouble(6, row.days_between_visits)
          .BindDouble(7, row.lapse_risk)
          .Bind(8, ToUnixSeconds(row.next_visit_at))
          .Bind(9, TopCategoriesJson(row.top_categories))
          .Run();
    }
    return Status();
  });
}

Status SqliteStore::DropCustomerFeaturesBefore(const std::string& run_date) {
  return writer_->Run([&](sqlite::Connection& db) -> Status {
    db.Prepared("DELETE FROM customer_features WHERE run_date < ?").Bind(1, run_date).Run();
    return Status();
  });
}

std::optional<CustomerFeaturesRecord> SqliteStore::FindCustomerFeatures(std::int64_t customer_id) {
  auto lease = Read();
  sqlite::Connection& db = *lease;
  auto& query = db.Prepared(std::string("SELECT ") + kCustomerFeaturesColumns +
                            " FROM customer_features WHERE customer_id = ?");
  query.Bind(1, customer_id);
  std::optional<CustomerFeaturesRecord> record;
  if (query.Step()) record = ReadCustomerFeatures(query);
  query.Reset();
  return record;
}

}  // namespace loyalty::server
