// The till on its own: selling through a server outage with coupons from old receipts,
// the till's ledger refusing a coupon it already took, two tills spending the same
// coupon while both offline and the server recording that as a conflict; and the
// checkout engine's features through the real program (barcodes, weighed goods, void,
// tax on the receipt).
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include <nlohmann/json.hpp>

#include "integration/server_harness.h"
#include "integration/terminal_harness.h"

namespace loyalty {
namespace {

using namespace std::chrono_literals;
using testing::ServerHarness;
using testing::TempDir;
using testing::TerminalHarness;

constexpr char kCard[] = "2000000000015";
constexpr char kCoffee[] = "822629";            // COFFEE, 4.19, 2.25% tax
constexpr char kCoffeeBarcode[] = "0000008226297";
constexpr char kMilkBarcode[] = "0000000325530";  // 1.79, 2.25% tax
constexpr char kBeef[] = "819308";               // sold by weight, 3.76 a kg

// The reason given for the coupon `id` in a coupons event, or "" if it applied.
std::string ReasonFor(const nlohmann::json& coupons, const std::string& id) {
  for (const auto& coupon : coupons["not_applied"]) {
    if (coupon["id"] == id) return coupon["reason"];
  }
  return "";
}

class OfflineTill : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<ServerHarness>(dir_);
    url_ = server_->Start();
    ASSERT_FALSE(url_.empty());
  }

  // A first visit online: two coffees earn a coupon for COFFEE; returns its token.
  std::pair<std::string, std::string> EarnCoffeeCoupon(TerminalHarness& till) {
    till.Scan(kCoffee, 2);
    till.KeyCard(kCard);
    const auto sale = till.Finish();
    EXPECT_EQ(sale["next_visit_coupons"].size(), 1u) << sale.dump();
    if (sale["next_visit_coupons"].empty()) return {};
    return {sale["next_visit_coupons"][0]["id"], sale["next_visit_coupons"][0]["token"]};
  }

  TempDir dir_;
  std::unique_ptr<ServerHarness> server_;
  std::string url_;
};

