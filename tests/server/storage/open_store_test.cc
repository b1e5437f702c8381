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
// distributed by on Citus (docs/scaling.md); the others are small reference tables.
TEST(PostgresSchema, EveryTableButTheReferenceTablesCarriesTheCustomerId) {
  testing::TempDir dir;
  testing::TestDatabase database(testing::Engine::kPostgres, dir);
  TopCategoryPlanner planner;
  OpenStore(ParseStoreUrl(database.url(), "url").value(), planner, Key()).reset();
  const auto without = database.Column(
      "SELECT t.table_name FROM information_schema.tables t"
      " WHERE t.table_schema = current_schema() AND t.table_type = 'BASE TABLE'"
      " AND t.table_name NOT IN ('customers', 'schema_migrations', 'meta', 'stores',"
      "   'products', 'terminals', 'enrollment_codes')"
      " AND NOT EXISTS (SELECT 1 FROM information_schema.columns c"
      "   WHERE c.table_schema = t.table_schema AND c.table_name = t.table_name"
      "   AND c.column_name = 'customer_id')"
      " ORDER BY 1");
  EXPECT_TRUE(without.empty()) << "no customer_id in " << without.front();
  // And the check looked at the real schema: the eleven customer-owned tables so far.
  EXPECT_GE(database.Int("SELECT COUNT(*) FROM information_schema.columns"
                         " WHERE table_schema = current_schema() AND column_name = 'customer_id'"),
            11);
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
