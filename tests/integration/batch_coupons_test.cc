// The nightly batch as the chain runs it: `loyalty-batch import` loads a history,
// `loyalty-server campaign add` a campaign, `loyalty-batch coupons` issues its coupons,
// and a real till redeems one. And the run's lock: two runs at once, with real
// processes, one of them stopped (SIGSTOP) while it holds the lock.
#include <signal.h>

#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "integration/server_harness.h"
#include "integration/terminal_harness.h"
#include "integration/test_catalog.h"
#include "loyalty/core/card_number.h"
#include "loyalty/core/money.h"
#include "loyalty/core/time.h"

namespace loyalty {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using testing::ChildProcess;

// Products of tests/testdata/catalog.csv and their prices.
const std::vector<std::pair<std::string, std::int64_t>> kProducts = {
    {"28897", 109}, {"30049", 159}, {"32301", 149}, {"32553", 179}, {"33965", 275},
    {"34873", 175}, {"38085", 172}, {"42832", 299}, {"43871", 99},  {"45240", 59},
    {"67206", 249}, {"92490", 749}};

// A run to its end; the batch on a sanitizer build of a loaded machine can take minutes.
int RunLong(std::vector<std::string> args, const std::string& log) {
  ChildProcess child(std::move(args), log);
  return child.Wait(10min);
}

std::string Card(int customer) {
  return CardNumber::FromBody(std::to_string(200000000100 + customer)).value().digits();
}

class BatchCoupons : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<testing::ServerHarness>(dir_);
    today_ = FormatUtc(Now()).substr(0, 10);
    midnight_ = ParseIso8601(today_ + "T00:00:00Z").value();
  }

  // `customers` shoppers with weekly visits over the last `weeks` weeks before today:
  // two products every visit, a third every other visit. Imported as another POS's
  // history, each customer by their card.
  void ImportHistory(int customers, int weeks) {
    std::ofstream csv(dir_.File("history.csv"));
    csv << "card_number,basket_id,product_id,timestamp,quantity\n";
    for (int c = 0; c < customers; ++c) {
      for (int week = 1; week <= weeks; ++week) {
        const std::string when =
            FormatUtc(midnight_ - std::chrono::days(7 * week) + std::chrono::hours(8 + c % 8));
        std::vector<int> bought = {c % 12, (c + 5) % 12};
        if (week % 2 == 0) bought.push_back((c + 7) % 12);
        for (const int i : bought) {
          csv << Card(c) << ",b" << c << "-" << week << ","
              << kProducts[static_cast<std::size_t>(i)].first << "," << when << ",1\n";
        }
      }
    }
    csv.close();
    ASSERT_EQ(RunLong(Batch({"import", "--csv", dir_.File("history.csv"), "--store",
                                       "S001"}),
                                dir_.File("import.log")),
              0)
        << ReadFile(dir_.File("import.log"));
  }

  void AddCampaign(json campaign) {
    campaign.update(json{{"name", "Test campaign"},
                     {"starts_at", FormatUtc(midnight_ - std::chrono::days(1))},
                     {"ends_at", FormatUtc(midnight_ + std::chrono::days(30))},
                     {"target_segment", nullptr},
                     {"max_discount", 0},
                     {"min_spend", 0},
                     {"budget", 10'000'000},
                     {"budget_coupons", 0},
                     {"per_customer_cap", 1},
                     {"validity_days", 14},
                     {"control_basis_points", 1000},
                     {"paused", false}});
    std::ofstream(dir_.File("campaign.json")) << campaign.dump();
    ASSERT_EQ(server_->RunToEnd(
                  server_->AdminCommand({"campaign", "add", "--file", dir_.File("campaign.json")})),
              0);
  }

  // loyalty-batch with `args`, on the harness's data directory and database.
  std::vector<std::string> Batch(std::vector<std::string> args) const {
    args.insert(args.begin(), LOYALTY_BATCH_PATH);
    args.insert(args.end(), {"--data-dir", server_->data_dir(), "--storage-url",
                             server_->storage_url()});
    return args;
  }
  std::vector<std::string> Coupons(std::vector<std::string> extra = {}) const {
    std::vector<std::string> args{"coupons", "--date", today_, "--threads", "1"};
    args.insert(args.end(), extra.begin(), extra.end());
    return Batch(std::move(args));
  }

  static std::string ReadFile(const std::string& path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }

  testing::TempDir dir_;
  std::unique_ptr<testing::ServerHarness> server_;
  std::string today_;
  Timestamp midnight_;
};