TEST_F(OfflineTill, SellsThroughAnOutageAndTheServerFlagsACouponSpentAtTwoTills) {
  TerminalHarness first(dir_, *server_, "t1");
  TerminalHarness second(dir_, *server_, "t2");
  // Till 1 has its cashier signed on; till 2 none, as a till from before sign-on.
  ASSERT_FALSE(first.Start(url_, {"--cashier", "C1"}).is_null()) << first.Stderr();
  const auto [coupon_id, token] = EarnCoffeeCoupon(first);
  ASSERT_FALSE(token.empty());
  ASSERT_FALSE(first.Expect("uploaded").is_null());
  ASSERT_FALSE(second.Start(url_).is_null()) << second.Stderr();

  ASSERT_EQ(server_->Stop(), 0);  // the network is gone

  // Till 1, offline: the card lookup fails fast, the receipt's QR coupon is trusted on
  // its signature and its card, and applies.
  first.Scan(kCoffee, 1);
  const auto card = first.KeyCard(kCard);
  EXPECT_FALSE(card["online"].get<bool>()) << card.dump();
  const auto& seen = first.process().lines_seen();
  EXPECT_TRUE(std::any_of(seen.begin(), seen.end(), [](const std::string& line) {
    return nlohmann::json::parse(line).value("event", "") == "connectivity" &&
           nlohmann::json::parse(line)["online"] == false;
  })) << "the till did not say it went offline";
  first.Send({{"cmd", "coupon"}, {"token", token}});
  const auto applied = first.Expect("coupons");
  ASSERT_EQ(applied["applied"].size(), 1u) << applied.dump();
  EXPECT_EQ(applied["applied"][0]["discount"], 42);
  const auto offline_sale = first.Finish();
  EXPECT_EQ(offline_sale["coupons_redeemed"], 1);
  EXPECT_EQ(offline_sale["total"], 419 - 42);

  // The same receipt at the same till again: its ledger refuses it, and says when.
  first.Scan(kCoffee, 1);
  first.KeyCard(kCard);
  first.Send({{"cmd", "coupon"}, {"token", token}});
  const auto refused = first.Expect("coupons");
  EXPECT_TRUE(refused["applied"].empty()) << refused.dump();
  EXPECT_EQ(ReasonFor(refused, coupon_id).rfind("already used on this till ", 0), 0u)
      << refused.dump();
  first.Send({{"cmd", "cancel"}});
  ASSERT_FALSE(first.Expect("cancelled").is_null());

  // Till 2, also offline, cannot know: it takes the coupon too.
  second.Scan(kCoffee, 1);
  second.KeyCard(kCard);
  second.Send({{"cmd", "coupon"}, {"token", token}});
  ASSERT_EQ(second.Expect("coupons")["applied"].size(), 1u);
  const auto double_spend = second.Finish();
  EXPECT_EQ(double_spend["coupons_redeemed"], 1);

  // The network is back: both tills see it and upload what they journaled.
  ASSERT_FALSE(server_->Start(server_->Address()).empty());
  ASSERT_FALSE(first.Expect("connectivity", 20s, [](const nlohmann::json& e) {
                 return e["online"] == true;
               }).is_null())
      << first.Stderr();
  ASSERT_FALSE(first.Expect("uploaded", 20s, [&](const nlohmann::json& e) {
                 return e["sale_id"] == offline_sale["sale_id"];
               }).is_null())
      << first.Stderr();
  ASSERT_FALSE(second.Expect("uploaded", 20s, [&](const nlohmann::json& e) {
                 return e["sale_id"] == double_spend["sale_id"];
               }).is_null())
      << second.Stderr();
  EXPECT_EQ(first.Quit(), 0);
  EXPECT_EQ(second.Quit(), 0);

  // Both sales are stored (the shoppers left with their goods); the coupon counts once;
  // the second redemption is a conflict naming both tills, for the portal.
  EXPECT_EQ(server_->Count("SELECT COUNT(*) FROM purchases"), 3);
  // The journal kept the offline sale's cashier; the till without one stored NULL.
  const auto cashier_of = [&](const nlohmann::json& sale) {
    return server_->Text("SELECT COALESCE(cashier_id, 'none') FROM purchases WHERE id = '" +
                         sale["sale_id"].get<std::string>() + "'");
  };
  EXPECT_EQ(cashier_of(offline_sale), "C1");
  EXPECT_EQ(cashier_of(double_spend), "none");
  EXPECT_EQ(server_->Count("SELECT COUNT(*) FROM coupons WHERE id = '" + coupon_id +
                           "' AND redeemed_by_purchase IS NOT NULL"),
            1);
  EXPECT_EQ(server_->Count("SELECT COUNT(*) FROM coupon_redemptions WHERE coupon_id = '" +
                           coupon_id + "' AND verified_offline = 1"),
            2);
  const auto conflicts = server_->Column(
      "SELECT first_terminal_id || ' ' || second_terminal_id || ' ' || discount_minor || ' ' ||"
      " verified_offline FROM coupon_conflicts WHERE coupon_id = '" + coupon_id + "'");
  ASSERT_EQ(conflicts.size(), 1u);
  std::istringstream conflict(conflicts[0]);
  std::string first_till, second_till, discount, offline;
  conflict >> first_till >> second_till >> discount >> offline;
  const std::set<std::string> tills = {first_till, second_till};
  EXPECT_EQ(tills, (std::set<std::string>{first.terminal_id(), second.terminal_id()}));
  EXPECT_EQ(discount, "42");
  EXPECT_EQ(offline, "1");

  // The portal lists it to this store's manager, and not to another store's.
  ASSERT_EQ(server_->RunToEnd(server_->AdminCommand({"store", "add", "--id", "S002", "--name",
                                                     "Other store"})),
            0);
  ::setenv("LOYALTY_ADMIN_PASSWORD", "a long portal password", 1);
  for (const auto& [email, store] : {std::pair{"mia@example.com", "S001"},
                                     std::pair{"ola@example.com", "S002"}}) {
    ASSERT_EQ(server_->RunToEnd(server_->AdminCommand({"admin", "create", "--email", email,
                                                       "--name", "Manager", "--role",
                                                       "store_manager", "--stores", store})),
              0);
  }
  ::unsetenv("LOYALTY_ADMIN_PASSWORD");
  const auto conflicts_seen_by = [&](const std::string& email) {
    net::HttpsClient login({*net::ParseHttpsUrl(server_->url()), server_->CaFile(), 10s, {}});
    auto session = login.Post(
        "/portal/api/session",
        nlohmann::json{{"email", email}, {"password", "a long portal password"}}.dump());
    const std::string cookie = session.ok() ? session->Header("Set-Cookie").value_or("") : "";
    net::HttpsClient portal({*net::ParseHttpsUrl(server_->url()), server_->CaFile(), 10s,
                             {{"Cookie", cookie.substr(0, cookie.find(';'))}}});
    auto answer = portal.Get("/portal/api/coupon-conflicts");
    return answer.ok() ? nlohmann::json::parse(answer->body).value("conflicts", nlohmann::json())
                       : nlohmann::json();
  };
  const auto own = conflicts_seen_by("mia@example.com");
  ASSERT_EQ(own.size(), 1u) << own.dump();
  EXPECT_EQ(own[0]["coupon_id"], coupon_id);
  EXPECT_EQ(own[0]["discount"], 42);
  EXPECT_EQ(conflicts_seen_by("ola@example.com"), nlohmann::json::array());
}

