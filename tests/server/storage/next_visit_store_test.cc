// Next-visit coupons chosen at a purchase from the nightly batch's stored candidates
// (ScoredOfferPlanner), on both engines: the purchase reads the candidates and budgets
// and writes the offer and its spend in its own transaction.
#include <cmath>
#include <future>
#include <memory>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "storage/open_store.h"
#include "support/stored_candidates.h"
#include "support/temp_dir.h"
#include "support/test_database.h"
#include "targeting/campaign_offers.h"
#include "targeting/scored_offer_planner.h"

namespace loyalty::server {
namespace {

const crypto::SigningKey& Key() {
  static const crypto::SigningKey key = crypto::SigningKey::Generate();
  return key;
}

Timestamp At(const char* text) { return ParseIso8601(text).value(); }

const Timestamp kNow = At("2026-11-23T16:10:00Z");
const char kRunDate[] = "2026-11-23";

CardNumber Card(int n) {
  char body[13];
  std::snprintf(body, sizeof body, "20000000%04d", n);
  return CardNumber::FromBody(body).value();
}

std::vector<domain::Product> Products() {
  return {
      {"1001", "Whole milk", "GROCERY", "DAIRY", "MILK", "Farm", "1 L", 129, true},
      {"4001", "Coffee beans", "GROCERY", "COFFEE", "BEANS", "Roast", "500 G", 1000, true},
      {"5001", "Rice", "GROCERY", "GRAINS", "RICE", "Field", "1 KG", 500, true},
  };
}

domain::Purchase Buying(const CardNumber& card, const std::vector<std::string>& skus,
                        Timestamp at = kNow) {
  domain::Purchase purchase;
  purchase.store_id = "S001";
  purchase.terminal_id = "T01";
  purchase.card = card;
  purchase.occurred_at = at;
  for (const auto& sku : skus) purchase.lines.push_back({sku, 2, 129, 258});
  purchase.total_minor = purchase.SubtotalMinor();
  return purchase;
}

domain::Campaign NextVisit(const std::string& id) {
  domain::Campaign campaign;
  campaign.id = id;
  campaign.name = "Next visit";
  campaign.kind = domain::CampaignKind::kNextVisit;
  campaign.starts_at = kNow - std::chrono::days(10);
  campaign.ends_at = kNow + std::chrono::days(10);
  campaign.min_depth = 5;
  campaign.max_depth = 30;
  campaign.max_discount_minor = 400;
  campaign.budget_minor = 100'000;
  campaign.per_customer_cap = 5;
  campaign.validity_days = 7;
  campaign.control_basis_points = 0;
  return campaign;
}

// Coffee is the better value for cost (ScoredOfferPlanner's tests), rice the runner-up.
std::vector<NextVisitCandidateRecord> Candidates(std::int64_t customer_id,
                                                 const std::string& campaign,
                                                 const std::string& run_date = kRunDate) {
  NextVisitCandidateRecord coffee{
      run_date, customer_id, 0, {campaign, "4001", "Coffee beans", "COFFEE", 1000, 0.4, 0.02, 0}};
  NextVisitCandidateRecord rice{
      run_date, customer_id, 1, {campaign, "5001", "Rice", "GRAINS", 500, 0.3, 0.05, 0}};
  return {coffee, rice};
}

// A double as SQL reads it back, to 17 significant digits.
std::string DoubleLiteral(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.17g", value);
  return text;
}

class NextVisitStoreTest : public ::testing::TestWithParam<testing::Engine> {
 protected:
  void SetUp() override {
    database_ = std::make_unique<testing::TestDatabase>(GetParam(), dir_);
    store_ = Open();
    ASSERT_TRUE(store_->ImportProducts(Products()).ok());
  }

  std::unique_ptr<Store> Open() {
    return OpenStore(ParseStoreUrl(database_->url(), "url").value(), planner_, Key());
  }

  // A registered customer with the two candidates of `campaign`, made current.
  std::int64_t CustomerWithCandidates(int n, const std::string& campaign) {
    domain::CustomerDetails details;
    details.name = "Shopper " + std::to_string(n);
    const std::int64_t id = store_->RegisterCustomer(Card(n), details, kNow).value();
    EXPECT_TRUE(
        store_->RecordNextVisitCandidates(PackCandidateRows(Candidates(id, campaign))).ok());
    EXPECT_TRUE(store_->SetNextVisitRun(campaign, kRunDate, 0, kNow).ok());
    return id;
  }

  std::int64_t Count(const std::string& sql) { return database_->Int(sql); }
  std::size_t StoredCount() { return testing::StoredCandidates(*database_).size(); }

