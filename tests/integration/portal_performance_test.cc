// The portal's performance page through the real server on loopback with TLS: two
// stores, a till in each, three cashiers (C1 and C2 in S001, C3 in S002) and a till
// sale without one. The API is checked figure by figure and role by role, the CSV of
// both tables to the byte; then portal_performance_browser.mjs drives Debian's chromium
// headless (the tables, the chart, the period switch, a manager who sees only their
// store). Screenshots land in LOYALTY_PORTAL_ARTIFACTS/<engine>/performance/.
#include <gtest/gtest.h>

#include <functional>
#include <nlohmann/json.hpp>
#include <tuple>

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
constexpr char kCoffee[] = "822629";  // 4.19 in the demo catalog
constexpr char kMilk[] = "32553";     // 1.79

class PortalPerformance : public testing::SharedServerSuite<PortalPerformance> {
  friend testing::SharedServerSuite<PortalPerformance>;

 protected:
  // One sale through the till's API; the coupons it earned, or what went wrong.
  static std::string Sell(const json& credential, std::optional<const char*> cashier,
                          std::optional<const char*> card, std::vector<domain::PurchaseLine> lines,
                          Timestamp at, std::vector<domain::Redemption> redemptions = {},
                          json* answer_body = nullptr) {
    domain::Purchase purchase;
    purchase.store_id = credential["store_id"];
    purchase.terminal_id = credential["terminal_id"];
    if (cashier) purchase.cashier_id = *cashier;
    if (card) purchase.card = *CardNumber::FromBody(*card);
    purchase.occurred_at = at;
    purchase.lines = std::move(lines);
    purchase.redemptions = std::move(redemptions);
    purchase.total_minor = purchase.SubtotalMinor() - purchase.DiscountMinor();
    auto answer =
        server_->Client(credential).Post("/v1/purchases", domain::PurchaseToJson(purchase).dump());
    if (!answer.ok()) return answer.error().ToString();
    if (answer->status != 201u) return "purchase refused: " + answer->body;
    if (answer_body != nullptr) *answer_body = json::parse(answer->body);
    return "";
  }

