// The dashboard from the hourly totals of migrations 0016 and 0020, on both engines:
// random purchases uploaded in no order of time (a late upload lands before stored ones;
// a group stored by one statement), redemptions, returns, batch coupons, a merge, an
// erasure and deleted purchases across stores, hours and days, and every answer (chain,
// one store, two stores; time zones a whole number of hours from UTC and not) equal to
// the figures counted straight from the rows; each purchase's previous one (0020) is the
// rows'. And the migrations' backfill: what they make from stored rows is the rows'.
#include "storage/dashboard_hours.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <future>
#include <map>
#include <random>
#include <set>
#include <sstream>

#include "loyalty/postgres/postgres.h"
#include "storage/open_store.h"
#include "support/temp_dir.h"
#include "support/test_database.h"
#include "targeting/next_visit_planner.h"

namespace loyalty::server {
namespace {

constexpr std::int64_t kDay = 86400;
// 2026-11-20T00:00:00Z: the first day of the scenario.
constexpr std::int64_t kStart = 1795132800;
const std::vector<std::string> kStores = {"S001", "S002", "S003", "S004"};

DashboardQuery QueryOf(std::vector<std::string> stores, std::int64_t from, int days) {
  return {std::move(stores), FromUnixSeconds(from), days};
}

TEST(DashboardRun, ReadsEveryHourFromTheTotalsWhenDaysStartOnTheHour) {
  // UTC+1: the day starts at 23:00 UTC.
  const DashboardRun run = DashboardRunOf(QueryOf({}, kStart - 3600, 2));
  EXPECT_EQ(run.first_hour, kStart - 3600);
  EXPECT_EQ(run.end_hour, kStart - 3600 + 2 * kDay);
  EXPECT_TRUE(run.CutHours().empty());
  EXPECT_EQ(run.DayOfHourAt(0), 0u);
  EXPECT_EQ(run.DayOfHourAt(kDay - 3600), 0u);
  EXPECT_EQ(run.DayOfHourAt(kDay), 1u);
  EXPECT_EQ(run.DayOfHourAt(2 * kDay), std::nullopt);
  EXPECT_EQ(run.DayOfHourAt(-3600), std::nullopt);
}

TEST(DashboardRun, ReadsTheHoursADayStartCutsFromTheRows) {
  // UTC+5:30: the day starts at 18:30 UTC, inside an hour.
  const std::int64_t from = kStart - 5 * 3600 - 1800;
  const DashboardRun run = DashboardRunOf(QueryOf({}, from, 2));
  EXPECT_EQ(run.first_hour, from - 1800);
  EXPECT_EQ(run.end_hour, from + 2 * kDay + 1800);
  using Parts = std::vector<std::pair<std::int64_t, std::int64_t>>;
  EXPECT_EQ(run.CutHours(), (Parts{{from, from + 1800},
                                   {from + kDay - 1800, from + kDay + 1800},
                                   {from + 2 * kDay - 1800, from + 2 * kDay}}));
  EXPECT_EQ(run.DayOfHourAt(-1800), std::nullopt);
  EXPECT_EQ(run.DayOfHourAt(1800), 0u);
  EXPECT_EQ(run.DayOfHourAt(kDay - 1800), std::nullopt);
  EXPECT_EQ(run.DayOfHourAt(kDay + 1800), 1u);
}

std::vector<std::string> Split(const std::string& text) {
  std::vector<std::string> parts;
  std::stringstream in(text);
  for (std::string part; std::getline(in, part, ',');) parts.push_back(part);
  if (!text.empty() && text.back() == ',') parts.emplace_back();
  return parts;
}

// What the dashboard counts, read back row by row.
struct PurchaseRow {
  std::int64_t at = 0;
  std::string store;
  std::int64_t total = 0;
  bool card = false;
  std::int64_t customer = -1;  // none
};
struct CouponRow {
  std::int64_t issued_at = 0;
  std::string issuer_store;  // '' when no purchase issued it
  std::optional<std::int64_t> redeemed_at;
  std::string redeemer_store;
};

class DashboardHoursTest : public ::testing::TestWithParam<testing::Engine> {
 protected:
  void SetUp() override {
    database_ = std::make_unique<testing::TestDatabase>(GetParam(), dir_);
    Open();
    ASSERT_TRUE(store_
                    ->ImportProducts({{"1002", "Cheddar", "GROCERY", "DAIRY", "CHEESE", "Farm",
                                       "200 G", 450, true},
                                      {"3001", "Steak", "MEAT", "MEAT", "BEEF", "Ranch", "500 G",
                                       899, true}})
                    .ok());
  }