  testing::TempDir dir_;
  std::unique_ptr<testing::TestDatabase> database_;
  ScoredOfferPlanner planner_;
  std::unique_ptr<Store> store_;
};

INSTANTIATE_TEST_SUITE_P(Engines, NextVisitStoreTest,
                         ::testing::Values(testing::Engine::kSqlite, testing::Engine::kPostgres),
                         [](const auto& engine) { return testing::EngineName(engine.param); });

TEST_P(NextVisitStoreTest, APurchaseIssuesTheBestStoredCandidateAndSpendsItsBudget) {
  ASSERT_TRUE(store_->CreateCampaign(NextVisit("nv"), std::nullopt, kNow).ok());
  const std::int64_t customer = CustomerWithCandidates(1, "nv");
  const auto purchase = Buying(Card(1), {"1001"});
  const auto recorded = store_->RecordPurchase(purchase, kNow);
  ASSERT_TRUE(recorded.ok()) << recorded.error().ToString();
  ASSERT_EQ(recorded->ack.next_visit_coupons.size(), 1u);
  const auto& issued = recorded->ack.next_visit_coupons[0];
  EXPECT_EQ(issued.coupon.campaign, "nv");
  EXPECT_EQ(issued.coupon.target, domain::CouponTarget::kProduct);
  EXPECT_EQ(issued.coupon.target_value, "4001");
  EXPECT_EQ(issued.coupon.customer_id, customer);
  EXPECT_EQ(issued.coupon.expires_at, kNow + std::chrono::days(7));
  EXPECT_FALSE(issued.token.empty());  // signed, as every next-visit coupon

  // Recorded beside the batch's offers, counted in the campaign's spend.
  EXPECT_EQ(database_->Text("SELECT coupon_id FROM campaign_offers WHERE purchase_seq IS NOT NULL"),
            issued.coupon.id.str());
  EXPECT_EQ(Count("SELECT COUNT(*) FROM campaign_offers WHERE offer_rank < 0 AND control = 0"
                  " AND sku = '4001' AND run_date = '2026-11-23'"),
            1);
  EXPECT_EQ(Count("SELECT issued FROM campaign_budgets WHERE campaign_id = 'nv'"), 1);
  EXPECT_GT(std::stod(database_->Text(
                "SELECT spent_minor FROM campaign_budgets WHERE campaign_id = 'nv'")),
            0);
  const auto issuance = store_->CampaignIssuanceExcept(kRunDate);
  ASSERT_EQ(issuance.count("nv"), 1u);
  EXPECT_EQ(issuance.at("nv").issued, 1);

  // A replay answers the same coupon and records nothing more.
  const auto replay = store_->RecordPurchase(purchase, kNow);
  ASSERT_TRUE(replay.ok());
  EXPECT_TRUE(replay->replay);
  ASSERT_EQ(replay->ack.next_visit_coupons.size(), 1u);
  EXPECT_EQ(replay->ack.next_visit_coupons[0].coupon.id, issued.coupon.id);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM campaign_offers"), 1);

  // The next purchase skips the product the customer now holds a coupon for.
  const auto next = store_->RecordPurchase(Buying(Card(1), {"1001"}, kNow + std::chrono::hours(1)),
                                           kNow + std::chrono::hours(1));
  ASSERT_TRUE(next.ok());
  ASSERT_EQ(next->ack.next_visit_coupons.size(), 1u);
  EXPECT_EQ(next->ack.next_visit_coupons[0].coupon.target_value, "5001");
}

TEST_P(NextVisitStoreTest, AProductJustBoughtIsNotOffered) {
  ASSERT_TRUE(store_->CreateCampaign(NextVisit("nv"), std::nullopt, kNow).ok());
  CustomerWithCandidates(1, "nv");
  const auto recorded = store_->RecordPurchase(Buying(Card(1), {"4001", "1001"}), kNow);
  ASSERT_TRUE(recorded.ok()) << recorded.error().ToString();
  ASSERT_EQ(recorded->ack.next_visit_coupons.size(), 1u);
  EXPECT_EQ(recorded->ack.next_visit_coupons[0].coupon.target_value, "5001");
}

TEST_P(NextVisitStoreTest, CandidatesCountOnceTheirRunIsCurrentAndARerunStoresNothingTwice) {
  ASSERT_TRUE(store_->CreateCampaign(NextVisit("nv"), std::nullopt, kNow).ok());
  const std::int64_t customer = CustomerWithCandidates(1, "nv");
  ASSERT_TRUE(
      store_->RecordNextVisitCandidates(PackCandidateRows(Candidates(customer, "nv"))).ok());
  EXPECT_EQ(StoredCount(), 2u);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM next_visit_candidates"), 1);  // packed in one row

  // The next night's candidates wait beside these until their run is made current.
  auto tomorrow = Candidates(customer, "nv", "2026-11-24");
  tomorrow.pop_back();
  tomorrow[0].candidate.sku = "5001";
  ASSERT_TRUE(store_->RecordNextVisitCandidates(PackCandidateRows(tomorrow)).ok());
  EXPECT_EQ(StoredCount(), 3u);
  ASSERT_TRUE(store_->SetNextVisitRun("nv", "2026-11-24", 0.25, kNow).ok());
  EXPECT_EQ(database_->Text("SELECT run_date FROM campaign_budgets WHERE campaign_id = 'nv'"),
            "2026-11-24");
  // The replaced run's stay until the next night drops them.
  EXPECT_EQ(StoredCount(), 3u);
  EXPECT_EQ(store_->DropReplacedNextVisitCandidates(100).value(), 1);
  EXPECT_EQ(StoredCount(), 1u);
  const auto recorded = store_->RecordPurchase(Buying(Card(1), {"1001"}), kNow);
  ASSERT_TRUE(recorded.ok());
  ASSERT_EQ(recorded->ack.next_visit_coupons.size(), 1u);
  EXPECT_EQ(recorded->ack.next_visit_coupons[0].coupon.target_value, "5001");
}

TEST_P(NextVisitStoreTest, ManyCandidatesInOneCallAreStoredOnceEachWithTheirValues) {
  ASSERT_TRUE(store_->CreateCampaign(NextVisit("nv"), std::nullopt, kNow).ok());
  // More customers than one statement takes, the first part stored already by a killed
  // run (which writes a customer's candidates whole, in one call).
  std::vector<NextVisitCandidateRecord> records;
  for (int n = 1; n <= 300; ++n) {
    domain::CustomerDetails details;
    details.name = "Shopper " + std::to_string(n);
    const std::int64_t customer = store_->RegisterCustomer(Card(n), details, kNow).value();
    for (std::int64_t rank = 0; rank < 3; ++rank) {
      auto record = Candidates(customer, "nv")[static_cast<std::size_t>(rank % 2)];
      record.rank = rank;
      record.candidate.probability = 0.001 * static_cast<double>(n * 3 + rank);
      records.push_back(record);
    }
  }
  const std::vector<NextVisitCandidateRecord> killed(records.begin(), records.begin() + 210);
  ASSERT_TRUE(store_->RecordNextVisitCandidates(PackCandidateRows(killed)).ok());
  records[10].candidate.sku = "1001";  // stored already: left as it was
  // Given out of rank order: stored in rank order.
  std::swap(records[897], records[899]);
  ASSERT_TRUE(store_->RecordNextVisitCandidates(PackCandidateRows(records)).ok());
  EXPECT_EQ(Count("SELECT COUNT(*) FROM next_visit_candidates"), 300);
  const auto stored = testing::StoredCandidates(*database_);
  ASSERT_EQ(stored.size(), 900u);
  EXPECT_EQ(stored[10].candidate.sku, "5001");  // rice, as the killed run stored it
  const auto& last = stored[899];
  EXPECT_EQ(last.rank, 2);
  EXPECT_EQ(last.run_date, kRunDate);
  EXPECT_EQ(last.customer_id, records[898].customer_id);
  EXPECT_EQ(last.candidate.sku + "/" + last.candidate.name + "/" + last.candidate.category + "/" +
                std::to_string(last.candidate.unit_price_minor),
            "4001/Coffee beans/COFFEE/1000");
  // Kept to a float's precision (packed_candidates.h).
  EXPECT_EQ(last.candidate.probability, static_cast<float>(0.001 * (300 * 3 + 2)));
  EXPECT_EQ(stored[898].candidate.sku, "5001");
}

// A rerun of an older date (a late rerun of last night) after a newer run made its
// candidates current: purchases stay on the newer run's.
TEST_P(NextVisitStoreTest, AnOlderRunDoesNotReplaceANewerOne) {
  ASSERT_TRUE(store_->CreateCampaign(NextVisit("nv"), std::nullopt, kNow).ok());
  const std::int64_t customer = CustomerWithCandidates(1, "nv");  // kRunDate, coffee first
  auto older = Candidates(customer, "nv", "2026-11-22");
  std::swap(older[0].candidate, older[1].candidate);
  ASSERT_TRUE(store_->RecordNextVisitCandidates(PackCandidateRows(older)).ok());
  ASSERT_TRUE(store_->SetNextVisitRun("nv", "2026-11-22", 0.5, kNow).ok());
  EXPECT_EQ(database_->Text("SELECT run_date FROM campaign_budgets WHERE campaign_id = 'nv'"),
            kRunDate);
  ASSERT_EQ(store_->DropReplacedNextVisitCandidates(100).value(), 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM next_visit_candidates WHERE run_date <> '2026-11-23'"), 0);
  EXPECT_EQ(StoredCount(), 2u);
  const auto recorded = store_->RecordPurchase(Buying(Card(1), {"1001"}), kNow);
  ASSERT_TRUE(recorded.ok());
  ASSERT_EQ(recorded->ack.next_visit_coupons.size(), 1u);
  EXPECT_EQ(recorded->ack.next_visit_coupons[0].coupon.target_value, "4001");
}

// The night's cleanup: each campaign's runs before its current one go, a few rows a
// transaction; the current run's, a later (killed) run's and those of a campaign with no
// run yet stay.
TEST_P(NextVisitStoreTest, ReplacedCandidatesAreDroppedAFewRowsATransaction) {
  for (const char* id : {"nv", "other", "unrun"}) {
    ASSERT_TRUE(store_->CreateCampaign(NextVisit(id), std::nullopt, kNow).ok());
  }
  std::vector<NextVisitCandidateRecord> records;
  for (int n = 1; n <= 7; ++n) {
    domain::CustomerDetails details;
    details.name = "Shopper " + std::to_string(n);
    const std::int64_t customer = store_->RegisterCustomer(Card(n), details, kNow).value();
    for (const char* date : {"2026-11-21", "2026-11-22", kRunDate, "2026-11-24"}) {
      for (const char* campaign : {"nv", "other", "unrun"}) {
        for (auto& record : Candidates(customer, campaign, date)) records.push_back(record);
      }
    }
  }
  ASSERT_TRUE(store_->RecordNextVisitCandidates(PackCandidateRows(records)).ok());
  ASSERT_TRUE(store_->SetNextVisitRun("nv", kRunDate, 0, kNow).ok());
  ASSERT_TRUE(store_->SetNextVisitRun("other", "2026-11-22", 0, kNow).ok());
  // SetNextVisitRun dropped the later runs' of the two it made current.
  EXPECT_EQ(Count("SELECT COUNT(*) FROM next_visit_candidates"), 7 * (3 + 2 + 4));

  // A transaction's ninth row deleted fails it (a trigger): a drop in one transaction
  // would keep all 21 of them, one in transactions of 4 keeps the 13 past the first two.
  if (GetParam() == testing::Engine::kSqlite) {
    database_->Exec(
        "CREATE TABLE deleted(n INTEGER); INSERT INTO deleted VALUES (0);"
        " CREATE TRIGGER ninth BEFORE DELETE ON next_visit_candidates BEGIN"
        " UPDATE deleted SET n = n + 1;"
        " SELECT RAISE(ABORT, 'ninth row') WHERE (SELECT n FROM deleted) >= 9; END");
  } else {
    database_->Exec(
        "CREATE TABLE deleted(n bigint); INSERT INTO deleted VALUES (0);"
        " CREATE FUNCTION ninth() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
        " UPDATE deleted SET n = n + 1; IF (SELECT n FROM deleted) >= 9 THEN"
        " RAISE EXCEPTION 'ninth row'; END IF; RETURN OLD; END $$;"
        " CREATE TRIGGER ninth BEFORE DELETE ON next_visit_candidates FOR EACH ROW"
        " EXECUTE FUNCTION ninth()");
  }
  EXPECT_FALSE(store_->DropReplacedNextVisitCandidates(4).ok());
  EXPECT_EQ(Count("SELECT COUNT(*) FROM next_visit_candidates"), 7 * (3 + 2 + 4) - 8);
  database_->Exec("DROP TRIGGER ninth" + std::string(GetParam() == testing::Engine::kSqlite
                                                         ? ""
                                                         : " ON next_visit_candidates"));

  // nv's two earlier nights and other's one: 21 rows, the 13 left in 4 transactions.
  EXPECT_EQ(store_->DropReplacedNextVisitCandidates(4).value(), 13);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM next_visit_candidates WHERE campaign_id = 'nv'"), 7);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM next_visit_candidates WHERE campaign_id = 'nv' AND"
                  " run_date = '2026-11-23'"),
            7);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM next_visit_candidates WHERE campaign_id = 'other' AND"
                  " run_date = '2026-11-22'"),
            7);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM next_visit_candidates WHERE campaign_id = 'other'"), 7);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM next_visit_candidates WHERE campaign_id = 'unrun'"), 28);
  EXPECT_EQ(store_->DropReplacedNextVisitCandidates(4).value(), 0);
  // The current run's candidates are still what a purchase chooses from.
  const auto recorded = store_->RecordPurchase(Buying(Card(1), {"1001"}), kNow);
  ASSERT_TRUE(recorded.ok());
  ASSERT_FALSE(recorded->ack.next_visit_coupons.empty());
}

