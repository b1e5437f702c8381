// Stores, terminals and acquisition sources through the real server over HTTPS: an admin
// enrolls a till with a code from the portal, the till (loyalty-terminal) enrolls with
// it and heartbeats, the admin revokes it (audited once, a second revoke harmless) and
// its credential is refused; a store manager acts on their own stores only, an analyst
// only reads; the acquisition report ranks the sources with their costs; every list
// answers CSV; bad input is answered 400 naming the field. Then
// portal_stores_browser.mjs does the same from the pages in Debian's chromium, with
// screenshots in LOYALTY_PORTAL_ARTIFACTS/<engine>/stores/.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
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

using Login = ServerHarness::PortalLogin;

// "YYYY-MM-DD" of `days` days before today (UTC).
std::string DaysAgo(int days) {
  return FormatUtc(Now() - std::chrono::hours(24 * days)).substr(0, 10);
}

class PortalStores : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<ServerHarness>(dir_);
    ASSERT_EQ(server_->RunToEnd(server_->AdminCommand(
                  {"store", "add", "--id", "S002", "--name", "Second store"})),
              0);
    ASSERT_EQ(server_->CreatePortalAccount("ada@example.com", kPassword, "admin", "", "Ada"), 0);
    ASSERT_EQ(
        server_->CreatePortalAccount("sam@example.com", kPassword, "store_manager", "S001", "Sam"),
        0);
    ASSERT_EQ(
        server_->CreatePortalAccount("tom@example.com", kPassword, "store_manager", "S002", "Tom"),
        0);
    ASSERT_EQ(server_->CreatePortalAccount("ann@example.com", kPassword, "analyst", "", "Ann"), 0);
    ASSERT_FALSE(server_->Start().empty());
    till_ = server_->EnrollTerminal(dir_.File("till.json"));  // S001-T01
    ASSERT_TRUE(till_.contains("credential")) << server_->ReadLog();
  }

  net::HttpsClient Client(const Login& login) { return server_->PortalClient(login); }
  Login LogIn(const std::string& email) { return server_->PortalLogIn(email, kPassword); }

  // GET `target` as `email`: the status and the parsed body (null for CSV).
  std::pair<unsigned, json> Read(const std::string& email, const std::string& target) {
    auto answer = Client(LogIn(email)).Get(target);
    if (!answer.ok()) return {0, answer.error().ToString()};
    return {answer->status, json::parse(answer->body, nullptr, false)};
  }

  // The till `credential` enrolled with loyalty-terminal enroll and `code`.
  json EnrollWithCode(const std::string& code, const std::string& file) {
    const std::string path = dir_.File(file);
    EXPECT_EQ(testing::RunToEnd({LOYALTY_TERMINAL_PATH, "enroll", "--server", server_->url(),
                                 "--server-ca", server_->CaFile(), "--code", code, "--credential",
                                 path, "--name", "Till by the door"},
                                dir_.File("enroll.log")),
              0);
    std::ifstream in(path);
    return json::parse(in, nullptr, false);
  }

  unsigned Heartbeat(const json& credential, int backlog) {
    auto answer = server_->Client(credential)
                      .Post("/v1/terminals/heartbeat",
                            json{{"backlog", backlog}, {"software_version", "test"}}.dump());
    return answer.ok() ? answer->status : 0;
  }

  // The holder of `card` registers at the till, with `source` when given.
  void Register(const std::string& card, const std::string& name,
                std::optional<std::string> source) {
    json details = {{"name", name}, {"consent_email", false}, {"consent_sms", false}};
    if (source) details["acquisition_source"] = *source;
    auto answer = server_->Client(till_).Post(
        "/v1/cards/" + CardNumber::FromBody(card)->digits() + "/registration", details.dump());
    ASSERT_TRUE(answer.ok());
    ASSERT_EQ(answer->status, 200u) << answer->body;
  }

  // A sale in S001 to the holder of `card`: `quantity` x cheddar at 4.19.
  std::int64_t Buy(const std::string& card, std::int64_t quantity) {
    domain::Purchase purchase;
    purchase.store_id = "S001";
    purchase.terminal_id = till_["terminal_id"];
    purchase.card = *CardNumber::FromBody(card);
    purchase.occurred_at = Now();
    purchase.lines = {{"822629", quantity, 419, 419 * quantity}};
    purchase.total_minor = purchase.SubtotalMinor();
    auto answer =
        server_->Client(till_).Post("/v1/purchases", domain::PurchaseToJson(purchase).dump());
    EXPECT_TRUE(answer.ok() && answer->status == 201u) << (answer.ok() ? answer->body : "");
    return purchase.total_minor;
  }

  // Ada (flyer) and Cy (no source) buy in S001; Bob (friend) registers only; the flyers
  // cost 100.00 over the last 10 days, the radio 50.00 and brought nobody.
  void SeedAcquisition() {
    Register("200000000001", "Ada", "flyer");
    ada_spend_ = Buy("200000000001", 3);
    Register("200000000002", "Bob", "friend");
    cy_spend_ = Buy("200000000003", 1);
    const Login admin = LogIn("ada@example.com");
    ASSERT_EQ(Client(admin)
                  .Put("/portal/api/acquisition/sources/flyer",
                       json{{"display_name", "Door-to-door flyers"}}.dump())
                  ->status,
              200u);
    for (const auto& [source, cost] : {std::pair{"flyer", 10000}, {"radio", 5000}}) {
      auto set = Client(admin).Put(
          std::string("/portal/api/acquisition/sources/") + source + "/costs",
          json{{"period_start", DaysAgo(9)}, {"period_end", DaysAgo(0)}, {"cost", cost}}.dump());
      ASSERT_EQ(set->status, 200u) << set->body;
    }
  }

  TempDir dir_;
  std::unique_ptr<ServerHarness> server_;
  json till_;
  std::int64_t ada_spend_ = 0;
  std::int64_t cy_spend_ = 0;
};