  void Open() { store_ = OpenStore(ParseStoreUrl(database_->url(), "url").value(), planner_, key_); }

  // Purchases over six days at random seconds in four stores, with and without a card,
  // some redeeming a coupon their customer earned (a few one spent already: a
  // conflict, not counted), some returned; the batch's coupons; one customer merged into another and one
  // erased.
  void StoreRandomHistory() {
    std::mt19937 random(20261204);
    const auto pick = [&](std::int64_t below) {
      return std::uniform_int_distribution<std::int64_t>(0, below - 1)(random);
    };
    std::map<std::int64_t, std::vector<Uuid>> coupons_of;  // customer: coupons earned
    std::map<std::int64_t, std::vector<Uuid>> spent_by;    // and redeemed
    std::vector<std::pair<domain::Purchase, std::int64_t>> sold;  // with its line's price
    std::vector<std::int64_t> customers;  // with repeats, as they bought
    std::optional<domain::Coupon> some_coupon;
    for (int i = 0; i < 160; ++i) {
      domain::Purchase purchase;
      purchase.store_id = kStores[static_cast<std::size_t>(pick(4))];
      purchase.terminal_id = purchase.store_id + "-T01";
      if (pick(10) < 7) {
        purchase.card = CardNumber::FromBody("2123456789" + std::to_string(10 + pick(12))).value();
      }
      purchase.occurred_at = FromUnixSeconds(kStart + pick(6 * kDay));
      const bool steak = pick(2) == 0;
      const std::int64_t price = steak ? 899 : 450;
      const std::int64_t quantity = 1 + pick(3);
      purchase.lines.push_back({steak ? "3001" : "1002", quantity, price, quantity * price});
      std::optional<std::int64_t> customer;
      if (purchase.card) {
        const auto lookup = store_->LookupCard(*purchase.card, purchase.occurred_at);
        ASSERT_TRUE(lookup.ok());
        if (lookup->customer) customer = lookup->customer->id;
      }
      if (customer && !spent_by[*customer].empty() && pick(5) == 0) {
        purchase.redemptions.push_back({spent_by[*customer].back(), 10});  // a conflict
      } else if (customer && !coupons_of[*customer].empty() && pick(3) == 0) {
        purchase.redemptions.push_back({coupons_of[*customer].back(), 10});
        spent_by[*customer].push_back(coupons_of[*customer].back());
        coupons_of[*customer].pop_back();
      }
      purchase.total_minor = purchase.SubtotalMinor() - purchase.DiscountMinor();
      // Uploaded up to three hours late: its coupons are issued then.
      const Timestamp now = purchase.occurred_at + std::chrono::seconds(pick(3 * 3600));
      const auto recorded = store_->RecordPurchase(purchase, now);
      ASSERT_TRUE(recorded.ok()) << recorded.error().ToString();
      if (recorded->ack.customer_id) {
        customers.push_back(*recorded->ack.customer_id);
        for (const auto& issued : recorded->ack.next_visit_coupons) {
          coupons_of[*recorded->ack.customer_id].push_back(issued.coupon.id);
          some_coupon = issued.coupon;
        }
      }
      sold.emplace_back(purchase, price);
    }
    ASSERT_NO_FATAL_FAILURE(StoreBurstOfOneCustomer());
    ASSERT_TRUE(some_coupon.has_value());
    for (int i = 0; i < 12; ++i) {
      const auto& [purchase, price] = sold[static_cast<std::size_t>(pick(160))];
      domain::SaleReturn back;
      back.original_purchase_id = purchase.id;
      back.store_id = purchase.store_id;
      back.terminal_id = purchase.terminal_id;
      back.occurred_at = purchase.occurred_at + std::chrono::hours(1);
      back.lines = {{purchase.lines[0].sku, 1, price}};
      back.total_minor = price;
      // A second return of a one-item sale is refused; what counts is what is stored.
      (void)store_->RecordReturn(back, back.occurred_at);
    }
    std::vector<CampaignOfferRecord> offers;
    for (int i = 0; i < 15; ++i) {
      CampaignOfferRecord offer;
      offer.run_date = "2026-11-22";
      offer.campaign_id = "winback";
      offer.customer_id = customers[static_cast<std::size_t>(pick(
          static_cast<std::int64_t>(customers.size())))];
      offer.offer_rank = i;
      offer.sku = "1002";
      domain::Coupon coupon = *some_coupon;
      coupon.id = Uuid::Random();
      coupon.campaign = "winback";
      coupon.issued_at = FromUnixSeconds(kStart + pick(6 * kDay));
      offer.coupon = coupon;
      offers.push_back(std::move(offer));
    }
    ASSERT_TRUE(store_->RecordCampaignOffers(offers, FromUnixSeconds(kStart + 2 * kDay)).ok());
    const std::set<std::int64_t> customer_set(customers.begin(), customers.end());
    const std::vector<std::int64_t> distinct(customer_set.begin(), customer_set.end());
    ASSERT_GE(distinct.size(), 3u);
    ASSERT_TRUE(
        store_->MergeCustomers(distinct[0], distinct[1], FromUnixSeconds(kStart + 6 * kDay)).ok());
    ASSERT_TRUE(store_->EraseCustomer(distinct[2], FromUnixSeconds(kStart + 6 * kDay)).ok());
  }

