// loyalty-batch import against both storage engines: the importer on small files with
// known answers, on a slice of the Complete Journey history, and the program itself.
#include "batch/history_import.h"

#include <gtest/gtest.h>

#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "loyalty/core/csv.h"
#include "storage/catalog_import.h"
#include "storage/open_store.h"
#include "support/child_process.h"
#include "support/temp_dir.h"
#include "support/source_dir.h"
#include "support/test_database.h"
#include "targeting/next_visit_planner.h"

namespace loyalty::server::batch {
namespace {

using targeting::LineProblem;

const crypto::SigningKey& Key() {
  static const crypto::SigningKey key = crypto::SigningKey::Generate();
  return key;
}

CardNumber Card(const char* body) { return CardNumber::FromBody(body).value(); }

std::vector<domain::Product> DemoProducts() {
  return {
      {"1001", "Whole milk", "GROCERY", "DAIRY", "MILK", "Farm", "1 L", 129, true},
      {"1002", "Cheddar", "GROCERY", "DAIRY", "CHEESE", "Farm", "200 G", 450, true},
      {"2001", "Baguette", "GROCERY", "BREAD", "BREAD:FRENCH", "Bakery", "1 PC", 249, true},
  };
}

// Good and bad lines; the comments say what each line is.
constexpr char kMixedCsv[] =
    "customer_id,basket_id,product_id,timestamp,product_name,category,quantity,amount\n"
    "c1,b1,1001,2024-03-01T10:00:00Z,,,2,2.58\n"                     // 2 good
    "c1,b1,2001,2024-03-01T10:00:00Z,,,1,2.49\n"                     // 3 good
    "c1,b2,1002,2024-03-05T18:30:00Z,,,1,4.50\n"                     // 4 good, c1's second visit
    "c2,b3,1001,yesterday,,,1,1.29\n"                                // 5 bad timestamp
    "c2,b3,1001,2024-03-02T09:00:00Z,,,-1,1.29\n"                    // 6 bad quantity
    "c2,b3,9999,2024-03-02T09:00:00Z,,,1,1.00\n"                     // 7 unknown product
    "c2,b3,7001,2024-03-02T09:00:00Z,Oat drink,PLANT MILK,2,5.00\n"  // 8 good, new product
    "c2,b3,1001\n"                                                   // 9 too few fields
    "c2,b3,2001,2024-03-02T09:05:00Z,,,1,2.49\n";                    // 10 other time, same basket

class HistoryImportTest : public ::testing::TestWithParam<testing::Engine> {
 protected:
  void SetUp() override {
    database_ = std::make_unique<testing::TestDatabase>(GetParam(), dir_);
    store_ = OpenStore(ParseStoreUrl(database_->url(), "url").value(), planner_, Key());
    ASSERT_TRUE(store_->ImportProducts(DemoProducts()).ok());
    ASSERT_TRUE(store_->AddStore({"S001", "Main St", "USD"}).ok());
  }

  ImportSummary Import(const std::string& csv, ImportOptions options = {}) {
    std::istringstream input(csv);
    if (options.store_id.empty()) options.store_id = "S001";
    problems_.clear();
    std::ostringstream progress;
    auto summary = ImportHistory(
        *store_, input, options,
        [this](const LineProblem& problem) { problems_.push_back(problem); }, progress);
    EXPECT_TRUE(summary.ok()) << summary.error().ToString();
    return summary.ok() ? *summary : ImportSummary{};
  }

  std::int64_t Count(const std::string& table, const std::string& where = "TRUE") {
    return database_->Int("SELECT COUNT(*) FROM " + table + " WHERE " + where);
  }
  std::string Text(const std::string& sql) { return database_->Text(sql); }

  std::string ProblemAt(std::size_t line) const {
    for (const auto& problem : problems_) {
      if (problem.line == line) return problem.reason;
    }
    return "<no problem reported>";
  }

