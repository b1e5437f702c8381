// The nightly run's customer features in storage, on both engines: written in bulk,
// replaced per customer, rows of other run dates dropped, unknown and erased customers
// skipped, merged-away customers' rows gone; read ahead whole; on PostgreSQL, a write that
// PostgreSQL aborts to end a deadlock with a purchase is run again.
#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <thread>

#include "loyalty/postgres/postgres.h"
#include "storage/open_store.h"
#include "support/temp_dir.h"
#include "support/test_database.h"
#include "targeting/next_visit_planner.h"

namespace loyalty::server {
namespace {

Timestamp At(const char* text) { return ParseIso8601(text).value(); }

const crypto::SigningKey& Key() {
  static const crypto::SigningKey key = crypto::SigningKey::Generate();
  return key;
}

CardNumber Card(int n) {
  std::string body = std::to_string(n);
  return CardNumber::FromBody("2" + std::string(11 - body.size(), '0') + body).value();
}

CustomerFeaturesRecord Features(std::int64_t customer, const std::string& run_date,
                                double lapse_risk) {
  CustomerFeaturesRecord row;
  row.customer_id = customer;
  row.run_date = run_date;
  row.visits = 7;
  row.last_visit_at = At("2026-11-28T17:30:00Z");
  row.days_since_last_visit = 6.2708333333333333;
  row.days_between_visits = 5.918158951901494;
  row.lapse_risk = lapse_risk;
  row.next_visit_at = At("2026-12-04T15:32:00Z");
  row.top_categories = {{"DAIRY", 1.3333333333333333, 4}, {"DELI \"fine\" food", 1.2, 1}};
  return row;
}

class CustomerFeaturesStoreTest : public ::testing::TestWithParam<testing::Engine> {
 protected:
  void SetUp() override {
    database_ = std::make_unique<testing::TestDatabase>(GetParam(), dir_);
    store_ = OpenStore(ParseStoreUrl(database_->url(), "url").value(), planner_, Key());
  }

  std::int64_t Customer(int n) {
    auto id = store_->RegisterCustomer(Card(n), {}, At("2026-11-01T09:00:00Z"));
    EXPECT_TRUE(id.ok()) << id.error().ToString();
    return id.ok() ? *id : 0;
  }

  testing::TempDir dir_;
  std::unique_ptr<testing::TestDatabase> database_;
  TopCategoryPlanner planner_;
  std::unique_ptr<Store> store_;
};

INSTANTIATE_TEST_SUITE_P(Engines, CustomerFeaturesStoreTest,
                         ::testing::Values(testing::Engine::kSqlite, testing::Engine::kPostgres),
                         [](const auto& engine) { return testing::EngineName(engine.param); });

TEST_P(CustomerFeaturesStoreTest, WritesReadsAndReplacesPerRunDate) {
  const std::int64_t ann = Customer(1), bob = Customer(2);
  EXPECT_FALSE(store_->FindCustomerFeatures(ann).has_value());

  ASSERT_TRUE(store_
                  ->WriteCustomerFeatures({Features(ann, "2026-12-04", 0.61),
                                           Features(bob, "2026-12-04", 0.2),
                                           Features(987654, "2026-12-04", 0.5)})
                  .ok());
  auto found = store_->FindCustomerFeatures(ann);
  ASSERT_TRUE(found.has_value());
  const auto expected = Features(ann, "2026-12-04", 0.61);
  EXPECT_EQ(found->customer_id, ann);
  EXPECT_EQ(found->run_date, "2026-12-04");
  EXPECT_EQ(found->visits, 7);
  EXPECT_EQ(found->last_visit_at, expected.last_visit_at);
  // Every digit survives both engines (PostgreSQL's travel as text).
  EXPECT_EQ(found->days_since_last_visit, expected.days_since_last_visit);
  EXPECT_EQ(found->days_between_visits, expected.days_between_visits);
  EXPECT_EQ(found->lapse_risk, 0.61);
  EXPECT_EQ(found->next_visit_at, expected.next_visit_at);
  ASSERT_EQ(found->top_categories.size(), 2U);
  EXPECT_EQ(found->top_categories[0].category, "DAIRY");
  EXPECT_EQ(found->top_categories[0].lift, 1.3333333333333333);
  EXPECT_EQ(found->top_categories[0].baskets, 4);
  EXPECT_EQ(found->top_categories[1].category, "DELI \"fine\" food");
  EXPECT_FALSE(store_->FindCustomerFeatures(987654).has_value());  // unknown: skipped

  // The next night: Ann's row replaced, Bob not seen, so his old row goes.
  auto next = Features(ann, "2026-12-05", 0.75);
  next.top_categories.clear();
  ASSERT_TRUE(store_->WriteCustomerFeatures({next}).ok());
  ASSERT_TRUE(store_->DropCustomerFeaturesBefore("2026-12-05").ok());
  found = store_->FindCustomerFeatures(ann);
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->run_date, "2026-12-05");
  EXPECT_EQ(found->lapse_risk, 0.75);
  EXPECT_TRUE(found->top_categories.empty());
  EXPECT_FALSE(store_->FindCustomerFeatures(bob).has_value());
  EXPECT_TRUE(store_->WriteCustomerFeatures({}).ok());