  // A new card's purchases uploaded all at once, out of their order and several on one
  // day, as a till back online sends its backlog: on PostgreSQL they are stored by one
  // statement, so each one's previous purchase may be written by that statement too.
  void StoreBurstOfOneCustomer() {
    std::vector<std::future<Result<RecordedPurchase>>> answers;
    for (const std::int64_t hours :
         {3 * 24 + 5, 3 * 24 + 1, 3 * 24 + 20, 2 * 24 + 23, 3 * 24 + 3, 3 * 24 + 1}) {
      domain::Purchase purchase;
      purchase.store_id = kStores[static_cast<std::size_t>(hours % 4)];
      purchase.terminal_id = purchase.store_id + "-T02";
      purchase.card = CardNumber::FromBody("212345678999").value();
      purchase.occurred_at = FromUnixSeconds(kStart + hours * 3600 + 600);
      purchase.lines.push_back({"1002", 1, 450, 450});
      purchase.total_minor = 450;
      auto answer = std::make_shared<std::promise<Result<RecordedPurchase>>>();
      answers.push_back(answer->get_future());
      store_->RecordPurchaseAsync(
          purchase, FromUnixSeconds(kStart + 7 * kDay),
          [answer](Result<RecordedPurchase> recorded) { answer->set_value(std::move(recorded)); });
    }
    for (auto& answer : answers) {
      const auto recorded = answer.get();
      ASSERT_TRUE(recorded.ok()) << recorded.error().ToString();
    }
  }