  // The stores, accounts, tills and sales every test reads; what went wrong, or "".
  static std::string Prepare() {
    if (server_->RunToEnd(
            server_->AdminCommand({"store", "add", "--id", "S002", "--name", "Harbour"})) != 0) {
      return "store add S002 failed";
    }
    for (const auto& [email, role, stores] :
         std::vector<std::tuple<std::string, std::string, std::string>>{
             {"ada@example.com", "admin", ""},
             {"sam@example.com", "store_manager", "S001"},
             {"tom@example.com", "store_manager", "S002"},
             {"ann@example.com", "analyst", ""}}) {
      if (server_->CreatePortalAccount(email, kPassword, role, stores) != 0) {
        return "admin create " + email;
      }
    }
    if (server_->Start().empty()) return "the server did not start";
    const auto s001 = server_->EnrollTerminal(dir_->File("s001.json"), "S001");
    const auto s002 = server_->EnrollTerminal(dir_->File("s002.json"), "S002");
    if (!s001.contains("credential") || !s002.contains("credential")) {
      return "a till did not enroll";
    }
    const Timestamp now = Now();
    // S001, today. C1: a coffee to Ada (card), two milks to a shopper without one. C2: two
    // coffees to Bob, then a coffee to Ada with the coupon her first visit earned.
    json first;
    std::string error = Sell(s001, "C1", "200000000001", {{kCoffee, 1, 419, 419}}, now, {}, &first);
    if (!error.empty()) return error;
    if (first["next_visit_coupons"].size() != 1) return "no coupon earned: " + first.dump();
    const auto coupon = *Uuid::Parse(first["next_visit_coupons"][0]["id"].get<std::string>());
    for (const auto& sale : std::vector<std::function<std::string()>>{
             [&] {
               return Sell(s001, "C1", std::nullopt, {{kMilk, 2, 179, 358}}, now);
             },
             [&] {
               return Sell(s001, "C2", "200000000002", {{kCoffee, 2, 419, 838}}, now);
             },
             [&] {
               return Sell(s001, "C2", "200000000001", {{kCoffee, 1, 419, 419}}, now,
                           {{coupon, 42, false}});
             },
             // S002: C3 sells a milk to Cy (card) and a coffee to a shopper without one
             // today, and a coffee three days ago (in the 7 and 30 days, not today).
             [&] {
               return Sell(s002, "C3", "200000000003", {{kMilk, 1, 179, 179}}, now);
             },
             [&] {
               return Sell(s002, "C3", std::nullopt, {{kCoffee, 1, 419, 419}}, now);
             },
             [&] {
               return Sell(s002, "C3", std::nullopt, {{kCoffee, 1, 419, 419}},
                           now - std::chrono::hours(72));
             },
             // A till from before sign-on: no cashier.
             [&] {
               return Sell(s002, std::nullopt, std::nullopt, {{kMilk, 1, 179, 179}}, now);
             },
         }) {
      error = sale();
      if (!error.empty()) return error;
    }
    return "";
  }
  // GET `target` as `email` (nobody when empty): the status and the body.
  static std::pair<unsigned, std::string> Get(const std::string& email, const std::string& target) {
    std::vector<std::pair<std::string, std::string>> headers;
    if (!email.empty())
      headers.emplace_back("Cookie", server_->PortalLogIn(email, kPassword).cookie);
    net::HttpsClient client(
        {*net::ParseHttpsUrl(server_->url()), server_->CaFile(), 10s, std::move(headers)});
    auto answer = client.Get(target);
    if (!answer.ok()) return {0, answer.error().ToString()};
    return {answer->status, answer->body};
  }
  static std::pair<unsigned, json> GetJson(const std::string& email, const std::string& target) {
    auto [status, body] = Get(email, target);
    return {status, json::parse(body, nullptr, false)};
  }
};

// The row's figures as {purchases, sales, mean_basket, card_purchases, card_sales,
// coupons_redeemed, discount}.
std::vector<std::int64_t> Figures(const json& row) {
  std::vector<std::int64_t> figures;
  for (const char* name : {"purchases", "sales", "mean_basket", "card_purchases", "card_sales",
                           "coupons_redeemed", "discount"}) {
    figures.push_back(row.at(name).get<std::int64_t>());
  }
  return figures;
}

using Row = std::vector<std::int64_t>;