  // A re-run of an older date leaves the newer run's rows as they are.
  ASSERT_TRUE(store_->WriteCustomerFeatures({Features(ann, "2026-12-04", 0.25)}).ok());
  ASSERT_TRUE(store_->DropCustomerFeaturesBefore("2026-12-04").ok());
  found = store_->FindCustomerFeatures(ann);
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->run_date, "2026-12-05");
  EXPECT_EQ(found->lapse_risk, 0.75);
}

TEST_P(CustomerFeaturesStoreTest, ErasedAndMergedCustomersKeepNoFeatures) {
  const std::int64_t ann = Customer(1), bob = Customer(2), cid = Customer(3);
  ASSERT_TRUE(store_
                  ->WriteCustomerFeatures({Features(ann, "2026-12-04", 0.1),
                                           Features(bob, "2026-12-04", 0.2),
                                           Features(cid, "2026-12-04", 0.3)})
                  .ok());
  ASSERT_TRUE(store_->EraseCustomer(ann, At("2026-12-04T09:00:00Z")).ok());
  ASSERT_TRUE(store_->MergeCustomers(cid, bob, At("2026-12-04T09:00:00Z")).ok());
  EXPECT_FALSE(store_->FindCustomerFeatures(ann).has_value());
  EXPECT_FALSE(store_->FindCustomerFeatures(bob).has_value());
  EXPECT_TRUE(store_->FindCustomerFeatures(cid).has_value());
  // A run that still holds their purchases writes nothing for them.
  ASSERT_TRUE(store_
                  ->WriteCustomerFeatures(
                      {Features(ann, "2026-12-05", 0.1), Features(bob, "2026-12-05", 0.2)})
                  .ok());
  EXPECT_FALSE(store_->FindCustomerFeatures(ann).has_value());
  EXPECT_FALSE(store_->FindCustomerFeatures(bob).has_value());
}