  // Each purchase's "seq,previous purchase's time" (-1 for none), as stored and as the
  // rows give it: the time of the purchase before it in its customer's order by
  // (occurred_at, seq).
  std::vector<std::string> StoredPrevious() const {
    return database_->Column(
        "SELECT seq || ',' || COALESCE(previous_purchase_at, -1) FROM purchases ORDER BY seq");
  }
  std::vector<std::string> PreviousFromRows() const {
    std::map<std::int64_t, std::int64_t> previous;  // seq: previous purchase's time
    std::map<std::int64_t, std::vector<std::pair<std::int64_t, std::int64_t>>> orders;
    for (const auto& line :
         database_->Column("SELECT seq || ',' || COALESCE(customer_id, -1) || ',' || occurred_at"
                           " FROM purchases")) {
      const auto part = Split(line);
      const std::int64_t seq = std::stoll(part[0]);
      previous[seq] = -1;
      if (part[1] != "-1") orders[std::stoll(part[1])].emplace_back(std::stoll(part[2]), seq);
    }
    for (auto& [customer, order] : orders) {
      std::sort(order.begin(), order.end());
      for (std::size_t i = 1; i < order.size(); ++i) {
        previous[order[i].second] = order[i - 1].first;
      }
    }
    std::vector<std::string> lines;
    for (const auto& [seq, at] : previous) {
      lines.push_back(std::to_string(seq) + "," + std::to_string(at));
    }
    return lines;
  }

  std::vector<PurchaseRow> Purchases() const {
    std::vector<PurchaseRow> rows;
    for (const auto& line : database_->Column(
             "SELECT occurred_at || ',' || store_id || ',' || total_minor || ',' ||"
             " CASE WHEN card_number IS NULL THEN 0 ELSE 1 END || ',' ||"
             " COALESCE(customer_id, -1) FROM purchases")) {
      const auto part = Split(line);
      rows.push_back({std::stoll(part[0]), part[1], std::stoll(part[2]), part[3] == "1",
                      std::stoll(part[4])});
    }
    return rows;
  }

  std::vector<CouponRow> Coupons() const {
    std::vector<CouponRow> rows;
    for (const auto& line : database_->Column(
             "SELECT c.issued_at || ',' || COALESCE(i.store_id, '') || ',' ||"
             " COALESCE(c.redeemed_at, -1) || ',' || COALESCE(r.store_id, '') FROM coupons c"
             " LEFT JOIN purchases i ON i.seq = c.issued_by_purchase"
             " LEFT JOIN purchases r ON r.id = c.redeemed_by_purchase")) {
      const auto part = Split(line);
      CouponRow row{std::stoll(part[0]), part[1], std::nullopt, part[3]};
      if (part[2] != "-1") row.redeemed_at = std::stoll(part[2]);
      rows.push_back(std::move(row));
    }
    return rows;
  }

  // The dashboard as counted from the rows, the way it was before migration 0016.
  Dashboard FromRows(const DashboardQuery& query) const {
    Dashboard dashboard;
    dashboard.per_day.resize(static_cast<std::size_t>(query.days));
    const std::int64_t from = ToUnixSeconds(query.from);
    const std::int64_t to = from + query.days * kDay;
    const auto in_scope = [&](const std::string& store) {
      return query.stores.empty() ||
             std::find(query.stores.begin(), query.stores.end(), store) != query.stores.end();
    };
    const auto day_of = [&](std::int64_t at) -> DashboardFigures* {
      if (at < from || at >= to) return nullptr;
      return &dashboard.per_day[static_cast<std::size_t>((at - from) / kDay)];
    };
    std::vector<std::set<std::int64_t>> customers(dashboard.per_day.size());
    std::set<std::int64_t> run_customers;
    for (const auto& row : Purchases()) {
      DashboardFigures* day = day_of(row.at);
      if (day == nullptr || !in_scope(row.store)) continue;
      ++day->purchases;
      day->sales_minor += row.total;
      if (row.card) day->card_sales_minor += row.total;
      if (row.customer >= 0) {
        customers[static_cast<std::size_t>(day - dashboard.per_day.data())].insert(row.customer);
        run_customers.insert(row.customer);
      }
    }
    for (std::size_t i = 0; i < customers.size(); ++i) {
      dashboard.per_day[i].active_customers = static_cast<std::int64_t>(customers[i].size());
    }
    for (const auto& row : Coupons()) {
      DashboardFigures* issued = day_of(row.issued_at);
      if (issued != nullptr && (query.stores.empty() || in_scope(row.issuer_store))) {
        ++issued->coupons_issued;
      }
      DashboardFigures* redeemed = row.redeemed_at ? day_of(*row.redeemed_at) : nullptr;
      if (redeemed != nullptr && (query.stores.empty() || in_scope(row.redeemer_store))) {
        ++redeemed->coupons_redeemed;
      }
    }
    dashboard.AddUpDays();
    dashboard.total.active_customers = static_cast<std::int64_t>(run_customers.size());
    return dashboard;
  }

