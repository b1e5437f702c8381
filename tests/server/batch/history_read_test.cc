// The nightly run's read on both engines: the history built while the store's scans run
// on threads of their own is the one a scan builds on the calling thread.
#include "batch/history_read.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "server/targeting/same_history.h"
#include "storage/open_store.h"
#include "support/temp_dir.h"
#include "support/test_database.h"
#include "targeting/next_visit_planner.h"

namespace loyalty::server::batch {
namespace {

const crypto::SigningKey& Key() {
  static const crypto::SigningKey key = crypto::SigningKey::Generate();
  return key;
}

Timestamp At(const char* text) { return ParseIso8601(text).value(); }

class HistoryReadTest : public ::testing::TestWithParam<testing::Engine> {
 protected:
  void SetUp() override {
    database_ = std::make_unique<testing::TestDatabase>(GetParam(), dir_);
    store_ = OpenStore(ParseStoreUrl(database_->url(), "url").value(), planner_, Key());
    std::vector<domain::Product> products;
    const char* categories[] = {"DAIRY", "BREAD", "PRODUCE"};
    for (int i = 0; i < 9; ++i) {
      domain::Product product;
      product.sku = std::to_string(2000 + i);
      product.name = "Product " + std::to_string(i);
      product.department = "GROCERY";
      product.category = categories[i % 3];
      product.product_type = product.category;
      product.price_minor = 100 + 25 * i;
      products.push_back(product);
    }
    ASSERT_TRUE(store_->ImportProducts(products).ok());
    ASSERT_TRUE(store_->AddStore({"S001", "Main St", "USD"}).ok());
    // Visits of twenty customers interleaved, a few of them on the run's date (not read),
    // and an SKU the catalog does not know (no category).
    for (int visit = 0; visit < 5; ++visit) {
      for (int c = 0; c < 20; ++c) {
        domain::Purchase purchase;
        purchase.store_id = "S001";
        purchase.terminal_id = "T01";
        purchase.card = CardNumber::FromBody("2" + std::to_string(20'000'000'000 + c)).value();
        purchase.occurred_at = At("2026-11-30T09:00:00Z") + std::chrono::days(visit) +
                               std::chrono::hours(c % 5) - std::chrono::days(c % 3 == 0 ? 0 : 7);
        for (int l = 0; l <= (c + visit) % 4; ++l) {
          const int i = (c + 2 * l + visit) % 9;
          purchase.lines.push_back({std::to_string(2000 + i), 1 + l, 100 + 25 * i, 100 + 25 * i});
        }
        if (c == 7) purchase.lines.push_back({"unknown-sku", 1, 99, 99});
        purchase.total_minor = purchase.SubtotalMinor();
        ASSERT_TRUE(store_->RecordPurchase(purchase, purchase.occurred_at).ok());
      }
    }
  }

  testing::TempDir dir_;
  std::unique_ptr<testing::TestDatabase> database_;
  TopCategoryPlanner planner_;
  std::unique_ptr<Store> store_;
};

INSTANTIATE_TEST_SUITE_P(Engines, HistoryReadTest,
                         ::testing::Values(testing::Engine::kSqlite, testing::Engine::kPostgres),
                         [](const auto& engine) { return testing::EngineName(engine.param); });

TEST_P(HistoryReadTest, BuildsTheHistoryTheScanBuildsOnOneThread) {
  const Timestamp before = At("2026-12-04T00:00:00Z");
  targeting::HistoryBuilder builder;
  std::size_t scanned = 0;
  store_->ScanPurchaseHistoryKeys(before, [&](const HistoryKeyLine& line) {
    targeting::HistoryBuilder::StoredLine row;
    row.customer_id = line.customer_id;
    row.purchase_seq = line.purchase_seq;
    row.product = line.sku;
    row.category = line.category;
    row.timestamp = line.occurred_at;
    row.quantity = static_cast<std::int32_t>(line.quantity);
    row.amount_minor = line.amount_minor;
    EXPECT_TRUE(builder.AddStored(row));
    ++scanned;
  });
  const targeting::TransactionHistory expected = builder.Build();

  // Chunks of five lines: many hand-overs, the last one partly filled.
  std::vector<std::size_t> reported;
  const ReadHistoryResult read =
      ReadHistory(*store_, before, [&](std::size_t lines) { reported.push_back(lines); }, 5);
  EXPECT_EQ(read.lines, scanned);
  ASSERT_FALSE(reported.empty());
  EXPECT_TRUE(std::is_sorted(reported.begin(), reported.end()));
  EXPECT_EQ(reported.back(), scanned);

  const targeting::TransactionHistory& history = read.history;
  targeting::testing::ExpectSameHistory(history, expected);
  EXPECT_EQ(history.customer_count(), 20u);
  // The visits on the run's date are not in it; the rest are.
  EXPECT_GT(history.basket_count(), 60u);
  EXPECT_LT(history.basket_count(), 100u);

  // Room made for the night before's size, more or less than it turns out, changes
  // nothing read.
  for (const ExpectedHistory room : {ExpectedHistory{scanned / 2, 3}, ExpectedHistory{1000, 50}}) {
    const ReadHistoryResult again = ReadHistory(*store_, before, {}, 5, room);
    EXPECT_EQ(again.lines, scanned);
    targeting::testing::ExpectSameHistory(again.history, expected);
  }
}

TEST_P(HistoryReadTest, StripesReadOnTwoThreadsBuildTheHistoryOfOneScan) {
  const Timestamp before = At("2026-12-04T00:00:00Z");
  const ReadHistoryResult one = ReadHistory(*store_, before, {}, 4096, {}, 1'000'000);
  // Stripes of one purchase (each scanner's stripe ending with a chunk of no line when
  // it is a sale without a card), of a few, and of more than a scanner's chunks in
  // flight hold, in chunks of two and five lines.
  for (const std::int64_t stripe : {std::int64_t{1}, std::int64_t{3}, std::int64_t{40}}) {
    for (const std::size_t chunk : {std::size_t{2}, std::size_t{5}}) {
      std::vector<std::size_t> reported;
      const ReadHistoryResult read = ReadHistory(
          *store_, before, [&](std::size_t lines) { reported.push_back(lines); }, chunk, {},
          stripe);
      EXPECT_EQ(read.lines, one.lines) << stripe << " " << chunk;
      targeting::testing::ExpectSameHistory(read.history, one.history);
      ASSERT_FALSE(reported.empty());
      EXPECT_TRUE(std::is_sorted(reported.begin(), reported.end()));
      EXPECT_EQ(reported.back(), one.lines);
    }
  }
}

TEST_P(HistoryReadTest, AnEmptyHistoryReadsNothing) {
  const ReadHistoryResult read = ReadHistory(*store_, At("2026-01-01T00:00:00Z"), {}, 5);
  EXPECT_EQ(read.lines, 0u);
  EXPECT_EQ(read.history.customer_count(), 0u);
  EXPECT_EQ(read.history.basket_count(), 0u);
}

}  // namespace
}  // namespace loyalty::server::batch