// The stored value holds no names (packed_candidates.h): a purchase names and categorises
// each candidate from the catalog as it is then, a product renamed and moved since the
// night included, and finds a sku with a backslash, a "\t" and a tab in it.
TEST_P(NextVisitStoreTest, ACandidateIsNamedAndCategorisedFromTheCatalogAtThePurchase) {
  const std::string odd = "7\\t\t1";
  auto products = Products();
  products.push_back({odd, "Spice mix", "GROCERY", "SPICES", "MIX", "Field", "50 G", 800, true});
  ASSERT_TRUE(store_->ImportProducts(products).ok());
  auto campaign = NextVisit("nv");
  campaign.targets = {{domain::CouponTarget::kCategory, "HERBS"}};
  ASSERT_TRUE(store_->CreateCampaign(campaign, std::nullopt, kNow).ok());
  domain::CustomerDetails details;
  details.name = "Shopper 1";
  const std::int64_t customer = store_->RegisterCustomer(Card(1), details, kNow).value();
  auto records = Candidates(customer, "nv");  // coffee first, in COFFEE
  records[1].candidate.sku = odd;
  records[1].candidate.name = "Name at the night";  // not kept
  records[1].candidate.category = "HERBS";
  ASSERT_TRUE(store_->RecordNextVisitCandidates(PackCandidateRows(records)).ok());
  ASSERT_TRUE(store_->SetNextVisitRun("nv", kRunDate, 0, kNow).ok());
  EXPECT_EQ(database_->Int("SELECT COUNT(*) FROM next_visit_candidates WHERE candidates LIKE"
                           " '%night%'"),
            0);

  // Not in the campaign's category at the night's catalog: nothing to offer.
  const auto before = store_->RecordPurchase(Buying(Card(1), {"1001"}), kNow);
  ASSERT_TRUE(before.ok()) << before.error().ToString();
  EXPECT_TRUE(before->ack.next_visit_coupons.empty());

  // Renamed and moved into it since: offered under its new name.
  products.back().name = "Herb mix";
  products.back().category = "HERBS";
  ASSERT_TRUE(store_->ImportProducts(products).ok());
  const auto after = store_->RecordPurchase(Buying(Card(1), {"1001"}, kNow + std::chrono::hours(1)),
                                            kNow + std::chrono::hours(1));
  ASSERT_TRUE(after.ok()) << after.error().ToString();
  ASSERT_EQ(after->ack.next_visit_coupons.size(), 1u);
  const auto& coupon = after->ack.next_visit_coupons[0].coupon;
  EXPECT_EQ(coupon.target, domain::CouponTarget::kProduct);
  EXPECT_EQ(coupon.target_value, odd);
  EXPECT_NE(coupon.title.find("Herb mix"), std::string::npos) << coupon.title;
}

// A stored value that does not decode costs the customer the campaign's candidates, not
// the purchase.
TEST_P(NextVisitStoreTest, AStoredValueThatDoesNotDecodeIsSkippedAtAPurchase) {
  ASSERT_TRUE(store_->CreateCampaign(NextVisit("nv"), std::nullopt, kNow).ok());
  CustomerWithCandidates(1, "nv");
  database_->Exec(std::string("UPDATE next_visit_candidates SET candidates = 'v1 2' || ") +
                  (GetParam() == testing::Engine::kSqlite ? "char" : "chr") + "(10) || '4001'");
  const auto recorded = store_->RecordPurchase(Buying(Card(1), {"1001"}), kNow);
  ASSERT_TRUE(recorded.ok()) << recorded.error().ToString();
  for (const auto& issued : recorded->ack.next_visit_coupons) {
    EXPECT_NE(issued.coupon.target, domain::CouponTarget::kProduct);
  }
}

