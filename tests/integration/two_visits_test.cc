// One shopper's two visits through the three real programs on loopback: the reader
// simulator presents the card, the terminal sells and uploads, the server stores the
// purchase and answers with a coupon that the second visit redeems. And the server's
// idempotency: a replayed purchase is stored once.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <thread>

#include "integration/server_harness.h"
#include "loyalty/domain/purchase.h"
#include "loyalty/net/https_client.h"

namespace loyalty {
namespace {

using namespace std::chrono_literals;
using testing::ChildProcess;
using testing::IsEvent;
using testing::RunToEnd;
using testing::TempDir;

constexpr char kCard[] = "2000000000015";
constexpr char kCoffee[] = "822629";  // COFFEE, 4.19 in the demo catalog
constexpr char kMilk[] = "32553";     // FLUID MILK PRODUCTS, 1.79

class TwoVisits : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<testing::ServerHarness>(dir_);
    url_ = server_->Start();
    ASSERT_FALSE(url_.empty());
    server_dir_ = server_->data_dir();
    credential_ = server_->EnrollTerminal(dir_.File("credential.json"));
    ASSERT_EQ(credential_["terminal_id"], "S001-T01");
  }

  net::HttpsClient Client() { return server_->Client(credential_); }

  domain::Purchase MakePurchase() {
    domain::Purchase purchase;
    purchase.store_id = "S001";
    purchase.terminal_id = "S001-T01";
    purchase.card = *CardNumber::Parse(kCard);
    purchase.occurred_at = Now();
    purchase.lines = {{kCoffee, 2, 419, 838}, {kMilk, 1, 179, 179}};
    purchase.total_minor = 1017;
    return purchase;
  }

  void StartReaderAndTerminal() {
    const std::string link = dir_.File("reader.tty");
    // The chain's NFC master key: the simulator derives card keys from it, the terminal
    // checks answers with it.
    std::ofstream(dir_.File("nfc-master.key")) << "000102030405060708090a0b0c0d0e0f\n";
    sim_ = std::make_unique<ChildProcess>(
        std::vector<std::string>{LOYALTY_READER_SIM_PATH, "--link", link, "--control",
                                 dir_.File("reader.sock"), "--no-stdin", "--nfc-master-key",
                                 dir_.File("nfc-master.key")},
        dir_.File("sim.log"));
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    while (!std::filesystem::exists(dir_.File("reader.sock")) &&
           std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(10ms);
    }
    terminal_ = std::make_unique<ChildProcess>(
        std::vector<std::string>{LOYALTY_TERMINAL_PATH, "--server", url_, "--server-ca",
                                 server_dir_ + "/tls/server.crt", "--coupon-key",
                                 server_dir_ + "/coupon-signing.pem.pub", "--reader", link,
                                 "--credential", dir_.File("credential.json"),
                                 "--nfc-master-key", dir_.File("nfc-master.key"),
                                 "--journal", dir_.File("journal.db"), "--cashier", "C042"},
        dir_.File("terminal.log"));
    ASSERT_FALSE(Expect("ready").is_null()) << terminal_->Stderr();
    ASSERT_FALSE(Expect("reader", 5s, [](const nlohmann::json& e) {
                   return e["state"] == "idle";
                 }).is_null())
        << terminal_->Stderr();
  }

  // The next terminal event called `name` (and satisfying `also`), or null.
  nlohmann::json Expect(const std::string& name, std::chrono::milliseconds timeout = 10s,
                        const std::function<bool(const nlohmann::json&)>& also = nullptr) {
    auto line = terminal_->ReadUntil(
        [&](const std::string& text) {
          if (!IsEvent(text, name)) return false;
          return !also || also(nlohmann::json::parse(text));
        },
        timeout);
    return line ? nlohmann::json::parse(*line) : nlohmann::json();
  }

  void Scan(const std::string& sku, int quantity) {
    terminal_->WriteLine(nlohmann::json{{"cmd", "scan"}, {"sku", sku}, {"quantity", quantity}}.dump());
    ASSERT_FALSE(Expect("line_added").is_null()) << terminal_->Stderr();
  }

