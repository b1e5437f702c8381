// The nightly run's next_visit candidates stored as the plan hands them out, on both
// engines: a row per customer and campaign with each candidate's rhythm from the history,
// and nothing written once the run's lock is lost.
#include "batch/candidate_writer.h"

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "batch/customers_by_store_id.h"
#include "batch/history_read.h"
#include "storage/open_store.h"
#include "storage/packed_candidates.h"
#include "support/stored_candidates.h"
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

constexpr int kCustomers = 9;
constexpr int kProducts = 6;

std::string Sku(int i) { return std::to_string(3000 + i); }

class CandidateWriterTest : public ::testing::TestWithParam<testing::Engine> {
 protected:
  void SetUp() override {
    database_ = std::make_unique<testing::TestDatabase>(GetParam(), dir_);
    store_ = OpenStore(ParseStoreUrl(database_->url(), "url").value(), planner_, Key());
    std::vector<domain::Product> products;
    for (int i = 0; i < kProducts; ++i) {
      domain::Product product;
      product.sku = Sku(i);
      product.name = "Product " + std::to_string(i);
      product.department = "GROCERY";
      product.category = i % 2 == 0 ? "DAIRY" : "BREAD";
      product.product_type = product.category;
      product.price_minor = 100 + 25 * i;
      products.push_back(product);
    }
    ASSERT_TRUE(store_->ImportProducts(products).ok());
    ASSERT_TRUE(store_->AddStore({"S001", "Main St", "USD"}).ok());
    // Four weekly visits each: customer c buys product c % 6 every visit (one visit
    // apart) and product (c + 1) % 6 on the first and the third (two apart).
    for (int visit = 0; visit < 4; ++visit) {
      for (int c = 0; c < kCustomers; ++c) {
        domain::Purchase purchase;
        purchase.store_id = "S001";
        purchase.terminal_id = "T01";
        purchase.card = CardNumber::FromBody("2" + std::to_string(30'000'000'000 + c)).value();
        purchase.occurred_at =
            At("2026-11-01T09:00:00Z") + std::chrono::days(7 * visit) + std::chrono::minutes(c);
        std::vector<int> bought = {c % kProducts};
        if (visit % 2 == 0) bought.push_back((c + 1) % kProducts);
        for (const int i : bought) {
          purchase.lines.push_back({Sku(i), 1, 100 + 25 * i, 100 + 25 * i});
        }
        purchase.total_minor = purchase.SubtotalMinor();
        ASSERT_TRUE(store_->RecordPurchase(purchase, purchase.occurred_at).ok());
      }
    }
    history_ = ReadHistory(*store_, At("2026-12-04T00:00:00Z"), {}, 64).history;
    ASSERT_EQ(history_.customer_count(), static_cast<std::uint32_t>(kCustomers));
    for (std::uint32_t p = 0; p < history_.product_count(); ++p) {
      const std::string sku(history_.products.Name(p));
      parts_.push_back(PackedProductPart({sku, 100, 0.25}));
    }
    campaigns_.resize(2);
    campaigns_[0].id = "first";
    campaigns_[1].id = "second";
    options_.run_date = "2026-12-04";
    options_.candidate_write_batch = 5;  // a transaction each time the plan hands some over

    // What a plan hands out, in three calls, in the customers' id order: for each one
    // three candidates of the first campaign (the product of their every visit, that of
    // every other visit, one they never bought) and one of the second.
    customers_ = std::make_unique<CustomersByStoreId>(history_);
    for (const auto& [customer_id, c] : customers_->in_id_order()) {
      const int every = std::stoi(std::string(history_.products.Name(BoughtEveryVisit(c)))) - 3000;
      const int other = (every + 1) % kProducts, never = (every + 3) % kProducts;
      if (calls_.empty() || calls_.back().size() >= 10) calls_.emplace_back();
      calls_.back().push_back({c, 0, ProductId(every), 0.5f});
      calls_.back().push_back({c, 0, ProductId(other), 0.25f});
      calls_.back().push_back({c, 0, ProductId(never), 0.125f});
      calls_.back().push_back({c, 1, ProductId(other), 0.75f});
      expected_gap_[{customer_id, Sku(every)}] = 1;
      expected_gap_[{customer_id, Sku(other)}] = 2;
      expected_gap_[{customer_id, Sku(never)}] = 0;
    }
  }

  std::uint32_t ProductId(int i) const { return *history_.products.Find(Sku(i)); }

  // The product history customer `c` bought at every one of their visits.
  std::uint32_t BoughtEveryVisit(std::uint32_t c) const {
    std::map<std::uint32_t, int> visits;
    for (std::uint32_t b = history_.customer_basket_begin[c];
         b < history_.customer_basket_begin[c + 1]; ++b) {
      for (const std::uint32_t product : history_.ProductsIn(b)) ++visits[product];
    }
    for (const auto& [product, count] : visits) {
      if (count == 4) return product;
    }
    ADD_FAILURE() << "customer " << c << " has no product of every visit";
    return 0;
  }

  testing::TempDir dir_;
  std::unique_ptr<testing::TestDatabase> database_;
  TopCategoryPlanner planner_;
  std::unique_ptr<Store> store_;
  targeting::TransactionHistory history_;
  std::unique_ptr<CustomersByStoreId> customers_;
  std::vector<std::string> parts_;
  std::vector<domain::Campaign> campaigns_;
  CouponRunOptions options_;
  std::vector<std::vector<targeting::KeptCandidate>> calls_;
  std::map<std::pair<std::int64_t, std::string>, double> expected_gap_;
};

INSTANTIATE_TEST_SUITE_P(Engines, CandidateWriterTest,
                         ::testing::Values(testing::Engine::kSqlite, testing::Engine::kPostgres),
                         [](const auto& engine) { return testing::EngineName(engine.param); });

TEST_P(CandidateWriterTest, StoresARowPerCustomerAndCampaignWithEachCandidatesRhythm) {
  int asked = 0;
  options_.still_held = [&] {
    ++asked;
    return Status();
  };
  CandidateWriter writer(*store_, options_, history_, *customers_, parts_, campaigns_);
  ASSERT_GE(calls_.size(), 3u);
  for (const auto& call : calls_) writer.Take(call);
  ASSERT_TRUE(writer.Finish().ok());
  EXPECT_GE(asked, 3);  // a transaction per call, the lock asked before each

  EXPECT_EQ(database_->Int("SELECT COUNT(*) FROM next_visit_candidates"), 2 * kCustomers);
  const auto stored = testing::StoredCandidates(*database_);
  ASSERT_EQ(stored.size(), 4u * kCustomers);
  std::map<std::pair<std::string, std::int64_t>, std::vector<double>> probabilities;
  for (const auto& record : stored) {
    SCOPED_TRACE(record.candidate.sku);
    EXPECT_EQ(record.run_date, "2026-12-04");
    EXPECT_EQ(record.candidate.unit_price_minor, 100);
    EXPECT_EQ(record.candidate.margin_rate, 0.25);
    EXPECT_EQ(record.candidate.name,
              "Product " + std::to_string(std::stoi(record.candidate.sku) - 3000));
    const auto gap = expected_gap_.find({record.customer_id, record.candidate.sku});
    ASSERT_NE(gap, expected_gap_.end());
    EXPECT_EQ(record.candidate.gap_visits, gap->second);
    auto& of_row = probabilities[{record.candidate.campaign_id, record.customer_id}];
    EXPECT_EQ(record.rank, static_cast<std::int64_t>(of_row.size()));
    of_row.push_back(record.candidate.probability);
  }
  // Each row's candidates in the order handed over.
  for (const auto& [row, values] : probabilities) {
    SCOPED_TRACE(row.first);
    if (row.first == "first") {
      EXPECT_EQ(values, (std::vector<double>{0.5, 0.25, 0.125}));
    } else {
      EXPECT_EQ(values, (std::vector<double>{0.75}));
    }
  }
}

TEST_P(CandidateWriterTest, WritesNothingOnceTheLockIsLost) {
  int asked = 0;
  options_.still_held = [&]() -> Status {
    if (++asked == 1) return Status();
    return Conflict("another run took the lock");
  };
  CandidateWriter writer(*store_, options_, history_, *customers_, parts_, campaigns_);
  for (const auto& call : calls_) writer.Take(call);
  const Status finished = writer.Finish();
  ASSERT_FALSE(finished.ok());
  EXPECT_EQ(finished.error().message, "another run took the lock");
  // The first call's customers only: written before the lock went.
  std::set<std::int64_t> customers;
  for (const auto& record : testing::StoredCandidates(*database_))
    customers.insert(record.customer_id);
  EXPECT_EQ(customers.size(), calls_[0].size() / 4);
  EXPECT_EQ(asked, 2);
}

TEST_P(CandidateWriterTest, AWriterLeftWithoutFinishStopsAndTheNextRunWritesEverything) {
  {
    CandidateWriter writer(*store_, options_, history_, *customers_, parts_, campaigns_);
    writer.Take(calls_[0]);
    writer.Take(calls_[1]);
  }  // a run that failed before the end: the writer stops and waits for its write
  CandidateWriter writer(*store_, options_, history_, *customers_, parts_, campaigns_);
  for (const auto& call : calls_) writer.Take(call);
  ASSERT_TRUE(writer.Finish().ok());
  EXPECT_EQ(testing::StoredCandidates(*database_).size(), 4u * kCustomers);
}

}  // namespace
}  // namespace loyalty::server::batch
