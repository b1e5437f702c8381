// What the chain relies on when things break: sales made while the server is down are
// journaled and uploaded exactly once when it returns; a server killed with SIGKILL in
// the middle of uploads keeps every purchase it acknowledged, exactly once, and the
// retried unacknowledged ones end up stored exactly once too.
#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include "integration/server_harness.h"
#include "loyalty/domain/purchase.h"

namespace loyalty {
namespace {

using namespace std::chrono_literals;
using testing::ChildProcess;
using testing::IsEvent;
using testing::ServerHarness;
using testing::TempDir;

TEST(Durability, SalesMadeWhileTheServerIsDownUploadOnceWhenItReturns) {
  TempDir dir;
  ServerHarness server(dir);
  ASSERT_FALSE(server.Start().empty());
  const auto credential = server.EnrollTerminal(dir.File("credential.json"));
  ChildProcess terminal({LOYALTY_TERMINAL_PATH, "--server", server.url(), "--server-ca",
                         server.CaFile(), "--coupon-key", server.CouponKeyFile(), "--credential",
                         dir.File("credential.json"), "--journal", dir.File("journal.db"),
                         "--timeout-ms", "500"},
                        dir.File("terminal.log"));
  ASSERT_TRUE(terminal.ReadUntil([](const auto& l) { return IsEvent(l, "ready"); }, 10s));
  const std::string address = server.Address();
  ASSERT_EQ(server.Stop(), 0);

  std::set<std::string> sale_ids;
  for (int sale = 0; sale < 3; ++sale) {
    terminal.WriteLine(R"({"cmd":"card","number":"2000000000015"})");
    const auto card = terminal.ReadUntil([](const auto& l) { return IsEvent(l, "card"); }, 10s);
    ASSERT_TRUE(card);
    EXPECT_FALSE(nlohmann::json::parse(*card)["online"].get<bool>());  // sells on offline
    terminal.WriteLine(R"({"cmd":"scan","sku":"822629","quantity":1})");
    terminal.WriteLine(R"({"cmd":"finish"})");
    const auto finished =
        terminal.ReadUntil([](const auto& l) { return IsEvent(l, "sale_finished"); }, 10s);
    ASSERT_TRUE(finished);
    sale_ids.insert(nlohmann::json::parse(*finished)["sale_id"].get<std::string>());
  }
  terminal.WriteLine(R"({"cmd":"status"})");
  const auto status = terminal.ReadUntil([](const auto& l) { return IsEvent(l, "status"); }, 10s);
  ASSERT_TRUE(status);
  EXPECT_EQ(nlohmann::json::parse(*status)["backlog"], 3);

  // Back at the same address: the forwarder's backoff finds it and catches up.
  ASSERT_FALSE(server.Start(address).empty());
  std::set<std::string> uploaded;
  while (uploaded.size() < sale_ids.size()) {
    const auto line =
        terminal.ReadUntil([](const auto& l) { return IsEvent(l, "uploaded"); }, 60s);
    ASSERT_TRUE(line) << "uploads did not resume";
    uploaded.insert(nlohmann::json::parse(*line)["sale_id"].get<std::string>());
  }
  EXPECT_EQ(uploaded, sale_ids);
  EXPECT_EQ(server.Count("SELECT COUNT(*) FROM purchases"), 3);
  EXPECT_EQ(server.Count("SELECT visits FROM customers"), 3);
  terminal.WriteLine(R"({"cmd":"quit"})");
  EXPECT_EQ(terminal.Wait(10s), 0);
}

// Terminals that upload in a loop, retrying each purchase until it is acknowledged,
// like the forwarder does. Records which purchases the server acknowledged.
class Uploaders {
 public:
  Uploaders(ServerHarness& server, nlohmann::json credential)
      : server_(server), credential_(std::move(credential)) {}

  void Run(std::size_t threads, std::size_t purchases_each) {
    for (std::size_t t = 0; t < threads; ++t) {
      workers_.emplace_back([this, t, purchases_each] { Upload(t, purchases_each); });
    }
  }
  void Join() {
    for (auto& worker : workers_) worker.join();
  }
  std::set<std::string> acknowledged() {
    std::lock_guard lock(mutex_);
    return acknowledged_;
  }
  std::size_t failures() const { return failures_; }

 private:
  void Upload(std::size_t worker, std::size_t count) {
    std::mt19937 random(static_cast<unsigned>(worker + 1));
    const auto deadline = std::chrono::steady_clock::now() + 120s;
    for (std::size_t i = 0; i < count && std::chrono::steady_clock::now() < deadline; ++i) {
      domain::Purchase purchase;
      purchase.store_id = "S001";
      purchase.terminal_id = credential_["terminal_id"];
      // A few customers, so many purchases touch the same profile rows.
      purchase.card = *CardNumber::FromBody("2000000000" + std::to_string(10 + random() % 8));
      purchase.occurred_at = Now();
      purchase.lines = {{"822629", 1, 419, 419}, {"32553", 2, 179, 358}};
      purchase.total_minor = 777;
      const std::string body = domain::PurchaseToJson(purchase).dump();
      // Retry the same body (same UUID) until acknowledged: the server must store it once.
      while (std::chrono::steady_clock::now() < deadline) {
        auto client = server_.Client(credential_, 2s);
        auto response = client.Post("/v1/purchases", body);
        if (response.ok() && (response->status == 201 || response->status == 200)) {
          std::lock_guard lock(mutex_);
          acknowledged_.insert(purchase.id.str());
          break;
        }
        ++failures_;
        std::this_thread::sleep_for(20ms);
      }
    }
  }