  // dashboard_hours as counted from the rows: "hour,store,purchases,sales,card sales,
  // issued,redeemed,purchases with a customer" in key order.
  std::vector<std::string> HoursFromRows() const {
    std::map<std::pair<std::int64_t, std::string>, std::array<std::int64_t, 6>> hours;
    for (const auto& row : Purchases()) {
      auto& figures = hours[{row.at - row.at % 3600, row.store}];
      figures[0] += 1;
      figures[1] += row.total;
      if (row.card) figures[2] += row.total;
      if (row.customer >= 0) figures[5] += 1;
    }
    for (const auto& row : Coupons()) {
      hours[{row.issued_at - row.issued_at % 3600, row.issuer_store}][3] += 1;
      if (row.redeemed_at) {
        hours[{*row.redeemed_at - *row.redeemed_at % 3600, row.redeemer_store}][4] += 1;
      }
    }
    std::vector<std::string> lines;
    for (const auto& [key, figures] : hours) {
      std::string line = std::to_string(key.first) + "," + key.second;
      for (const auto figure : figures) line += "," + std::to_string(figure);
      lines.push_back(std::move(line));
    }
    return lines;
  }

  std::vector<std::string> StoredHours() const {
    return database_->Column(
        "SELECT hour || ',' || store_id || ',' || purchases || ',' || sales_minor || ',' ||"
        " card_sales_minor || ',' || coupons_issued || ',' || coupons_redeemed || ',' ||"
        " customer_purchases FROM dashboard_hours"
        // A deleted purchase leaves its hour's row, at nought.
        " WHERE purchases <> 0 OR coupons_issued <> 0 OR coupons_redeemed <> 0"
        " ORDER BY hour, store_id");
  }

  // Every answer of the dashboard equals the rows', and so do the stored hours and each
  // purchase's previous one.
  void ExpectAnswersAsTheRows();