// A database from before migration 0025, with a row per candidate: the migration packs
// them per customer, campaign and run, in rank order, with their values.
TEST_P(NextVisitStoreTest, TheMigrationPacksTheStoredRows) {
  ASSERT_TRUE(store_->CreateCampaign(NextVisit("nv"), std::nullopt, kNow).ok());
  CustomerWithCandidates(1, "nv");
  const std::int64_t second = CustomerWithCandidates(2, "nv");
  auto want = testing::StoredCandidates(*database_);
  ASSERT_EQ(want.size(), 4u);
  want[1].candidate.name = "Rice\\tlong\tgrain\nwhite";  // escaped by the migration
  want[1].candidate.gap_visits = 2.5;
  store_.reset();
  const bool sqlite = GetParam() == testing::Engine::kSqlite;
  const std::string chr = sqlite ? "char" : "chr";
  database_->Exec(std::string(
      "DROP TABLE next_visit_candidates; DELETE FROM schema_migrations WHERE version = 25;"
      " CREATE TABLE next_visit_candidates (customer_id BIGINT NOT NULL, campaign_id TEXT NOT"
      " NULL, run_date TEXT NOT NULL, candidate_rank BIGINT NOT NULL, sku TEXT NOT NULL, name"
      " TEXT NOT NULL, category TEXT NOT NULL, unit_price_minor BIGINT NOT NULL, margin_rate ") +
      (sqlite ? "REAL" : "DOUBLE PRECISION") + " NOT NULL, probability " +
      (sqlite ? "REAL" : "DOUBLE PRECISION") + " NOT NULL, gap_visits " +
      (sqlite ? "REAL" : "DOUBLE PRECISION") + " NOT NULL, depth_percent BIGINT NOT NULL,"
      " expected_cost_minor " + (sqlite ? "REAL" : "DOUBLE PRECISION") +
      " NOT NULL, expected_value_minor " + (sqlite ? "REAL" : "DOUBLE PRECISION") +
      " NOT NULL, PRIMARY KEY (customer_id, campaign_id, run_date, candidate_rank))");
  // Inserted in an order other than the ranks'.
  for (const std::size_t i : std::vector<std::size_t>{1, 0, 3, 2}) {
    const auto& record = want[i];
    const auto& candidate = record.candidate;
    std::string name;
    for (const char c : candidate.name) {
      name += c == '\t' ? "' || " + chr + "(9) || '"
                        : c == '\n' ? "' || " + chr + "(10) || '" : std::string(1, c);
    }
    database_->Exec(
        "INSERT INTO next_visit_candidates VALUES (" + std::to_string(record.customer_id) + ", '" +
        candidate.campaign_id + "', '" + record.run_date + "', " + std::to_string(record.rank) +
        ", '" + candidate.sku + "', '" + name + "', '" + candidate.category + "', " +
        std::to_string(candidate.unit_price_minor) + ", " + DoubleLiteral(candidate.margin_rate) +
        ", " + DoubleLiteral(candidate.probability) + ", " + DoubleLiteral(candidate.gap_visits) +
        ", 20, 27.5, 19.5)");
  }
  store_ = Open();
  const auto stored = testing::StoredCandidates(*database_);
  ASSERT_EQ(stored.size(), want.size());
  for (std::size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(stored[i].customer_id, want[i].customer_id) << i;
    EXPECT_EQ(stored[i].run_date, want[i].run_date) << i;
    EXPECT_EQ(stored[i].rank, want[i].rank) << i;
    EXPECT_EQ(stored[i].candidate.sku, want[i].candidate.sku) << i;
    EXPECT_EQ(stored[i].candidate.name, want[i].candidate.name) << i;
    EXPECT_EQ(stored[i].candidate.category, want[i].candidate.category) << i;
    EXPECT_EQ(stored[i].candidate.unit_price_minor, want[i].candidate.unit_price_minor) << i;
    EXPECT_DOUBLE_EQ(stored[i].candidate.margin_rate, want[i].candidate.margin_rate) << i;
    // A float's double (as v2 keeps it) to SQLite's 15 digits, as the migration prints it.
    EXPECT_NEAR(stored[i].candidate.probability, want[i].candidate.probability, 1e-15) << i;
    EXPECT_DOUBLE_EQ(stored[i].candidate.gap_visits, want[i].candidate.gap_visits) << i;
  }
  EXPECT_EQ(Count("SELECT COUNT(*) FROM next_visit_candidates"), 2);
  // And a purchase plans from them as before.
  const auto recorded = store_->RecordPurchase(Buying(Card(2), {"1001"}), kNow);
  ASSERT_TRUE(recorded.ok()) << recorded.error().ToString();
  ASSERT_EQ(recorded->ack.next_visit_coupons.size(), 1u);
  EXPECT_EQ(recorded->ack.next_visit_coupons[0].coupon.target_value, "4001");
  EXPECT_EQ(recorded->ack.next_visit_coupons[0].coupon.customer_id, second);
}

TEST_P(NextVisitStoreTest, ConcurrentPurchasesNeverSpendMoreThanTheBudget) {
  auto campaign = NextVisit("nv");
  campaign.budget_coupons = 3;
  ASSERT_TRUE(store_->CreateCampaign(campaign, std::nullopt, kNow).ok());
  constexpr int kCustomers = 24;
  for (int n = 1; n <= kCustomers; ++n) CustomerWithCandidates(n, "nv");
  // Two stores on one database, as two servers: their transactions race for the budget.
  auto second = Open();
  std::vector<std::future<Result<RecordedPurchase>>> answers;
  for (int n = 1; n <= kCustomers; ++n) {
    auto promise = std::make_shared<std::promise<Result<RecordedPurchase>>>();
    answers.push_back(promise->get_future());
    Store& store = n % 2 == 0 ? *store_ : *second;
    store.RecordPurchaseAsync(Buying(Card(n), {"1001"}), kNow,
                              [promise](Result<RecordedPurchase> result) {
                                promise->set_value(std::move(result));
                              });
  }
  std::int64_t coupons = 0;
  for (auto& answer : answers) {
    const auto recorded = answer.get();
    ASSERT_TRUE(recorded.ok()) << recorded.error().ToString();
    coupons += static_cast<std::int64_t>(recorded->ack.next_visit_coupons.size());
  }
  EXPECT_EQ(coupons, 3);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM coupons WHERE campaign = 'nv'"), 3);
  EXPECT_EQ(Count("SELECT issued FROM campaign_budgets WHERE campaign_id = 'nv'"), 3);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM campaign_offers WHERE control = 0"), 3);

  // Spent: a purchase now issues nothing from the campaign.
  const auto later = store_->RecordPurchase(Buying(Card(1), {"1001"}, kNow + std::chrono::hours(2)),
                                            kNow + std::chrono::hours(2));
  ASSERT_TRUE(later.ok());
  EXPECT_TRUE(later->ack.next_visit_coupons.empty());
}

// Two servers on one database, buying at one store at once: the first's purchases are
// made now, the second's were made offline two hours ago. A purchase locks its own
// hour's dashboard_hours row, its coupon the issue hour's (now). When the campaigns'
// lock came after those rows, the second server could hold the campaigns and wait for
// now's row while the first held that row and waited for the campaigns, and PostgreSQL
// aborted one of them (deadlock detected). Now every purchase is stored, and the budget
// holds exactly what was issued.
TEST_P(NextVisitStoreTest, TwoServersBuyingAtOnceNeverDeadlockAndSpendTheBudgetExactly) {
  auto campaign = NextVisit("nv");
  campaign.budget_coupons = 40;
  campaign.per_customer_cap = 100;
  ASSERT_TRUE(store_->CreateCampaign(campaign, std::nullopt, kNow).ok());
  constexpr int kCustomers = 30;
  for (int n = 1; n <= kCustomers; ++n) CustomerWithCandidates(n, "nv");
  auto second = Open();
  constexpr int kRounds = 80;
  std::int64_t coupons = 0;
  for (int round = 0; round < kRounds; ++round) {
    std::vector<std::future<Result<RecordedPurchase>>> answers;
    for (int server = 0; server < 2; ++server) {
      auto promise = std::make_shared<std::promise<Result<RecordedPurchase>>>();
      answers.push_back(promise->get_future());
      const Timestamp at = server == 0 ? kNow : kNow - std::chrono::hours(2);
      (server == 0 ? *store_ : *second)
          .RecordPurchaseAsync(Buying(Card(1 + (round * 2 + server) % kCustomers), {"1001"}, at),
                               kNow, [promise](Result<RecordedPurchase> result) {
                                 promise->set_value(std::move(result));
                               });
    }
    for (auto& answer : answers) {
      const auto recorded = answer.get();
      ASSERT_TRUE(recorded.ok()) << "round " << round << ": " << recorded.error().ToString();
      coupons += static_cast<std::int64_t>(recorded->ack.next_visit_coupons.size());
    }
  }
  EXPECT_EQ(coupons, 40);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM purchases"), 2 * kRounds);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM coupons WHERE campaign = 'nv'"), 40);
  EXPECT_EQ(Count("SELECT issued FROM campaign_budgets WHERE campaign_id = 'nv'"), 40);
  EXPECT_EQ(Count("SELECT CAST(ROUND(spent_minor * 1000) AS INTEGER) FROM campaign_budgets"),
            Count("SELECT CAST(ROUND(SUM(expected_cost_minor) * 1000) AS INTEGER)"
                  " FROM campaign_offers WHERE control = 0"));
}

