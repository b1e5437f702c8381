// Moving up: a store that ran on SQLite is copied into PostgreSQL with the real
// `loyalty-server migrate`, and the server then serves the same data from PostgreSQL.
#include <gtest/gtest.h>

#include "integration/server_harness.h"

namespace loyalty {
namespace {

using namespace std::chrono_literals;
using testing::ServerHarness;
using testing::TempDir;

TEST(Migrate, MovesASqliteStoreToPostgresAndTheServerGoesOnFromIt) {
  TempDir dir;
  ServerHarness sqlite_server(dir, testing::Engine::kSqlite);
  ASSERT_FALSE(sqlite_server.Start().empty());
  const auto credential = sqlite_server.EnrollTerminal(dir.File("credential.json"));
  ASSERT_EQ(sqlite_server.Stop(), 0);
  const auto catalog_rows = sqlite_server.Count("SELECT COUNT(*) FROM products");
  ASSERT_GT(catalog_rows, 0);

  TempDir target_dir;
  testing::TestDatabase target(testing::Engine::kPostgres, target_dir);
  testing::ChildProcess migrate({LOYALTY_SERVER_PATH, "migrate", "--data-dir", dir.File("admin"),
                                 "--from", sqlite_server.storage_url(), "--to", target.url()},
                                dir.File("migrate.log"));
  std::string output;
  while (auto line = migrate.ReadLine(30s)) output += *line + "\n";
  ASSERT_EQ(migrate.Wait(30s), 0) << output;
  EXPECT_NE(output.find("ok       products: " + std::to_string(catalog_rows) + " rows"),
            std::string::npos)
      << output;
  EXPECT_NE(output.find("every table copied and verified"), std::string::npos) << output;
  EXPECT_EQ(output.find("MISMATCH"), std::string::npos) << output;

  // The enrolled terminal's credential works against the server on PostgreSQL.
  ASSERT_EQ(sqlite_server.RunToEnd({LOYALTY_SERVER_PATH, "terminal", "list", "--data-dir",
                                    sqlite_server.data_dir(), "--storage-url", target.url()}),
            0);
  EXPECT_EQ(target.Text("SELECT id FROM terminals"), "S001-T01");
  EXPECT_EQ(target.Int("SELECT COUNT(*) FROM products"), catalog_rows);
}

TEST(Migrate, WrongEnginesAreRefusedNamingTheFlag) {
  TempDir dir;
  testing::ChildProcess backwards(
      {LOYALTY_SERVER_PATH, "migrate", "--data-dir", dir.File("admin"), "--from",
       "postgresql://loyalty@127.0.0.1:1/loyalty", "--to", "sqlite://" + dir.File("x.db")},
      dir.File("migrate.log"));
  EXPECT_EQ(backwards.Wait(10s), 2);
  testing::ChildProcess unknown({LOYALTY_SERVER_PATH, "migrate", "--data-dir", dir.File("admin"),
                                 "--from", "sqlite://" + dir.File("x.db"), "--to", "mysql://db"},
                                dir.File("migrate2.log"));
  EXPECT_EQ(unknown.Wait(10s), 2);
  std::ifstream log(dir.File("migrate2.log"));
  const std::string text((std::istreambuf_iterator<char>(log)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("--to"), std::string::npos) << text;
  EXPECT_NE(text.find("'mysql' is not a storage engine"), std::string::npos) << text;
}

}  // namespace
}  // namespace loyalty
