#include "storage/open_store.h"

#include <gtest/gtest.h>

#include "storage/pg_schema.h"
#include "storage/sqlite_migrations.h"
#include "support/temp_dir.h"
#include "support/test_database.h"
#include "targeting/next_visit_planner.h"

namespace loyalty::server {
namespace {

const crypto::SigningKey& Key() {
  static const crypto::SigningKey key = crypto::SigningKey::Generate();
  return key;
}

TEST(StoreUrl, ChoosesTheEngineByScheme) {
  const auto sqlite = ParseStoreUrl("sqlite:///var/lib/loyalty/loyalty.db", "storage.url");
  ASSERT_TRUE(sqlite.ok());
  EXPECT_EQ(sqlite->engine, StoreUrl::Engine::kSqlite);
  EXPECT_EQ(sqlite->location, "/var/lib/loyalty/loyalty.db");
  const auto relative = ParseStoreUrl("sqlite://var/server/loyalty.db", "storage.url");
  ASSERT_TRUE(relative.ok());
  EXPECT_EQ(relative->location, "var/server/loyalty.db");
  const auto postgres = ParseStoreUrl("postgresql://loyalty:pw@db:5432/loyalty", "storage.url");
  ASSERT_TRUE(postgres.ok());
  EXPECT_EQ(postgres->engine, StoreUrl::Engine::kPostgres);
  EXPECT_EQ(postgres->Describe(), "postgresql://loyalty@db:5432/loyalty");
}

TEST(StoreUrl, BadUrlsNameTheFieldAndTheProblem) {
  const auto unknown = ParseStoreUrl("mysql://db/loyalty", "storage.url");
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().field, "storage.url");
  EXPECT_NE(unknown.error().message.find("'mysql' is not a storage engine"), std::string::npos);
  const auto bare_path = ParseStoreUrl("/var/lib/loyalty/loyalty.db", "storage.url");
  ASSERT_FALSE(bare_path.ok());
  EXPECT_NE(bare_path.error().message.find("sqlite:///"), std::string::npos);
  const auto empty_path = ParseStoreUrl("sqlite://", "storage.url");
  ASSERT_FALSE(empty_path.ok());
  EXPECT_NE(empty_path.error().message.find("path"), std::string::npos);
  const auto bad_option = ParseStoreUrl("postgresql://db/loyalty?sslmodee=require", "storage.url");
  ASSERT_FALSE(bad_option.ok());
  EXPECT_NE(bad_option.error().message.find("sslmodee"), std::string::npos);
}

// Each SQLite migration has its PostgreSQL twin under the same name, so both engines
// are at the same schema version and `migrate` can copy one into the other.
TEST(Migrations, BothEnginesHaveTheSameMigrations) {
  std::vector<std::string_view> sqlite, postgres;
  for (const auto& [name, sql] : SqliteMigrations()) sqlite.push_back(name);
  for (const auto& [name, sql] : PostgresMigrations()) postgres.push_back(name);
  EXPECT_EQ(sqlite, postgres);
}

// The server's store waits for the disk at every commit; one opened for the nightly
// batch does not (WriterOptions::sync_every_commit), and keeps that after the writer's
// PostgreSQL connection is re-established, since the setting is part of connecting.
TEST(OpenStore, CommitsWaitForTheDiskUnlessTheBatchOpenedIt) {
  for (const auto engine : {testing::Engine::kSqlite, testing::Engine::kPostgres}) {
    SCOPED_TRACE(engine == testing::Engine::kSqlite ? "SQLite" : "PostgreSQL");
    testing::TempDir dir;
    testing::TestDatabase database(engine, dir);
    TopCategoryPlanner planner;
    const auto url = ParseStoreUrl(database.url(), "url").value();
    EXPECT_TRUE(OpenStore(url, planner, Key())->SyncsEveryCommit());
    StoreOptions batch;
    batch.writer.sync_every_commit = false;
    const auto store = OpenStore(url, planner, Key(), batch);
    EXPECT_FALSE(store->SyncsEveryCommit());
    if (engine != testing::Engine::kPostgres) continue;
    postgres::Connection admin(testing::TestPostgresUrl());
    const auto ended = admin.Run(
        "SELECT COUNT(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
        " WHERE datname = $1::text AND pid <> pg_backend_pid()) AS t",
        postgres::Params().Add(database.url().substr(database.url().rfind('/') + 1)));
    ASSERT_GE(ended.Int(0, 0), 1);  // the writer
    store->Flush();                 // the writer reconnects
    EXPECT_FALSE(store->SyncsEveryCommit());
  }
}

TEST(PostgresSchema, ADatabaseFromANewerServerIsRefusedNamingItsVersion) {
  testing::TempDir dir;
  testing::TestDatabase database(testing::Engine::kPostgres, dir);
  TopCategoryPlanner planner;
  const auto url = ParseStoreUrl(database.url(), "url").value();
  OpenStore(url, planner, Key()).reset();
  database.Exec(
      "INSERT INTO schema_migrations(version, name, applied_at) VALUES (99, '0099_future.sql', 0)");
  try {
    OpenStore(url, planner, Key());
    FAIL() << "opened a database of a newer schema";
  } catch (const postgres::PostgresError& e) {
    EXPECT_NE(std::string(e.what()).find("0099_future.sql"), std::string::npos) << e.what();
  }
}

// Every table that grows with customers carries customer_id, the column it will be
// distributed by on Citus (docs/scaling.md); the others are small reference tables, or
// grow with time rather than customers (dashboard_hours: a row per hour and store).
TEST(PostgresSchema, EveryTableButTheReferenceTablesCarriesTheCustomerId) {
  testing::TempDir dir;
  testing::TestDatabase database(testing::Engine::kPostgres, dir);
  TopCategoryPlanner planner;
  OpenStore(ParseStoreUrl(database.url(), "url").value(), planner, Key()).reset();
  const auto without = database.Column(
      "SELECT t.table_name FROM information_schema.tables t"
      " WHERE t.table_schema = current_schema() AND t.table_type = 'BASE TABLE'"
      " AND t.table_name NOT IN ('customers', 'schema_migrations', 'meta', 'stores',"
      "   'products', 'terminals', 'enrollment_codes', 'portal_users', 'portal_user_stores',"
      "   'portal_sessions', 'audit_log', 'batch_runs', 'batch_locks', 'campaigns',"
      "   'acquisition_sources', 'acquisition_costs', 'dashboard_hours', 'campaign_budgets')"
      " AND NOT EXISTS (SELECT 1 FROM information_schema.columns c"
      "   WHERE c.table_schema = t.table_schema AND c.table_name = t.table_name"
      "   AND c.column_name = 'customer_id')"
      " ORDER BY 1");
  EXPECT_TRUE(without.empty()) << "no customer_id in " << without.front();
  // And the check looked at the real schema: the twelve customer-owned tables so far.
  EXPECT_GE(database.Int("SELECT COUNT(*) FROM information_schema.columns"
                         " WHERE table_schema = current_schema() AND column_name = 'customer_id'"),
            12);
}

// A database restart or an administrator ends the server's sessions: the failing
// request gets an error, and the ones after it work on new connections.
TEST(PostgresStore, ComesBackAfterTheDatabaseDropsItsConnections) {
  testing::TempDir dir;
  testing::TestDatabase database(testing::Engine::kPostgres, dir);
  TopCategoryPlanner planner;
  auto store = OpenStore(ParseStoreUrl(database.url(), "url").value(), planner, Key());
  ASSERT_TRUE(
      store
          ->ImportProducts({{"1001", "Milk", "GROCERY", "DAIRY", "MILK", "Farm", "1 L", 129, true}})
          .ok());
  const auto card = CardNumber::FromBody("200000000001").value();
  const auto purchase_at = [&](int minute) {
    domain::Purchase purchase;
    purchase.store_id = "S001";
    purchase.terminal_id = "S001-T01";
    purchase.card = card;
    purchase.occurred_at =
        ParseIso8601("2026-11-23T10:00:00Z").value() + std::chrono::minutes(minute);
    purchase.lines.push_back({"1001", 1, 129, 129});
    purchase.total_minor = 129;
    return purchase;
  };
  ASSERT_TRUE(store->RecordPurchase(purchase_at(0), Now()).ok());
  ASSERT_TRUE(store->LookupCard(card, Now()).ok());  // a reader joins the pool

  postgres::Connection admin(testing::TestPostgresUrl());
  const auto ended = admin.Run(
      "SELECT COUNT(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
      " WHERE datname = $1::text AND pid <> pg_backend_pid()) AS t",
      postgres::Params().Add(database.url().substr(database.url().rfind('/') + 1)));
  ASSERT_GE(ended.Int(0, 0), 2);  // the writer and the reader

  // The pooled reader finds out on its next query (one request answered 500) and is
  // not returned to the pool; the writer reconnects before its next batch.
  EXPECT_THROW((void)store->LookupCard(card, Now()), postgres::PostgresError);
  auto after = store->RecordPurchase(purchase_at(1), Now());
  ASSERT_TRUE(after.ok()) << after.error().ToString();
  auto lookup = store->LookupCard(card, Now());
  ASSERT_TRUE(lookup.ok());
  EXPECT_EQ(lookup->customer->visits, 2);
}

TEST(PostgresSchema, OpeningTwiceAppliesTheMigrationsOnce) {
  testing::TempDir dir;
  testing::TestDatabase database(testing::Engine::kPostgres, dir);
  TopCategoryPlanner planner;
  const auto url = ParseStoreUrl(database.url(), "url").value();
  auto first = OpenStore(url, planner, Key());
  auto second = OpenStore(url, planner, Key());
  EXPECT_EQ(database.Int("SELECT COUNT(*) FROM schema_migrations"),
            static_cast<std::int64_t>(PostgresMigrations().size()));
}

}  // namespace
}  // namespace loyalty::server