TEST_F(PortalStores, AnAdminEnrollsATillWithACodeAndRevokesItAuditedOnce) {
  const Login admin = LogIn("ada@example.com");
  auto code = Client(admin).Post("/portal/api/stores/S001/enrollment-codes", "");
  ASSERT_EQ(code->status, 201u) << code->body;
  const json answer = json::parse(code->body);
  EXPECT_EQ(answer["store_id"], "S001");
  const json till = EnrollWithCode(answer["code"], "door.json");
  ASSERT_EQ(till["terminal_id"], "S001-T02") << till.dump();
  EXPECT_EQ(Heartbeat(till, 7), 200u);

  auto [status, stores] = Read("ada@example.com", "/portal/api/stores");
  ASSERT_EQ(status, 200u);
  ASSERT_EQ(stores["stores"].size(), 2u);
  EXPECT_EQ(stores["stores"][1]["id"], "S002");
  EXPECT_EQ(stores["stores"][1]["terminals"], json::array());
  const json& terminals = stores["stores"][0]["terminals"];
  ASSERT_EQ(terminals.size(), 2u);
  EXPECT_EQ(terminals[1]["id"], "S001-T02");
  EXPECT_EQ(terminals[1]["name"], "Till by the door");
  EXPECT_EQ(terminals[1]["status"], "active");
  EXPECT_EQ(terminals[1]["backlog"], 7);
  EXPECT_TRUE(terminals[1]["last_seen_at"].is_string());
  EXPECT_EQ(terminals[1]["quiet"], false);
  EXPECT_TRUE(terminals[0]["backlog"].is_null());  // never heartbeat yet, but just enrolled

  auto revoked = Client(admin).Post("/portal/api/terminals/S001-T02/revoke", "");
  ASSERT_EQ(revoked->status, 200u) << revoked->body;
  EXPECT_EQ(json::parse(revoked->body)["revoked_now"], true);
  EXPECT_EQ(json::parse(revoked->body)["terminal"]["status"], "revoked");
  EXPECT_EQ(Heartbeat(till, 0), 403u) << "a revoked till's credential is refused";
  auto again = Client(admin).Post("/portal/api/terminals/S001-T02/revoke", "");
  ASSERT_EQ(again->status, 200u);
  EXPECT_EQ(json::parse(again->body)["revoked_now"], false);
  EXPECT_EQ(Heartbeat(till_, 0), 200u) << "the other till is untouched";

  const std::string by_admin = " AND user_id = " + std::to_string(admin.user_id);
  EXPECT_EQ(server_->Count("SELECT COUNT(*) FROM audit_log WHERE action = 'terminal.revoke'"
                           " AND target = 'terminal:S001-T02'" +
                           by_admin),
            1);
  EXPECT_EQ(server_->Count("SELECT COUNT(*) FROM audit_log WHERE action ="
                           " 'terminal.enrollment_code' AND target = 'store:S001'" +
                           by_admin),
            1);
  // The code is a secret: never in the log.
  EXPECT_EQ(server_->Count("SELECT COUNT(*) FROM audit_log WHERE detail LIKE '%" +
                           answer["code"].get<std::string>() + "%'"),
            0);

  auto csv = Client(admin).Get("/portal/api/stores?format=csv");
  ASSERT_EQ(csv->status, 200u);
  EXPECT_EQ(csv->Header("Content-Type").value_or(""), "text/csv; charset=utf-8");
  EXPECT_EQ(csv->body.substr(0, csv->body.find("\r\n")),
            "store_id,store_name,terminal_id,name,status,enrolled_at,last_seen_at,backlog,quiet");
  EXPECT_NE(csv->body.find("S001,Test store,S001-T02,Till by the door,revoked,"), std::string::npos)
      << csv->body;
}

