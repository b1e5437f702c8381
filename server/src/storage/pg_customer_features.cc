// PostgresStore: the nightly run's customer features (migration 0022).
#include <cstdio>

#include "storage/customer_features_rows.h"
#include "storage/pg_store.h"

namespace loyalty::server {
namespace {

// Params has no array of doubles: they travel as text, every digit kept, and are cast
// back in the statement.
std::string ExactText(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.17g", value);
  return text;
}

}  // namespace

Status PostgresStore::WriteCustomerFeatures(const std::vector<CustomerFeaturesRecord>& rows) {
  if (rows.empty()) return Status();
  std::vector<std::int64_t> ids, visits, last_visits, next_visits;
  std::vector<std::string> run_dates, days_since, days_between, lapse_risks, categories;
  for (const auto& row : rows) {
    ids.push_back(row.customer_id);
    run_dates.push_back(row.run_date);
    visits.push_back(row.visits);
    last_visits.push_back(ToUnixSeconds(row.last_visit_at));
    days_since.push_back(ExactText(row.days_since_last_visit));
    days_between.push_back(ExactText(row.days_between_visits));
    lapse_risks.push_back(ExactText(row.lapse_risk));
    next_visits.push_back(ToUnixSeconds(row.next_visit_at));
    categories.push_back(TopCategoriesJson(row.top_categories));
  }
  return writer_->Run([&](postgres::Connection& db) -> Status {
    db.Run(
        "INSERT INTO customer_features(customer_id, run_date, visits, last_visit_at,"
        " days_since_last_visit, days_between_visits, lapse_risk, next_visit_at,"
        " top_categories)"
        " SELECT v.* FROM unnest($1::bigint[], $2::text[], $3::bigint[], $4::bigint[],"
        " $5::text[]::float8[], $6::text[]::float8[], $7::text[]::float8[], $8::bigint[],"
        " $9::text[]) AS v(id, run_date, visits, last_visit_at, days_since, days_between,"
        " lapse_risk, next_visit_at, top_categories)"
        " JOIN customers c ON c.id = v.id AND c.merged_into IS NULL AND c.erased_at IS NULL"
        " ORDER BY v.id"
        " ON CONFLICT (customer_id) DO UPDATE SET run_date = excluded.run_date,"
        " visits = excluded.visits, last_visit_at = excluded.last_visit_at,"
        " days_since_last_visit = excluded.days_since_last_visit,"
        " days_between_visits = excluded.days_between_visits,"
        " lapse_risk = excluded.lapse_risk, next_visit_at = excluded.next_visit_at,"
        " top_categories = excluded.top_categories"
        " WHERE customer_features.run_date <= excluded.run_date",
        postgres::Params()
            .AddArray(ids)
            .AddArray(run_dates)
            .AddArray(visits)
            .AddArray(last_visits)
            .AddArray(days_since)
            .AddArray(days_between)
            .AddArray(lapse_risks)
            .AddArray(next_visits)
            .AddArray(categories));
    return Status();
  });
}

// The index stays in step: dropping it would lock the table against every server's reads
// (ACCESS EXCLUSIVE) until the rewrite commits, and a concurrent build cannot run inside
// the writer's transactions.
Status PostgresStore::BeginCustomerFeaturesRewrite() { return Status(); }
Status PostgresStore::EndCustomerFeaturesRewrite() { return Status(); }

Status PostgresStore::DropCustomerFeaturesBefore(const std::string& run_date) {
  return writer_->Run([&](postgres::Connection& db) -> Status {
    db.Run("DELETE FROM customer_features WHERE run_date < $1::text",
           postgres::Params().Add(run_date));
    return Status();
  });
}

// A sequential scan of each table: PostgreSQL reads a big table through a small ring of
// its buffers, so the pages land in the operating system's cache, where the writer's
// reads find them, and the purchases' pages stay in shared buffers.
Result<std::int64_t> PostgresStore::PrewarmNightlyRewrites() {
  try {
    auto lease = Read();
    postgres::Connection& db = *lease;
    postgres::Transaction scan(db, "BEGIN READ ONLY");
    db.Exec("SET LOCAL enable_indexscan = off");
    db.Exec("SET LOCAL enable_indexonlyscan = off");
    db.Exec("SET LOCAL enable_bitmapscan = off");
    std::int64_t rows = db.Run("SELECT count(*) FROM customer_features").Int(0, 0);
    rows += db.Run("SELECT count(*) FROM customers").Int(0, 0);
    scan.Commit();
    return rows;
  } catch (const std::exception& error) {
    return Internal(std::string("the nightly run's tables were not read ahead: ") + error.what());
  }
}

std::optional<CustomerFeaturesRecord> PostgresStore::FindCustomerFeatures(
    std::int64_t customer_id) {
  struct Row {
    const postgres::Rows& rows;
    std::int64_t Int(int column) const { return rows.Int(0, column); }
    double Double(int column) const { return rows.Double(0, column); }
    std::string Text(int column) const { return rows.Text(0, column); }
  };
  auto lease = Read();
  const auto rows = (*lease).Run(std::string("SELECT ") + kCustomerFeaturesColumns +
                                     " FROM customer_features WHERE customer_id = $1::bigint",
                                 postgres::Params().Add(customer_id));
  if (rows.empty()) return std::nullopt;
  return ReadCustomerFeatures(Row{rows});
}

}  // namespace loyalty::server
