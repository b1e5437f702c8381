// The nightly coupon run against both storage engines: a small chain's purchases, a
// campaign, the run, its rerun and its resumption after a kill, and the report.
#include "batch/coupon_run.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "campaigns/campaign_report.h"
#include "campaigns/campaign_results.h"
#include "storage/open_store.h"
#include "support/stored_candidates.h"
#include "support/temp_dir.h"
#include "support/test_database.h"
#include "targeting/next_visit_planner.h"

namespace loyalty::server::batch {
namespace {

using namespace std::chrono_literals;

const crypto::SigningKey& Key() {
  static const crypto::SigningKey key = crypto::SigningKey::Generate();
  return key;
}

Timestamp At(const char* text) { return ParseIso8601(text).value(); }

// Twelve products in three categories; customer i keeps to a few of them.
std::vector<domain::Product> Products() {
  std::vector<domain::Product> products;
  const char* categories[] = {"DAIRY", "BREAD", "PRODUCE"};
  for (int i = 0; i < 12; ++i) {
    domain::Product product;
    product.sku = std::to_string(1000 + i);
    product.name = "Product " + std::to_string(i);
    product.department = "GROCERY";
    product.category = categories[i % 3];
    product.product_type = product.category;
    product.price_minor = 150 + 40 * i;
    products.push_back(product);
  }
  return products;
}

class CouponRunTest : public ::testing::TestWithParam<testing::Engine> {
 protected:
  static constexpr int kCustomers = 60;