TEST_F(PortalStores, AManagerActsOnTheirOwnStoresAndAnAnalystOnlyReads) {
  const auto [sam_status, sam] = Read("sam@example.com", "/portal/api/stores");
  ASSERT_EQ(sam_status, 200u);
  ASSERT_EQ(sam["stores"].size(), 1u);
  EXPECT_EQ(sam["stores"][0]["id"], "S001");
  const auto [tom_status, tom] = Read("tom@example.com", "/portal/api/stores");
  ASSERT_EQ(tom["stores"].size(), 1u);
  EXPECT_EQ(tom["stores"][0]["terminals"], json::array()) << "S001's till is not Tom's";
  EXPECT_EQ(
      Client(LogIn("tom@example.com")).Get("/portal/api/stores?format=csv")->body.find("S001"),
      std::string::npos);

  const Login sam_login = LogIn("sam@example.com");
  EXPECT_EQ(Client(sam_login).Post("/portal/api/stores/S001/enrollment-codes", "")->status, 201u);
  auto other = Client(sam_login).Post("/portal/api/stores/S002/enrollment-codes", "");
  EXPECT_EQ(other->status, 404u);
  EXPECT_EQ(json::parse(other->body)["error"]["field"], "store_id");
  EXPECT_EQ(
      Client(LogIn("tom@example.com")).Post("/portal/api/terminals/S001-T01/revoke", "")->status,
      404u);

  const Login analyst = LogIn("ann@example.com");
  const auto [ann_status, ann] = Read("ann@example.com", "/portal/api/stores");
  EXPECT_EQ(ann["stores"].size(), 2u);
  EXPECT_EQ(Client(analyst).Post("/portal/api/stores/S001/enrollment-codes", "")->status, 403u);
  EXPECT_EQ(Client(analyst).Post("/portal/api/terminals/S001-T01/revoke", "")->status, 403u);
  EXPECT_EQ(Heartbeat(till_, 0), 200u) << "nobody revoked it";

  // Sam may revoke his own store's till.
  EXPECT_EQ(Client(sam_login).Post("/portal/api/terminals/S001-T01/revoke", "")->status, 200u);
  EXPECT_EQ(server_->Count("SELECT COUNT(*) FROM audit_log WHERE action = 'terminal.revoke'"
                           " AND user_id = " +
                           std::to_string(sam_login.user_id)),
            1);
  EXPECT_EQ(server_->Count("SELECT COUNT(*) FROM audit_log WHERE action LIKE 'terminal.%'"), 2);
}