std::future<Result<RecordedPurchase>> Submit(Store& store, domain::Purchase purchase,
                                             Timestamp now) {
  auto promise = std::make_shared<std::promise<Result<RecordedPurchase>>>();
  auto answer = promise->get_future();
  store.RecordPurchaseAsync(std::move(purchase), now, [promise](Result<RecordedPurchase> result) {
    promise->set_value(std::move(result));
  });
  return answer;
}

domain::Purchase Cardless(const std::vector<std::string>& skus, Timestamp at = kNow) {
  auto purchase = Buying(Card(9999), skus, at);
  purchase.card.reset();
  return purchase;
}

// Another server's transaction holds the campaigns' lock (it is planning, or the nightly
// run is storing offers). A purchase without a card can spend no budget, so it must not
// wait for that lock: on PostgreSQL it used to, whenever a next_visit campaign existed,
// which made every till of the chain wait for whichever server held it.
// PostgreSQL only: SQLite has one writer per file, so there every write waits for any
// other and the campaigns' lock changes nothing.
class NextVisitStorePostgresTest : public NextVisitStoreTest {};

INSTANTIATE_TEST_SUITE_P(Engines, NextVisitStorePostgresTest,
                         ::testing::Values(testing::Engine::kPostgres),
                         [](const auto& engine) { return testing::EngineName(engine.param); });

TEST_P(NextVisitStorePostgresTest, APurchaseWithoutACardDoesNotWaitForTheCampaignsLock) {
  ASSERT_TRUE(store_->CreateCampaign(NextVisit("nv"), std::nullopt, kNow).ok());
  CustomerWithCandidates(1, "nv");
  postgres::Connection other_server(database_->url());
  other_server.Exec("BEGIN");
  other_server.Exec("SELECT 1 FROM campaigns WHERE kind = 'next_visit' FOR NO KEY UPDATE");

  auto cardless = Submit(*store_, Cardless({"1001"}), kNow);
  // One redeeming a coupon goes alone, outside the groups.
  auto redeeming = Cardless({"4001"});
  redeeming.redemptions.push_back({Uuid::Random(), 50});
  redeeming.total_minor -= 50;
  auto cardless_redeeming = Submit(*store_, redeeming, kNow);
  const bool cardless_done =
      cardless.wait_for(std::chrono::seconds(5)) == std::future_status::ready &&
      cardless_redeeming.wait_for(std::chrono::seconds(5)) == std::future_status::ready;
  // A purchase with a card may spend the budget: it waits until the lock is released.
  auto with_card = Submit(*store_, Buying(Card(1), {"1001"}), kNow);
  const bool card_waited =
      with_card.wait_for(std::chrono::milliseconds(300)) == std::future_status::timeout;
  other_server.Exec("COMMIT");
  EXPECT_TRUE(cardless_done) << "the purchases without a card waited for the campaigns' lock";
  EXPECT_TRUE(card_waited);
  const auto stored = cardless.get();
  ASSERT_TRUE(stored.ok()) << stored.error().ToString();
  EXPECT_FALSE(stored->ack.customer_id.has_value());
  ASSERT_TRUE(cardless_redeeming.get().ok());
  const auto planned = with_card.get();
  ASSERT_TRUE(planned.ok()) << planned.error().ToString();
  EXPECT_EQ(planned->ack.next_visit_coupons.size(), 1u);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM purchases"), 3);
}

// Purchases without a card take no campaigns' lock, so they no longer queue behind
// the planning ones: two servers storing both kinds at once, at different hours (their
// dashboard_hours rows), must still never deadlock, and the budget holds what was issued.
TEST_P(NextVisitStoreTest, TwoServersMixingPurchasesWithAndWithoutACardNeverDeadlock) {
  auto campaign = NextVisit("nv");
  campaign.budget_coupons = 30;
  campaign.per_customer_cap = 100;
  ASSERT_TRUE(store_->CreateCampaign(campaign, std::nullopt, kNow).ok());
  constexpr int kCustomers = 20;
  for (int n = 1; n <= kCustomers; ++n) CustomerWithCandidates(n, "nv");
  auto second = Open();
  constexpr int kRounds = 60;
  std::int64_t coupons = 0;
  for (int round = 0; round < kRounds; ++round) {
    std::vector<std::future<Result<RecordedPurchase>>> answers;
    for (int server = 0; server < 2; ++server) {
      Store& store = server == 0 ? *store_ : *second;
      const Timestamp at = kNow - std::chrono::hours(server == 0 ? 0 : 2);
      const Timestamp cardless_at = kNow - std::chrono::hours(server == 0 ? 3 : 1);
      answers.push_back(Submit(store, Cardless({"1001", "5001"}, cardless_at), kNow));
      answers.push_back(
          Submit(store, Buying(Card(1 + (round * 2 + server) % kCustomers), {"1001"}, at), kNow));
      answers.push_back(Submit(store, Cardless({"4001"}, at), kNow));
    }
    for (auto& answer : answers) {
      const auto recorded = answer.get();
      ASSERT_TRUE(recorded.ok()) << "round " << round << ": " << recorded.error().ToString();
      coupons += static_cast<std::int64_t>(recorded->ack.next_visit_coupons.size());
    }
  }
  EXPECT_EQ(coupons, 30);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM purchases"), 6 * kRounds);
  EXPECT_EQ(Count("SELECT issued FROM campaign_budgets WHERE campaign_id = 'nv'"), 30);
}

// A treated (with a coupon) or held-out offer of the nightly run.
CampaignOfferRecord BatchOffer(const std::string& campaign, std::int64_t customer, bool control) {
  CampaignOfferRecord offer;
  offer.run_date = "2026-11-24";
  offer.campaign_id = campaign;
  offer.customer_id = customer;
  offer.sku = "5001";
  offer.control = control;
  offer.depth_percent = 10;
  offer.discount_minor = 50;
  offer.expected_cost_minor = 12;
  if (!control) {
    domain::Coupon coupon;
    coupon.id = Uuid::Random();
    coupon.customer_id = customer;
    coupon.campaign = campaign;
    coupon.title = "10% off Rice";
    coupon.target = domain::CouponTarget::kProduct;
    coupon.target_value = "5001";
    coupon.discount_value = 10;
    coupon.issued_at = kNow;
    coupon.expires_at = kNow + std::chrono::days(7);
    offer.coupon = coupon;
  }
  return offer;
}

domain::SaleReturn ReturnOf(const domain::Purchase& original, Timestamp at) {
  domain::SaleReturn sale_return;
  sale_return.original_purchase_id = original.id;
  sale_return.store_id = original.store_id;
  sale_return.terminal_id = original.terminal_id;
  sale_return.occurred_at = at;
  for (const auto& line : original.lines) {
    sale_return.lines.push_back({line.sku, line.quantity, line.amount_minor});
  }
  sale_return.total_minor = original.total_minor;
  return sale_return;
}