  testing::TempDir dir_;
  std::unique_ptr<testing::TestDatabase> database_;
  TopCategoryPlanner planner_;  // would issue a coupon for every till purchase
  std::unique_ptr<Store> store_;
  std::vector<LineProblem> problems_;
};

INSTANTIATE_TEST_SUITE_P(Engines, HistoryImportTest,
                         ::testing::Values(testing::Engine::kSqlite, testing::Engine::kPostgres),
                         [](const auto& engine) { return testing::EngineName(engine.param); });

TEST_P(HistoryImportTest, ReportsEveryBadLineByNumberAndImportsTheGoodOnes) {
  const ImportSummary summary = Import(kMixedCsv);
  EXPECT_EQ(summary.lines, 9u);
  EXPECT_EQ(summary.bad_lines, 5u);
  ASSERT_EQ(problems_.size(), 5u);
  EXPECT_NE(ProblemAt(5).find("timestamp"), std::string::npos) << ProblemAt(5);
  EXPECT_NE(ProblemAt(6).find("quantity"), std::string::npos) << ProblemAt(6);
  EXPECT_NE(ProblemAt(7).find("unknown product 9999"), std::string::npos) << ProblemAt(7);
  EXPECT_NE(ProblemAt(9).find("fields"), std::string::npos) << ProblemAt(9);
  EXPECT_NE(ProblemAt(10).find("line 7"), std::string::npos) << ProblemAt(10);
  EXPECT_EQ(summary.baskets, 3u);
  EXPECT_EQ(summary.stored, 3u);
  EXPECT_EQ(summary.already_present, 0u);
  EXPECT_EQ(summary.customers_created, 2u);
  EXPECT_EQ(summary.products_created, 1u);
  EXPECT_EQ(Count("purchases"), 3);
  EXPECT_EQ(Count("purchase_lines"), 4);
  EXPECT_EQ(Count("purchases", "terminal_id = 'import' AND store_id = 'S001'"), 3);
}

TEST_P(HistoryImportTest, UnknownProductWithANameJoinsTheCatalog) {
  Import(kMixedCsv);
  EXPECT_EQ(Text("SELECT name || '|' || category || '|' || price_minor FROM products"
                 " WHERE sku = '7001'"),
            "Oat drink|PLANT MILK|250");
  EXPECT_EQ(Count("products", "sku = '9999'"), 0);
  EXPECT_EQ(Count("purchase_lines", "sku = '7001' AND known_sku = 1"), 1);
}

TEST_P(HistoryImportTest, ReimportStoresNothingTwice) {
  const ImportSummary first = Import(kMixedCsv);
  const auto counts = [&] {
    return std::vector<std::int64_t>{
        Count("purchases"),
        Count("purchase_lines"),
        Count("customers"),
        Count("imported_customers"),
        Count("products"),
        Count("customer_category_stats"),
        Count("customer_product_stats"),
        database_->Int("SELECT SUM(visits) FROM customers"),
        database_->Int("SELECT SUM(total_spend_minor) FROM customers")};
  };
  const auto before = counts();
  const ImportSummary again = Import(kMixedCsv);
  EXPECT_EQ(counts(), before);
  EXPECT_EQ(again.stored, 0u);
  EXPECT_EQ(again.already_present, first.stored);
  EXPECT_EQ(again.refused, 0u);
  EXPECT_EQ(again.customers_created, 0u);
  EXPECT_EQ(again.products_created, 0u);
}

TEST_P(HistoryImportTest, TheSameOldCustomerIdLandsOnTheSameCustomer) {
  Import(kMixedCsv);
  const std::string c1 = Text("SELECT customer_id FROM imported_customers WHERE source_id = 'c1'");
  Import(
      "customer_id,basket_id,product_id,timestamp,quantity,amount\n"
      "c1,b9,1002,2024-04-01T10:00:00Z,1,4.50\n"
      "c3,b10,1002,2024-04-01T11:00:00Z,1,4.50\n");
  EXPECT_EQ(Text("SELECT customer_id FROM imported_customers WHERE source_id = 'c1'"), c1);
  EXPECT_EQ(Count("purchases", "customer_id = " + c1), 3);
  EXPECT_EQ(Count("customers"), 3);
  EXPECT_EQ(Count("imported_customers"), 3);
  // No card is made up for them (see MapCustomers in history_import.cc).
  EXPECT_EQ(Count("cards"), 0);
  EXPECT_EQ(Count("purchases", "card_number IS NOT NULL"), 0);
}

TEST_P(HistoryImportTest, AnOldCustomerIdFollowsItsCustomerIntoAMerge) {
  Import(kMixedCsv);
  const std::int64_t c1 =
      database_->Int("SELECT customer_id FROM imported_customers WHERE source_id = 'c1'");
  const std::int64_t c2 =
      database_->Int("SELECT customer_id FROM imported_customers WHERE source_id = 'c2'");
  ASSERT_TRUE(store_->MergeCustomers(c2, c1, Now()).ok());
  Import(
      "customer_id,basket_id,product_id,timestamp,quantity,amount\n"
      "c1,b9,1002,2024-04-01T10:00:00Z,1,4.50\n");
  EXPECT_EQ(Count("purchases", "customer_id = " + std::to_string(c2)), 4);
  EXPECT_EQ(Text("SELECT visits FROM customers WHERE id = " + std::to_string(c2)), "4");
  EXPECT_EQ(Text("SELECT visits FROM customers WHERE id = " + std::to_string(c1)), "0");
}

TEST_P(HistoryImportTest, UpdatesTheProfileAtThePurchaseTimesAndIssuesNoCoupon) {
  Import(kMixedCsv);
  const std::string c1 = Text("SELECT customer_id FROM imported_customers WHERE source_id = 'c1'");
  EXPECT_EQ(Text("SELECT visits || '/' || total_spend_minor || '/' || first_visit_at || '/' ||"
                 " last_visit_at FROM customers WHERE id = " +
                 c1),
            "2/957/" + std::to_string(ToUnixSeconds(ParseIso8601("2024-03-01T10:00:00Z").value())) +
                "/" + std::to_string(ToUnixSeconds(ParseIso8601("2024-03-05T18:30:00Z").value())));
  EXPECT_EQ(Text("SELECT spend_minor || '/' || items FROM customer_category_stats"
                 " WHERE customer_id = " +
                 c1 + " AND category = 'DAIRY'"),
            "708/3");
  EXPECT_EQ(Text("SELECT quantity || '/' || purchases FROM customer_product_stats"
                 " WHERE customer_id = " +
                 c1 + " AND sku = '1001'"),
            "2/1");
  EXPECT_EQ(Count("coupons"), 0);
  EXPECT_EQ(Count("coupon_redemptions"), 0);
}

TEST_P(HistoryImportTest, CardNumbersMapToTheirCardsAndStillEarnNoCoupon) {
  const CardNumber card = Card("212345678901");
  const std::string csv = "card_number,basket_id,product_id,timestamp,quantity,amount\n" +
                          card.digits() + ",b1,1001,2024-03-01T10:00:00Z,2,2.58\n" + card.digits() +
                          ",b2,1002,2024-03-03T10:00:00Z,1,4.50\n" +
                          "2123,b3,1001,2024-03-03T10:00:00Z,1,1.29\n";
  const ImportSummary summary = Import(csv);
  EXPECT_EQ(summary.stored, 2u);
  EXPECT_EQ(summary.customers_created, 1u);
  EXPECT_NE(ProblemAt(4).find("card_number"), std::string::npos) << ProblemAt(4);
  EXPECT_EQ(Count("cards", "number = '" + card.digits() + "'"), 1);
  EXPECT_EQ(Count("purchases", "card_number = '" + card.digits() + "'"), 2);
  EXPECT_EQ(Text("SELECT visits FROM customers"), "2");
  EXPECT_EQ(Count("coupons"), 0);
  EXPECT_EQ(Import(csv).already_present, 2u);

  // The same planner does issue one for a purchase at a till: the import is what held it back.
  domain::Purchase till;
  till.store_id = "S001";
  till.terminal_id = "T01";
  till.card = card;
  till.occurred_at = Now();
  till.lines.push_back({"1002", 1, 450, 450});
  till.total_minor = 450;
  const auto recorded = store_->RecordPurchase(till, Now());
  ASSERT_TRUE(recorded.ok()) << recorded.error().ToString();
  EXPECT_EQ(recorded->ack.next_visit_coupons.size(), 1u);
}

TEST_P(HistoryImportTest, ChargesTheCatalogPriceWithoutAnAmountColumn) {
  const ImportSummary summary = Import(
      "customer_id,basket_id,product_id,timestamp,quantity\n"
      "c1,b1,1001,2024-03-01T10:00:00Z,3\n"
      "c1,b1,2001,2024-03-01T10:00:00Z,1\n");
  EXPECT_EQ(summary.stored, 1u);
  EXPECT_EQ(Text("SELECT total_minor FROM purchases"), "636");  // 3 x 1.29 + 2.49
  EXPECT_EQ(Text("SELECT amount_minor FROM purchase_lines WHERE sku = '1001'"), "387");
}

TEST_P(HistoryImportTest, UndatedBasketsKeepTheirFileOrderAndReimportWithTheSameDate) {
  const std::string csv =
      "customer_id,basket_id,product_id\n"
      "c1,b1,1001\n"
      "c2,b2,1001\n"
      "c1,b3,2001\n";
  ImportOptions options;
  options.undated_at = ParseIso8601("2025-01-01T00:00:00Z").value();
  EXPECT_EQ(Import(csv, options).stored, 3u);
  const std::int64_t end = ToUnixSeconds(options.undated_at);
  EXPECT_EQ(Text("SELECT first_visit_at || '/' || last_visit_at FROM customers c JOIN"
                 " imported_customers i ON i.customer_id = c.id WHERE i.source_id = 'c1'"),
            std::to_string(end - 3) + "/" + std::to_string(end - 1));
  EXPECT_EQ(Import(csv, options).already_present, 3u);
}

TEST_P(HistoryImportTest, RefusesAStoreThatDoesNotExist) {
  std::istringstream input(kMixedCsv);
  ImportOptions options;
  options.store_id = "S404";
  std::ostringstream progress;
  const auto summary = ImportHistory(
      *store_, input, options, [](const LineProblem&) {}, progress);
  ASSERT_FALSE(summary.ok());
  EXPECT_EQ(summary.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(Count("purchases"), 0);
}

TEST_P(HistoryImportTest, FailsWhenTheHeaderLacksARequiredColumn) {
  std::istringstream input("customer_id,product_id\nc1,1001\n");
  ImportOptions options;
  options.store_id = "S001";
  std::ostringstream progress;
  const auto summary = ImportHistory(
      *store_, input, options, [](const LineProblem&) {}, progress);
  ASSERT_FALSE(summary.ok());
  EXPECT_EQ(summary.error().field, "basket_id");
}

// The first `lines` lines of a file, header included.
std::string Head(const std::string& path, std::size_t lines) {
  std::ifstream in(path);
  std::string text;
  std::string line;
  for (std::size_t i = 0; i < lines && std::getline(in, line); ++i) text += line + "\n";
  return text;
}

TEST_P(HistoryImportTest, ImportsASliceOfTheCompleteJourney) {
  const std::string data = testing::SourceDir() + "/data/completejourney/";
  const std::string slice = Head(data + "transactions_history.csv", 3001);
  std::istringstream lines(slice);
  CsvReader csv(lines);
  const std::size_t customer = *csv.Column("customer_id"), basket = *csv.Column("basket_id"),
                    product = *csv.Column("product_id"), category = *csv.Column("category");
  std::vector<std::vector<std::string>> records;
  while (auto record = csv.Next()) records.push_back(record->value());

  // The catalog's products the slice buys (the whole catalog takes SQLite most of a
  // minute to load on a busy machine, and tests nothing more).
  std::set<std::string> bought;
  for (const auto& fields : records) bought.insert(fields[product]);
  std::ifstream catalog_file(data + "products.csv");
  auto catalog = ReadCatalogCsv(catalog_file, Currency::Usd());
  ASSERT_TRUE(catalog.ok());
  std::vector<domain::Product> sold;
  std::set<std::string> skus;
  for (const auto& item : catalog->products) {
    if (bought.count(item.sku) == 0) continue;
    sold.push_back(item);
    skus.insert(item.sku);
  }
  ASSERT_TRUE(store_->ImportProducts(sold).ok());

  // What the import should make of it, worked out here: a line of a product the catalog
  // lacks, with no category to add it under (fuel, store coupons), is refused.
  std::set<std::string> baskets, customers;
  std::size_t refused = 0;
  for (const auto& fields : records) {
    customers.insert(fields[customer]);
    if (skus.count(fields[product]) == 0 && fields[category].empty()) {
      ++refused;
      continue;
    }
    baskets.insert(fields[customer] + "/" + fields[basket]);
  }
  ASSERT_GT(refused, 0u);  // the slice tries that case too

  const ImportSummary summary = Import(slice);
  EXPECT_EQ(summary.lines, 3000u);
  EXPECT_EQ(summary.bad_lines, refused);
  for (const auto& problem : problems_) {
    EXPECT_NE(problem.reason.find("unknown product"), std::string::npos) << problem.reason;
  }
  EXPECT_EQ(summary.baskets, baskets.size());
  EXPECT_EQ(summary.stored, baskets.size());
  EXPECT_EQ(summary.customers_created, customers.size());
  EXPECT_GT(summary.products_created, 0u);
  EXPECT_EQ(Count("purchases"), static_cast<std::int64_t>(baskets.size()));
  EXPECT_EQ(Count("purchase_lines"), static_cast<std::int64_t>(3000 - refused));
  EXPECT_EQ(database_->Int("SELECT SUM(visits) FROM customers"),
            static_cast<std::int64_t>(baskets.size()));
  EXPECT_EQ(Count("coupons"), 0);

  const ImportSummary again = Import(slice);
  EXPECT_EQ(again.stored, 0u);
  EXPECT_EQ(again.already_present, baskets.size());
  EXPECT_EQ(again.products_created, 0u);
  EXPECT_EQ(Count("purchase_lines"), static_cast<std::int64_t>(3000 - refused));
}

// The program: flags, exit codes, the report on stderr and the summary on stdout.
struct BatchRun {
  int exit_code = -1;
  std::vector<std::string> stdout_lines;
  std::string stderr_text;
};

BatchRun RunBatch(const testing::TempDir& dir, std::vector<std::string> args) {
  args.insert(args.begin(), LOYALTY_BATCH_PATH);
  testing::ChildProcess child(args, dir.File("stderr.txt"));
  BatchRun run;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(5);
  while (auto line = child.ReadLine(std::chrono::duration_cast<std::chrono::milliseconds>(
             deadline - std::chrono::steady_clock::now()))) {
    run.stdout_lines.push_back(*line);
  }
  run.exit_code = child.Wait(std::chrono::seconds(10));
  run.stderr_text = child.Stderr();
  return run;
}

TEST_P(HistoryImportTest, TheProgramReportsBadLinesAndPrintsItsSummary) {
  const std::string csv_path = dir_.File("history.csv");
  std::ofstream(csv_path, std::ios::binary) << kMixedCsv;
  const BatchRun run =
      RunBatch(dir_, {"import", "--csv", csv_path, "--store", "S001", "--storage-url",
                      database_->url(), "--data-dir", dir_.File("data")});
  EXPECT_EQ(run.exit_code, 0) << run.stderr_text;
  EXPECT_NE(run.stderr_text.find("line 5: timestamp"), std::string::npos) << run.stderr_text;
  EXPECT_NE(run.stderr_text.find("line 7: product_id: unknown product 9999"), std::string::npos)
      << run.stderr_text;
  ASSERT_EQ(run.stdout_lines.size(), 1u) << run.stderr_text;
  const auto summary = nlohmann::json::parse(run.stdout_lines[0]);
  EXPECT_EQ(summary["lines"], 9);
  EXPECT_EQ(summary["bad_lines"], 5);
  EXPECT_EQ(summary["stored"], 3);
  EXPECT_EQ(Count("purchases"), 3);
}

TEST_P(HistoryImportTest, TheProgramFailsWithoutAStoreOrAReadableFile) {
  const std::string csv_path = dir_.File("history.csv");
  std::ofstream(csv_path, std::ios::binary) << kMixedCsv;
  const std::string url = database_->url();
  EXPECT_EQ(RunBatch(dir_, {"import", "--csv", csv_path, "--storage-url", url}).exit_code, 2);
  EXPECT_NE(RunBatch(dir_, {"import", "--csv", csv_path, "--store", "S404", "--storage-url", url})
                .exit_code,
            0);
  EXPECT_NE(RunBatch(dir_, {"import", "--csv", dir_.File("missing.csv"), "--store", "S001",
                            "--storage-url", url})
                .exit_code,
            0);
  // Lines, but not one good: nothing could be read.
  const std::string bad_path = dir_.File("bad.csv");
  std::ofstream(bad_path, std::ios::binary)
      << "customer_id,basket_id,product_id,timestamp\nc1,b1,1001,never\n";
  EXPECT_EQ(RunBatch(dir_, {"import", "--csv", bad_path, "--store", "S001", "--storage-url", url})
                .exit_code,
            1);
  EXPECT_EQ(Count("purchases"), 0);
}

}  // namespace
}  // namespace loyalty::server::batch