TEST_F(PortalStores, BadInputIsAnswered400Or404NamingTheField) {
  const Login admin = LogIn("ada@example.com");
  for (const auto& [body, field] :
       std::vector<std::pair<std::string, std::string>>{{R"({"valid_hours": 0})", "valid_hours"},
                                                        {R"({"valid_hours": 721})", "valid_hours"},
                                                        {R"({"valid_hours": "24"})", "valid_hours"},
                                                        {R"({"valid": 24})", "valid"},
                                                        {"not json", ""}}) {
    auto refused = Client(admin).Post("/portal/api/stores/S001/enrollment-codes", body);
    EXPECT_EQ(refused->status, 400u) << body;
    if (!field.empty()) {
      EXPECT_EQ(json::parse(refused->body)["error"]["field"], field) << body;
    }
  }
  EXPECT_EQ(Client(admin).Post("/portal/api/stores/S009/enrollment-codes", "")->status, 404u);
  EXPECT_EQ(Client(admin).Post("/portal/api/terminals/S001-T09/revoke", "")->status, 404u);
  EXPECT_EQ(server_->Count("SELECT COUNT(*) FROM enrollment_codes"), 1) << "only the harness's";
  EXPECT_EQ(server_->Count("SELECT COUNT(*) FROM audit_log WHERE action LIKE 'terminal.%'"), 0);

  EXPECT_EQ(
      Read("ada@example.com", "/portal/api/coupon-conflicts?limit=0").second["error"]["field"],
      "limit");
  auto conflicts = Client(admin).Get("/portal/api/coupon-conflicts?format=csv");
  ASSERT_EQ(conflicts->status, 200u);
  EXPECT_EQ(conflicts->body.substr(0, 30), "detected_at,coupon_id,customer");
  // Asked by its Accept header, as a download link or a script would.
  net::HttpsClient csv_client({*net::ParseHttpsUrl(server_->url()),
                               server_->CaFile(),
                               10s,
                               {{"Cookie", admin.cookie}, {"Accept", "text/csv"}}});
  EXPECT_EQ(csv_client.Get("/portal/api/stores")->body.substr(0, 9), "store_id,");
}