// A return voids the coupons its purchase earned; a voided coupon is never redeemed, so
// its offer's expected cost and count go back to the budget and a later purchase may
// spend them. A coupon redeemed before the return keeps its spend.
TEST_P(NextVisitStoreTest, AReturnGivesAVoidedCouponsCostBackToTheBudget) {
  auto campaign = NextVisit("nv");
  campaign.budget_coupons = 1;
  ASSERT_TRUE(store_->CreateCampaign(campaign, std::nullopt, kNow).ok());
  CustomerWithCandidates(1, "nv");
  CustomerWithCandidates(2, "nv");
  const auto first = Buying(Card(1), {"1001"});
  const auto earned = store_->RecordPurchase(first, kNow);
  ASSERT_TRUE(earned.ok()) << earned.error().ToString();
  ASSERT_EQ(earned->ack.next_visit_coupons.size(), 1u);
  EXPECT_EQ(Count("SELECT issued FROM campaign_budgets"), 1);
  EXPECT_GT(Count("SELECT CAST(ROUND(spent_minor * 1000) AS INTEGER) FROM campaign_budgets"), 0);
  const auto spent = store_->RecordPurchase(Buying(Card(2), {"1001"}), kNow);
  ASSERT_TRUE(spent.ok());
  EXPECT_TRUE(spent->ack.next_visit_coupons.empty());

  const Timestamp later = kNow + std::chrono::hours(1);
  const auto returned = store_->RecordReturn(ReturnOf(first, later), later);
  ASSERT_TRUE(returned.ok()) << returned.error().ToString();
  EXPECT_EQ(returned->voided_coupons.size(), 1u);
  EXPECT_EQ(Count("SELECT issued FROM campaign_budgets"), 0);
  EXPECT_EQ(Count("SELECT CAST(ROUND(spent_minor * 1000) AS INTEGER) FROM campaign_budgets"), 0);
  // The offer stays recorded (it was made); the cap still counts it.
  EXPECT_EQ(Count("SELECT COUNT(*) FROM campaign_offers WHERE control = 0"), 1);

  // The budget given back is spent again, and that coupon, redeemed before its purchase
  // is returned, is not given back.
  auto second = Buying(Card(2), {"1001"}, later);
  const auto again = store_->RecordPurchase(second, later);
  ASSERT_TRUE(again.ok());
  ASSERT_EQ(again->ack.next_visit_coupons.size(), 1u);
  auto redeeming = Buying(Card(2), {"4001"}, later + std::chrono::hours(1));
  redeeming.redemptions.push_back({again->ack.next_visit_coupons[0].coupon.id, 50});
  redeeming.total_minor -= 50;
  ASSERT_TRUE(store_->RecordPurchase(redeeming, later + std::chrono::hours(1)).ok());
  const auto kept = store_->RecordReturn(ReturnOf(second, later + std::chrono::hours(2)),
                                         later + std::chrono::hours(2));
  ASSERT_TRUE(kept.ok()) << kept.error().ToString();
  EXPECT_TRUE(kept->voided_coupons.empty());
  EXPECT_EQ(kept->already_redeemed_coupons.size(), 1u);
  EXPECT_EQ(Count("SELECT issued FROM campaign_budgets"), 1);
}

// A customer erased from the portal has their live coupons voided: those were never
// redeemed, so their offers' cost and count go back to the budget, once: erasing again,
// or returning the purchase that earned a coupon voided already, gives nothing more.
// The nightly run's coupons (issued by no purchase) count the same.
TEST_P(NextVisitStoreTest, ErasingACustomerGivesTheirCouponsCostBackOnce) {
  auto campaign = NextVisit("nv");
  campaign.budget_coupons = 10;
  ASSERT_TRUE(store_->CreateCampaign(campaign, std::nullopt, kNow).ok());
  const std::int64_t erased = CustomerWithCandidates(1, "nv");
  CustomerWithCandidates(2, "nv");
  const auto first = Buying(Card(1), {"1001"});
  const auto earned = store_->RecordPurchase(first, kNow);
  ASSERT_TRUE(earned.ok()) << earned.error().ToString();
  ASSERT_EQ(earned->ack.next_visit_coupons.size(), 1u);
  const auto kept = store_->RecordPurchase(Buying(Card(2), {"1001"}), kNow);
  ASSERT_TRUE(kept.ok());
  ASSERT_EQ(kept->ack.next_visit_coupons.size(), 1u);
  auto batch_offer = BatchOffer("nv", erased, /*control=*/false);
  batch_offer.expected_cost_minor = 100;
  ASSERT_TRUE(store_->RecordCampaignOffers({batch_offer}, kNow).ok());
  ASSERT_EQ(Count("SELECT issued FROM campaign_budgets"), 3);
  const std::int64_t kept_cost = Count(
      "SELECT CAST(ROUND(expected_cost_minor * 1000) AS INTEGER) FROM campaign_offers"
      " WHERE coupon_id = '" +
      kept->ack.next_visit_coupons[0].coupon.id.str() + "'");
  ASSERT_GT(kept_cost, 0);

  ASSERT_TRUE(store_->EraseCustomer(erased, kNow + std::chrono::hours(1)).value());
  EXPECT_EQ(Count("SELECT COUNT(*) FROM coupons WHERE void_reason = 'customer erased'"), 2);
  EXPECT_EQ(Count("SELECT issued FROM campaign_budgets"), 1);
  EXPECT_EQ(Count("SELECT CAST(ROUND(spent_minor * 1000) AS INTEGER) FROM campaign_budgets"),
            kept_cost);
  // The next nightly run sees the same spend: the voided offers' cost is not held back.
  const auto issuance = store_->CampaignIssuanceExcept("a later night");
  ASSERT_EQ(issuance.count("nv"), 1u);
  EXPECT_EQ(issuance.at("nv").issued, 1);
  EXPECT_EQ(static_cast<std::int64_t>(std::llround(issuance.at("nv").spent_minor * 1000)),
            kept_cost);
  std::int64_t offers_of_erased = 0;
  for (const auto& [customer_id, offers] : issuance.at("nv").per_customer) {
    if (customer_id == erased) offers_of_erased = offers;
  }
  EXPECT_EQ(offers_of_erased, 2);  // still against the per-customer cap

  EXPECT_FALSE(store_->EraseCustomer(erased, kNow + std::chrono::hours(2)).value());
  const Timestamp later = kNow + std::chrono::hours(3);
  const auto returned = store_->RecordReturn(ReturnOf(first, later), later);
  ASSERT_TRUE(returned.ok()) << returned.error().ToString();
  EXPECT_TRUE(returned->voided_coupons.empty());
  EXPECT_EQ(Count("SELECT issued FROM campaign_budgets"), 1);
  EXPECT_EQ(Count("SELECT CAST(ROUND(spent_minor * 1000) AS INTEGER) FROM campaign_budgets"),
            kept_cost);
}

// A partial return voids the coupons its purchase earned and gives their cost back; the
// return of the rest of that purchase voids nothing more and gives nothing back twice.
TEST_P(NextVisitStoreTest, APartialReturnThenTheRestGiveTheCouponsCostBackOnce) {
  auto campaign = NextVisit("nv");
  campaign.budget_coupons = 10;
  ASSERT_TRUE(store_->CreateCampaign(campaign, std::nullopt, kNow).ok());
  CustomerWithCandidates(1, "nv");
  CustomerWithCandidates(2, "nv");
  const auto bought = Buying(Card(1), {"1001", "5001"});
  ASSERT_EQ(store_->RecordPurchase(bought, kNow)->ack.next_visit_coupons.size(), 1u);
  ASSERT_EQ(store_->RecordPurchase(Buying(Card(2), {"1001"}), kNow)->ack.next_visit_coupons.size(),
            1u);
  ASSERT_EQ(Count("SELECT issued FROM campaign_budgets"), 2);
  const std::int64_t spent_before =
      Count("SELECT CAST(ROUND(spent_minor * 1000) AS INTEGER) FROM campaign_budgets");

  const Timestamp later = kNow + std::chrono::hours(1);
  auto milk = ReturnOf(bought, later);
  milk.lines.resize(1);
  milk.total_minor = milk.lines[0].amount_minor;
  auto rice = ReturnOf(bought, later + std::chrono::hours(1));
  rice.lines.erase(rice.lines.begin());
  rice.total_minor = rice.lines[0].amount_minor;
  const auto first = store_->RecordReturn(milk, later);
  ASSERT_TRUE(first.ok()) << first.error().ToString();
  EXPECT_EQ(first->voided_coupons.size(), 1u);
  EXPECT_EQ(Count("SELECT issued FROM campaign_budgets"), 1);
  const std::int64_t spent_after =
      Count("SELECT CAST(ROUND(spent_minor * 1000) AS INTEGER) FROM campaign_budgets");
  EXPECT_LT(spent_after, spent_before);
  const auto rest = store_->RecordReturn(rice, later + std::chrono::hours(1));
  ASSERT_TRUE(rest.ok()) << rest.error().ToString();
  EXPECT_TRUE(rest->voided_coupons.empty());
  EXPECT_EQ(Count("SELECT issued FROM campaign_budgets"), 1);
  EXPECT_EQ(Count("SELECT CAST(ROUND(spent_minor * 1000) AS INTEGER) FROM campaign_budgets"),
            spent_after);
}

