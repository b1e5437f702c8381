// The cashier screen driven the way a cashier drives it, through a real terminal:
// loyalty-terminal --ui screen runs in a tmux pane on a private tmux server, keys go in
// with send-keys and every step is checked on what capture-pane shows. The shopper's
// coupons come from two earlier visits through the headless mode, and the sale made on
// the screen must reach the server with its coupon redeemed.
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "integration/server_harness.h"

namespace loyalty {
namespace {

using namespace std::chrono_literals;
using testing::ChildProcess;
using testing::IsEvent;
using testing::TempDir;

constexpr char kCard[] = "2000000000015";
constexpr char kCoffee[] = "822629";  // Ground Flvr Reg Coffee, 4.19, COFFEE
constexpr char kMilk[] = "32553";     // Fluid Milk White Only, 1.79, FLUID MILK PRODUCTS
constexpr char kEggs[] = "28897";     // Eggs - X-Large, 1.09, EGGS
constexpr char kBread[] = "30049";    // Diet/Light Bread, 1.59

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// A tmux server of the test's own (its socket in the test's directory), killed with
// everything it runs when the test ends, passed or not.
class TmuxServer {
 public:
  explicit TmuxServer(const TempDir& dir) : dir_(dir), socket_(dir.File("tmux.sock")) {}
  ~TmuxServer() { Run({"kill-server"}); }
  TmuxServer(const TmuxServer&) = delete;
  TmuxServer& operator=(const TmuxServer&) = delete;

  // Runs a tmux command against this server; its stdout, or nullopt when it failed.
  std::optional<std::string> Run(std::vector<std::string> args) {
    args.insert(args.begin(), {LOYALTY_TMUX_PATH, "-S", socket_, "-f", "/dev/null"});
    ChildProcess tmux(std::move(args), dir_.File("tmux.log"));
    std::string out;
    while (auto line = tmux.ReadLine(10s)) out += *line + "\n";
    if (tmux.Wait(10s) != 0) return std::nullopt;
    return out;
  }

 private:
  const TempDir& dir_;
  std::string socket_;
};

class CashierScreen : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<testing::ServerHarness>(dir_);
    ASSERT_FALSE(server_->Start().empty());
    ASSERT_EQ(server_->EnrollTerminal(dir_.File("credential.json"))["terminal_id"], "S001-T01");
  }

  std::vector<std::string> TerminalArgs() const {
    return {LOYALTY_TERMINAL_PATH,
            "--server",
            server_->url(),
            "--server-ca",
            server_->CaFile(),
            "--coupon-key",
            server_->CouponKeyFile(),
            "--credential",
            dir_.File("credential.json"),
            "--journal",
            dir_.File("journal.db")};
  }

  // Earlier visits, sold headless: each sale's next-visit coupons as the events list
  // them; fewer sales than visits when one went wrong.
  std::vector<nlohmann::json> HeadlessVisits(
      const std::vector<std::vector<std::pair<std::string, int>>>& visits) {
    ChildProcess till(TerminalArgs(), dir_.File("headless.log"));
    const auto expect = [&](const std::string& name) {
      auto line = till.ReadUntil([&](const std::string& text) { return IsEvent(text, name); }, 10s);
      EXPECT_TRUE(line.has_value()) << "no " << name << " event\n" << till.Stderr();
      return line ? nlohmann::json::parse(*line) : nlohmann::json();
    };
    std::vector<nlohmann::json> coupons;
    if (expect("ready").is_null()) return coupons;
    for (const auto& visit : visits) {
      for (const auto& [sku, quantity] : visit) {
        till.WriteLine(
            nlohmann::json{{"cmd", "scan"}, {"code", sku}, {"quantity", quantity}}.dump());
        if (expect("line_added").is_null()) return coupons;
      }
      till.WriteLine(nlohmann::json{{"cmd", "card"}, {"number", kCard}}.dump());
      if (expect("card").is_null()) return coupons;
      till.WriteLine(R"({"cmd":"finish"})");
      const auto finished = expect("sale_finished");
      if (finished.is_null() || expect("uploaded").is_null()) return coupons;
      coupons.push_back(finished["next_visit_coupons"]);
    }
    till.WriteLine(R"({"cmd":"quit"})");
    EXPECT_EQ(till.Wait(10s), 0);
    return coupons;
  }

  void StartScreen() {
    std::string command = "env LC_ALL=C.UTF-8";
    for (const auto& arg : TerminalArgs()) command += " '" + arg + "'";
    // The shell stays to write down the till's exit code: tmux keeps none of it.
    command += " --ui screen 2>'" + dir_.File("screen.log") + "'; echo $? >'" +
               dir_.File("exit-code") + "'";
    ASSERT_TRUE(tmux_.Run({"new-session", "-d", "-s", "till", "-x", "100", "-y", "30", command}));
  }

  // The till's exit code once it has exited, or nullopt after 10 s.
  std::optional<int> ExitCode() {
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (std::chrono::steady_clock::now() < deadline) {
      const std::string text = ReadFile(dir_.File("exit-code"));
      if (!text.empty() && text.back() == '\n') return std::stoi(text);
      std::this_thread::sleep_for(50ms);
    }
    return std::nullopt;
  }