TEST_F(PortalStores, TheAcquisitionReportRanksSourcesWithTheirCosts) {
  SeedAcquisition();
  const std::string period = "/portal/api/acquisition?from=" + DaysAgo(9) + "&to=" + DaysAgo(0);
  const auto [status, report] = Read("ada@example.com", period);
  ASSERT_EQ(status, 200u) << report.dump();
  EXPECT_EQ(report["with_costs"], true);
  EXPECT_EQ(report["currency"], "USD");
  const json& rows = report["sources"];
  ASSERT_EQ(rows.size(), 4u) << rows.dump();
  EXPECT_EQ(rows[0]["source"], "flyer");
  EXPECT_EQ(rows[0]["display_name"], "Door-to-door flyers");
  EXPECT_EQ(rows[0]["customers"], 1);
  EXPECT_EQ(rows[0]["revenue"], ada_spend_);
  EXPECT_EQ(rows[0]["cost"], 10000);
  EXPECT_EQ(rows[0]["cost_per_customer"], 10000);
  EXPECT_DOUBLE_EQ(rows[0]["revenue_per_cost"].get<double>(),
                   static_cast<double>(ada_spend_) / 10000.0);
  EXPECT_TRUE(rows[1]["source"].is_null());
  EXPECT_EQ(rows[1]["display_name"], "Unknown");
  EXPECT_EQ(rows[1]["revenue"], cy_spend_);
  EXPECT_EQ(rows[2]["source"], "friend");  // registered, bought nothing yet
  EXPECT_EQ(rows[2]["revenue"], 0);
  EXPECT_EQ(rows[3]["source"], "radio");
  EXPECT_EQ(rows[3]["customers"], 0);
  EXPECT_EQ(rows[3]["cost"], 5000);
  EXPECT_EQ(report["total"],
            (json{{"customers", 3}, {"revenue", ada_spend_ + cy_spend_}, {"cost", 15000}}));
  // Half the booked days: half the cost.
  const auto [half_status, half] =
      Read("ann@example.com",
           "/portal/api/acquisition?sort=cost&from=" + DaysAgo(4) + "&to=" + DaysAgo(0));
  ASSERT_EQ(half_status, 200u);
  EXPECT_EQ(half["sources"][0]["source"], "flyer");
  EXPECT_EQ(half["sources"][0]["cost"], 5000);

  // Sam sees S001's customers and what they paid there, without the chain's costs.
  const auto [sam_status, sam] = Read("sam@example.com", period);
  ASSERT_EQ(sam_status, 200u);
  EXPECT_EQ(sam["with_costs"], false);
  EXPECT_EQ(sam["stores"], json::array({"S001"}));
  EXPECT_EQ(sam["total"]["customers"], 2) << "Bob never bought in S001";
  EXPECT_TRUE(sam["sources"][0]["cost"].is_null());
  const auto [tom_status, tom] = Read("tom@example.com", period);
  EXPECT_EQ(tom["total"]["customers"], 0);

  auto csv = Client(LogIn("ann@example.com")).Get(period + "&format=csv");
  ASSERT_EQ(csv->status, 200u);
  EXPECT_EQ(csv->body.substr(0, csv->body.find("\r\n")),
            "rank,source,display_name,customers,revenue,cost,cost_per_customer,revenue_per_cost,"
            "currency");
  EXPECT_NE(csv->body.find("\r\n1,flyer,Door-to-door flyers,1,"), std::string::npos) << csv->body;
  EXPECT_NE(csv->body.find("\r\n2,unknown,Unknown,1,"), std::string::npos) << csv->body;
  auto costs = Client(LogIn("ann@example.com")).Get("/portal/api/acquisition/sources?format=csv");
  EXPECT_NE(costs->body.find("radio,radio," + DaysAgo(9) + "," + DaysAgo(0) + ",50.00,USD\r\n"),
            std::string::npos)
      << costs->body;

  const std::string by_admin = " AND user_id = " + std::to_string(LogIn("ada@example.com").user_id);
  EXPECT_EQ(server_->Count("SELECT COUNT(*) FROM audit_log WHERE action = 'acquisition.cost'"
                           " AND target = 'acquisition_source:flyer'" +
                           by_admin),
            1);
  EXPECT_EQ(server_->Count("SELECT COUNT(*) FROM audit_log WHERE action ="
                           " 'acquisition.source_name'" +
                           by_admin),
            1);
}

