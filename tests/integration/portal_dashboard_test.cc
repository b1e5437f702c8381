// The portal's dashboard through the real server on loopback with TLS: an admin, a store
// manager of S001 and one of S002, a till in S001 and three sales. The API is checked
// role by role; then portal_browser.mjs drives Debian's chromium headless through
// playwright-core (login refused, login, the figures and charts, logout). Screenshots
// land in LOYALTY_PORTAL_ARTIFACTS/<engine>/dashboard/. A missing node, chromium or playwright-core
// fails the browser test: it never skips.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "integration/portal_browser.h"
#include "integration/server_harness.h"
#include "loyalty/domain/purchase.h"

namespace loyalty {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using testing::ServerHarness;
using testing::TempDir;

constexpr char kPassword[] = "a long portal password";

std::string Dollars(std::int64_t cents) {
  return "$" + std::to_string(cents / 100) + "." + std::to_string(100 + cents % 100).substr(1);
}

class PortalDashboard : public testing::SharedServerSuite<PortalDashboard> {
  friend testing::SharedServerSuite<PortalDashboard>;

 protected:
  // The stores, accounts, till and sales every test reads; what went wrong, or "". Each
  // test fails with it in SetUp (a failure here alone would only mark the tests skipped).
  static std::string Prepare() {
    if (server_->RunToEnd(server_->AdminCommand(
            {"store", "add", "--id", "S002", "--name", "Second store"})) != 0) {
      return "store add S002 failed";
    }
    ::setenv("LOYALTY_ADMIN_PASSWORD", kPassword, 1);
    for (const std::vector<std::string>& account :
         {std::vector<std::string>{"--email", "ada@example.com", "--name", "Ada Admin"},
          {"--email", "sam@example.com", "--name", "Sam", "--role", "store_manager", "--stores",
           "S001"},
          {"--email", "tom@example.com", "--name", "Tom", "--role", "store_manager", "--stores",
           "S002"}}) {
      std::vector<std::string> args = {"admin", "create"};
      args.insert(args.end(), account.begin(), account.end());
      if (server_->RunToEnd(server_->AdminCommand(args)) != 0) return "admin create " + account[1];
    }
    ::unsetenv("LOYALTY_ADMIN_PASSWORD");
    if (server_->Start().empty()) return "the server did not start";
    const auto credential = server_->EnrollTerminal(dir_->File("credential.json"));
    if (!credential.contains("credential")) return "the till did not enroll";

    // Three sales in S001 now: two shoppers with cards and one without.
    const std::vector<std::pair<std::optional<const char*>, std::vector<domain::PurchaseLine>>>
        sales = {{"200000000001", {{"822629", 1, 419, 419}}},
                 {"200000000002", {{"32553", 2, 179, 358}}},
                 {std::nullopt, {{"822629", 1, 419, 419}, {"32553", 1, 179, 179}}}};
    for (const auto& [card, lines] : sales) {
      domain::Purchase purchase;
      purchase.store_id = "S001";
      purchase.terminal_id = credential["terminal_id"];
      if (card) purchase.card = *CardNumber::FromBody(*card);
      purchase.occurred_at = Now();
      purchase.lines = lines;
      purchase.total_minor = purchase.SubtotalMinor();
      auto answer = server_->Client(credential).Post("/v1/purchases",
                                                     domain::PurchaseToJson(purchase).dump());
      if (!answer.ok()) return answer.error().ToString();
      if (answer->status != 201u) return "purchase refused: " + answer->body;
      sales_minor_ += purchase.total_minor;
      if (card) card_sales_minor_ += purchase.total_minor;
    }
    return "";
  }
  static net::HttpsClient Client(std::vector<std::pair<std::string, std::string>> headers = {}) {
    return net::HttpsClient(
        {*net::ParseHttpsUrl(server_->url()), server_->CaFile(), 10s, std::move(headers)});
  }

  // The session cookie of `email`, logged in with the shared password.
  static std::string LogIn(const std::string& email) {
    auto login = Client().Post("/portal/api/session",
                               json{{"email", email}, {"password", kPassword}}.dump());
    EXPECT_TRUE(login.ok() && login->status == 200u) << email;
    if (!login.ok()) return "";
    const std::string cookie = login->Header("Set-Cookie").value_or("");
    return cookie.substr(0, cookie.find(';'));
  }

  // GET `target` as `email`: the status and the parsed body.
  static std::pair<unsigned, json> Dashboard(const std::string& email, const std::string& target) {
    auto answer = Client({{"Cookie", LogIn(email)}}).Get(target);
    if (!answer.ok()) return {0, answer.error().ToString()};
    return {answer->status, json::parse(answer->body, nullptr, false)};
  }

