#include "journal/journal.h"

#include <algorithm>
#include <string>

#include <gtest/gtest.h>

#include "support/temp_dir.h"

namespace loyalty::terminal {
namespace {

const Timestamp kNow = ParseIso8601("2026-11-25T10:00:00Z").value();

domain::Purchase Sale(std::int64_t price) {
  domain::Purchase purchase;
  purchase.store_id = "S001";
  purchase.terminal_id = "T01";
  purchase.occurred_at = kNow;
  purchase.lines.push_back({"1001", 1, price, price});
  purchase.total_minor = price;
  return purchase;
}

std::vector<std::string> Ids(const std::vector<JournaledSale>& sales) {
  std::vector<std::string> ids;
  for (const auto& sale : sales) ids.push_back(sale.id);
  return ids;
}

class JournalTest : public ::testing::Test {
 protected:
  std::string State(const std::string& id) {
    sqlite::Connection db(path_);
    auto& query = db.Prepared("SELECT state || '/' || attempts || '/' || COALESCE(last_error, '')"
                              " || '/' || COALESCE(ack, '') FROM sales WHERE id = ?");
    query.Bind(1, id);
    return query.Step() ? query.Text(0) : "<none>";
  }

  testing::TempDir dir_;
  std::string path_ = dir_.File("journal.db");
};

TEST_F(JournalTest, PendingReturnsAppendedSalesInOrder) {
  Journal journal(path_);
  EXPECT_TRUE(journal.Pending(10).empty());
  EXPECT_EQ(journal.PendingCount(), 0);
  const auto a = Sale(100), b = Sale(200), c = Sale(300);
  journal.Append(a);
  journal.Append(b);
  journal.Append(c);
  EXPECT_EQ(journal.PendingCount(), 3);
  const auto pending = journal.Pending(10);
  EXPECT_EQ(Ids(pending), (std::vector<std::string>{a.id.str(), b.id.str(), c.id.str()}));
  EXPECT_LT(pending[0].seq, pending[1].seq);
  EXPECT_LT(pending[1].seq, pending[2].seq);
  EXPECT_EQ(pending[1].attempts, 0);
  // The body is the purchase as uploaded, and decodes back to it.
  EXPECT_EQ(pending[1].body, domain::PurchaseToJson(b).dump());
  auto decoded = domain::PurchaseFromJson(nlohmann::json::parse(pending[1].body));
  ASSERT_TRUE(decoded.ok()) << decoded.error().ToString();
  EXPECT_EQ(decoded->id, b.id);
  // A limit returns the oldest first.
  EXPECT_EQ(Ids(journal.Pending(2)), (std::vector<std::string>{a.id.str(), b.id.str()}));
}

TEST_F(JournalTest, MarkUploadedRemovesASaleFromPending) {
  Journal journal(path_);
  const auto a = Sale(100), b = Sale(200), c = Sale(300);
  journal.Append(a);
  journal.Append(b);
  journal.Append(c);
  journal.MarkUploaded(b.id.str(), R"({"purchase_id":"x"})");
  EXPECT_EQ(Ids(journal.Pending(10)), (std::vector<std::string>{a.id.str(), c.id.str()}));
  EXPECT_EQ(journal.PendingCount(), 2);
  EXPECT_EQ(State(b.id.str()), R"(uploaded/1//{"purchase_id":"x"})");
  journal.MarkUploaded(a.id.str(), "{}");
  EXPECT_EQ(Ids(journal.Pending(10)), (std::vector<std::string>{c.id.str()}));
}

TEST_F(JournalTest, MarkRejectedKeepsTheSaleButStopsRetrying) {
  Journal journal(path_);
  const auto a = Sale(100), b = Sale(200);
  journal.Append(a);
  journal.Append(b);
  journal.MarkRejected(a.id.str(), "invalid_argument (total): does not add up");
  EXPECT_EQ(Ids(journal.Pending(10)), (std::vector<std::string>{b.id.str()}));
  EXPECT_EQ(State(a.id.str()), "rejected/1/invalid_argument (total): does not add up/");
}

TEST_F(JournalTest, FailedAttemptsAreCountedAndTheSaleStaysPending) {
  Journal journal(path_);
  const auto a = Sale(100);
  journal.Append(a);
  journal.RecordFailedAttempt(a.id.str(), "unavailable: connection refused");
  journal.RecordFailedAttempt(a.id.str(), "timeout");
  const auto pending = journal.Pending(10);
  ASSERT_EQ(pending.size(), 1u);
  EXPECT_EQ(pending[0].attempts, 2);
  EXPECT_EQ(State(a.id.str()), "pending/2/timeout/");
}

TEST_F(JournalTest, SalesSurviveReopening) {
  const auto a = Sale(100);
  { Journal(path_).Append(a); }
  Journal reopened(path_);
  EXPECT_EQ(Ids(reopened.Pending(10)), (std::vector<std::string>{a.id.str()}));
}

TEST_F(JournalTest, TwoJournalsOnOneFileSeeEachOthersWork) {
  Journal till(path_);
  Journal forwarder(path_);
  const auto a = Sale(100), b = Sale(200);
  till.Append(a);
  EXPECT_EQ(Ids(forwarder.Pending(10)), (std::vector<std::string>{a.id.str()}));
  forwarder.MarkUploaded(a.id.str(), "{}");
  till.Append(b);
  EXPECT_EQ(Ids(till.Pending(10)), (std::vector<std::string>{b.id.str()}));
  EXPECT_EQ(Ids(forwarder.Pending(10)), (std::vector<std::string>{b.id.str()}));
  EXPECT_EQ(forwarder.PendingCount(), 1);
}

TEST_F(JournalTest, RefusesTheSameSaleTwice) {
  Journal journal(path_);
  const auto a = Sale(100);
  journal.Append(a);
  EXPECT_THROW(journal.Append(a), sqlite::SqliteError);
  EXPECT_EQ(journal.PendingCount(), 1);
}

domain::Catalog SampleCatalog(std::int64_t version) {
  domain::Catalog catalog;
  catalog.version = version;
  catalog.currency = Currency::FromCode("EUR").value();
  catalog.products = {
      {"2001", "Baguette", "GROCERY", "BREAD", "BREAD:FRENCH", "Bakery", "1 PC", 249, true},
      {"1001", "Milk \"whole\", 1l", "GROCERY", "DAIRY", "MILK", "Farm", "1 L", 129, true},
      {"3001", "Cigarettes", "TOBACCO", "TOBACCO", "", "", "20", 850, false},
  };
  return catalog;
}

TEST_F(JournalTest, HasNoCatalogUntilOneIsSaved) {
  Journal journal(path_);
  EXPECT_FALSE(journal.LoadCatalog().has_value());
}

TEST_F(JournalTest, CatalogRoundTrips) {
  Journal journal(path_);
  domain::Catalog saved = SampleCatalog(12);
  journal.SaveCatalog(saved);
  auto loaded = journal.LoadCatalog();
  ASSERT_TRUE(loaded.has_value());
  EXPECT_EQ(loaded->version, 12);
  EXPECT_EQ(loaded->currency.code(), "EUR");
  // Products come back by sku.
  std::sort(saved.products.begin(), saved.products.end(),
            [](const auto& a, const auto& b) { return a.sku < b.sku; });
  EXPECT_EQ(domain::CatalogToJson(*loaded), domain::CatalogToJson(saved));
}

TEST_F(JournalTest, SavingACatalogReplacesTheOldOne) {
  Journal journal(path_);
  journal.SaveCatalog(SampleCatalog(1));
  domain::Catalog smaller;
  smaller.version = 2;
  smaller.products = {{"9001", "Apples", "PRODUCE", "FRUIT", "", "", "1 KG", 300, true}};
  journal.SaveCatalog(smaller);
  auto loaded = Journal(path_).LoadCatalog();
  ASSERT_TRUE(loaded.has_value());
  EXPECT_EQ(loaded->version, 2);
  EXPECT_EQ(loaded->currency.code(), "USD");
  ASSERT_EQ(loaded->products.size(), 1u);
  EXPECT_EQ(loaded->products[0].sku, "9001");
}

}  // namespace
}  // namespace loyalty::terminal