  testing::TempDir dir_;
  std::unique_ptr<testing::TestDatabase> database_;
  TopCategoryPlanner planner_;
  crypto::SigningKey key_ = crypto::SigningKey::Generate();
  std::unique_ptr<Store> store_;
};

INSTANTIATE_TEST_SUITE_P(Engines, DashboardHoursTest,
                         ::testing::Values(testing::Engine::kSqlite, testing::Engine::kPostgres),
                         [](const auto& engine) { return testing::EngineName(engine.param); });

void ExpectSameFigures(const DashboardFigures& got, const DashboardFigures& want,
                       const std::string& where) {
  EXPECT_EQ(got.purchases, want.purchases) << where;
  EXPECT_EQ(got.sales_minor, want.sales_minor) << where;
  EXPECT_EQ(got.card_sales_minor, want.card_sales_minor) << where;
  EXPECT_EQ(got.active_customers, want.active_customers) << where;
  EXPECT_EQ(got.coupons_issued, want.coupons_issued) << where;
  EXPECT_EQ(got.coupons_redeemed, want.coupons_redeemed) << where;
}

void DashboardHoursTest::ExpectAnswersAsTheRows() {
  EXPECT_EQ(StoredHours(), HoursFromRows());
  EXPECT_EQ(StoredPrevious(), PreviousFromRows());
  const std::vector<std::vector<std::string>> scopes = {
      {}, {"S002"}, {"S001", "S003"}, {"S404"}};
  // East of UTC in minutes: whole hours, India, Nepal, Newfoundland, the Marquesas.
  for (const std::int64_t offset_minutes : {0, 60, -300, 330, 345, -150, -570}) {
    // 7 days from the 20th; 3 from the 21st; the 22nd; the 25th, the last day, after
    // which nothing was sold in the time zones west of UTC (the chain's customers counted
    // from their last visits).
    for (const auto& [first_day, days] :
         {std::pair(0, 7), std::pair(1, 3), std::pair(2, 1), std::pair(5, 1)}) {
      const std::int64_t from = kStart + first_day * kDay - offset_minutes * 60;
      for (const auto& stores : scopes) {
        const DashboardQuery query = QueryOf(stores, from, days);
        const Dashboard got = store_->LoadDashboard(query);
        const Dashboard want = FromRows(query);
        std::string where = "offset " + std::to_string(offset_minutes) + " min, day " +
                            std::to_string(first_day) + ", " + std::to_string(days) +
                            " days, stores";
        for (const auto& id : stores) where += " " + id;
        ASSERT_EQ(got.per_day.size(), want.per_day.size()) << where;
        for (std::size_t i = 0; i < want.per_day.size(); ++i) {
          ExpectSameFigures(got.per_day[i], want.per_day[i], where + ", day " + std::to_string(i));
        }
        ExpectSameFigures(got.total, want.total, where + ", total");
      }
    }
  }
}

TEST_P(DashboardHoursTest, AnswersAsTheRowsInEveryScopeAndTimeZone) {
  ASSERT_NO_FATAL_FAILURE(StoreRandomHistory());
  ASSERT_GT(database_->Int("SELECT COUNT(*) FROM coupons WHERE redeemed_at IS NOT NULL"), 5);
  ASSERT_GT(database_->Int("SELECT COUNT(*) FROM coupons WHERE issued_by_purchase IS NULL"), 5);
  ASSERT_GT(database_->Int("SELECT COUNT(*) FROM coupon_conflicts"), 0);
  ASSERT_GT(database_->Int("SELECT COUNT(*) FROM returns"), 0);
  // Customers who came back within a day, some on the same day, some not: what the
  // chain's count of each day's customers turns on.
  ASSERT_GT(database_->Int("SELECT COUNT(*) FROM purchases"
                           " WHERE previous_purchase_at > occurred_at - 86400"),
            10);
  ASSERT_NO_FATAL_FAILURE(ExpectAnswersAsTheRows());

  // Purchases deleted (none of them issued, redeemed or returned anything): the next
  // purchase of each customer takes the one before as its previous.
  std::string deleted;
  std::size_t count = 0;
  for (const auto& seq : database_->Column(
           "SELECT seq FROM purchases p WHERE customer_id IS NOT NULL"
           " AND NOT EXISTS (SELECT 1 FROM coupons c WHERE c.issued_by_purchase = p.seq"
           "   OR c.redeemed_by_purchase = p.id)"
           " AND NOT EXISTS (SELECT 1 FROM coupon_redemptions r WHERE r.purchase_id = p.id)"
           " AND NOT EXISTS (SELECT 1 FROM coupon_conflicts k WHERE k.second_purchase_id = p.id)"
           " AND NOT EXISTS (SELECT 1 FROM returns r WHERE r.original_purchase_seq = p.seq)"
           " ORDER BY seq")) {
    if (count++ % 5 == 0) deleted += (deleted.empty() ? "" : ",") + seq;
  }
  ASSERT_GT(count, 20u);
  database_->Exec("DELETE FROM purchase_lines WHERE purchase_seq IN (" + deleted +
                  "); DELETE FROM purchases WHERE seq IN (" + deleted + ")");
  ASSERT_NO_FATAL_FAILURE(ExpectAnswersAsTheRows());
}

// A database from before migrations 0016 and 0020, with its purchases and coupons: the
// migrations make the totals and the previous purchases the rows give.
TEST_P(DashboardHoursTest, MigrationsBackfillWhatTheStoredRowsGive) {
  ASSERT_NO_FATAL_FAILURE(StoreRandomHistory());
  const auto want = HoursFromRows();
  ASSERT_GT(want.size(), 100u);
  const auto previous = PreviousFromRows();
  store_.reset();
  if (GetParam() == testing::Engine::kSqlite) {
    database_->Exec(
        "DROP TRIGGER dashboard_hours_purchase_insert; DROP TRIGGER "
        "dashboard_hours_purchase_delete;"
        " DROP TRIGGER dashboard_hours_purchase_update; DROP TRIGGER dashboard_hours_coupon_insert;"
        " DROP TRIGGER dashboard_hours_coupon_delete; DROP TRIGGER dashboard_hours_coupon_update;"
        " DROP VIEW dashboard_hour_changes; DROP TABLE dashboard_hours;"
        " DROP TRIGGER purchases_previous_insert; DROP TRIGGER purchases_previous_delete;"
        " DROP TRIGGER purchases_previous_update; DROP VIEW purchase_order_changes;"
        " DROP INDEX purchases_repeat_visits; ALTER TABLE purchases DROP COLUMN"
        " previous_purchase_at; DELETE FROM schema_migrations WHERE version IN (16, 20)");
  } else {
    database_->Exec(
        "DROP FUNCTION dashboard_hours_purchases_changed, dashboard_hours_purchase_updated,"
        " dashboard_hours_coupons_changed, dashboard_hours_coupon_updated,"
        " purchases_previous_inserting, purchases_previous_statement,"
        " purchases_previous_moved CASCADE;"
        " DROP FUNCTION dashboard_hours_add, purchases_previous_fix, purchase_previous_at,"
        " purchase_next_seq; DROP TABLE dashboard_hours;"
        " ALTER TABLE purchases DROP COLUMN previous_purchase_at;"
        " DELETE FROM schema_migrations WHERE version IN (16, 20)");
  }
  Open();
  EXPECT_EQ(StoredHours(), want);
  EXPECT_EQ(StoredPrevious(), previous);
  ASSERT_NO_FATAL_FAILURE(ExpectAnswersAsTheRows());
}

// Two servers on one PostgreSQL database store one customer's purchases at the same time:
// the second waits for the first to commit and takes it as its previous purchase, so the
// day counts the customer once.
TEST(DashboardHoursPostgres, ConcurrentPurchasesOfOneCustomerSeeEachOther) {
  testing::TempDir dir;
  testing::TestDatabase database(testing::Engine::kPostgres, dir);
  TopCategoryPlanner planner;
  const crypto::SigningKey key = crypto::SigningKey::Generate();
  ASSERT_NE(OpenStore(ParseStoreUrl(database.url(), "url").value(), planner, key), nullptr);
  postgres::Connection first(database.url());
  postgres::Connection second(database.url());
  const std::int64_t customer =
      first.Run("INSERT INTO customers(created_at) VALUES (0) RETURNING id").Int(0, 0);
  const auto insert = [&](postgres::Connection& db, const char* id, std::int64_t at) {
    db.Run("INSERT INTO purchases(id, customer_id, store_id, terminal_id, occurred_at,"
           " received_at, currency, subtotal_minor, discount_minor, total_minor, body_sha256)"
           " VALUES ($1::text, $2::bigint, 'S001', 'S001-T01', $3::bigint, $3::bigint, 'USD',"
           " 100, 0, 100, 'x')",
           postgres::Params().Add(std::string(id)).Add(customer).Add(at));
  };
  first.Exec("BEGIN");
  insert(first, "p1", 1'764'583'200);
  auto later = std::async(std::launch::async, [&] { insert(second, "p2", 1'764'583'500); });
  // The second insert waits on the customer's row, whatever the scheduling.
  EXPECT_EQ(later.wait_for(std::chrono::milliseconds(300)), std::future_status::timeout);
  first.Exec("COMMIT");
  later.get();
  EXPECT_EQ(database.Text("SELECT previous_purchase_at FROM purchases WHERE id = 'p2'"),
            "1764583200");
}

}  // namespace
}  // namespace loyalty::server