  void SetUp() override {
    database_ = std::make_unique<testing::TestDatabase>(GetParam(), dir_);
    store_ = OpenStore(ParseStoreUrl(database_->url(), "url").value(), planner_, Key());
    ASSERT_TRUE(store_->ImportProducts(Products()).ok());
    ASSERT_TRUE(store_->AddStore({"S001", "Main St", "USD"}).ok());
    // Six weekly visits each before the run's date; each customer buys two staples
    // every visit and a third product every other visit.
    for (int c = 0; c < kCustomers; ++c) {
      const auto card = CardNumber::FromBody("2" + std::to_string(10'000'000'000 + c)).value();
      for (int week = 0; week < 6; ++week) {
        domain::Purchase purchase;
        purchase.store_id = "S001";
        purchase.terminal_id = "T01";
        purchase.card = card;
        purchase.occurred_at =
            At("2026-10-20T10:00:00Z") + std::chrono::days(7 * week) + std::chrono::hours(c % 8);
        std::vector<int> bought = {c % 12, (c + 5) % 12};
        if (week % 2 == 0) bought.push_back((c + 7) % 12);
        for (const int i : bought) {
          const auto price = 150 + 40 * i;
          purchase.lines.push_back({std::to_string(1000 + i), 1, price, price});
        }
        purchase.total_minor = purchase.SubtotalMinor();
        ASSERT_TRUE(store_->RecordPurchase(purchase, purchase.occurred_at).ok());
      }
    }
    campaign_ = domain::CampaignFromJson({{"id", "december-personal"},
                                          {"name", "December personal offers"},
                                          // Issued by the nightly run; a next_visit
                                          // campaign's are issued at the purchases.
                                          {"kind", "category_push"},
                                          {"starts_at", "2026-12-01T00:00:00Z"},
                                          {"ends_at", "2027-01-01T00:00:00Z"},
                                          {"targets",
                                           {{{"target", "category"}, {"value", "DAIRY"}},
                                            {{"target", "category"}, {"value", "BREAD"}},
                                            {{"target", "category"}, {"value", "PRODUCE"}}}},
                                          {"discount_type", "percent_off"},
                                          {"min_depth", 5},
                                          {"max_depth", 30},
                                          {"max_discount", 500},
                                          {"min_spend", 0},
                                          {"budget", 10'000'000},
                                          {"budget_coupons", 0},
                                          {"per_customer_cap", 1},
                                          {"validity_days", 14},
                                          {"control_basis_points", 2500},
                                          {"paused", false}})
                    .value();
    ASSERT_TRUE(store_->CreateCampaign(campaign_, std::nullopt, At("2026-11-30T00:00:00Z")).ok());
    options_.run_date = "2026-12-04";
    options_.model.threads = 1;
    options_.write_batch = 7;  // several transactions, as at scale
    options_.candidate_write_batch = 25;
  }

  nlohmann::json Run() {
    std::ostringstream progress;
    auto summary = RunCoupons(*store_, options_, progress);
    EXPECT_TRUE(summary.ok()) << summary.error().ToString();
    return summary.ok() ? *summary : nlohmann::json{};
  }

  // One treated customer redeems their coupon (10 off) on a visit within its life, on
  // 2026-12-06; returns the price of what they bought.
  std::int64_t RedeemOneCoupon() {
    const auto coupon = database_->Text(
        "SELECT id || ' ' || customer_id || ' ' || card_number || ' ' || target_value"
        " FROM coupons WHERE campaign = 'december-personal' ORDER BY id LIMIT 1");
    std::istringstream fields(coupon);
    std::string coupon_id, customer_id, card, sku;
    fields >> coupon_id >> customer_id >> card >> sku;
    domain::Purchase purchase;
    purchase.store_id = "S001";
    purchase.terminal_id = "T01";
    purchase.card = CardNumber::Parse(card).value();
    purchase.occurred_at = At("2026-12-06T10:00:00Z");
    const std::int64_t price = 150 + 40 * (std::stoi(sku) - 1000);
    purchase.lines.push_back({sku, 1, price, price});
    purchase.redemptions.push_back({Uuid::Parse(coupon_id).value(), 10});
    purchase.total_minor = purchase.SubtotalMinor() - purchase.DiscountMinor();
    EXPECT_TRUE(store_->RecordPurchase(purchase, purchase.occurred_at).ok());
    return price;
  }

  std::int64_t Count(const std::string& table, const std::string& where) {
    return database_->Int("SELECT COUNT(*) FROM " + table + " WHERE " + where);
  }
  // The portal's index by lapse risk, which a run's features rewrite may set aside.
  bool HasLapseRiskIndex() {
    return database_->engine() == testing::Engine::kSqlite
               ? Count("sqlite_master", "name = 'customer_features_by_lapse_risk'") == 1
               : Count("pg_indexes", "indexname = 'customer_features_by_lapse_risk'") == 1;
  }

  testing::TempDir dir_;
  std::unique_ptr<testing::TestDatabase> database_;
  TopCategoryPlanner planner_;
  std::unique_ptr<Store> store_;
  domain::Campaign campaign_;
  CouponRunOptions options_;
};

INSTANTIATE_TEST_SUITE_P(Engines, CouponRunTest,
                         ::testing::Values(testing::Engine::kSqlite, testing::Engine::kPostgres),
                         [](const auto& engine) { return testing::EngineName(engine.param); });

TEST_P(CouponRunTest, IssuesTheTreatedOffersAndRecordsTheHeldOutOnes) {
  const auto summary = Run();
  ASSERT_EQ(summary["campaigns"].size(), 1u);
  const auto& run = summary["campaigns"][0];
  EXPECT_EQ(summary["customers"], kCustomers);
  const std::int64_t treated = run["treated"], control = run["control"];
  EXPECT_GT(treated, 0);
  EXPECT_GT(control, 0);  // a quarter held out, of 60: some
  EXPECT_EQ(treated + control, run["eligible"].get<std::int64_t>());
  EXPECT_EQ(run["coupons_issued"], treated);
  EXPECT_EQ(Count("coupons", "campaign = 'december-personal'"), treated);
  EXPECT_EQ(Count("campaign_offers", "control = 1 AND coupon_id IS NULL"), control);
  // Every coupon is a product the customer's own history makes plausible, within the
  // campaign's depth, living 14 days from the run's date.
  EXPECT_EQ(Count("coupons", "campaign = 'december-personal' AND (discount_value < 5 OR"
                             " discount_value > 30 OR max_discount_minor <> 500)"),
            0);
  EXPECT_EQ(Count("coupons", "campaign = 'december-personal' AND expires_at - issued_at <> " +
                                 std::to_string(14 * 86400)),
            0);
  EXPECT_TRUE(store_->FindBatchRun("2026-12-04")->finished_at.has_value());
}

TEST_P(CouponRunTest, ASecondRunOfTheDateIssuesNothingNew) {
  const auto first = Run();
  const auto coupons = Count("coupons", "campaign = 'december-personal'");
  const auto offers = Count("campaign_offers", "TRUE");
  const auto second = Run();
  EXPECT_TRUE(second.contains("already_run")) << second.dump();
  EXPECT_EQ(second["campaigns"], first["campaigns"]);  // the first run's summary
  EXPECT_EQ(Count("coupons", "campaign = 'december-personal'"), coupons);
  EXPECT_EQ(Count("campaign_offers", "TRUE"), offers);
}

TEST_P(CouponRunTest, ARunKilledHalfWayIsCompletedByTheNext) {
  const auto whole = Run()["campaigns"][0];
  const std::int64_t offers = whole["treated"].get<std::int64_t>() + whole["control"].get<std::int64_t>();
  // What a kill leaves: the transactions committed before it, nothing after. Take away
  // the later half of the offers and their coupons, as if never written.
  const auto median = database_->Int(
      "SELECT customer_id FROM campaign_offers ORDER BY customer_id LIMIT 1 OFFSET " +
      std::to_string(offers / 2));
  const auto later = "customer_id >= " + std::to_string(median);
  database_->Exec("DELETE FROM coupons WHERE campaign = 'december-personal' AND " + later);
  const auto removed = Count("campaign_offers", later);
  database_->Exec("DELETE FROM campaign_offers WHERE " + later);
  database_->Exec("UPDATE batch_runs SET finished_at = NULL, summary = NULL");

  const auto resumed = Run()["campaigns"][0];
  EXPECT_EQ(resumed["stored"], removed);
  EXPECT_EQ(resumed["already_present"], offers - removed);
  EXPECT_EQ(Count("campaign_offers", "TRUE"), offers);
  EXPECT_EQ(Count("coupons", "campaign = 'december-personal'"), whole["treated"]);
}

TEST_P(CouponRunTest, TheNextNightsReuseTheTuningUntilItIsAWeekOld) {
  const auto first = Run();
  ASSERT_TRUE(first.contains("model")) << first.dump();
  EXPECT_EQ(first["model"]["tuned_on"], "2026-12-04");
  EXPECT_TRUE(first["model"]["tuned_tonight"].get<bool>());
  // What the first night chose, stored as if it were something the grid cannot reach
  // from the defaults: the next nights must take it from the store, not tune again.
  database_->Exec(
      "UPDATE batch_runs SET summary = '" +
      [&] {
        nlohmann::json summary = first;
        summary["model"]["options"]["alpha"] = 0.35;
        return summary.dump();
      }() +
      "' WHERE run_date = '2026-12-04'");

  options_.run_date = "2026-12-10";
  const auto six_days_later = Run();
  EXPECT_FALSE(six_days_later["model"]["tuned_tonight"].get<bool>());
  EXPECT_EQ(six_days_later["model"]["tuned_on"], "2026-12-04");
  EXPECT_EQ(six_days_later["model"]["options"]["alpha"], 0.35);

  options_.run_date = "2026-12-11";  // finds 12-10's summary, tuned on 12-04: a week old
  const auto seven_days_later = Run();
  EXPECT_TRUE(seven_days_later["model"]["tuned_tonight"].get<bool>());
  EXPECT_EQ(seven_days_later["model"]["tuned_on"], "2026-12-11");

  options_.run_date = "2026-12-12";
  options_.retune = true;
  const auto forced = Run();
  EXPECT_TRUE(forced["model"]["tuned_tonight"].get<bool>());
  EXPECT_EQ(forced["model"]["tuned_on"], "2026-12-12");

  options_.run_date = "2026-12-13";
  options_.retune = false;
  options_.model.tune = false;  // options a person gave are not replaced by stored ones
  options_.model.alpha = 0.9;
  const auto given = Run();
  EXPECT_FALSE(given["model"]["tuned_tonight"].get<bool>());
  EXPECT_TRUE(given["model"]["tuned_on"].is_null());
  EXPECT_EQ(given["model"]["options"]["alpha"], 0.9);
}

TEST_P(CouponRunTest, KeepsTheNextVisitCandidatesAndTheBudgetForThePurchases) {
  campaign_.kind = domain::CampaignKind::kNextVisit;
  ASSERT_TRUE(store_->UpdateCampaign(campaign_, At("2026-12-01T00:00:00Z")).ok());
  const auto run = Run()["campaigns"][0];
  // The purchases issue its coupons, from these candidates: the night issues none, so a
  // customer is not offered the campaign twice nor its budget spent twice.
  EXPECT_EQ(run["issued_by"], "purchases");
  EXPECT_EQ(run["treated"], 0);
  EXPECT_EQ(run["control"], 0);
  EXPECT_EQ(Count("coupons", "campaign = 'december-personal'"), 0);
  EXPECT_EQ(Count("campaign_offers", "TRUE"), 0);
  const auto stored = testing::StoredCandidates(*database_);
  ASSERT_FALSE(stored.empty());
  std::map<std::int64_t, std::size_t> per_customer;
  std::set<std::pair<std::int64_t, std::string>> products;
  for (const auto& record : stored) {
    EXPECT_EQ(record.candidate.campaign_id, "december-personal");
    EXPECT_EQ(record.run_date, "2026-12-04");
    // Priced products with a probability (0 where the calibration saw none bought), each
    // once per customer, ranks from 0.
    EXPECT_GE(record.candidate.probability, 0);
    EXPECT_LE(record.candidate.probability, 1);
    EXPECT_GT(record.candidate.unit_price_minor, 0);
    EXPECT_GE(record.candidate.gap_visits, 0);
    EXPECT_EQ(record.rank, static_cast<std::int64_t>(per_customer[record.customer_id]++));
    products.emplace(record.customer_id, record.candidate.sku);
  }
  for (const auto& [customer, count] : per_customer) EXPECT_LE(count, 10u) << customer;
  EXPECT_EQ(products.size(), stored.size());
  // One row per customer.
  EXPECT_EQ(Count("next_visit_candidates", "TRUE"), static_cast<std::int64_t>(per_customer.size()));
  EXPECT_EQ(database_->Text("SELECT run_date FROM campaign_budgets"
                            " WHERE campaign_id = 'december-personal'"),
            "2026-12-04");
  EXPECT_EQ(database_->Int("SELECT issued FROM campaign_budgets"), 0);
  EXPECT_EQ(std::stod(database_->Text("SELECT spent_minor FROM campaign_budgets")), 0.0);
  EXPECT_NEAR(std::stod(database_->Text("SELECT shadow_price FROM campaign_budgets")),
              run["shadow_price"].get<double>(), 1e-9);

  // Resumed (the finish lost): nothing stored or counted twice.
  database_->Exec("UPDATE batch_runs SET finished_at = NULL, summary = NULL");
  Run();
  EXPECT_EQ(testing::StoredCandidates(*database_).size(), stored.size());
  EXPECT_EQ(database_->Int("SELECT issued FROM campaign_budgets"), 0);

  // The next night's candidates replace these at its end; the night after deletes them
  // while it reads, and says how many rows. Each reads ahead what it rewrites.
  const auto rows = static_cast<std::int64_t>(per_customer.size());
  options_.run_date = "2026-12-05";
  EXPECT_EQ(Run()["replaced_candidates_dropped"], 0);
  EXPECT_EQ(Count("next_visit_candidates", "run_date = '2026-12-04'"), rows);
  EXPECT_GT(Count("next_visit_candidates", "run_date = '2026-12-05'"), 0);
  options_.run_date = "2026-12-06";
  const auto night_after = Run();
  EXPECT_EQ(night_after["replaced_candidates_dropped"], rows);
  EXPECT_GT(night_after["prewarmed_rows"], 0);
  EXPECT_FALSE(night_after.contains("prewarm_error"));
  EXPECT_EQ(Count("next_visit_candidates", "run_date = '2026-12-04'"), 0);
  EXPECT_GT(Count("next_visit_candidates", "run_date = '2026-12-05'"), 0);
  EXPECT_EQ(database_->Text("SELECT run_date FROM campaign_budgets"
                            " WHERE campaign_id = 'december-personal'"),
            "2026-12-06");
}

TEST_P(CouponRunTest, ACountBudgetCapsTheTreatedOffers) {
  campaign_.budget_coupons = 6;
  ASSERT_TRUE(store_->UpdateCampaign(campaign_, At("2026-12-01T00:00:00Z")).ok());
  const auto run = Run()["campaigns"][0];
  EXPECT_EQ(run["treated"], 6);  // the held-out offers taken alongside spend none of it
  EXPECT_EQ(Count("coupons", "campaign = 'december-personal'"), 6);
  // The next day's run finds the count spent.
  options_.run_date = "2026-12-05";
  const auto next = Run()["campaigns"][0];
  EXPECT_EQ(next["skipped"], "budget spent");
  EXPECT_EQ(Count("coupons", "campaign = 'december-personal'"), 6);
}

// Between the run's planning and its storing (hours at a chain's scale) another writer
// on its own connection spends the same budget: the run stores only what still fits, says
// what it left out, and the campaign's treated offers never pass its limit.
TEST_P(CouponRunTest, WhatOthersSpendWhileTheRunPlansIsNotSpentAgain) {
  campaign_.budget_coupons = 6;
  campaign_.per_customer_cap = 5;  // the other writer's offers leave everyone room
  ASSERT_TRUE(store_->UpdateCampaign(campaign_, At("2026-12-01T00:00:00Z")).ok());
  auto other = OpenStore(ParseStoreUrl(database_->url(), "url").value(), planner_, Key());
  const std::vector<std::int64_t> customers = [&] {
    std::vector<std::int64_t> ids;
    for (int i = 0; i < 4; ++i) {
      ids.push_back(database_->Int("SELECT id FROM customers ORDER BY id DESC LIMIT 1 OFFSET " +
                                   std::to_string(i)));
    }
    return ids;
  }();
  bool spent = false;
  const std::thread::id planner = std::this_thread::get_id();
  options_.still_held = [&]() -> Status {
    // Asked before each write. The features and the segments are written from a thread of
    // their own while the run plans; on the run's own thread the first ask is before its
    // first batch of offers, when the plan is made.
    if (std::this_thread::get_id() != planner || spent) return Status();
    spent = true;
    std::vector<CampaignOfferRecord> offers;
    for (const std::int64_t customer : customers) {
      CampaignOfferRecord offer;
      offer.run_date = "2026-12-03";
      offer.campaign_id = campaign_.id;
      offer.customer_id = customer;
      offer.sku = "1000";
      offer.expected_cost_minor = 10;
      offers.push_back(offer);
    }
    auto stored = other->RecordCampaignOffers(offers, At("2026-12-04T00:30:00Z"));
    if (!stored.ok()) return stored.error();
    return stored->stored == 4 ? Status() : Status(Error{ErrorCode::kInternal, "not stored", ""});
  };
  const auto run = Run()["campaigns"][0];
  ASSERT_TRUE(spent);
  EXPECT_EQ(run["treated"], 6);  // as planned, from the spend read before the model
  EXPECT_EQ(run["coupons_issued"], 2);
  EXPECT_EQ(run["over_budget"], 4);
  EXPECT_EQ(run["over_cap"], 0);
  EXPECT_EQ(Count("campaign_offers", "campaign_id = 'december-personal' AND control = 0"), 6);
  EXPECT_EQ(database_->Int("SELECT issued FROM campaign_budgets"), 6);
}

// The features and segments are written on a thread of their own. When that thread
// finds the lock gone, however late, the run stores nothing more (here: the features
// thread is held until the run is about to store its first offers, and then refused),
// fails with its error and does not finish; the next run of the date does all of it.
TEST_P(CouponRunTest, AFailedFeaturesWriteStopsTheOffersAndFailsTheRun) {
  const std::thread::id planner = std::this_thread::get_id();
  std::atomic<bool> offers_next{false}, refused{false};
  const auto wait_for = [](const std::atomic<bool>& flag) {
    for (int i = 0; i < 10'000 && !flag; ++i) std::this_thread::sleep_for(1ms);
  };
  options_.still_held = [&]() -> Status {
    if (std::this_thread::get_id() == planner) {
      offers_next = true;
      wait_for(refused);
      std::this_thread::sleep_for(50ms);  // for the refusal to reach the run
      return Status();
    }
    wait_for(offers_next);
    refused = true;
    return Error{ErrorCode::kConflict, "lost the coupons lock (test)", "lock"};
  };
  std::ostringstream progress;
  const auto failed = RunCoupons(*store_, options_, progress);
  ASSERT_FALSE(failed.ok());
  EXPECT_NE(failed.error().ToString().find("lost the coupons lock (test)"), std::string::npos)
      << failed.error().ToString();
  EXPECT_TRUE(offers_next);
  EXPECT_FALSE(store_->FindBatchRun("2026-12-04")->finished_at.has_value());
  EXPECT_EQ(Count("customer_features", "TRUE"), 0);
  EXPECT_EQ(Count("campaign_offers", "TRUE"), 0);
  EXPECT_EQ(Count("coupons", "campaign = 'december-personal'"), 0);
  EXPECT_TRUE(HasLapseRiskIndex());  // the failed rewrite's end built it again

  options_.still_held = {};
  const auto run = Run();
  EXPECT_GT(run["campaigns"][0]["treated"].get<int>(), 0) << run.dump();
  EXPECT_GT(Count("customer_features", "TRUE"), 0);
  EXPECT_TRUE(HasLapseRiskIndex());
  EXPECT_GT(Count("campaign_offers", "TRUE"), 0);
  EXPECT_TRUE(store_->FindBatchRun("2026-12-04")->finished_at.has_value());
}

TEST_P(CouponRunTest, TheReportComparesTreatedWithHeldOut) {
  const auto run = Run()["campaigns"][0];
  const std::int64_t price = RedeemOneCoupon();

  const auto report = ReportCampaign(*store_, campaign_, 0.3);
  EXPECT_EQ(report["issued"], run["treated"]);
  EXPECT_EQ(report["redeemed"], 1);
  EXPECT_EQ(report["treated_customers"], run["treated"]);
  EXPECT_EQ(report["control_customers"], run["control"]);
  const double treated = report["treated_customers"].get<double>();
  EXPECT_NEAR(report["sales"]["treated_mean"].get<double>(), static_cast<double>(price - 10) / treated, 1e-9);
  EXPECT_EQ(report["sales"]["control_mean"], 0.0);
  EXPECT_TRUE(report["sales"]["ci95"].is_array());
  EXPECT_NEAR(report["margin"]["treated_mean"].get<double>(), (static_cast<double>(price) * 0.3 - 10) / treated, 1e-9);
  std::ostringstream table;
  PrintReport(table, nlohmann::json::array({report}));
  EXPECT_NE(table.str().find("1 redeemed"), std::string::npos) << table.str();
}

// The portal's results (campaigns/campaign_results.h): the report, what the budget has
// left, and the coupons per day with the days between filled in.
TEST_P(CouponRunTest, TheResultsGiveTheBudgetAndTheCouponsPerDay) {
  const auto run = Run()["campaigns"][0];
  RedeemOneCoupon();
  const auto stored = store_->GetCampaign(campaign_.id).value();
  const auto results = CampaignResultsJson(*store_, stored, 0.3, At("2026-12-07T00:00:00Z"));
  EXPECT_EQ(results["report"], ReportCampaign(*store_, campaign_, 0.3));
  EXPECT_EQ(results["currency"], "USD");
  EXPECT_EQ(results["campaign"]["id"], "december-personal");
  EXPECT_EQ(results["discount_given"], 10);
  EXPECT_EQ(results["per_day"],
            (nlohmann::json{{{"date", "2026-12-04"}, {"issued", run["treated"]}, {"redeemed", 0},
                             {"discount", 0}},
                            {{"date", "2026-12-05"}, {"issued", 0}, {"redeemed", 0},
                             {"discount", 0}},
                            {{"date", "2026-12-06"}, {"issued", 0}, {"redeemed", 1},
                             {"discount", 10}}}));
  const double spent = store_->CampaignIssuanceExcept("another day")["december-personal"].spent_minor;
  EXPECT_GT(spent, 0);
  EXPECT_EQ(results["budget"],
            (nlohmann::json{{"money",
                             {{"total", 10'000'000},
                              {"spent", std::llround(spent)},
                              {"remaining", 10'000'000 - std::llround(spent)}}},
                            {"coupons",
                             {{"total", nullptr}, {"spent", run["treated"]}, {"remaining", nullptr}}}}));
  // A count limit shows what is left of it; a campaign never run has spent nothing.
  campaign_.budget_coupons = 100;
  EXPECT_EQ(CampaignBudgetJson(campaign_, nullptr)["coupons"],
            (nlohmann::json{{"total", 100}, {"spent", 0}, {"remaining", 100}}));
  EXPECT_TRUE(store_->CampaignCouponDays("no-such-campaign").days.empty());
}

TEST_P(CouponRunTest, ADateWithNoCampaignRunningRefreshesSegmentsAndIssuesNothing) {
  ASSERT_TRUE(store_->SetCampaignPaused(campaign_.id, true, At("2026-12-02T00:00:00Z")).ok());
  const auto summary = Run();
  EXPECT_TRUE(summary["campaigns"].empty());
  EXPECT_EQ(Count("campaign_offers", "TRUE"), 0);
  EXPECT_TRUE(store_->FindBatchRun("2026-12-04")->finished_at.has_value());
  // Every customer has a segment, and the summary counts them.
  EXPECT_EQ(Count("customers", "segment IS NOT NULL"), kCustomers);
  std::int64_t counted = 0;
  for (const auto& [name, customers] : summary["segments"].items()) {
    EXPECT_TRUE(domain::ParseSegment(name, "segment").ok()) << name;
    EXPECT_EQ(Count("customers", "segment = '" + name + "'"), customers.get<std::int64_t>())
        << name;
    counted += customers.get<std::int64_t>();
  }
  EXPECT_EQ(counted, kCustomers);
}

TEST_P(CouponRunTest, StoresEveryCustomersFeaturesAndTheNextNightReplacesThem) {
  const auto summary = Run();
  EXPECT_EQ(summary["features"]["customers"], kCustomers);
  std::int64_t banded = 0;
  for (const auto& [band, customers] : summary["features"]["lapse_risk"].items()) {
    banded += customers.get<std::int64_t>();
  }
  EXPECT_EQ(banded, kCustomers);
  EXPECT_EQ(Count("customer_features", "run_date = '2026-12-04'"), kCustomers);

  // Customer 0: six visits a week apart, the last on 2026-11-24 at 10:00, so 9 days 14
  // hours before the run. Every customer's gaps are 7 days, so the spread is min_sigma
  // (0.2): Phi(ln(9.5833 / 7) / 0.2) = Phi(1.5708) = 0.94186, a high risk.
  const std::string card = CardNumber::FromBody("210000000000").value().digits();
  const auto features = store_->FindCustomerFeatures(
      database_->Int("SELECT customer_id FROM cards WHERE number = '" + card + "'"));
  ASSERT_TRUE(features.has_value());
  EXPECT_EQ(features->visits, 6);
  EXPECT_EQ(features->last_visit_at, At("2026-11-24T10:00:00Z"));
  EXPECT_NEAR(features->days_since_last_visit, 9 + 14.0 / 24, 1e-9);
  EXPECT_NEAR(features->days_between_visits, 7, 1e-9);
  EXPECT_NEAR(features->lapse_risk, 0.94186, 1e-4);
  EXPECT_EQ(features->next_visit_at, At("2026-12-01T10:00:00Z"));
  // Two staples every visit (DAIRY and PRODUCE for customer 0) and a third category every
  // other visit: each category is in 300 of the 360 baskets, so a staple lifts
  // (6 + 2) / (6 x 300/360 + 2) = 8/7 and the every-other one (3 + 2) / 7, below 1.
  ASSERT_EQ(features->top_categories.size(), 2U);
  std::set<std::string> names;
  for (const auto& category : features->top_categories) {
    names.insert(category.category);
    EXPECT_NEAR(category.lift, 8.0 / 7, 1e-9);
    EXPECT_EQ(category.baskets, 6);
  }
  EXPECT_EQ(names, (std::set<std::string>{"DAIRY", "PRODUCE"}));

  options_.run_date = "2026-12-05";
  Run();
  EXPECT_EQ(Count("customer_features", "run_date = '2026-12-05'"), kCustomers);
  EXPECT_EQ(Count("customer_features", "TRUE"), kCustomers);
}

TEST_P(CouponRunTest, ACampaignForOneSegmentOffersToThatSegmentOnly) {
  Run();  // the segments of 2026-12-04
  const std::string segment = database_->Text(
      "SELECT segment FROM customers GROUP BY segment ORDER BY COUNT(*) DESC, segment LIMIT 1");
  const std::int64_t in_segment = Count("customers", "segment = '" + segment + "'");
  ASSERT_LT(in_segment, kCustomers) << "the population has one segment only";
  auto targeted = campaign_;
  targeted.id = "december-" + segment;
  targeted.target_segment = domain::ParseSegment(segment, "segment").value();
  targeted.control_basis_points = 0;
  ASSERT_TRUE(store_->CreateCampaign(targeted, std::nullopt, At("2026-12-04T12:00:00Z")).ok());

  options_.run_date = "2026-12-05";
  const auto summary = Run();
  // At most one offer each (the cap), for some of the segment (an offer must be worth
  // its cost), and none outside it.
  const std::int64_t offers = Count("campaign_offers", "campaign_id = '" + targeted.id + "'");
  EXPECT_GT(offers, 0);
  EXPECT_LE(offers, in_segment);
  EXPECT_EQ(database_->Int("SELECT COUNT(*) FROM campaign_offers o JOIN customers c"
                           " ON c.id = o.customer_id WHERE o.campaign_id = '" +
                           targeted.id + "' AND c.segment <> '" + segment + "'"),
            0);
  for (const auto& entry : summary["campaigns"]) {
    EXPECT_FALSE(entry.contains("skipped")) << entry.dump();
  }
}

TEST(CouponRunDate, IsADayOfTheCalendar) {
  EXPECT_EQ(ParseRunDate("2026-12-04").value(), 1'796'342'400);
  EXPECT_FALSE(ParseRunDate("2026-13-04").ok());
  EXPECT_FALSE(ParseRunDate("2026-12-04T00:00:00Z").ok());
  EXPECT_EQ(ParseRunDate("tomorrow").error().field, "--date");
}

// Each discount type's campaign issues coupons of its type, with the fields the till
// applies (terminal/src/checkout/coupon_rules.cc) and a title that says what they give.
TEST_P(CouponRunTest, EveryDiscountTypeIssuesItsOwnCoupons) {
  ASSERT_TRUE(store_->SetCampaignPaused(campaign_.id, true, At("2026-12-02T00:00:00Z")).ok());
  const auto typed = [&](const char* id, domain::DiscountType type, std::int64_t min_depth,
                         std::int64_t max_depth, std::int64_t buy, std::int64_t get) {
    domain::Campaign campaign = campaign_;
    campaign.id = id;
    // A category push is issued by the nightly run (a next_visit one by the purchases).
    campaign.kind = domain::CampaignKind::kCategoryPush;
    campaign.targets = {{domain::CouponTarget::kCategory, "DAIRY"},
                        {domain::CouponTarget::kCategory, "BREAD"},
                        {domain::CouponTarget::kCategory, "PRODUCE"}};
    campaign.discount_type = type;
    campaign.min_depth = min_depth;
    campaign.max_depth = max_depth;
    campaign.buy_quantity = buy;
    campaign.get_quantity = get;
    campaign.max_discount_minor = 0;
    return campaign;
  };
  const auto amount = typed("amount", domain::DiscountType::kAmountOff, 20, 150, 0, 0);
  const auto multi = typed("multibuy", domain::DiscountType::kBuyXGetY, 50, 100, 2, 1);
  auto free = typed("free", domain::DiscountType::kFreeItem, 0, 0, 0, 1);
  free.min_spend_minor = 2'000;
  free.targets.clear();
  for (int i = 0; i < 4; ++i) {
    free.targets.push_back({domain::CouponTarget::kProduct, std::to_string(1000 + i)});
  }
  const domain::Campaign& free_item = free;
  for (const auto* campaign : {&amount, &multi, &free_item}) {
    ASSERT_TRUE(domain::CampaignFromJson(domain::CampaignToJson(*campaign)).ok()) << campaign->id;
    ASSERT_TRUE(store_->CreateCampaign(*campaign, std::nullopt, At("2026-11-30T00:00:00Z")).ok());
  }
  const auto summary = Run();
  for (const auto& run : summary["campaigns"]) {
    EXPECT_FALSE(run.contains("skipped")) << run.dump();
    EXPECT_GT(run.value("treated", 0), 0) << run.dump();
  }
  const auto wrong = [&](const std::string& id, const std::string& condition) {
    return Count("coupons", "campaign = '" + id + "' AND NOT (" + condition + ")");
  };
  EXPECT_EQ(wrong("amount", "discount_type = 'amount_off' AND discount_value BETWEEN 20 AND 150"
                            " AND buy_quantity = 0 AND get_quantity = 0 AND title LIKE '%.% off %'"),
            0);
  EXPECT_EQ(wrong("multibuy", "discount_type = 'buy_x_get_y' AND discount_value BETWEEN 50 AND 100"
                              " AND buy_quantity = 2 AND get_quantity = 1 AND title LIKE 'Buy 2 get 1 %'"),
            0);
  EXPECT_EQ(wrong("free", "discount_type = 'free_item' AND discount_value = 0 AND"
                          " get_quantity = 1 AND min_spend_minor = 2000 AND"
                          " target_value IN ('1000', '1001', '1002', '1003') AND"
                          " title LIKE 'Free % with 20.00'"),
            0);
  // What an offer records as its discount is what the till gives for the purchase it
  // asks for: the amount, one item of three at the depth, the item.
  for (const auto& [id, expected] :
       {std::pair<std::string, std::string>{"amount", "discount_minor = depth_percent"},
        {"multibuy", "ABS(discount_minor - (150 + 40 * (CAST(sku AS INTEGER) - 1000)) *"
                     " depth_percent / 100.0) <= 0.5"},
        {"free", "discount_minor = 150 + 40 * (CAST(sku AS INTEGER) - 1000) AND depth_percent = 0"}}) {
    EXPECT_EQ(Count("campaign_offers", "campaign_id = '" + id + "' AND NOT (" + expected + ")"), 0)
        << id;
  }
}

// A product in the catalog that nobody has bought, pushed by a new_product_trial: the
// batch offers it to the customers keen on its category, and to no one else.
TEST_P(CouponRunTest, ANewProductTrialOffersAnUnsoldProductToTheCategorysBuyers) {
  ASSERT_TRUE(store_->SetCampaignPaused(campaign_.id, true, At("2026-12-02T00:00:00Z")).ok());
  auto products = Products();
  domain::Product fresh = products[0];
  fresh.sku = "2000";
  fresh.name = "New yoghurt";
  fresh.price_minor = 400;
  products.push_back(fresh);  // DAIRY, as product 1000
  ASSERT_TRUE(store_->ImportProducts(products).ok());
  auto trial = campaign_;
  trial.id = "new-dairy";
  trial.kind = domain::CampaignKind::kNewProductTrial;
  trial.targets = {{domain::CouponTarget::kCategory, "DAIRY"}};
  trial.control_basis_points = 0;
  ASSERT_TRUE(store_->CreateCampaign(trial, std::nullopt, At("2026-11-30T00:00:00Z")).ok());
  // The history's products were first sold 45 days before the run: not new within 30.
  options_.campaigns.trial.new_within_days = 30;
  Run();
  // Customer c buys products c and c + 5 every week and c + 7 every other week (mod 12),
  // DAIRY being those divisible by 3: when c % 3 is 2, DAIRY only every other week,
  // below the population's share.
  const std::string customer_index =
      "(CAST(SUBSTR(k.number, 2, 11) AS BIGINT) - 10000000000) % 3";
  const auto offered = [&](const std::string& condition) {
    return database_->Int(
        "SELECT COUNT(*) FROM campaign_offers o JOIN cards k ON k.customer_id = o.customer_id"
        " WHERE o.campaign_id = 'new-dairy' AND " + condition);
  };
  EXPECT_GT(offered(customer_index + " <> 2"), 10);
  EXPECT_EQ(offered(customer_index + " = 2"), 0);
  EXPECT_EQ(offered("o.sku <> '2000'"), 0);
  EXPECT_EQ(Count("coupons", "campaign = 'new-dairy' AND target_value <> '2000'"), 0);
  EXPECT_EQ(Count("campaign_offers", "campaign_id = 'new-dairy' AND NOT (probability > 0 AND"
                                     " probability < 0.06)"),
            0);  // reach (below 1) × the assumed trial rate 0.05 × price fit (at most 1)
}

}  // namespace
}  // namespace loyalty::server::batch