  ServerHarness& server_;
  nlohmann::json credential_;
  std::mutex mutex_;
  std::set<std::string> acknowledged_;
  std::atomic<std::size_t> failures_{0};
  std::vector<std::thread> workers_;
};

TEST(Durability, SigkillDuringUploadsLosesNoAcknowledgedPurchaseAndStoresNoneTwice) {
  TempDir dir;
  ServerHarness server(dir);
  ASSERT_FALSE(server.Start().empty());
  const auto credential = server.EnrollTerminal(dir.File("credential.json"));
  const std::string address = server.Address();

  constexpr std::size_t kThreads = 4;
  constexpr std::size_t kPurchasesEach = 150;
  Uploaders uploaders(server, credential);
  uploaders.Run(kThreads, kPurchasesEach);
  std::mt19937 random(42);
  for (int kill = 0; kill < 5; ++kill) {
    std::this_thread::sleep_for(std::chrono::milliseconds(150 + random() % 400));
    server.Kill();
    const std::int64_t acknowledged_so_far = static_cast<std::int64_t>(uploaders.acknowledged().size());
    // Every purchase acknowledged before the kill survived it.
    EXPECT_GE(server.Count("SELECT COUNT(*) FROM purchases"), acknowledged_so_far);
    ASSERT_FALSE(server.Start(address).empty());
  }
  uploaders.Join();

  const auto acknowledged = uploaders.acknowledged();
  EXPECT_EQ(acknowledged.size(), kThreads * kPurchasesEach);
  EXPECT_GT(uploaders.failures(), 0u) << "the kills should have interrupted some uploads";
  // Exactly once: one row per acknowledged purchase, none extra, and every purchase whole.
  EXPECT_EQ(server.Count("SELECT COUNT(*) FROM purchases"),
            static_cast<std::int64_t>(acknowledged.size()));
  EXPECT_EQ(server.Count("SELECT COUNT(*) FROM purchase_lines"),
            2 * static_cast<std::int64_t>(acknowledged.size()));
  // The profile was updated in the same transaction as each purchase: its counts agree.
  EXPECT_EQ(server.Count("SELECT SUM(visits) FROM customers"),
            static_cast<std::int64_t>(acknowledged.size()));
  EXPECT_EQ(server.Count("SELECT SUM(items) FROM customer_category_stats"),
            3 * static_cast<std::int64_t>(acknowledged.size()));
  EXPECT_EQ(server.Count("SELECT COUNT(*) FROM purchases p WHERE NOT EXISTS"
                         " (SELECT 1 FROM purchase_lines l WHERE l.purchase_seq = p.seq)"),
            0);
  EXPECT_EQ(server.Stop(), 0);
}

}  // namespace
}  // namespace loyalty

namespace loyalty {
namespace {

TEST(Durability, SigtermDrainsAnswersEveryRequestInFlightAndExitsZero) {
  testing::TempDir dir;
  ServerHarness server(dir);
  ASSERT_FALSE(server.Start().empty());
  const auto credential = server.EnrollTerminal(dir.File("credential.json"));

  // Terminals uploading on keep-alive connections; each counts the answers it got.
  std::atomic<bool> stop{false};
  std::atomic<std::int64_t> answered{0};
  std::vector<std::thread> terminals;
  for (int t = 0; t < 4; ++t) {
    terminals.emplace_back([&, t] {
      auto client = server.Client(credential, 5s);
      for (int i = 0; i < 2000 && !stop; ++i) {
        domain::Purchase purchase;
        purchase.store_id = "S001";
        purchase.terminal_id = credential["terminal_id"];
        purchase.card = *CardNumber::FromBody("20000000001" + std::to_string(t));
        purchase.occurred_at = Now();
        purchase.lines = {{"822629", 1, 419, 419}};
        purchase.total_minor = 419;
        auto response = client.Post("/v1/purchases", domain::PurchaseToJson(purchase).dump());
        if (response.ok() && response->status == 201) {
          ++answered;
        } else if (!response.ok()) {
          // The server is going away: refused new connections are expected; stop here.
          break;
        }
      }
    });
  }
  std::this_thread::sleep_for(700ms);
  const auto before = answered.load();
  EXPECT_GT(before, 0);
  EXPECT_EQ(server.Stop(), 0);  // SIGTERM: drain, then exit 0
  stop = true;
  for (auto& terminal : terminals) terminal.join();
  // Every purchase the server stored was answered: nothing in flight was cut off after
  // its commit. (A purchase sent after the drain began is refused or answered, never
  // stored silently.)
  EXPECT_EQ(server.Count("SELECT COUNT(*) FROM purchases"), answered.load());
  EXPECT_NE(server.ReadLog().find("draining"), std::string::npos);
}

}  // namespace
}  // namespace loyalty
