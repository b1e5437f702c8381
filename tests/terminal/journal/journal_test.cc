#include "journal/journal.h"

#include <algorithm>
#include <string>

#include <gtest/gtest.h>

#include "support/temp_dir.h"

namespace loyalty::terminal {

const std::vector<std::pair<std::string_view, std::string_view>>& JournalMigrations();

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

domain::Coupon LedgerCoupon(Timestamp expires_at) {
  domain::Coupon coupon;
  coupon.customer_id = 42;
  coupon.issued_at = kNow - std::chrono::days(10);
  coupon.expires_at = expires_at;
  return coupon;
}

TEST_F(JournalTest, TheLedgerKnowsCouponsSpentHereUntilTheyExpire) {
  Journal journal(path_);
  const auto expiring = LedgerCoupon(kNow + std::chrono::hours(1));
  const auto lasting = LedgerCoupon(kNow + std::chrono::days(30));
  const auto unspent = LedgerCoupon(kNow + std::chrono::days(30));
  domain::Purchase sale = Sale(500);
  sale.redemptions = {{expiring.id, 50}, {lasting.id, 50}};
  sale.total_minor = 400;
  journal.Append(sale, {expiring, lasting});
  auto spent = journal.SpentCoupons({expiring, lasting, unspent});
  EXPECT_EQ(spent.size(), 2u);
  EXPECT_EQ(spent.at(lasting.id.str()), kNow);
  EXPECT_FALSE(spent.contains(unspent.id.str()));
  // A day later the first coupon has expired: forgetting it can let nothing through.
  EXPECT_EQ(journal.PruneLedger(kNow + std::chrono::days(1)), 1);
  EXPECT_EQ(journal.SpentCoupons({expiring, lasting}).size(), 1u);
}

// The journal and catalog copy as the version before tax, barcodes and weighed goods
// left them: migrations 1 and 2, and a product saved without the new fields.
TEST_F(JournalTest, AnUpgradedTillStillSellsFromItsOldCatalogCopyAndRefetchesIt) {
  {
    sqlite::Connection db(path_);
    const auto& all = JournalMigrations();
    ASSERT_GE(all.size(), 3u);
    sqlite::Migrate(db, {all.begin(), all.begin() + 2});
    db.Exec(
        "INSERT INTO catalog_products(sku, json) VALUES ('1001', '{\"sku\":\"1001\","
        "\"name\":\"Milk\",\"department\":\"GROCERY\",\"category\":\"DAIRY\","
        "\"product_type\":\"MILK\",\"brand\":\"Farm\",\"package_size\":\"1 L\","
        "\"price\":129,\"couponable\":true}')");
    db.Exec("INSERT INTO meta(key, value) VALUES ('catalog_version', '7'), ('currency', 'USD')");
    db.Exec("INSERT INTO coupon_ledger(coupon_id, sale_id, redeemed_at) VALUES ('c1', 's1', 100)");
  }
  Journal journal(path_);
  auto loaded = journal.LoadCatalog();
  ASSERT_TRUE(loaded.has_value());
  EXPECT_EQ(loaded->version, 0);  // the next sync takes the whole catalog
  ASSERT_EQ(loaded->products.size(), 1u);
  EXPECT_EQ(loaded->products[0].price_minor, 129);
  EXPECT_EQ(loaded->products[0].sold_by, domain::SoldBy::kEach);
  EXPECT_EQ(loaded->products[0].tax_rate_bp, 0);
  sqlite::Connection db(path_);
  auto& ledger = db.Prepared("SELECT expires_at FROM coupon_ledger WHERE coupon_id = 'c1'");
  ASSERT_TRUE(ledger.Step());
  EXPECT_EQ(ledger.Int(0), 100 + 400 * 86400);
}

TEST_F(JournalTest, ADamagedCatalogCopyIsDroppedNotFatal) {
  {
    Journal journal(path_);
    journal.SaveCatalog(SampleCatalog(3));
    sqlite::Connection db(path_);
    db.Exec("UPDATE catalog_products SET json = '{\"sku\": 5}'");
  }
  EXPECT_FALSE(Journal(path_).LoadCatalog().has_value());
}

}  // namespace
}  // namespace loyalty::terminal