TEST_F(BatchCoupons, AnAmountOffCampaignIsIssuedByTheBatchAndRedeemedAtTheTill) {
  ImportHistory(40, 4);
  // A category push: the nightly run issues it (a next_visit one is the purchases' to issue).
  AddCampaign({{"id", "amount-personal"},
               {"kind", "category_push"},
               {"targets", testing::ShopperCategoryTargets()},
               {"discount_type", "amount_off"},
               {"min_depth", 10},
               {"max_depth", 120}});
  ASSERT_EQ(RunLong(Coupons(), dir_.File("coupons.log")), 0)
      << ReadFile(dir_.File("coupons.log"));

  // Every coupon is an amount off within the campaign's limits, titled with it.
  const auto coupons = server_->Column(
      "SELECT id || ' ' || card_number || ' ' || target_value || ' ' || discount_value || ' ' ||"
      " discount_type || ' ' || buy_quantity || ' ' || get_quantity FROM coupons"
      " WHERE campaign = 'amount-personal' ORDER BY id");
  ASSERT_GE(coupons.size(), 3u) << ReadFile(dir_.File("coupons.log"));
  std::string id, card, sku, type;
  std::int64_t amount = 0, buy = -1, get = -1;
  for (const auto& row : coupons) {
    std::istringstream fields(row);
    ASSERT_TRUE(fields >> id >> card >> sku >> amount >> type >> buy >> get) << row;
    EXPECT_EQ(type, "amount_off") << row;
    EXPECT_GE(amount, 10) << row;
    EXPECT_LE(amount, 120) << row;
    EXPECT_EQ(buy, 0) << row;
    EXPECT_EQ(get, 0) << row;
  }
  EXPECT_EQ(server_->Count("SELECT COUNT(*) FROM campaign_offers WHERE control = 0 AND"
                           " depth_percent <> discount_minor"),
            0);
  const std::string title =
      server_->Text("SELECT title FROM coupons WHERE id = '" + id + "'");
  EXPECT_EQ(title.find(FormatMinor(amount, Currency::Usd()) + " off "), 0u) << title;

  // The shopper of the last coupon comes to a real till: the card read brings it, and it
  // takes its amount (at most the price) off the product.
  ASSERT_FALSE(server_->Start().empty());
  testing::TerminalHarness till(dir_, *server_, "till");
  ASSERT_FALSE(till.Start(server_->url()).is_null()) << till.Stderr();
  const auto card_read = till.KeyCard(card);
  ASSERT_FALSE(card_read.is_null()) << till.Stderr();
  ASSERT_EQ(card_read["coupons"].size(), 1u) << card_read.dump();
  EXPECT_EQ(card_read["coupons"][0]["id"], id);
  ASSERT_FALSE(till.Scan(sku).is_null()) << till.Stderr();
  const auto applied = till.Expect("coupons", 10s, [](const json& e) {
    return !e["applied"].empty();
  });
  ASSERT_FALSE(applied.is_null()) << till.Stderr();
  std::int64_t price = 0;
  for (const auto& [product, unit_price] : kProducts) {
    if (product == sku) price = unit_price;
  }
  EXPECT_EQ(applied["applied"][0]["id"], id);
  EXPECT_EQ(applied["applied"][0]["discount"], std::min(amount, price));
  const auto sale = till.Finish();
  ASSERT_FALSE(sale.is_null()) << till.Stderr();
  EXPECT_EQ(sale["coupons_redeemed"], 1);
  EXPECT_EQ(sale["total"], price - std::min(amount, price));
  ASSERT_FALSE(till.Expect("uploaded", 15s).is_null()) << till.Stderr();
  EXPECT_EQ(server_->Text("SELECT redeemed_by_purchase FROM coupons WHERE id = '" + id + "'"),
            sale["sale_id"].get<std::string>());
  EXPECT_EQ(till.Quit(), 0);
  EXPECT_EQ(server_->Stop(), 0);
}