TEST_P(CustomerFeaturesStoreTest, ABulkWriteSpanningStatementsKeepsEveryRowAndSkipsTheUnknown) {
  const std::int64_t ann = Customer(1), bob = Customer(2), cid = Customer(3);
  // Unknown customers between them, so the known ones fall into different statements.
  std::vector<CustomerFeaturesRecord> rows;
  for (std::int64_t n = 0; n < 260; ++n) rows.push_back(Features(900'000 + n, "2026-12-04", 0.9));
  rows[0] = Features(ann, "2026-12-04", 0.1);
  rows[150] = Features(bob, "2026-12-04", 0.2);
  rows[259] = Features(cid, "2026-12-04", 0.3);
  ASSERT_TRUE(store_->WriteCustomerFeatures(rows).ok());
  EXPECT_EQ(database_->Int("SELECT COUNT(*) FROM customer_features"), 3);
  EXPECT_EQ(store_->FindCustomerFeatures(ann)->lapse_risk, 0.1);
  EXPECT_EQ(store_->FindCustomerFeatures(bob)->lapse_risk, 0.2);
  EXPECT_EQ(store_->FindCustomerFeatures(cid)->lapse_risk, 0.3);
  // The next night replaces them, an older one does not.
  rows[150] = Features(bob, "2026-12-05", 0.4);
  rows[259] = Features(cid, "2026-12-03", 0.5);
  ASSERT_TRUE(store_->WriteCustomerFeatures(rows).ok());
  EXPECT_EQ(store_->FindCustomerFeatures(bob)->lapse_risk, 0.4);
  EXPECT_EQ(store_->FindCustomerFeatures(cid)->lapse_risk, 0.3);
  EXPECT_EQ(store_->FindCustomerFeatures(cid)->run_date, "2026-12-04");
}

// The night's read-ahead: every row of the customers and their features, and nothing
// changed.
TEST_P(CustomerFeaturesStoreTest, TheReadAheadReadsTheRewrittenTablesWholeAndChangesNothing) {
  const std::int64_t ann = Customer(1);
  Customer(2);  // no features yet
  ASSERT_TRUE(store_->WriteCustomerFeatures({Features(ann, "2026-12-04", 0.1)}).ok());
  const auto few = store_->PrewarmNightlyRewrites();
  ASSERT_TRUE(few.ok()) << few.error().ToString();
  EXPECT_EQ(*few, 2 + 1);

  std::vector<CustomerFeaturesRecord> rows;
  for (int n = 3; n <= 500; ++n) rows.push_back(Features(Customer(n), "2026-12-04", 0.2));
  ASSERT_TRUE(store_->WriteCustomerFeatures(rows).ok());
  const auto many = store_->PrewarmNightlyRewrites();
  ASSERT_TRUE(many.ok()) << many.error().ToString();
  EXPECT_EQ(*many, 500 + 499);

  EXPECT_EQ(store_->FindCustomerFeatures(ann)->lapse_risk, 0.1);
  EXPECT_EQ(database_->Int("SELECT COUNT(*) FROM customer_features"), 499);
}

// The nightly rewrite: on SQLite the index by lapse risk is set aside for its writes and
// built again, the same, at its end, or at the next start after a run killed between;
// on PostgreSQL it stays. Reads answer the same throughout.
TEST_P(CustomerFeaturesStoreTest, ARewriteSetsTheLapseRiskIndexAsideAndBuildsItAgain) {
  const bool sqlite = GetParam() == testing::Engine::kSqlite;
  const std::string index_sql =
      sqlite ? "SELECT sql FROM sqlite_master WHERE name = 'customer_features_by_lapse_risk'"
             : "SELECT indexdef FROM pg_indexes WHERE indexname = 'customer_features_by_lapse_risk'";
  const std::string migrated = database_->Text(index_sql);
  ASSERT_NE(migrated, "<no row>");
  const std::int64_t ann = Customer(1), bob = Customer(2);

  ASSERT_TRUE(store_->BeginCustomerFeaturesRewrite().ok());
  EXPECT_EQ(database_->Text(index_sql), sqlite ? "<no row>" : migrated);
  ASSERT_TRUE(store_
                  ->WriteCustomerFeatures(
                      {Features(ann, "2026-12-04", 0.95), Features(bob, "2026-12-04", 0.2)})
                  .ok());
  EXPECT_EQ(store_->FindCustomerFeatures(ann)->lapse_risk, 0.95);
  ASSERT_TRUE(store_->EndCustomerFeaturesRewrite().ok());
  EXPECT_EQ(database_->Text(index_sql), migrated);
  ASSERT_TRUE(store_->EndCustomerFeaturesRewrite().ok());  // twice: nothing more
  EXPECT_EQ(database_->Text(index_sql), migrated);
  // The rebuilt index holds every row: the portal's count of a risk range walks it.
  EXPECT_EQ(database_->Int(sqlite ? "SELECT COUNT(*) FROM customer_features"
                                    " INDEXED BY customer_features_by_lapse_risk"
                                    " WHERE CAST(lapse_risk * 1000000 AS INTEGER) >= 900000"
                                  : "SELECT COUNT(*) FROM customer_features"
                                    " WHERE lapse_risk >= 0.9"),
            1);

  // A run killed between the two: the next start builds the index again.
  ASSERT_TRUE(store_->BeginCustomerFeaturesRewrite().ok());
  store_.reset();
  store_ = OpenStore(ParseStoreUrl(database_->url(), "url").value(), planner_, Key());
  EXPECT_EQ(database_->Text(index_sql), migrated);
  EXPECT_EQ(store_->FindCustomerFeatures(bob)->lapse_risk, 0.2);
}

// A purchase of two customers at risk holds the second's row (the band's trigger) and
// then wants the first's, which the run's write, in id order, holds while it waits for
// the second's. The run's side is made the one PostgreSQL aborts (it checks for the
// deadlock after its 1 s; the purchase's session waits 10 s first): the store's writer
// runs a failed transaction's jobs again (group_commit_writer.h), so the run writes its
// part once the purchase is done, and nothing of either is lost.
TEST(CustomerFeaturesDeadlockTest, TheRunsWriteIsRunAgainWhenADeadlockWithAPurchaseAbortsIt) {
  testing::TempDir dir;
  testing::TestDatabase database(testing::Engine::kPostgres, dir);
  const TopCategoryPlanner planner;
  auto store = OpenStore(ParseStoreUrl(database.url(), "url").value(), planner, Key());
  const std::int64_t ann = store->RegisterCustomer(Card(1), {}, At("2026-11-01T09:00:00Z")).value();
  const std::int64_t bob = store->RegisterCustomer(Card(2), {}, At("2026-11-01T09:00:00Z")).value();
  ASSERT_LT(ann, bob);
  ASSERT_TRUE(store
                  ->WriteCustomerFeatures(
                      {Features(ann, "2026-12-04", 0.1), Features(bob, "2026-12-04", 0.2)})
                  .ok());

  // Declared before the purchase's connection, so that a failed assertion closes that
  // connection (and its locks) before this waits for the write.
  std::future<Status> written;
  postgres::Connection purchase(database.url());
  purchase.Exec("SET deadlock_timeout = '10s'");
  purchase.Exec("BEGIN");
  purchase.Run("UPDATE customer_features SET lapse_risk = 0 WHERE customer_id = " +
               std::to_string(bob));
  written = std::async(std::launch::async, [&] {
    return store->WriteCustomerFeatures(
        {Features(ann, "2026-12-05", 0.5), Features(bob, "2026-12-05", 0.6)});
  });
  // Once the run's write waits for Bob's row (it holds Ann's), the purchase wants Ann's.
  postgres::Connection watcher(database.url());
  bool waiting = false;
  for (int i = 0; i < 500 && !waiting; ++i) {
    waiting = watcher
                  .Run(
                      "SELECT COUNT(*) FROM pg_stat_activity WHERE datname ="
                      " current_database() AND wait_event_type = 'Lock'")
                  .Int(0, 0) > 0;
    if (!waiting) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_TRUE(waiting);
  // The write holds Ann's row: the purchase's next statement closes the cycle.
  EXPECT_THROW(watcher.Run("SELECT 1 FROM customer_features WHERE customer_id = " +
                           std::to_string(ann) + " FOR UPDATE NOWAIT"),
               postgres::PostgresError);
  purchase.Run("UPDATE customer_features SET lapse_risk = 0 WHERE customer_id = " +
               std::to_string(ann));
  purchase.Exec("COMMIT");

  const Status status = written.get();
  ASSERT_TRUE(status.ok()) << status.error().ToString();
  EXPECT_EQ(store->FindCustomerFeatures(ann)->lapse_risk, 0.5);
  EXPECT_EQ(store->FindCustomerFeatures(bob)->lapse_risk, 0.6);
  EXPECT_EQ(store->FindCustomerFeatures(bob)->run_date, "2026-12-05");
}

}  // namespace
}  // namespace loyalty::server