TEST_P(NextVisitStoreTest, AHeldOutCustomerHasTheOfferRecordedButNotIssued) {
  domain::CustomerDetails details;
  details.name = "Held out";
  const std::int64_t customer = store_->RegisterCustomer(Card(7), details, kNow).value();
  auto campaign = NextVisit("nv");
  campaign.control_basis_points = 4999;
  for (int i = 0; !targeting::InControlGroup(campaign, std::to_string(customer)); ++i) {
    campaign.id = "nv-" + std::to_string(i);
  }
  ASSERT_TRUE(store_->CreateCampaign(campaign, std::nullopt, kNow).ok());
  ASSERT_TRUE(
      store_->RecordNextVisitCandidates(PackCandidateRows(Candidates(customer, campaign.id))).ok());
  ASSERT_TRUE(store_->SetNextVisitRun(campaign.id, kRunDate, 0, kNow).ok());

  const auto recorded = store_->RecordPurchase(Buying(Card(7), {"1001"}), kNow);
  ASSERT_TRUE(recorded.ok()) << recorded.error().ToString();
  EXPECT_TRUE(recorded->ack.next_visit_coupons.empty());
  EXPECT_EQ(Count("SELECT COUNT(*) FROM campaign_offers WHERE control = 1 AND sku = '4001'"
                  " AND coupon_id IS NULL"),
            1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM coupons"), 0);
  EXPECT_EQ(Count("SELECT issued FROM campaign_budgets"), 0);
}

TEST_P(NextVisitStoreTest, ANewCardGetsTheTopCategoryWithinTheCampaign) {
  ASSERT_TRUE(store_->CreateCampaign(NextVisit("nv"), std::nullopt, kNow).ok());
  const auto recorded = store_->RecordPurchase(Buying(Card(3), {"1001"}), kNow);
  ASSERT_TRUE(recorded.ok()) << recorded.error().ToString();
  ASSERT_EQ(recorded->ack.next_visit_coupons.size(), 1u);
  const auto& coupon = recorded->ack.next_visit_coupons[0].coupon;
  EXPECT_EQ(coupon.campaign, "nv");
  EXPECT_EQ(coupon.target, domain::CouponTarget::kCategory);
  EXPECT_EQ(coupon.target_value, "DAIRY");
  EXPECT_EQ(coupon.discount_value, 10);
  EXPECT_EQ(coupon.max_discount_minor, 400);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM campaign_offers WHERE target_category = 'DAIRY'"), 1);
  EXPECT_EQ(Count("SELECT CAST(spent_minor AS INTEGER) FROM campaign_budgets"), 400);
}

TEST_P(NextVisitStoreTest, WithoutANextVisitCampaignThePurchaseEarnsTheConfiguredCoupon) {
  const auto recorded = store_->RecordPurchase(Buying(Card(3), {"1001"}), kNow);
  ASSERT_TRUE(recorded.ok()) << recorded.error().ToString();
  ASSERT_EQ(recorded->ack.next_visit_coupons.size(), 1u);
  EXPECT_EQ(recorded->ack.next_visit_coupons[0].coupon.campaign, "next-visit");
  EXPECT_EQ(recorded->ack.next_visit_coupons[0].coupon.title, "10% off DAIRY");
  EXPECT_EQ(Count("SELECT COUNT(*) FROM campaign_offers"), 0);
}

TEST_P(NextVisitStoreTest, TheBatchsTreatedOffersCountInTheBudget) {
  ASSERT_TRUE(store_->CreateCampaign(NextVisit("nv"), std::nullopt, kNow).ok());
  const std::int64_t customer = CustomerWithCandidates(1, "nv");
  CampaignOfferRecord offer;
  offer.run_date = kRunDate;
  offer.campaign_id = "nv";
  offer.customer_id = customer;
  offer.sku = "4001";
  offer.depth_percent = 20;
  offer.discount_minor = 200;
  offer.expected_cost_minor = 27;
  ASSERT_TRUE(store_->RecordCampaignOffers({offer}, kNow).ok());
  ASSERT_TRUE(store_->RecordCampaignOffers({offer}, kNow).ok());  // a rerun: counted once
  EXPECT_EQ(Count("SELECT issued FROM campaign_budgets WHERE campaign_id = 'nv'"), 1);
  EXPECT_EQ(Count("SELECT CAST(spent_minor AS INTEGER) FROM campaign_budgets"), 27);
}

// The nightly run planned from the spend it read hours before it stores; purchases kept
// spending the same budget meanwhile. What it stores is checked against the spend as it
// stands in its own transaction, after the campaign's lock.
TEST_P(NextVisitStoreTest, TheBatchStoresOnlyWhatPurchasesLeftOfTheBudget) {
  auto campaign = NextVisit("nv");
  campaign.budget_coupons = 3;
  campaign.per_customer_cap = 1;
  ASSERT_TRUE(store_->CreateCampaign(campaign, std::nullopt, kNow).ok());
  for (int n = 1; n <= 2; ++n) {
    CustomerWithCandidates(n, "nv");
    const auto bought = store_->RecordPurchase(Buying(Card(n), {"1001"}), kNow);
    ASSERT_TRUE(bought.ok()) << bought.error().ToString();
    ASSERT_EQ(bought->ack.next_visit_coupons.size(), 1u);
  }
  // Planned when nothing was spent: three treated offers and one held out, and one for a
  // customer the purchases already gave the campaign's one offer each.
  std::vector<CampaignOfferRecord> offers;
  for (int n = 3; n <= 6; ++n) {
    domain::CustomerDetails details;
    details.name = "Shopper " + std::to_string(n);
    const std::int64_t id = store_->RegisterCustomer(Card(n), details, kNow).value();
    offers.push_back(BatchOffer("nv", id, n == 6));
  }
  offers.push_back(BatchOffer("nv", database_->Int("SELECT MIN(customer_id) FROM coupons"), false));
  const auto stored = store_->RecordCampaignOffers(offers, kNow);
  ASSERT_TRUE(stored.ok()) << stored.error().ToString();
  EXPECT_EQ(stored->stored, 2);  // the one coupon left, and the held-out offer
  EXPECT_EQ(stored->coupons_issued, 1);
  EXPECT_EQ(stored->over_budget, 2);
  EXPECT_EQ(stored->over_cap, 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM coupons WHERE campaign = 'nv'"), 3);
  EXPECT_EQ(Count("SELECT issued FROM campaign_budgets WHERE campaign_id = 'nv'"), 3);

  // A rerun finds what it stored and stores nothing more.
  const auto again = store_->RecordCampaignOffers(offers, kNow);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->already_present, 2);
  EXPECT_EQ(again->stored, 0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM coupons WHERE campaign = 'nv'"), 3);
}

TEST_P(NextVisitStoreTest, TheBatchAndPurchasesRacingNeverSpendMoreThanTheMoney) {
  auto campaign = NextVisit("nv");
  campaign.budget_minor = 100;  // a purchase's coffee offer costs about 27, a batch offer 12
  ASSERT_TRUE(store_->CreateCampaign(campaign, std::nullopt, kNow).ok());
  constexpr int kShoppers = 12;
  for (int n = 1; n <= kShoppers; ++n) CustomerWithCandidates(n, "nv");
  std::vector<CampaignOfferRecord> offers;
  for (int n = 101; n <= 112; ++n) {
    domain::CustomerDetails details;
    details.name = "Shopper " + std::to_string(n);
    offers.push_back(BatchOffer("nv", store_->RegisterCustomer(Card(n), details, kNow).value(), false));
  }
  // The batch on its own connection, a few offers per transaction, while the tills buy.
  auto batch = Open();
  auto batch_done = std::async(std::launch::async, [&] {
    for (std::size_t i = 0; i < offers.size(); i += 3) {
      const std::vector<CampaignOfferRecord> part(offers.begin() + static_cast<std::ptrdiff_t>(i),
                                                  offers.begin() + static_cast<std::ptrdiff_t>(i + 3));
      const auto stored = batch->RecordCampaignOffers(part, kNow);
      if (!stored.ok()) return stored.error().ToString();
    }
    return std::string();
  });
  std::vector<std::future<Result<RecordedPurchase>>> answers;
  for (int n = 1; n <= kShoppers; ++n) {
    auto promise = std::make_shared<std::promise<Result<RecordedPurchase>>>();
    answers.push_back(promise->get_future());
    store_->RecordPurchaseAsync(Buying(Card(n), {"1001"}), kNow,
                                [promise](Result<RecordedPurchase> result) {
                                  promise->set_value(std::move(result));
                                });
  }
  for (auto& answer : answers) ASSERT_TRUE(answer.get().ok());
  EXPECT_EQ(batch_done.get(), "");
  const double spent = std::stod(database_->Text(
      "SELECT CAST(SUM(expected_cost_minor) AS TEXT) FROM campaign_offers WHERE control = 0"));
  EXPECT_LE(spent, 100.0 + 1e-6);
  EXPECT_GT(spent, 100.0 - 27.5);  // spent until no offer of either fitted
  EXPECT_NEAR(std::stod(database_->Text("SELECT CAST(spent_minor AS TEXT) FROM campaign_budgets")),
              spent, 1e-6);
}

// The nightly run stores an offer for a customer whom another server erases (or whose
// card it blocks) while the run waits for the campaigns' lock. The erasure holds that
// lock, so once the run has it the customer has no card: the offer is stored with no
// coupon. On PostgreSQL the run used to read the cards before the lock and issued a live
// coupon carrying the erased card's number, which nothing would ever blank again.
TEST_P(NextVisitStorePostgresTest, TheBatchReadsTheCardsOnlyOnceItHoldsTheCampaignsLock) {
  ASSERT_TRUE(store_->CreateCampaign(NextVisit("nv"), std::nullopt, kNow).ok());
  const std::int64_t erased = CustomerWithCandidates(1, "nv");
  postgres::Connection erasing_server(database_->url());
  erasing_server.Exec("BEGIN");
  erasing_server.Exec("SELECT 1 FROM campaigns ORDER BY id FOR NO KEY UPDATE");

  auto batch = Open();
  auto stored = std::async(std::launch::async, [&] {
    return batch->RecordCampaignOffers({BatchOffer("nv", erased, /*control=*/false)}, kNow);
  });
  // Bounded wait until the run's transaction is queued behind the erasure's lock.
  postgres::Connection watcher(database_->url());
  bool waiting = false;
  for (int tries = 0; tries < 500 && !waiting; ++tries) {
    waiting = watcher.Run("SELECT COUNT(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                          " AND datname = current_database()")
                  .Int(0, 0) > 0;
    if (!waiting) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  erasing_server.Exec("DELETE FROM cards WHERE customer_id = " + std::to_string(erased));
  erasing_server.Exec("COMMIT");
  ASSERT_TRUE(waiting) << "the nightly run never waited for the campaigns' lock";

  const auto recorded = stored.get();
  ASSERT_TRUE(recorded.ok()) << recorded.error().ToString();
  EXPECT_EQ(recorded->stored, 1);
  EXPECT_EQ(recorded->coupons_issued, 0);
  EXPECT_EQ(recorded->without_card, 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM coupons WHERE customer_id = " + std::to_string(erased)),
            0);
}

// A writer's transaction runs several jobs one after the other, and each job's statements
// lock the dashboard rows (hour, store) they add to, so without more a transaction holds
// one store's row while it waits for another's. Another server's transaction taking the
// two rows in the other order then deadlocked with it (PostgreSQL aborts one after
// deadlock_timeout: every till of both servers stalled, and the aborted work ran again).
// Now a transaction locks all of its rows at BEGIN, in key order. Played here with the
// other server as a bare connection that takes S1's row, then S2's, and reports a
// deadlock at once (deadlock_timeout 1 ms), while this server's next transaction holds
// a group of purchases at S2 and a purchase at S1 after it.
TEST_P(NextVisitStorePostgresTest, ATransactionOfSeveralJobsLocksItsDashboardRowsInKeyOrder) {
  const std::int64_t hour = ToUnixSeconds(kNow) - ToUnixSeconds(kNow) % 3600;
  const auto at_store = [](domain::Purchase purchase, const char* store) {
    purchase.store_id = store;
    return purchase;
  };
  const auto lock_row = [](postgres::Connection& db, std::int64_t row_hour, const char* store) {
    db.Exec("SELECT dashboard_hours_add(ARRAY[" + std::to_string(row_hour) + "]::bigint[],"
            " ARRAY['" + std::string(store) + "'], ARRAY[0]::bigint[], ARRAY[0]::bigint[],"
            " ARRAY[0]::bigint[], ARRAY[0]::bigint[], ARRAY[0]::bigint[], ARRAY[0]::bigint[])");
  };
  postgres::Connection watcher(database_->url());
  const auto wait_for_a_lock_wait = [&] {
    for (int tries = 0; tries < 500; ++tries) {
      if (watcher.Run("SELECT COUNT(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                      " AND datname = current_database()")
              .Int(0, 0) > 0) {
        return true;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
  };
  // The writer is held in a first transaction (another connection holds the row it adds
  // to) while the next two jobs queue up: they then go in one transaction.
  postgres::Connection holder(database_->url());
  holder.Exec("BEGIN");
  lock_row(holder, hour - 7200, "S3");
  auto first = Submit(*store_, at_store(Cardless({"1001"}, kNow - std::chrono::hours(2)), "S3"),
                      kNow - std::chrono::hours(2));
  ASSERT_TRUE(wait_for_a_lock_wait());
  auto at_s2 = Submit(*store_, at_store(Cardless({"1001"}), "S2"), kNow);
  auto redeeming = at_store(Cardless({"4001"}), "S1");  // a job of its own, after the group
  redeeming.redemptions.push_back({Uuid::Random(), 50});
  redeeming.total_minor -= 50;
  auto at_s1 = Submit(*store_, redeeming, kNow);

  postgres::Connection other_server(database_->url());
  other_server.Exec("SET deadlock_timeout = '1ms'");
  other_server.Exec("BEGIN");
  lock_row(other_server, hour, "S1");
  holder.Exec("COMMIT");
  ASSERT_TRUE(first.get().ok());
  ASSERT_TRUE(wait_for_a_lock_wait()) << "the two jobs' transaction never waited for S1's row";
  std::string deadlock;
  try {
    lock_row(other_server, hour, "S2");
    other_server.Exec("COMMIT");
  } catch (const postgres::PostgresError& e) {
    deadlock = e.what();
    other_server.Exec("ROLLBACK");
  }
  EXPECT_EQ(deadlock, "");
  const auto s2 = at_s2.get();
  const auto s1 = at_s1.get();
  ASSERT_TRUE(s2.ok()) << s2.error().ToString();
  ASSERT_TRUE(s1.ok()) << s1.error().ToString();
  EXPECT_EQ(Count("SELECT COUNT(*) FROM purchases"), 3);
  EXPECT_EQ(Count("SELECT CAST(SUM(purchases) AS BIGINT) FROM dashboard_hours WHERE hour = " +
                  std::to_string(hour)),
            2);
}

}  // namespace
}  // namespace loyalty::server