  void PresentCard() { Present({"barcode", kCard}); }

  void Present(const std::vector<std::string>& what) {
    std::vector<std::string> command = {LOYALTY_READER_SIM_PATH, "ctl", "--control",
                                        dir_.File("reader.sock"), "present"};
    command.insert(command.end(), what.begin(), what.end());
    ASSERT_EQ(RunToEnd(command, dir_.File("ctl.log")), 0);
  }

  nlohmann::json Finish() {
    terminal_->WriteLine(R"({"cmd":"finish"})");
    return Expect("sale_finished");
  }

  TempDir dir_;
  std::string server_dir_;
  std::string url_;
  nlohmann::json credential_;
  std::unique_ptr<testing::ServerHarness> server_;
  std::unique_ptr<ChildProcess> sim_;
  std::unique_ptr<ChildProcess> terminal_;
};

TEST_F(TwoVisits, CouponIssuedAtFirstVisitIsAppliedAtSecond) {
  StartReaderAndTerminal();

  // Visit 1: coffee is what this shopper spends most on.
  Scan(kCoffee, 2);
  Scan(kMilk, 1);
  PresentCard();
  const auto card = Expect("card");
  ASSERT_FALSE(card.is_null()) << terminal_->Stderr();
  EXPECT_EQ(card["card"], "*********0015");
  EXPECT_TRUE(card["online"].get<bool>());
  const auto first = Finish();
  ASSERT_FALSE(first.is_null()) << terminal_->Stderr();
  ASSERT_EQ(first["next_visit_coupons"].size(), 1u) << first.dump();
  const std::string coupon_id = first["next_visit_coupons"][0]["id"];
  EXPECT_EQ(first["next_visit_coupons"][0]["title"], "10% off COFFEE");
  EXPECT_EQ(first["total"], 2 * 419 + 179);
  EXPECT_NE(first["receipt"].get<std::string>().find("YOUR COUPONS FOR NEXT VISIT"),
            std::string::npos);
  EXPECT_NE(first["receipt"].get<std::string>().find("\nCashier C042\n"), std::string::npos)
      << first["receipt"];

  // Another cashier takes over the till between the visits; not in the middle of a sale.
  Scan(kMilk, 1);
  terminal_->WriteLine(R"({"cmd":"cashier","cashier_id":"C007"})");
  EXPECT_EQ(Expect("error")["field"], "cashier_id");
  terminal_->WriteLine(R"({"cmd":"cancel"})");
  ASSERT_FALSE(Expect("cancelled").is_null());
  terminal_->WriteLine(R"({"cmd":"cashier","cashier_id":"C\u0007"})");
  EXPECT_EQ(Expect("error")["field"], "cashier_id");
  terminal_->WriteLine(R"({"cmd":"cashier","cashier_id":"C007"})");
  EXPECT_EQ(Expect("status")["cashier_id"], "C007");

  // Visit 2: the card read brings the coupon, and it applies to the coffee.
  PresentCard();
  const auto second_card = Expect("card");
  ASSERT_EQ(second_card["coupons"].size(), 1u) << second_card.dump();
  EXPECT_EQ(second_card["coupons"][0]["id"], coupon_id);
  Scan(kCoffee, 1);
  const auto coupons = Expect("coupons", 10s, [](const nlohmann::json& e) {
    return !e["applied"].empty();
  });
  ASSERT_FALSE(coupons.is_null());
  EXPECT_EQ(coupons["applied"][0]["id"], coupon_id);
  EXPECT_EQ(coupons["applied"][0]["discount"], 42);  // 10% of 4.19, rounded half up
  const auto second = Finish();
  ASSERT_FALSE(second.is_null()) << terminal_->Stderr();
  EXPECT_EQ(second["coupons_redeemed"], 1);
  EXPECT_EQ(second["total"], 419 - 42);
  // The receipt waited for the server's answer; the upload is reported right after it.
  EXPECT_FALSE(Expect("uploaded", 10s, [&](const nlohmann::json& e) {
                 return e["sale_id"] == second["sale_id"];
               }).is_null());

  // The server recorded the redemption against the second sale, and both purchases.
  EXPECT_EQ(
      server_->Text("SELECT redeemed_by_purchase FROM coupons WHERE id = '" + coupon_id + "'"),
      second["sale_id"].get<std::string>());
  EXPECT_EQ(server_->Count("SELECT COUNT(*) FROM purchases"), 2);
  EXPECT_EQ(server_->Count("SELECT SUM(total_minor) FROM purchases"), 2 * 419 + 179 + 419 - 42);
  // Each sale carries the cashier signed on when it finished.
  EXPECT_EQ(server_->Column("SELECT cashier_id FROM purchases ORDER BY seq"),
            (std::vector<std::string>{"C042", "C007"}));

  terminal_->WriteLine(R"({"cmd":"quit"})");
  EXPECT_EQ(terminal_->Wait(10s), 0);
  EXPECT_EQ(server_->Stop(), 0);
}