TEST_F(PortalPerformance, RanksStoresAndTheirCashiersWithExactFigures) {
  const auto [status, week] = GetJson("ada@example.com", "/portal/api/performance?days=7");
  ASSERT_EQ(status, 200u) << week.dump();
  EXPECT_EQ(week["days"], 7);
  EXPECT_EQ(week["scope"], json::array());
  EXPECT_EQ(week["sort"], "sales");
  EXPECT_EQ(week["currency"], "USD");
  ASSERT_EQ(week["stores"].size(), 2u) << week.dump();
  const json& s001 = week["stores"][0];
  EXPECT_EQ(s001["rank"], 1);
  EXPECT_EQ(s001["store_id"], "S001");
  EXPECT_EQ(s001["name"], "Test store");
  // 4.19 + 3.58 + 8.38 + 3.77 = 19.92 over 4; 3 with a card, 16.34 of it.
  EXPECT_EQ(Figures(s001), (Row{4, 1992, 498, 3, 1634, 1, 42}));
  EXPECT_DOUBLE_EQ(s001["card_share"].get<double>(), 0.75);
  EXPECT_DOUBLE_EQ(s001["card_sales_share"].get<double>(), 1634.0 / 1992.0);
  EXPECT_EQ(s001["returns"], 0);
  const json& s002 = week["stores"][1];
  EXPECT_EQ(s002["rank"], 2);
  EXPECT_EQ(s002["store_id"], "S002");
  EXPECT_EQ(s002["name"], "Harbour");
  // 1.79 + 4.19 + 4.19 + 1.79 = 11.96 over 4 (2.99); one with a card.
  EXPECT_EQ(Figures(s002), (Row{4, 1196, 299, 1, 179, 0, 0}));

  // Cashiers by store, in the stores' order, ranked by sales within each.
  const json& cashiers = week["cashiers"];
  ASSERT_EQ(cashiers.size(), 4u) << cashiers.dump();
  EXPECT_EQ(cashiers[0]["store_id"], "S001");
  EXPECT_EQ(cashiers[0]["cashier_id"], "C2");
  EXPECT_EQ(cashiers[0]["rank"], 1);
  // 8.38 + 3.77 = 12.15 over 2: 6.075, rounded half away from zero to 6.08.
  EXPECT_EQ(Figures(cashiers[0]), (Row{2, 1215, 608, 2, 1215, 1, 42}));
  EXPECT_DOUBLE_EQ(cashiers[0]["card_share"].get<double>(), 1.0);
  EXPECT_EQ(cashiers[1]["cashier_id"], "C1");
  EXPECT_EQ(cashiers[1]["rank"], 2);
  EXPECT_EQ(Figures(cashiers[1]), (Row{2, 777, 389, 1, 419, 0, 0}));
  EXPECT_DOUBLE_EQ(cashiers[1]["card_share"].get<double>(), 0.5);
  EXPECT_EQ(cashiers[2]["store_id"], "S002");
  EXPECT_EQ(cashiers[2]["cashier_id"], "C3");
  EXPECT_EQ(Figures(cashiers[2]), (Row{3, 1017, 339, 1, 179, 0, 0}));
  EXPECT_EQ(cashiers[3]["cashier_id"], nullptr);
  EXPECT_EQ(cashiers[3]["rank"], 2);
  EXPECT_EQ(Figures(cashiers[3]), (Row{1, 179, 179, 0, 0, 0, 0}));

  // Today leaves out C3's coffee of three days ago.
  const auto [today_status, today] = GetJson("ada@example.com", "/portal/api/performance?days=1");
  ASSERT_EQ(today_status, 200u);
  EXPECT_EQ(Figures(today["stores"][1]), (Row{3, 777, 259, 1, 179, 0, 0}));
  EXPECT_EQ(Figures(today["cashiers"][2]), (Row{2, 598, 299, 1, 179, 0, 0}));

  // Ranked by card share: C2 (all) above C1 (half); in S002 C3 (a third) above none.
  const auto [share_status, by_share] =
      GetJson("ann@example.com", "/portal/api/performance?days=30&sort=card_share");
  ASSERT_EQ(share_status, 200u);
  EXPECT_EQ(by_share["sort"], "card_share");
  EXPECT_EQ(by_share["stores"][0]["store_id"], "S001");
  EXPECT_EQ(by_share["cashiers"][0]["cashier_id"], "C2");
  EXPECT_EQ(by_share["cashiers"][2]["cashier_id"], "C3");
  // By purchases, S002 (4, tied) ranks after S001 by id; C3 leads S002.
  const auto [count_status, by_count] =
      GetJson("ada@example.com", "/portal/api/performance?sort=purchases");
  ASSERT_EQ(count_status, 200u);
  EXPECT_EQ(by_count["stores"][0]["store_id"], "S001");
  EXPECT_EQ(by_count["stores"][1]["rank"], 2);
}