  inline static std::int64_t sales_minor_ = 0;
  inline static std::int64_t card_sales_minor_ = 0;
};

TEST_F(PortalDashboard, AdminSeesTheChainAndAManagerOnlyTheirStores) {
  const auto [status, chain] = Dashboard("ada@example.com", "/portal/api/dashboard?days=7");
  ASSERT_EQ(status, 200u) << chain.dump();
  EXPECT_EQ(chain["days"], 7);
  EXPECT_EQ(chain["stores"], json::array());
  EXPECT_EQ(chain["currency"], "USD");
  EXPECT_EQ(chain["total"]["purchases"], 3);
  EXPECT_EQ(chain["total"]["sales"], sales_minor_);
  EXPECT_EQ(chain["total"]["card_sales"], card_sales_minor_);
  EXPECT_EQ(chain["total"]["active_customers"], 2);
  EXPECT_EQ(chain["total"]["coupons_issued"], server_->Count("SELECT COUNT(*) FROM coupons"));
  ASSERT_EQ(chain["per_day"].size(), 7u);
  // Today is the last day, in UTC with no offset given.
  EXPECT_EQ(chain["per_day"][6]["purchases"], 3);
  EXPECT_EQ(chain["per_day"][6]["date"], FormatUtc(Now()).substr(0, 10));

  const auto [sam_status, sam] = Dashboard("sam@example.com", "/portal/api/dashboard?days=1");
  ASSERT_EQ(sam_status, 200u) << sam.dump();
  EXPECT_EQ(sam["stores"], json::array({"S001"}));
  EXPECT_EQ(sam["total"]["purchases"], 3);
  const auto [tom_status, tom] = Dashboard("tom@example.com", "/portal/api/dashboard?days=30");
  ASSERT_EQ(tom_status, 200u) << tom.dump();
  EXPECT_EQ(tom["stores"], json::array({"S002"}));
  EXPECT_EQ(tom["total"]["purchases"], 0) << "S001's sales are not Tom's";
  EXPECT_EQ(tom["per_day"].size(), 30u);

  const auto [one_status, one] =
      Dashboard("ada@example.com", "/portal/api/dashboard?days=30&store=S002");
  EXPECT_EQ(one_status, 200u);
  EXPECT_EQ(one["total"]["purchases"], 0);
}

TEST_F(PortalDashboard, RefusesAnotherStoreAStrangerAndBadParameters) {
  EXPECT_EQ(Dashboard("tom@example.com", "/portal/api/dashboard?store=S001").first, 403u);
  EXPECT_EQ(Client().Get("/portal/api/dashboard")->status, 401u);
  for (const auto& [query, field] : std::vector<std::pair<std::string, std::string>>{
           {"days=5", "days"},
           {"days=", "days"},
           {"days=7&utc_offset_minutes=900", "utc_offset_minutes"},
           {"utc_offset_minutes=-841", "utc_offset_minutes"},
           {"utc_offset_minutes=1.5", "utc_offset_minutes"}}) {
    const auto [status, body] = Dashboard("ada@example.com", "/portal/api/dashboard?" + query);
    EXPECT_EQ(status, 400u) << query;
    EXPECT_EQ(body["error"]["field"], field) << query;
  }
  // East of UTC by up to 14 hours, the run still ends with the viewer's today.
  const auto [status, east] =
      Dashboard("ada@example.com", "/portal/api/dashboard?days=1&utc_offset_minutes=-600");
  EXPECT_EQ(status, 200u);
  EXPECT_EQ(east["utc_offset_minutes"], -600);
  EXPECT_EQ(east["total"]["purchases"], 3);
}

TEST_F(PortalDashboard, InChromiumLogsInSeesTheFiguresAndChartsAndLogsOut) {
  testing::BrowserRun run;
  ASSERT_NO_FATAL_FAILURE(testing::RunPortalBrowser(
      "portal_browser.mjs", "dashboard", *server_, *dir_,
      {"--email", "ada@example.com", "--password", kPassword, "--name", "Ada Admin", "--sales",
       Dollars(sales_minor_), "--purchases", "3", "--active", "2"},
      run));
  testing::ExpectBrowserRunPassed(run, {"1-wrong-password.png", "2-dashboard-7-days.png",
                                        "3-dashboard-today.png", "4-audit-log.png",
                                        "4-server-unreachable.png",
                                        "5-logged-out.png", "6-login-throttled.png"});
}

}  // namespace
}  // namespace loyalty