TEST_F(TwoVisits, EveryCardTechnologyReachesTheTillAndPaymentCardsNever) {
  StartReaderAndTerminal();
  // Magnetic stripe loyalty card, track 2.
  Present({"magstripe", ";2000000000015=28121010000?"});
  auto card = Expect("card");
  ASSERT_FALSE(card.is_null()) << terminal_->Stderr();
  EXPECT_EQ(card["source"], "magstripe");
  EXPECT_EQ(card["card"], "*********0015");

  // A payment card swiped by mistake: refused, and nothing past first 6 / last 4 leaves.
  const std::string pan = "4111111111111111";
  Present({"magstripe", "%B" + pan + "^DOE/JANE^2812101000000000000?;" + pan + "=2812101?"});
  const auto refused = Expect("error");
  ASSERT_FALSE(refused.is_null());
  const std::string message = refused["message"];
  EXPECT_EQ(message.find(pan), std::string::npos) << message;
  EXPECT_EQ(message.find("JANE"), std::string::npos) << message;
  EXPECT_NE(message.find("411111"), std::string::npos) << message;
  EXPECT_EQ(terminal_->Stderr().find(pan), std::string::npos);
  EXPECT_EQ(server_->ReadLog().find(pan), std::string::npos);

  // NFC: a genuine card answers the challenge; a clone with the number but not the key
  // is refused.
  Present({"nfc", "04A1B2C3D4E5F6:2000000000022"});
  const auto nfc = Expect("card");
  ASSERT_FALSE(nfc.is_null()) << terminal_->Stderr();
  EXPECT_EQ(nfc["source"], "nfc");
  EXPECT_TRUE(nfc["nfc_authenticated"].get<bool>());
  Present({"nfc", "04FFFFFFFFFFFF:2000000000022",
           "key=00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"});
  const auto clone = Expect("error");
  ASSERT_FALSE(clone.is_null());
  EXPECT_EQ(clone["field"], "card");

  // A coupon from an old receipt's QR code, for the shopper whose card is read.
  Present({"barcode", kCard});
  ASSERT_FALSE(Expect("card").is_null());
  Scan(kCoffee, 1);
  const auto first = Finish();
  ASSERT_EQ(first["next_visit_coupons"].size(), 1u);
  const std::string token = first["next_visit_coupons"][0]["token"];
  Present({"barcode", kCard});
  ASSERT_FALSE(Expect("card").is_null());
  Scan(kCoffee, 1);
  Present({"barcode", token});
  const auto applied = Expect("coupons", 10s, [](const nlohmann::json& e) {
    return !e["applied"].empty();
  });
  ASSERT_FALSE(applied.is_null()) << terminal_->Stderr();
  EXPECT_EQ(applied["applied"][0]["id"], first["next_visit_coupons"][0]["id"]);
  ASSERT_EQ(Finish()["coupons_redeemed"], 1);

  // The same receipt again, once spent: its signature is still good, but the server no
  // longer lists it, so the till refuses it.
  Present({"barcode", kCard});
  ASSERT_FALSE(Expect("card").is_null());
  Present({"barcode", token});
  const auto spent = Expect("error");
  ASSERT_FALSE(spent.is_null());
  EXPECT_EQ(spent["field"], "coupon");
  EXPECT_NE(spent["message"].get<std::string>().find("used already"), std::string::npos);
}

