#include "storage/store_migration.h"

#include <gtest/gtest.h>

#include "storage/open_store.h"
#include "storage/packed_candidates.h"
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

const Timestamp kDay1 = ParseIso8601("2026-11-23T16:10:00Z").value();
const Timestamp kDay2 = ParseIso8601("2026-11-25T10:00:00Z").value();

CardNumber Card(const char* body) { return CardNumber::FromBody(body).value(); }

domain::Purchase MakePurchase(const CardNumber& card, const std::string& sku, std::int64_t quantity,
                              std::int64_t unit_price, Timestamp at) {
  domain::Purchase purchase;
  purchase.store_id = "S001";
  purchase.terminal_id = "S001-T01";
  purchase.card = card;
  purchase.occurred_at = at;
  purchase.lines.push_back({sku, quantity, unit_price, quantity * unit_price});
  purchase.total_minor = purchase.SubtotalMinor();
  return purchase;
}

// A SQLite store with something in every kind of table, and an empty PostgreSQL
// database to move it into.
class StoreMigrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = Open(sqlite_);
    ASSERT_TRUE(store
                    ->ImportProducts({{"1001", "Milk", "GROCERY", "DAIRY", "MILK", "Farm", "1 L",
                                       129, true, 550, "4006381333931", domain::SoldBy::kEach},
                                      {"3001", "Steak", "MEAT", "MEAT", "BEEF", "Ranch", "1 KG",
                                       1799, true, 0, "", domain::SoldBy::kWeight}})
                    .ok());
    ASSERT_TRUE(store->AddStore({"S001", "Main St \"flagship\"\ttab", "USD"}).ok());
    auto code = store->CreateEnrollmentCode("S001", std::chrono::hours(1), kDay1);
    ASSERT_TRUE(code.ok());
    ASSERT_TRUE(store->EnrollTerminal(*code, "Till 1", kDay1).ok());
    first_ = MakePurchase(Card("212345678901"), "3001", 2, 1799, kDay1);
    first_.lines[0].weight_grams = 2000;
    auto recorded = store->RecordPurchase(first_, kDay1);
    ASSERT_TRUE(recorded.ok());
    ASSERT_FALSE(recorded->ack.next_visit_coupons.empty());
    auto second = MakePurchase(Card("212345678901"), "1001", 1, 129, kDay2);
    second.redemptions.push_back({recorded->ack.next_visit_coupons[0].coupon.id, 0});
    second.total_minor = second.SubtotalMinor();
    ASSERT_TRUE(store->RecordPurchase(second, kDay2).ok());
    domain::SaleReturn sale_return;
    sale_return.original_purchase_id = first_.id;
    sale_return.store_id = "S001";
    sale_return.terminal_id = "S001-T01";
    sale_return.occurred_at = kDay2;
    sale_return.lines.push_back({"3001", 1, 1799});
    sale_return.total_minor = 1799;
    ASSERT_TRUE(store->RecordReturn(sale_return, kDay2).ok());
    domain::CustomerDetails details;
    details.name = "Ada\nLovelace \\ ";
    details.email = "ada@example.com";
    ASSERT_TRUE(store->RegisterCustomer(Card("212345678901"), details, kDay2).ok());
    ASSERT_TRUE(
        store->RecordPurchase(MakePurchase(Card("200000000001"), "1001", 3, 129, kDay2), kDay2)
            .ok());
    // A customer from an imported history, known by the old system's id, with no card.
    ASSERT_TRUE(store->CustomersForImportedIds({"old-42"}, kDay2).ok());
    auto manager = store->CreatePortalUser(
        {"ada@example.com", "Ada", PortalRole::kStoreManager, "$scrypt$...", {"S001"}}, kDay2);
    ASSERT_TRUE(manager.ok());
    ASSERT_TRUE(store
                    ->CreatePortalSession({"token", manager->id, "csrf", kDay2,
                                           kDay2 + std::chrono::hours(8), "127.0.0.1"})
                    .ok());
    ASSERT_TRUE(store
                    ->AppendAudit({kDay2, manager->id, "login", "portal_user:1",
                                   nlohmann::json{{"from", "test"}}, "127.0.0.1"})
                    .ok());
    // A batch run's offers: doubles that must survive the copy digit for digit.
    ASSERT_TRUE(store->StartBatchRun("2026-11-26", kDay2).ok());
    CampaignOfferRecord offer;
    offer.run_date = "2026-11-26";
    offer.campaign_id = "winback";
    offer.customer_id = recorded->ack.customer_id.value();
    offer.sku = "1001";
    offer.control = true;
    offer.depth_percent = 15;
    offer.discount_minor = 19;
    offer.probability = 0.1;
    offer.probability_with_coupon = 0.1 + 0.9 * 0.09;
    offer.expected_cost_minor = 19 * (0.1 + 0.9 * 0.09);
    offer.expected_value_minor = -1.0 / 3;
    ASSERT_TRUE(store->RecordCampaignOffers({offer}, kDay2).ok());
    // A next_visit candidate for the purchases, and its campaign's budget row.
    ASSERT_TRUE(store
                    ->RecordNextVisitCandidates(PackCandidateRows(
                        {{"2026-11-26",
                          offer.customer_id,
                          0,
                          {"winback", "1001", "Whole milk", "DAIRY", 129, 0.3, 1.0 / 3, 2.5}}}))
                    .ok());
    ASSERT_TRUE(store->SetNextVisitRun("winback", "2026-11-26", 0.1 / 3, kDay2).ok());
    ASSERT_TRUE(store->FinishBatchRun("2026-11-26", {{"offers", 1}}, kDay2).ok());
    // The run's customer features: doubles and a JSON text column.
    CustomerFeaturesRecord features;
    features.customer_id = offer.customer_id;
    features.run_date = "2026-11-26";
    features.visits = 2;
    features.last_visit_at = kDay2;
    features.days_since_last_visit = 1.0 / 3;
    features.days_between_visits = 5.918158951901494;
    features.lapse_risk = 0.1 + 0.9 * 0.09;
    features.next_visit_at = kDay2 + std::chrono::hours(142);
    features.top_categories = {{"DAIRY \\ \"MILK\"", 4.0 / 3, 2}};
    ASSERT_TRUE(store->WriteCustomerFeatures({features}).ok());
    campaign_ = domain::CampaignFromJson(
                    {{"id", "dairy-push"},
                     {"name", "Dairy \"push\"\tnow"},
                     {"kind", "category_push"},
                     {"starts_at", "2026-12-01T00:00:00Z"},
                     {"ends_at", "2027-01-01T00:00:00Z"},
                     {"targets", nlohmann::json::array({{{"target", "category"},
                                                         {"value", "DAIRY \\ MILK"}}})},
                     {"target_segment", "cant_lose"},
                     {"discount_type", "percent_off"},
                     {"min_depth", 5},
                     {"max_depth", 20},
                     {"max_discount", 300},
                     {"min_spend", 0},
                     {"budget", 50000},
                     {"budget_coupons", 1000},
                     {"per_customer_cap", 1},
                     {"validity_days", 14},
                     {"control_basis_points", 1000},
                     {"paused", true}})
                    .value();
    ASSERT_TRUE(store->CreateCampaign(campaign_, manager->id, kDay2).ok());
    const auto customer = store->LookupCard(Card("212345678901"), kDay2)->customer->id;
    ASSERT_TRUE(store
                    ->AddCustomerContact({customer, ContactKind::kComplaint, "cold \"steak\"\n",
                                          manager->id, kDay2},
                                         kDay2)
                    .ok());
    ASSERT_TRUE(store->SetAcquisitionSourceName("flyer", "Door-to-door, \"spring\"", kDay2).ok());
    ASSERT_TRUE(
        store->SetAcquisitionCost("radio", {"2026-11-01", "2026-11-30", 65000, {}}, kDay2).ok());
    sqlite_lookup_ = api::CardLookupToJson(*store->LookupCard(Card("212345678901"), kDay2));
  }

  std::unique_ptr<Store> Open(const testing::TestDatabase& database) {
    return OpenStore(ParseStoreUrl(database.url(), "url").value(), planner_, Key());
  }
  std::string SqlitePath() const { return sqlite_.url().substr(std::string("sqlite://").size()); }

  testing::TempDir dir_;
  testing::TestDatabase sqlite_{testing::Engine::kSqlite, dir_};
  testing::TestDatabase postgres_{testing::Engine::kPostgres, dir_};
  TopCategoryPlanner planner_;
  domain::Purchase first_;
  domain::Campaign campaign_;
  nlohmann::json sqlite_lookup_;
};