TEST_F(OfflineTill, ACouponFromAnotherCardOrWithABadSignatureIsRefusedOffline) {
  TerminalHarness till(dir_, *server_, "t1");
  ASSERT_FALSE(till.Start(url_).is_null()) << till.Stderr();
  const auto [coupon_id, token] = EarnCoffeeCoupon(till);
  ASSERT_FALSE(token.empty());
  ASSERT_EQ(server_->Stop(), 0);

  till.Scan(kCoffee, 1);
  till.KeyCard("2000000000022");  // another shopper's card
  till.Send({{"cmd", "coupon"}, {"token", token}});
  auto error = till.Expect("error");
  EXPECT_EQ(error["field"], "coupon");
  EXPECT_EQ(error["message"], "this coupon belongs to another shopper");

  std::string forged = token;
  forged[forged.size() / 3] = forged[forged.size() / 3] == 'A' ? 'B' : 'A';
  till.Send({{"cmd", "coupon"}, {"token", forged}});
  error = till.Expect("error");
  EXPECT_EQ(error["field"], "coupon") << error.dump();
  EXPECT_EQ(error["message"].get<std::string>().rfind("receipt coupon refused: ", 0), 0u)
      << error.dump();
}

TEST_F(OfflineTill, ScansBarcodesWeighsAndVoidsAndPrintsTheTax) {
  TerminalHarness till(dir_, *server_, "t1");
  ASSERT_FALSE(till.Start(url_, {"--printer", dir_.File("printer.bin"), "--store-name",
                                 "Test Market", "--store-address", "1 Main St; Springfield"})
                   .is_null())
      << till.Stderr();
  const auto coffee = till.Scan(kCoffeeBarcode, 1);
  EXPECT_EQ(coffee["sku"], kCoffee);
  till.Scan(kMilkBarcode, 2);
  till.Send({{"cmd", "scan"}, {"code", kBeef}, {"weight_grams", 1250}});
  const auto beef = till.Expect("line_added");
  EXPECT_EQ(beef["amount"], 470);  // 1.25 kg x 3.76 = 4.70
  EXPECT_EQ(beef["weight_grams"], 1250);

  // A weighed product cannot be counted, nor a counted one weighed.
  till.Send({{"cmd", "scan"}, {"code", kBeef}, {"quantity", 1}});
  EXPECT_EQ(till.Expect("error")["field"], "weight_grams");

  till.Send({{"cmd", "void"}, {"line", 2}});
  const auto voided = till.Expect("line_voided");
  EXPECT_EQ(voided["total"], 419 + 470);
  till.Send({{"cmd", "void"}, {"line", 2}});
  EXPECT_EQ(till.Expect("error")["message"], "line 2 is already void");

  const auto sale = till.Finish();
  EXPECT_EQ(sale["total"], 419 + 470);
  ASSERT_EQ(sale["taxes"].size(), 1u);
  EXPECT_EQ(sale["taxes"][0]["rate_bp"], 225);
  EXPECT_EQ(sale["taxes"][0]["tax"], 20);  // 8.89 x 2.25 / 102.25 = 0.1956
  const std::string receipt = sale["receipt"];
  EXPECT_NE(receipt.find("Test Market"), std::string::npos) << receipt;
  EXPECT_NE(receipt.find("1.250 kg"), std::string::npos) << receipt;
  ASSERT_FALSE(till.Expect("uploaded").is_null());
  EXPECT_EQ(till.Quit(), 0);

  // The server stored the weight, and the printer got ESC/POS bytes: init, then a cut.
  EXPECT_EQ(server_->Count("SELECT weight_grams FROM purchase_lines WHERE sku = '" +
                           std::string(kBeef) + "'"),
            1250);
  std::ifstream printed(dir_.File("printer.bin"), std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(printed)), {});
  ASSERT_GT(bytes.size(), 100u);
  EXPECT_EQ(bytes.substr(0, 2), "\x1b@");
  EXPECT_NE(bytes.find("\x1dV"), std::string::npos);
}