TEST_F(TwoVisits, ReplayedPurchaseIsStoredOnce) {
  auto client = Client();
  domain::Purchase purchase = MakePurchase();
  const std::string body = domain::PurchaseToJson(purchase).dump();

  auto first = client.Post("/v1/purchases", body);
  ASSERT_TRUE(first.ok()) << first.error().ToString();
  EXPECT_EQ(first->status, 201u) << first->body;
  auto replay = client.Post("/v1/purchases", body);
  ASSERT_TRUE(replay.ok());
  EXPECT_EQ(replay->status, 200u);
  EXPECT_EQ(replay->body, first->body);  // the same answer, the same coupons

  // The same UUID with another body is refused, not silently merged.
  purchase.lines.pop_back();
  purchase.total_minor = 838;
  auto reused = client.Post("/v1/purchases", domain::PurchaseToJson(purchase).dump());
  ASSERT_TRUE(reused.ok());
  EXPECT_EQ(reused->status, 409u);
  EXPECT_EQ(nlohmann::json::parse(reused->body)["error"]["field"], "id");

  for (const auto& [table, expected] : {std::pair{"purchases", 1}, std::pair{"purchase_lines", 2},
                                        std::pair{"coupons", 1}, std::pair{"customers", 1}}) {
    EXPECT_EQ(server_->Count(std::string("SELECT COUNT(*) FROM ") + table), expected) << table;
  }
}

TEST_F(TwoVisits, BadPurchaseGetsAClearErrorAndStoresNothing) {
  auto client = Client();
  domain::Purchase purchase = MakePurchase();
  auto json = domain::PurchaseToJson(purchase);
  json["lines"][0]["quantity"] = -2;
  auto response = client.Post("/v1/purchases", json.dump());
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(response->status, 400u);
  const auto error = nlohmann::json::parse(response->body)["error"];
  EXPECT_EQ(error["code"], "invalid_argument");
  EXPECT_EQ(error["field"], "lines[0].quantity");

  EXPECT_EQ(server_->Count("SELECT COUNT(*) FROM purchases"), 0);
}

TEST_F(TwoVisits, TerminalsMustAuthenticateAndStayInTheirStore) {
  const std::string body = domain::PurchaseToJson(MakePurchase()).dump();
  auto endpoint = net::ParseHttpsUrl(url_);
  net::HttpsClient anonymous({*endpoint, server_dir_ + "/tls/server.crt", 5s, {}});
  auto refused = anonymous.Post("/v1/purchases", body);
  ASSERT_TRUE(refused.ok());
  EXPECT_EQ(refused->status, 401u);
  net::HttpsClient forged({*endpoint, server_dir_ + "/tls/server.crt", 5s,
                           {{"Authorization", "Bearer AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}}});
  EXPECT_EQ(forged.Get("/v1/catalog")->status, 401u);

  auto client = Client();
  domain::Purchase elsewhere = MakePurchase();
  elsewhere.store_id = "S002";
  auto other_store = client.Post("/v1/purchases", domain::PurchaseToJson(elsewhere).dump());
  ASSERT_TRUE(other_store.ok());
  EXPECT_EQ(other_store->status, 403u);
  EXPECT_EQ(nlohmann::json::parse(other_store->body)["error"]["field"], "store_id");

  EXPECT_EQ(client.Post("/v1/purchases", body)->status, 201u);
  ASSERT_EQ(
      server_->RunToEnd(server_->AdminCommand({"terminal", "revoke", "--terminal", "S001-T01"})),
      0);
  auto revoked = client.Post("/v1/purchases", body);
  ASSERT_TRUE(revoked.ok());
  EXPECT_EQ(revoked->status, 403u);
  EXPECT_NE(revoked->body.find("revoked"), std::string::npos);
}

}  // namespace
}  // namespace loyalty