TEST_F(StoreMigrationTest, CopiesEveryTableAndVerifiesItByCountAndChecksum) {
  auto report = MigrateSqliteToPostgres(SqlitePath(), postgres_.url());
  ASSERT_TRUE(report.ok()) << report.error().ToString();
  EXPECT_TRUE(report->ok());
  ASSERT_EQ(report->tables.size(), MigratedTables().size());
  for (const auto& table : report->tables) {
    EXPECT_TRUE(table.matches()) << table.table;
    EXPECT_EQ(table.source_rows, sqlite_.Int("SELECT COUNT(*) FROM " + table.table)) << table.table;
    EXPECT_EQ(table.target_rows, postgres_.Int("SELECT COUNT(*) FROM " + table.table))
        << table.table;
    // Nothing conflicted, and no batch runs now: those tables are empty, yet copied.
    if (table.table != "coupon_conflicts" && table.table != "batch_locks") {
      EXPECT_GT(table.source_rows, 0) << table.table;
    }
  }
  EXPECT_EQ(postgres_.Text("SELECT name FROM customer_details"), "Ada\nLovelace \\ ");
  EXPECT_EQ(postgres_.Text("SELECT name FROM stores"), "Main St \"flagship\"\ttab");
}

TEST_F(StoreMigrationTest, TheServerGoesOnFromTheCopy) {
  ASSERT_TRUE(MigrateSqliteToPostgres(SqlitePath(), postgres_.url()).ok());
  auto store = Open(postgres_);
  auto lookup = store->LookupCard(Card("212345678901"), kDay2);
  ASSERT_TRUE(lookup.ok());
  EXPECT_EQ(api::CardLookupToJson(*lookup), sqlite_lookup_);
  auto campaign = store->GetCampaign("dairy-push");
  ASSERT_TRUE(campaign.ok()) << campaign.error().ToString();
  EXPECT_EQ(domain::CampaignToJson(campaign->campaign), domain::CampaignToJson(campaign_));
  // A terminal retrying a sale the old server stored gets the original answer.
  auto replay = store->RecordPurchase(first_, kDay2);
  ASSERT_TRUE(replay.ok());
  EXPECT_TRUE(replay->replay);
  // New rows take keys after the copied ones.
  auto fresh =
      store->RecordPurchase(MakePurchase(Card("200000000012"), "1001", 1, 129, kDay2), kDay2);
  ASSERT_TRUE(fresh.ok()) << fresh.error().ToString();
  EXPECT_EQ(*fresh->ack.customer_id, 4);  // after two card holders and the imported customer
  EXPECT_EQ(postgres_.Int("SELECT COUNT(*) FROM purchases"), 4);
  EXPECT_GT(postgres_.Int("SELECT seq FROM purchases WHERE id = '" + fresh->ack.purchase_id + "'"),
            3);
}

