// A finished sale survives the till: SIGKILL during a sale, while sales are being
// finished, while the journal uploads, and while the server is down. Afterwards every
// sale the till reported finished is on the server exactly once, and nothing else is.
#include <gtest/gtest.h>

#include <set>

#include <nlohmann/json.hpp>

#include "integration/server_harness.h"
#include "integration/terminal_harness.h"
#include "loyalty/sqlite/sqlite.h"

namespace loyalty {
namespace {

using namespace std::chrono_literals;
using testing::ServerHarness;
using testing::TempDir;
using testing::TerminalHarness;

constexpr char kCoffee[] = "822629";
constexpr char kMilk[] = "32553";
constexpr char kCard[] = "2000000000015";

class TillDurability : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<ServerHarness>(dir_);
    url_ = server_->Start();
    ASSERT_FALSE(url_.empty());
    till_ = std::make_unique<TerminalHarness>(dir_, *server_, "till");
  }

  // Writes `count` whole sales without waiting, then collects sale_finished events until
  // `finished_before_kill` have come, and kills the till right there: the next sales are
  // somewhere between the command pipe, the basket and the journal's fsync.
  void SellAndKill(int count, int finished_before_kill) {
    for (int i = 0; i < count; ++i) {
      till_->Send({{"cmd", "scan"}, {"code", i % 2 ? kCoffee : kMilk}, {"quantity", 1 + i % 3}});
      if (i % 4 == 0) till_->Send({{"cmd", "card"}, {"number", kCard}});
      till_->Send({{"cmd", "finish"}});
    }
    for (int i = 0; i < finished_before_kill; ++i) {
      const auto sale = till_->Expect("sale_finished");
      ASSERT_FALSE(sale.is_null()) << till_->Stderr();
      finished_.insert(sale["sale_id"].get<std::string>());
    }
    till_->Kill();
  }

  // Restarts the till and waits until its journal holds nothing unsent.
  void DrainBacklog() {
    ASSERT_FALSE(till_->Start(url_).is_null()) << till_->Stderr();
    for (int attempt = 0; attempt < 200; ++attempt) {
      till_->Send({{"cmd", "status"}});
      const auto status = till_->Expect("status");
      ASSERT_FALSE(status.is_null());
      if (status["backlog"] == 0) return;
      std::this_thread::sleep_for(100ms);
    }
    FAIL() << "the journal did not drain in 20 s";
  }

  std::set<std::string> JournaledSales() {
    sqlite::Connection journal(till_->File("journal.db"), {.read_only = true});
    auto& query = journal.Prepared("SELECT id FROM sales");
    std::set<std::string> ids;
    while (query.Step()) ids.insert(query.Text(0));
    return ids;
  }

  std::multiset<std::string> ServerPurchases() {
    const auto ids = server_->Column("SELECT id FROM purchases");
    return std::multiset<std::string>(ids.begin(), ids.end());
  }

  // Every sale reported finished is journaled; every journaled sale is on the server
  // once; the server has nothing else; and the shopper's profile counted each card sale
  // once (a sale stored twice under two ids, or a replay counted again, would show here).
  void ExpectEverySaleOnTheServerOnce() {
    const auto journaled = JournaledSales();
    for (const auto& id : finished_) EXPECT_TRUE(journaled.contains(id)) << id << " was lost";
    const auto stored = ServerPurchases();
    for (const auto& id : journaled) EXPECT_EQ(stored.count(id), 1u) << id;
    EXPECT_EQ(stored.size(), journaled.size());

    sqlite::Connection journal(till_->File("journal.db"), {.read_only = true});
    auto& bodies = journal.Prepared("SELECT body FROM sales");
    std::int64_t card_sales = 0;
    std::int64_t card_spend = 0;
    while (bodies.Step()) {
      const auto body = nlohmann::json::parse(bodies.Text(0));
      if (body["card_number"].is_null()) continue;
      ++card_sales;
      card_spend += body["total"].get<std::int64_t>();
    }
    ASSERT_GT(card_sales, 0);
    EXPECT_EQ(server_->Count("SELECT visits FROM customers"), card_sales);
    EXPECT_EQ(server_->Count("SELECT total_spend_minor FROM customers"), card_spend);
    EXPECT_EQ(server_->Count("SELECT COUNT(*) FROM customers"), 1);
  }

  TempDir dir_;
  std::unique_ptr<ServerHarness> server_;
  std::string url_;
  std::unique_ptr<TerminalHarness> till_;
  std::set<std::string> finished_;
};

TEST_F(TillDurability, KilledMidBasketTheUnfinishedSaleLeavesNoTrace) {
  ASSERT_FALSE(till_->Start(url_).is_null()) << till_->Stderr();
  ASSERT_FALSE(till_->Scan(kCoffee, 2).is_null());
  till_->KeyCard(kCard);
  till_->Kill();
  DrainBacklog();
  EXPECT_TRUE(JournaledSales().empty());
  EXPECT_TRUE(ServerPurchases().empty());
}

TEST_F(TillDurability, KilledWhileFinishingSalesLosesNoneAndStoresNoneTwice) {
  for (int round = 0; round < 4; ++round) {
    ASSERT_FALSE(till_->Start(url_).is_null()) << till_->Stderr();
    SellAndKill(40, 5 + round * 9);
    if (HasFatalFailure()) return;
  }
  DrainBacklog();
  EXPECT_EQ(till_->Quit(), 0);
  EXPECT_GE(finished_.size(), 5u + 14 + 23 + 32);
  ExpectEverySaleOnTheServerOnce();
}

TEST_F(TillDurability, KilledWhileTheServerIsDownAndAgainWhileUploading) {
  // The till got its catalog while the server was up; it sells from that copy after.
  ASSERT_FALSE(till_->Start(url_).is_null()) << till_->Stderr();
  EXPECT_EQ(till_->Quit(), 0);
  ASSERT_EQ(server_->Stop(), 0);
  // Offline: sales go to the journal only; the till dies twice in the middle of them.
  for (int round = 0; round < 2; ++round) {
    ASSERT_FALSE(till_->Start(url_).is_null()) << till_->Stderr();
    SellAndKill(150, 120);
    if (HasFatalFailure()) return;
  }
  ASSERT_GE(JournaledSales().size(), 240u);
  EXPECT_TRUE(ServerPurchases().empty());

  // The server comes back; the till is killed as soon as the first batch is stored, and
  // once more later, so some sales are on the server but not yet marked in the journal.
  ASSERT_FALSE(server_->Start(server_->Address()).empty());
  for (int round = 0; round < 2; ++round) {
    ASSERT_FALSE(till_->Start(url_).is_null()) << till_->Stderr();
    ASSERT_FALSE(till_->Expect("uploaded", 20s).is_null()) << till_->Stderr();
    till_->Kill();
  }
  DrainBacklog();
  EXPECT_EQ(till_->Quit(), 0);
  ExpectEverySaleOnTheServerOnce();
}

}  // namespace
}  // namespace loyalty