TEST_F(PortalStores, OnlyAnAdminSetsCostsAndBadOnesAreRefusedNamingTheField) {
  const json cost = {{"period_start", "2026-11-01"}, {"period_end", "2026-11-30"}, {"cost", 100}};
  for (const char* email : {"sam@example.com", "ann@example.com"}) {
    const Login reader = LogIn(email);
    EXPECT_EQ(
        Client(reader).Put("/portal/api/acquisition/sources/flyer/costs", cost.dump())->status,
        403u)
        << email;
    EXPECT_EQ(Client(reader)
                  .Put("/portal/api/acquisition/sources/flyer", json{{"display_name", "X"}}.dump())
                  ->status,
              403u)
        << email;
  }
  const Login admin = LogIn("ada@example.com");
  const auto refused = [&](const std::string& target, const json& body) {
    auto answer = Client(admin).Put(target, body.dump());
    EXPECT_EQ(answer->status, 400u) << body.dump();
    return json::parse(answer->body)["error"]["field"].get<std::string>();
  };
  json bad = cost;
  bad["period_end"] = "2026-10-31";
  EXPECT_EQ(refused("/portal/api/acquisition/sources/flyer/costs", bad), "period_end");
  bad = cost;
  bad["period_start"] = "2026-02-30";
  EXPECT_EQ(refused("/portal/api/acquisition/sources/flyer/costs", bad), "period_start");
  bad = cost;
  bad["cost"] = -1;
  EXPECT_EQ(refused("/portal/api/acquisition/sources/flyer/costs", bad), "cost");
  bad = cost;
  bad["cost"] = 12.5;
  EXPECT_EQ(refused("/portal/api/acquisition/sources/flyer/costs", bad), "cost");
  EXPECT_EQ(refused("/portal/api/acquisition/sources/Flyer%20Ads/costs", cost), "source");
  EXPECT_EQ(refused("/portal/api/acquisition/sources/flyer", json{{"display_name", ""}}),
            "display_name");
  for (const auto& [query, field] :
       std::vector<std::pair<std::string, std::string>>{{"from=2026-13-01", "from"},
                                                        {"to=yesterday", "to"},
                                                        {"from=2026-11-02&to=2026-11-01", "to"},
                                                        {"from=2000-01-01&to=2026-11-01", "from"},
                                                        {"sort=profit", "sort"}}) {
    const auto [status, body] = Read("ada@example.com", "/portal/api/acquisition?" + query);
    EXPECT_EQ(status, 400u) << query;
    EXPECT_EQ(body["error"]["field"], field) << query;
  }
  EXPECT_EQ(server_->Count("SELECT COUNT(*) FROM acquisition_costs"), 0);
  EXPECT_EQ(server_->Count("SELECT COUNT(*) FROM audit_log WHERE action LIKE 'acquisition.%'"), 0);
}

TEST_F(PortalStores, InChromiumEnrollsATillFromThePageRevokesItAndRanksSources) {
  SeedAcquisition();
  testing::BrowserRun run;
  ASSERT_NO_FATAL_FAILURE(testing::RunPortalBrowser(
      "portal_stores_browser.mjs", "stores", *server_, dir_,
      {"--email", "ada@example.com", "--password", kPassword, "--terminal", LOYALTY_TERMINAL_PATH,
       "--server-ca", server_->CaFile(), "--credential", dir_.File("browser-till.json")},
      run));
  EXPECT_EQ(run.status, 0) << "the browser run failed (screenshots in " << run.screenshots << "):\n"
                           << run.log;
  for (const char* shot : {"1-stores.png", "2-enrollment-code.png", "3-till-enrolled.png",
                           "4-revoke-confirm.png", "5-till-revoked.png", "6-acquisition.png",
                           "7-acquisition-by-customers.png", "8-cost-saved.png"}) {
    EXPECT_TRUE(std::filesystem::exists(run.screenshots + "/" + shot)) << shot;
  }
  // What the page did, as the server recorded it.
  EXPECT_EQ(server_->Text("SELECT status FROM terminals WHERE id = 'S001-T02'"), "revoked");
  EXPECT_EQ(server_->Count("SELECT COUNT(*) FROM audit_log WHERE action = 'terminal.revoke'"), 1);
  EXPECT_EQ(server_->Count("SELECT cost_minor FROM acquisition_costs WHERE source = 'radio'"
                           " AND period_start = '2026-01-01'"),
            2550);
}

}  // namespace
}  // namespace loyalty