  std::string Capture() { return tmux_.Run({"capture-pane", "-p", "-t", "till"}).value_or(""); }

  // Polls the pane until every one of `texts` shows; false (with the pane and the
  // till's log in the failure) when they do not within 10 s.
  bool WaitFor(const std::vector<std::string>& texts) {
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    std::string screen;
    while (std::chrono::steady_clock::now() < deadline) {
      screen = Capture();
      bool all = true;
      for (const auto& text : texts) all = all && screen.find(text) != std::string::npos;
      if (all) return true;
      std::this_thread::sleep_for(50ms);
    }
    std::string wanted;
    for (const auto& text : texts) wanted += " [" + text + "]";
    ADD_FAILURE() << "the screen never showed" << wanted << ":\n"
                  << screen << "\n--- till log:\n"
                  << ReadFile(dir_.File("screen.log"));
    return false;
  }

  void Type(const std::string& text) {
    ASSERT_TRUE(tmux_.Run({"send-keys", "-t", "till", "-l", text}));
    ASSERT_TRUE(tmux_.Run({"send-keys", "-t", "till", "Enter"}));
  }
  void Key(const std::string& key) { ASSERT_TRUE(tmux_.Run({"send-keys", "-t", "till", key})); }

  TempDir dir_;
  std::unique_ptr<testing::ServerHarness> server_;
  TmuxServer tmux_{dir_};
};

TEST_F(CashierScreen, WholeSaleWithACardAndACoupon) {
  // Visit 1 earns 10% off COFFEE; visit 2, without coffee, keeps it and earns 10% off
  // milk.
  const auto earned = HeadlessVisits({{{kCoffee, 2}, {kMilk, 1}}, {{kMilk, 1}}});
  ASSERT_EQ(earned.size(), 2u);
  ASSERT_EQ(earned[0].size(), 1u);
  ASSERT_EQ(earned[0][0]["title"], "10% off COFFEE");
  ASSERT_EQ(earned[1].size(), 1u);
  ASSERT_EQ(earned[1][0]["title"], "10% off FLUID MILK PRODUCTS");
  const std::string coffee_coupon = earned[0][0]["id"];

  StartScreen();
  ASSERT_TRUE(WaitFor({"ONLINE", "reader closed", "Ready", "Scan>", "No card yet", "? help"}));

  Type(kCoffee);
  ASSERT_TRUE(WaitFor({"Ground Flvr Reg Coffee", "4.19", "Line 1:"}));
  Type(std::string("2*") + kEggs);
  ASSERT_TRUE(WaitFor({"Eggs - X-Large", "2.18", "6.37"}));
  Type(kBread);
  ASSERT_TRUE(WaitFor({"Diet/Light Bread", "7.96"}));
  Type("v:3");
  ASSERT_TRUE(WaitFor({"VOID", "Line 3 voided", "6.37"}));
  // A typo is refused with the reason, and the basket is unchanged.
  Type("3*");
  ASSERT_TRUE(WaitFor({"type a barcode or SKU to scan"}));

  Type(std::string("c:") + kCard);
  ASSERT_TRUE(WaitFor({"*********0015 (keyed)", "2 visits", "COUPONS APPLIED", "10% off COFFEE",
                       "-0.42", "NOT APPLIED", "10% off FLUID MILK PRODUCTS",
                       "no FLUID MILK PRODUCTS", "Segment", "5.95"}));

  // The till's window shrinks to the smallest size: the screen lays itself out again.
  ASSERT_TRUE(tmux_.Run({"resize-window", "-t", "till", "-x", "80", "-y", "24"}));
  ASSERT_TRUE(
      WaitFor({"F2/w weigh F3/c card", "10% off COFFEE", "no FLUID MILK PRODUCTS in", "5.95"}));

  Type("");  // an empty line does not finish: a scanner's extra CR LF must not split a sale
  ASSERT_TRUE(WaitFor({"nothing typed; F10 or f finishes the sale"}));
  Type("f");
  ASSERT_TRUE(WaitFor(
      {"RECEIPT: total 5.95, 1 coupon(s) redeemed", "Ground Flvr Reg Coffee", "10% off COFFEE"}));
  Key("q");  // closes the receipt
  ASSERT_TRUE(WaitFor({"Scan an item to start the sale", "uploaded"}));

  Key("C-q");
  ASSERT_TRUE(WaitFor({"Quit the till? (y/n)"}));
  Key("y");
  EXPECT_EQ(ExitCode(), 0) << Capture() << ReadFile(dir_.File("screen.log"));

  // The server has the sale, with the coffee coupon redeemed by it.
  EXPECT_EQ(server_->Count("SELECT p.total_minor FROM coupons c JOIN purchases p"
                           " ON p.id = c.redeemed_by_purchase WHERE c.id = '" +
                           coffee_coupon + "'"),
            419 + 2 * 109 - 42);
  EXPECT_EQ(server_->Count("SELECT COUNT(*) FROM purchases"), 3);
  EXPECT_EQ(server_->Count("SELECT COUNT(*) FROM coupons WHERE redeemed_by_purchase IS NOT NULL"),
            1);
}

}  // namespace
}  // namespace loyalty