TEST_F(BatchCoupons, ASecondRunRefusesOrWaitsAndAKilledRunsLockIsTakenOver) {
  // Big enough that the first run is still at work when it is stopped.
  ImportHistory(3000, 6);
  AddCampaign({{"id", "lock-test"},
               {"kind", "category_push"},
               // Every category the shoppers buy: issued by the nightly run.
               {"targets", testing::ShopperCategoryTargets()},
               {"discount_type", "percent_off"},
               {"min_depth", 5},
               {"max_depth", 30}});

  // The first run takes the lock with a lease of 30 s; it is stopped once it has read
  // the history, at a moment it writes nothing: a stop inside a write would hold SQLite's
  // one writer, or PostgreSQL's row locks, from every run after it. Stopped inside one,
  // it goes on a moment and is stopped again. Its lease then ends at most 30 s after the
  // stop.
  ChildProcess first(Coupons({"--lock-stale", "30"}), dir_.File("first.log"));
  const auto deadline = std::chrono::steady_clock::now() + 120s;
  while (ReadFile(dir_.File("first.log")).find("reading history: 100%") == std::string::npos) {
    ASSERT_LT(std::chrono::steady_clock::now(), deadline) << ReadFile(dir_.File("first.log"));
    std::this_thread::sleep_for(1ms);
  }
  // A signal is delivered in its own time: the state in /proc says when it was.
  const auto stopped = [&] {
    for (int i = 0; i < 1000; ++i) {
      const std::string stat = ReadFile("/proc/" + std::to_string(first.pid()) + "/stat");
      const auto state = stat.rfind(')');
      if (state != std::string::npos && stat.compare(state, 3, ") T") == 0) return true;
      std::this_thread::sleep_for(1ms);
    }
    return false;
  };
  for (int stops = 1;; ++stops) {
    ASSERT_EQ(::kill(first.pid(), SIGSTOP), 0);
    ASSERT_TRUE(stopped());
    // A statement the process sent just before it stopped still arrives: asked again a
    // moment later.
    if (!server_->WriteInProgress()) {
      std::this_thread::sleep_for(20ms);
      if (!server_->WriteInProgress()) break;
    }
    ASSERT_LT(stops, 1000) << "never stopped outside a write: "
                           << ReadFile(dir_.File("first.log"));
    ASSERT_EQ(::kill(first.pid(), SIGCONT), 0);
    std::this_thread::sleep_for(1ms);
  }
  const auto stopped_at = std::chrono::steady_clock::now();
  // It runs as it started itself again, asking glibc's malloc for huge pages.
  EXPECT_NE(ReadFile("/proc/" + std::to_string(first.pid()) + "/environ")
                .find(std::string("GLIBC_TUNABLES=glibc.malloc.hugetlb=1") + '\0'),
            std::string::npos);
  ASSERT_EQ(server_->Text("SELECT pid FROM batch_locks WHERE name = 'coupons'"),
            std::to_string(first.pid()))
      << "the first run finished before it could be stopped: " << ReadFile(dir_.File("first.log"));

  // A second run refuses at once, naming the first and its lease.
  ASSERT_EQ(testing::RunToEnd(Coupons(), dir_.File("second.log")), 1);
  const std::string second = ReadFile(dir_.File("second.log"));
  EXPECT_NE(second.find("another loyalty-batch coupons is running"), std::string::npos) << second;
  EXPECT_NE(second.find("pid " + std::to_string(first.pid())), std::string::npos) << second;
  EXPECT_NE(second.find("host "), std::string::npos) << second;
  EXPECT_NE(second.find("started " + today_.substr(0, 4)), std::string::npos) << second;
  EXPECT_NE(second.find("coupons --date " + today_), std::string::npos) << second;
  EXPECT_NE(second.find("lease of 30 s"), std::string::npos) << second;

  // One that waits a second refuses after it.
  const auto waited_from = std::chrono::steady_clock::now();
  ASSERT_EQ(testing::RunToEnd(Coupons({"--wait", "1"}), dir_.File("third.log")), 1);
  EXPECT_GE(std::chrono::steady_clock::now() - waited_from, 1s);
  EXPECT_NE(ReadFile(dir_.File("third.log")).find("Waited 1 s"), std::string::npos)
      << ReadFile(dir_.File("third.log"));

  // The first's heartbeat is now seconds old, but its lease is its own: a run given a
  // lease of one second does not take it over.
  std::this_thread::sleep_for(2s);
  ASSERT_EQ(testing::RunToEnd(Coupons({"--lock-stale", "1"}), dir_.File("hasty.log")), 1)
      << ReadFile(dir_.File("hasty.log"));
  EXPECT_NE(ReadFile(dir_.File("hasty.log")).find("another loyalty-batch coupons is running"),
            std::string::npos)
      << ReadFile(dir_.File("hasty.log"));
  ASSERT_LT(std::chrono::steady_clock::now() - stopped_at, 20s)
      << "too slow to tell a live lease from an ended one";

  // One that waits long enough takes the lock over once the stopped run's lease ends,
  // and does the date's work.
  ChildProcess patient(Coupons({"--wait", "300"}), dir_.File("patient.log"));
  const auto summary = patient.ReadLine(10min);
  EXPECT_EQ(patient.Wait(60s), 0) << patient.Stderr();
  ASSERT_TRUE(summary.has_value()) << patient.Stderr();
  EXPECT_FALSE(json::parse(*summary).contains("already_run")) << *summary;
  EXPECT_NE(patient.Stderr().find("waiting up to 300 s"), std::string::npos) << patient.Stderr();
  EXPECT_NE(patient.Stderr().find("taking over the coupons lock"), std::string::npos)
      << patient.Stderr();
  EXPECT_NE(patient.Stderr().find("pid " + std::to_string(first.pid())), std::string::npos)
      << patient.Stderr();
  EXPECT_GE(std::chrono::steady_clock::now() - stopped_at, 22s);  // 30 s less one heartbeat
  const std::int64_t issued =
      server_->Count("SELECT COUNT(*) FROM coupons WHERE campaign = 'lock-test'");
  EXPECT_GT(issued, 0);

  // The stopped run, resumed, finds its lock gone at its next write and stops: a write its
  // last check let through finds its offers and coupons stored by their keys.
  ASSERT_EQ(::kill(first.pid(), SIGCONT), 0);
  EXPECT_EQ(first.Wait(10min), 1) << first.Stderr();
  EXPECT_NE(first.Stderr().find("lost the coupons lock"), std::string::npos) << first.Stderr();
  EXPECT_EQ(server_->Count("SELECT COUNT(*) FROM coupons WHERE campaign = 'lock-test'"), issued);
  EXPECT_EQ(server_->Count("SELECT COUNT(*) FROM batch_locks"), 0);
}

}  // namespace
}  // namespace loyalty