TEST_F(OfflineTill, CatalogChangesReachARunningTillAndTheLastCopyServesOffline) {
  TerminalHarness till(dir_, *server_, "t1");
  const auto ready = till.Start(url_, {"--catalog-sync-s", "1"});
  ASSERT_FALSE(ready.is_null()) << till.Stderr();
  EXPECT_EQ(ready["products"], 49);
  EXPECT_EQ(till.Scan(kCoffee)["amount"], 419);

  // Head office changes the coffee's price and adds a product while the till sells.
  std::ifstream source(testing::SourceDir() + "/tests/testdata/catalog.csv");
  std::string csv((std::istreambuf_iterator<char>(source)), {});
  const auto at = csv.find("\n822629,");
  ASSERT_NE(at, std::string::npos);
  const auto price = csv.find(",4.19,", at);
  csv.replace(price, 6, ",3.99,");
  csv += "990001,Cold Brew Coffee 32 OZ,GROCERY,COFFEE,COLD BREW,National,32 OZ,5.49,2.25,"
         "0000009900011,each,true\n";
  std::ofstream(dir_.File("catalog-v2.csv")) << csv;
  ASSERT_EQ(server_->RunToEnd(
                server_->AdminCommand({"catalog", "import", "--csv", dir_.File("catalog-v2.csv")})),
            0);
  const auto updated = till.Expect("catalog", 15s);
  ASSERT_FALSE(updated.is_null()) << till.Stderr();
  EXPECT_EQ(updated["products"], 50);
  // The sale in progress keeps the price it was rung up at; new scans get the new one.
  EXPECT_EQ(till.Scan(kCoffee)["amount"], 399);
  EXPECT_EQ(till.Scan("0000009900011")["amount"], 549);
  EXPECT_EQ(till.Quit(), 0);

  // With the server gone, a restarted till sells from the copy in its journal.
  ASSERT_EQ(server_->Stop(), 0);
  const auto offline = till.Start(url_);
  ASSERT_FALSE(offline.is_null()) << till.Stderr();
  EXPECT_FALSE(offline["online"].get<bool>());
  EXPECT_EQ(offline["products"], 50);
  EXPECT_EQ(till.Scan(kCoffee)["amount"], 399);
  const auto sale = till.Finish();
  EXPECT_EQ(sale["total"], 399);
}

}  // namespace
}  // namespace loyalty