TEST_F(PortalPerformance, AManagerSeesOnlyTheirStore) {
  const auto [sam_status, sam] = GetJson("sam@example.com", "/portal/api/performance?days=30");
  ASSERT_EQ(sam_status, 200u) << sam.dump();
  EXPECT_EQ(sam["scope"], json::array({"S001"}));
  ASSERT_EQ(sam["stores"].size(), 1u);
  EXPECT_EQ(sam["stores"][0]["store_id"], "S001");
  ASSERT_EQ(sam["cashiers"].size(), 2u);
  for (const auto& cashier : sam["cashiers"]) EXPECT_EQ(cashier["store_id"], "S001");
  const auto [tom_status, tom] = GetJson("tom@example.com", "/portal/api/performance?days=30");
  ASSERT_EQ(tom_status, 200u);
  ASSERT_EQ(tom["stores"].size(), 1u);
  EXPECT_EQ(tom["stores"][0]["store_id"], "S002");
  EXPECT_EQ(Get("tom@example.com", "/portal/api/performance?store=S001").first, 403u);
  EXPECT_EQ(Get("tom@example.com", "/portal/api/performance?store=S001&format=csv").first, 403u);
  // An admin may narrow to one store.
  const auto [one_status, one] = GetJson("ada@example.com", "/portal/api/performance?store=S002");
  ASSERT_EQ(one_status, 200u);
  ASSERT_EQ(one["stores"].size(), 1u);
  EXPECT_EQ(one["cashiers"].size(), 2u);
}

TEST_F(PortalPerformance, RefusesAStrangerAndBadParameters) {
  EXPECT_EQ(Get("", "/portal/api/performance").first, 401u);
  for (const auto& [query, field] : std::vector<std::pair<std::string, std::string>>{
           {"days=5", "days"},
           {"utc_offset_minutes=900", "utc_offset_minutes"},
           {"sort=name", "sort"},
           {"format=csv&table=customers", "table"}}) {
    const auto [status, body] = GetJson("ada@example.com", "/portal/api/performance?" + query);
    EXPECT_EQ(status, 400u) << query;
    EXPECT_EQ(body["error"]["field"], field) << query;
  }
}

TEST_F(PortalPerformance, ExportsBothTablesAsCsv) {
  const auto [status, stores] = Get("ada@example.com", "/portal/api/performance?days=7&format=csv");
  ASSERT_EQ(status, 200u) << stores;
  EXPECT_EQ(stores,
            "rank,store_id,name,purchases,sales,mean_basket,card_purchases,card_share,card_sales,"
            "card_sales_share,coupons_redeemed,discount,returns,refunds,currency\r\n"
            "1,S001,Test store,4,19.92,4.98,3,0.7500,16.34,0.8203,1,0.42,0,0.00,USD\r\n"
            "2,S002,Harbour,4,11.96,2.99,1,0.2500,1.79,0.1497,0,0.00,0,0.00,USD\r\n");
  const auto [cashiers_status, cashiers] =
      Get("sam@example.com", "/portal/api/performance?days=7&format=csv&table=cashiers");
  ASSERT_EQ(cashiers_status, 200u) << cashiers;
  EXPECT_EQ(cashiers,
            "store_id,rank,cashier_id,purchases,sales,mean_basket,card_purchases,card_share,"
            "card_sales,card_sales_share,coupons_redeemed,discount,currency\r\n"
            "S001,1,C2,2,12.15,6.08,2,1.0000,12.15,1.0000,1,0.42,USD\r\n"
            "S001,2,C1,2,7.77,3.89,1,0.5000,4.19,0.5393,0,0.00,USD\r\n");
}

TEST_F(PortalPerformance, InChromiumShowsTheTablesTheChartAndAManagersOwnStore) {
  testing::BrowserRun run;
  ASSERT_NO_FATAL_FAILURE(testing::RunPortalBrowser(
      "portal_performance_browser.mjs", "performance", *server_, *dir_,
      {"--admin", "ada@example.com", "--manager", "sam@example.com", "--password", kPassword},
      run));
  testing::ExpectBrowserRunPassed(run, {"1-performance-7-days.png", "2-performance-today.png",
                                        "3-cashiers-of-harbour.png", "4-manager-own-store.png"});
}

}  // namespace
}  // namespace loyalty
