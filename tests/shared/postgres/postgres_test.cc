#include "loyalty/postgres/postgres.h"

#include <gtest/gtest.h>

#include "support/temp_dir.h"
#include "support/test_database.h"

namespace loyalty::postgres {
namespace {

class PostgresTest : public ::testing::Test {
 protected:
  testing::TempDir dir_;
  testing::TestDatabase database_{testing::Engine::kPostgres, dir_};
  Connection db_{database_.url()};
};

TEST_F(PostgresTest, ArraysCarryQuotesCommasBracesAndNullsIntact) {
  const std::vector<std::optional<std::string>> values{
      "plain", "with \"quotes\"", "a,b", "{braces}", "back\\slash", "NULL", std::nullopt, ""};
  const auto rows =
      db_.Run("SELECT v, v IS NULL FROM unnest($1::text[]) WITH ORDINALITY AS u(v, n) ORDER BY n",
              Params().AddArray(values));
  ASSERT_EQ(rows.size(), static_cast<int>(values.size()));
  for (int i = 0; i < rows.size(); ++i) {
    if (const auto& value = values[static_cast<std::size_t>(i)]) {
      EXPECT_EQ(rows.Text(i, 0), *value);
      EXPECT_EQ(rows.Text(i, 1), "f");
    } else {
      EXPECT_EQ(rows.Text(i, 1), "t");
    }
  }
}

TEST_F(PostgresTest, ForEachRowStreamsEveryRowThroughACursor) {
  Transaction transaction(db_);
  std::int64_t count = 0;
  std::int64_t sum = 0;
  db_.ForEachRow(
      "SELECT g FROM generate_series(1, $1::bigint) AS g", Params().Add(std::int64_t{5001}),
      [&](const Rows& rows, int row) {
        ++count;
        sum += rows.Int(row, 0);
      },
      /*batch_rows=*/1000);
  EXPECT_EQ(count, 5001);
  EXPECT_EQ(sum, 5001LL * 5002 / 2);
}

TEST_F(PostgresTest, CopyLoadsEscapedTextAndNulls) {
  db_.Exec("CREATE TABLE t (n BIGINT, s TEXT)");
  std::string line = "1\t";
  AppendCopyField(line, "tab\there\nnewline \\ backslash");
  line += "\n2\t\\N\n";
  // Sent in two pieces cut mid-row: COPY takes a stream, not rows.
  const auto copied = db_.Copy("COPY t (n, s) FROM STDIN", [&](const Connection::CopySend& send) {
    send(std::string_view(line).substr(0, 5));
    send(std::string_view(line).substr(5));
  });
  EXPECT_EQ(copied, 2);
  EXPECT_EQ(db_.Run("SELECT s FROM t WHERE n = 1").Text(0, 0), "tab\there\nnewline \\ backslash");
  EXPECT_TRUE(db_.Run("SELECT s FROM t WHERE n = 2").IsNull(0, 0));
}

TEST_F(PostgresTest, ServerErrorsThrowWithTheSqlstate) {
  db_.Exec("CREATE TABLE u (k TEXT PRIMARY KEY)");
  db_.Run("INSERT INTO u VALUES ($1::text)", Params().Add("a"));
  try {
    db_.Run("INSERT INTO u VALUES ($1::text)", Params().Add("a"));
    FAIL() << "a duplicate key was accepted";
  } catch (const PostgresError& e) {
    EXPECT_EQ(e.sqlstate(), "23505");
  }
  // A failed statement outside a transaction leaves the connection usable.
  EXPECT_EQ(db_.Run("SELECT COUNT(*) FROM u").Int(0, 0), 1);
}

TEST(PostgresUrl, BadUrlsAreRefusedSayingWhy) {
  EXPECT_TRUE(CheckUrl("postgresql://loyalty@db.example:5432/loyalty").ok());
  const auto no_scheme = CheckUrl("db.example:5432/loyalty");
  ASSERT_FALSE(no_scheme.ok());
  EXPECT_NE(no_scheme.error().message.find("postgresql://"), std::string::npos);
  const auto bad_option = CheckUrl("postgresql://db.example/loyalty?colour=blue");
  ASSERT_FALSE(bad_option.ok());
  EXPECT_NE(bad_option.error().message.find("colour"), std::string::npos);
}

TEST(PostgresUrl, AnUnreachableDatabaseFailsQuicklyWithoutShowingThePassword) {
  const auto started = std::chrono::steady_clock::now();
  try {
    // Port 1 on loopback: refused at once.
    Connection db("postgresql://clerk:s3cret@127.0.0.1:1/loyalty");
    FAIL() << "connected to nothing";
  } catch (const PostgresError& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("cannot connect to PostgreSQL at clerk@127.0.0.1:1/loyalty"),
              std::string::npos)
        << message;
    EXPECT_EQ(message.find("s3cret"), std::string::npos) << message;
  }
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(10));
}

}  // namespace
}  // namespace loyalty::postgres