TEST_F(StoreMigrationTest, ATargetHoldingDataIsRefused) {
  ASSERT_TRUE(MigrateSqliteToPostgres(SqlitePath(), postgres_.url()).ok());
  auto again = MigrateSqliteToPostgres(SqlitePath(), postgres_.url());
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().field, "--to");
  EXPECT_NE(again.error().message.find("holds data already"), std::string::npos);
}

TEST_F(StoreMigrationTest, TheComparisonFindsAChangedRowAndNamesItsTable) {
  ASSERT_TRUE(MigrateSqliteToPostgres(SqlitePath(), postgres_.url()).ok());
  postgres_.Exec("UPDATE purchase_lines SET quantity = quantity + 1 WHERE sku = '1001'");
  auto report = CompareSqliteWithPostgres(SqlitePath(), postgres_.url());
  ASSERT_TRUE(report.ok());
  EXPECT_FALSE(report->ok());
  for (const auto& table : report->tables) {
    EXPECT_EQ(table.matches(), table.table != "purchase_lines") << table.table;
    if (table.table == "purchase_lines") {
      EXPECT_EQ(table.source_rows, table.target_rows);
    }
  }
}

TEST_F(StoreMigrationTest, ASourceAtAnotherSchemaVersionIsRefused) {
  sqlite_.Exec(
      "DELETE FROM schema_migrations WHERE version = (SELECT MAX(version) FROM "
      "schema_migrations)");
  auto report = MigrateSqliteToPostgres(SqlitePath(), postgres_.url());
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.error().field, "--from");
  const auto& migrations = SqliteMigrations();
  const std::string previous(migrations[migrations.size() - 2].first);
  EXPECT_NE(report.error().message.find("at migration " + previous), std::string::npos)
      << report.error().message;
}

TEST_F(StoreMigrationTest, AMissingSourceFileIsNamed) {
  auto report = MigrateSqliteToPostgres(dir_.File("nope.db"), postgres_.url());
  ASSERT_FALSE(report.ok());
  EXPECT_NE(report.error().message.find("nope.db"), std::string::npos);
}

}  // namespace
}  // namespace loyalty::server
