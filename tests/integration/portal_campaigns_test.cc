// Campaigns through the real server over HTTPS: an admin creates, edits, pauses and
// resumes one, each change audited; a store manager and an analyst may read but are
// refused every write; a bad body is answered 400 naming the field. Then a campaign's
// results from a real nightly run (loyalty-batch coupons) and real redemptions at a
// till, through the API and in chromium (portal_campaigns_browser.mjs; screenshots in
// LOYALTY_PORTAL_ARTIFACTS/<engine>/campaigns/).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "integration/portal_browser.h"
#include "integration/server_harness.h"
#include "integration/test_catalog.h"
#include "loyalty/core/money.h"
#include "loyalty/domain/purchase.h"

namespace loyalty {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using testing::ServerHarness;
using testing::TempDir;

constexpr char kPassword[] = "a long portal password";

using Login = ServerHarness::PortalLogin;

// Cents as the CSVs write them: "12.57".
std::string Dollars(std::int64_t cents) {
  return FormatMinor(cents, Currency::Usd());
}

json ExampleCampaign() {
  std::ifstream file(testing::SourceDir() + "/docs/examples/campaign.json");
  return json::parse(file);
}

class PortalCampaigns : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<ServerHarness>(dir_);
    EXPECT_EQ(server_->CreatePortalAccount("ada@example.com", kPassword, "admin", "", "Ada"), 0);
    EXPECT_EQ(
        server_->CreatePortalAccount("sam@example.com", kPassword, "store_manager", "S001", "Sam"),
        0);
    EXPECT_EQ(server_->CreatePortalAccount("ann@example.com", kPassword, "analyst", "", "Ann"), 0);
    ASSERT_FALSE(server_->Start().empty());
  }

  net::HttpsClient Client(const Login& login) { return server_->PortalClient(login); }

  Login LogIn(const std::string& email) { return server_->PortalLogIn(email, kPassword); }

  TempDir dir_;
  std::unique_ptr<ServerHarness> server_;
};

TEST_F(PortalCampaigns, AnAdminCreatesEditsPausesAndResumesEachChangeAudited) {
  const Login admin = LogIn("ada@example.com");
  const json campaign = ExampleCampaign();
  auto created = Client(admin).Post("/portal/api/campaigns", campaign.dump());
  ASSERT_TRUE(created.ok());
  ASSERT_EQ(created->status, 201u) << created->body;
  const json answer = json::parse(created->body)["campaign"];
  EXPECT_EQ(answer["id"], "winback-2027-01");
  EXPECT_EQ(answer["target_segment"], "at_risk");
  EXPECT_EQ(answer["created_by"], admin.user_id);
  EXPECT_EQ(Client(admin).Post("/portal/api/campaigns", campaign.dump())->status, 409u);

  auto listed = Client(admin).Get("/portal/api/campaigns");
  ASSERT_EQ(listed->status, 200u);
  EXPECT_EQ(json::parse(listed->body)["campaigns"].size(), 1u);
  // Starts in 2027: not running yet.
  EXPECT_EQ(json::parse(Client(admin).Get("/portal/api/campaigns?running=true")->body)["campaigns"]
                .size(),
            0u);
  EXPECT_EQ(Client(admin).Get("/portal/api/campaigns/no-such")->status, 404u);

  json edited = campaign;
  edited["budget"] = 300000;
  edited["target_segment"] = nullptr;
  auto updated = Client(admin).Put("/portal/api/campaigns/winback-2027-01", edited.dump());
  ASSERT_EQ(updated->status, 200u) << updated->body;
  EXPECT_EQ(json::parse(updated->body)["campaign"]["budget"], 300000);
  auto read = Client(admin).Get("/portal/api/campaigns/winback-2027-01");
  ASSERT_EQ(read->status, 200u);
  EXPECT_TRUE(json::parse(read->body)["campaign"]["target_segment"].is_null());
  EXPECT_EQ(json::parse(server_->Text(
                "SELECT detail FROM audit_log WHERE action = 'campaign.update'")),
            (json{{"budget", {{"from", 250000}, {"to", 300000}}},
                  {"target_segment", {{"from", "at_risk"}, {"to", nullptr}}}}));
  EXPECT_EQ(Client(admin).Put("/portal/api/campaigns/no-such", json(edited).dump())->status, 400u);

  auto paused = Client(admin).Post("/portal/api/campaigns/winback-2027-01/pause", "");
  ASSERT_EQ(paused->status, 200u) << paused->body;
  EXPECT_EQ(json::parse(paused->body)["campaign"]["paused"], true);
  auto resumed = Client(admin).Post("/portal/api/campaigns/winback-2027-01/resume", "");
  ASSERT_EQ(resumed->status, 200u) << resumed->body;
  EXPECT_EQ(json::parse(resumed->body)["campaign"]["paused"], false);
  EXPECT_EQ(Client(admin).Post("/portal/api/campaigns/no-such/pause", "")->status, 404u);

  EXPECT_EQ(server_->Count("SELECT COUNT(*) FROM audit_log WHERE target = 'campaign:winback-2027-01'"
                           " AND user_id = " + std::to_string(admin.user_id) +
                           " AND action IN ('campaign.create', 'campaign.update',"
                           " 'campaign.pause', 'campaign.resume')"),
            4);
}

TEST_F(PortalCampaigns, AStoreManagerAndAnAnalystReadButMayNotChange) {
  const Login admin = LogIn("ada@example.com");
  ASSERT_EQ(Client(admin).Post("/portal/api/campaigns", ExampleCampaign().dump())->status, 201u);
  json other = ExampleCampaign();
  other["id"] = "other-2027";
  for (const char* email : {"sam@example.com", "ann@example.com"}) {
    SCOPED_TRACE(email);
    const Login reader = LogIn(email);
    auto listed = Client(reader).Get("/portal/api/campaigns");
    ASSERT_EQ(listed->status, 200u);
    EXPECT_EQ(json::parse(listed->body)["campaigns"].size(), 1u);
    EXPECT_EQ(Client(reader).Get("/portal/api/campaigns/winback-2027-01")->status, 200u);
    // With their own valid CSRF token: it is the role that is refused.
    EXPECT_EQ(Client(reader).Post("/portal/api/campaigns", other.dump())->status, 403u);
    EXPECT_EQ(Client(reader)
                  .Put("/portal/api/campaigns/winback-2027-01", ExampleCampaign().dump())
                  ->status,
              403u);
    EXPECT_EQ(Client(reader).Post("/portal/api/campaigns/winback-2027-01/pause", "")->status,
              403u);
    EXPECT_EQ(Client(reader).Post("/portal/api/campaigns/winback-2027-01/resume", "")->status,
              403u);
  }
  EXPECT_EQ(server_->Count("SELECT COUNT(*) FROM campaigns"), 1);
  EXPECT_EQ(server_->Count("SELECT paused FROM campaigns"), 0);
  EXPECT_EQ(server_->Count("SELECT COUNT(*) FROM audit_log WHERE action LIKE 'campaign.%'"), 1);
}

TEST_F(PortalCampaigns, ABadBodyIsAnswered400NamingTheField) {
  const Login admin = LogIn("ada@example.com");
  const auto expect_refused = [&](const std::string& body, const std::string& field) {
    auto response = Client(admin).Post("/portal/api/campaigns", body);
    ASSERT_TRUE(response.ok());
    EXPECT_EQ(response->status, 400u) << body;
    EXPECT_EQ(json::parse(response->body)["error"]["field"], field) << response->body;
  };
  json body = ExampleCampaign();
  body["target_segment"] = "whales";
  expect_refused(body.dump(), "target_segment");
  body = ExampleCampaign();
  body.erase("budget");
  expect_refused(body.dump(), "budget");
  body = ExampleCampaign();
  body["targets"][1]["target"] = "basket";
  expect_refused(body.dump(), "targets[1].target");
  body = ExampleCampaign();
  body["ends_at"] = body["starts_at"];
  expect_refused(body.dump(), "ends_at");

  // Editing one campaign with another's id in the body: the id cannot change.
  ASSERT_EQ(Client(admin).Post("/portal/api/campaigns", ExampleCampaign().dump())->status, 201u);
  body = ExampleCampaign();
  body["id"] = "renamed";
  auto renamed = Client(admin).Put("/portal/api/campaigns/winback-2027-01", body.dump());
  EXPECT_EQ(renamed->status, 400u);
  EXPECT_EQ(json::parse(renamed->body)["error"]["field"], "id");
  EXPECT_EQ(server_->Count("SELECT COUNT(*) FROM campaigns"), 1);
}

// A next_visit campaign's coupons come at the till, each purchase issuing from the
// candidates the nightly run kept: the list, the results and loyalty-batch report count
// them (they once counted only the coupons the run itself issued, none for this kind).
TEST_F(PortalCampaigns, CountTheCouponsPurchasesIssueForANextVisitCampaign) {
  const json credential = server_->EnrollTerminal(dir_.File("credential.json"));
  ASSERT_TRUE(credential.contains("credential"));
  const auto post = [&](int customer, Timestamp at, const std::string& sku, std::int64_t price) {
    domain::Purchase purchase;
    purchase.store_id = "S001";
    purchase.terminal_id = credential["terminal_id"];
    purchase.card = *CardNumber::FromBody(std::to_string(200000000300 + customer));
    purchase.occurred_at = at;
    purchase.lines.push_back({sku, 1, price, price});
    purchase.total_minor = purchase.SubtotalMinor();
    auto answer = server_->Client(credential).Post("/v1/purchases",
                                                   domain::PurchaseToJson(purchase).dump());
    ASSERT_TRUE(answer.ok());
    ASSERT_EQ(answer->status, 201u) << answer->body;
  };
  constexpr int kCustomers = 30;
  const Timestamp now = Now();
  const std::string today = FormatUtc(now).substr(0, 10);
  const Timestamp midnight = ParseIso8601(today + "T00:00:00Z").value();
  json campaign = ExampleCampaign();
  campaign["id"] = "personal";
  campaign["kind"] = "next_visit";
  campaign["targets"] = json::array();
  campaign["target_segment"] = nullptr;
  campaign["starts_at"] = FormatUtc(midnight - std::chrono::days(40));
  campaign["ends_at"] = FormatUtc(midnight + std::chrono::days(30));
  campaign["per_customer_cap"] = 3;
  campaign["min_spend"] = 0;
  campaign["control_basis_points"] = 2000;
  const Login admin = LogIn("ada@example.com");
  auto created = Client(admin).Post("/portal/api/campaigns", campaign.dump());
  ASSERT_EQ(created->status, 201u) << created->body;
  for (int c = 0; c < kCustomers; ++c) {
    for (int week = 4; week >= 1; --week) {
      post(c, now - std::chrono::days(7 * week) - std::chrono::hours(c % 5), "28897", 109);
    }
  }
  ASSERT_EQ(testing::RunToEnd({LOYALTY_BATCH_PATH, "coupons", "--date", today, "--threads", "1",
                               "--data-dir", server_->data_dir(), "--storage-url",
                               server_->storage_url()},
                              dir_.File("batch.log")),
            0);
  for (int c = 0; c < kCustomers; ++c) post(c, Now(), "28897", 109);

  const std::int64_t issued =
      server_->Count("SELECT COUNT(*) FROM coupons WHERE campaign = 'personal'");
  ASSERT_GT(issued, 0) << "no purchase issued a coupon of the campaign";
  EXPECT_EQ(server_->Count("SELECT COUNT(*) FROM campaign_offers WHERE campaign_id = 'personal'"
                           " AND purchase_seq IS NOT NULL AND coupon_id IS NOT NULL"),
            issued);
  // Two come back and redeem theirs, buying what it is for.
  std::int64_t redeemed = 0;
  for (const auto& line : server_->Column(
           "SELECT id || ' ' || card_number || ' ' || target || ' ' || target_value FROM coupons"
           " WHERE campaign = 'personal' ORDER BY id")) {
    if (redeemed == 2) break;
    std::istringstream fields(line);
    std::string id, card, target, value;
    ASSERT_TRUE(fields >> id >> card >> target >> value) << line;
    if (target == "product" && value != "28897") continue;
    domain::Purchase purchase;
    purchase.store_id = "S001";
    purchase.terminal_id = credential["terminal_id"];
    purchase.card = *CardNumber::Parse(card);
    purchase.occurred_at = Now();
    purchase.lines.push_back({"28897", 1, 109, 109});
    purchase.redemptions.push_back({*Uuid::Parse(id), 10});
    purchase.total_minor = purchase.SubtotalMinor() - purchase.DiscountMinor();
    auto answer = server_->Client(credential).Post("/v1/purchases",
                                                   domain::PurchaseToJson(purchase).dump());
    ASSERT_EQ(answer->status, 201u) << answer->body;
    ++redeemed;
  }
  ASSERT_EQ(redeemed, 2);
  const std::int64_t issued_in_all =
      server_->Count("SELECT COUNT(*) FROM coupons WHERE campaign = 'personal'");

  auto list = Client(admin).Get("/portal/api/campaigns");
  ASSERT_EQ(list->status, 200u);
  const json row = json::parse(list->body)["campaigns"][0];
  EXPECT_EQ(row["coupons_issued"], issued_in_all);
  EXPECT_EQ(row["coupons_redeemed"], redeemed);
  EXPECT_EQ(row["budget_spent"]["coupons"]["spent"], issued_in_all);
  auto answer = Client(admin).Get("/portal/api/campaigns/personal/results");
  ASSERT_EQ(answer->status, 200u);
  const json results = json::parse(answer->body);
  const json& report = results["report"];
  EXPECT_EQ(report["issued"], issued_in_all);
  EXPECT_EQ(report["redeemed"], redeemed);
  std::int64_t per_day = 0;
  for (const auto& day : results["per_day"]) per_day += day["issued"].get<std::int64_t>();
  EXPECT_EQ(per_day, issued_in_all);
  // Those held out at a purchase count as control, those issued as treated.
  EXPECT_EQ(report["treated_customers"].get<std::int64_t>(),
            server_->Count("SELECT COUNT(DISTINCT customer_id) FROM campaign_offers"
                           " WHERE campaign_id = 'personal' AND control = 0"));
  EXPECT_EQ(report["control_customers"].get<std::int64_t>(),
            server_->Count("SELECT COUNT(DISTINCT customer_id) FROM campaign_offers"
                           " WHERE campaign_id = 'personal' AND control = 1"));

  testing::ChildProcess batch_report(
      {LOYALTY_BATCH_PATH, "report", "--json", "--campaign", "personal", "--data-dir",
       server_->data_dir(), "--storage-url", server_->storage_url()},
      dir_.File("report.log"));
  const auto printed = batch_report.ReadLine(30s);
  ASSERT_TRUE(printed.has_value()) << dir_.File("report.log");
  EXPECT_EQ(batch_report.Wait(30s), 0);
  const json batch = json::parse(*printed);
  EXPECT_EQ(batch["campaigns"][0]["issued"], issued_in_all);
  EXPECT_EQ(batch["campaigns"][0]["redeemed"], redeemed);
}

// A chain with four weeks of history, a campaign the nightly batch ran today, and some
// of its coupons redeemed at the till; shared by the results tests.
class PortalCampaignResults : public testing::SharedServerSuite<PortalCampaignResults> {
  friend testing::SharedServerSuite<PortalCampaignResults>;

 protected:
  static constexpr int kCustomers = 40;

  static std::string Post(const json& credential, const domain::Purchase& purchase) {
    auto answer =
        server_->Client(credential).Post("/v1/purchases", domain::PurchaseToJson(purchase).dump());
    if (!answer.ok()) return answer.error().ToString();
    return answer->status == 201u ? "" : "purchase refused: " + answer->body;
  }

  static std::string Prepare() {
    if (server_->CreatePortalAccount("ada@example.com", kPassword, "admin", "", "Ada") != 0 ||
        server_->CreatePortalAccount("ann@example.com", kPassword, "analyst", "", "Ann") != 0) {
      return "admin create failed";
    }
    if (server_->Start().empty()) return "the server did not start";
    const json credential = server_->EnrollTerminal(dir_->File("credential.json"));
    if (!credential.contains("credential")) return "the till did not enroll";

    // Twelve products of the test catalog (sku, price); each customer keeps to a few.
    const std::vector<std::pair<std::string, std::int64_t>> products = {
        {"28897", 109}, {"30049", 159}, {"32301", 149}, {"32553", 179},
        {"33965", 275}, {"34873", 175}, {"38085", 172}, {"42832", 299},
        {"43871", 99},  {"45240", 59},  {"67206", 249}, {"92490", 749}};
    prices_ = std::map<std::string, std::int64_t>(products.begin(), products.end());
    const Timestamp now = Now();
    for (int c = 0; c < kCustomers; ++c) {
      for (int week = 1; week <= 4; ++week) {
        domain::Purchase purchase;
        purchase.store_id = "S001";
        purchase.terminal_id = credential["terminal_id"];
        purchase.card = *CardNumber::FromBody(std::to_string(200000000100 + c));
        purchase.occurred_at = now - std::chrono::days(7 * week) - std::chrono::hours(c % 8);
        for (const int i : {c % 12, (c + 5) % 12}) {
          const auto& [sku, price] = products[static_cast<std::size_t>(i)];
          purchase.lines.push_back({sku, 1, price, price});
        }
        purchase.total_minor = purchase.SubtotalMinor();
        if (auto refused = Post(credential, purchase); !refused.empty()) return refused;
      }
    }

    // Running since yesterday: the batch runs it today.
    today_ = FormatUtc(now).substr(0, 10);
    const Timestamp midnight = ParseIso8601(today_ + "T00:00:00Z").value();
    json campaign = {{"id", "december-personal"},
                     {"name", "December personal offers"},
                     {"kind", "category_push"},  // issued by the nightly run
                     {"starts_at", FormatUtc(midnight - std::chrono::days(1))},
                     {"ends_at", FormatUtc(midnight + std::chrono::days(30))},
                     {"targets", testing::ShopperCategoryTargets()},
                     {"target_segment", nullptr},
                     {"discount_type", "percent_off"},
                     {"min_depth", 5},
                     {"max_depth", 30},
                     {"max_discount", 500},
                     {"min_spend", 0},
                     {"budget", 10'000'000},
                     {"budget_coupons", 0},
                     {"per_customer_cap", 1},
                     {"validity_days", 14},
                     {"control_basis_points", 2500},
                     {"paused", false}};
    const Login admin = server_->PortalLogIn("ada@example.com", kPassword);
    auto created = server_->PortalClient(admin).Post("/portal/api/campaigns", campaign.dump());
    if (!created.ok() || created->status != 201u) return "the campaign was refused";

    if (testing::RunToEnd({LOYALTY_BATCH_PATH, "coupons", "--date", today_, "--threads", "1",
                           "--data-dir", server_->data_dir(), "--storage-url",
                           server_->storage_url()},
                          dir_->File("batch.log")) != 0) {
      return "loyalty-batch coupons failed; see " + dir_->File("batch.log");
    }
    issued_ = server_->Count("SELECT COUNT(*) FROM coupons WHERE campaign = 'december-personal'");
    if (issued_ < 4) return "the batch issued " + std::to_string(issued_) + " coupons";

    // Every other treated customer comes back and redeems their coupon on its product;
    // held-out customers come back too, buying the same without one.
    const auto coupons = server_->Column(
        "SELECT " + Concat({"id", "' '", "card_number", "' '", "target_value", "' '",
                            "discount_value", "' '", "max_discount_minor"}) +
        " FROM coupons WHERE campaign = 'december-personal' ORDER BY id");
    for (std::size_t n = 0; n < coupons.size(); ++n) {
      std::istringstream fields(coupons[n]);
      std::string id, card, sku;
      std::int64_t percent_off = 0, cap = 0;
      if (!(fields >> id >> card >> sku >> percent_off >> cap)) return "coupon " + coupons[n];
      if (n % 2 == 1) continue;
      domain::Purchase purchase;
      purchase.store_id = "S001";
      purchase.terminal_id = credential["terminal_id"];
      purchase.card = *CardNumber::Parse(card);
      purchase.occurred_at = Now();
      const auto priced = prices_.find(sku);
      if (priced == prices_.end()) return "a coupon for " + sku + ", which nobody bought";
      const std::int64_t price = priced->second;
      purchase.lines.push_back({sku, 2, price, 2 * price});
      const std::int64_t discount = std::min(2 * price * percent_off / 100, cap > 0 ? cap : 2 * price);
      purchase.redemptions.push_back({*Uuid::Parse(id), discount});
      purchase.total_minor = purchase.SubtotalMinor() - purchase.DiscountMinor();
      if (auto refused = Post(credential, purchase); !refused.empty()) return refused;
      ++redeemed_;
      discount_minor_ += discount;
    }
    for (const auto& card : server_->Column(
             "SELECT MIN(c.number) FROM campaign_offers o JOIN cards c ON c.customer_id ="
             " o.customer_id WHERE o.control = 1 GROUP BY o.customer_id ORDER BY 1")) {
      domain::Purchase purchase;
      purchase.store_id = "S001";
      purchase.terminal_id = credential["terminal_id"];
      purchase.card = *CardNumber::Parse(card);
      purchase.occurred_at = Now();
      purchase.lines.push_back({"28897", 1, 109, 109});
      purchase.total_minor = purchase.SubtotalMinor();
      if (auto refused = Post(credential, purchase); !refused.empty()) return refused;
    }
    return "";
  }

  // `parts` joined by the engine's string concatenation, which both spell ||.
  static std::string Concat(const std::vector<std::string>& parts) {
    std::string joined;
    for (const auto& part : parts) joined += (joined.empty() ? "" : " || ") + part;
    return joined;
  }

  static net::HttpsClient Client(const std::string& email) {
    return server_->PortalClient(server_->PortalLogIn(email, kPassword));
  }

  inline static std::map<std::string, std::int64_t> prices_;
  inline static std::string today_;
  inline static std::int64_t issued_ = 0;
  inline static std::int64_t redeemed_ = 0;
  inline static std::int64_t discount_minor_ = 0;
};

TEST_F(PortalCampaignResults, GiveTheNightlyReportTheBudgetAndTheDaysToEveryRole) {
  for (const char* email : {"ada@example.com", "ann@example.com"}) {
    SCOPED_TRACE(email);
    auto answer = Client(email).Get("/portal/api/campaigns/december-personal/results");
    ASSERT_TRUE(answer.ok());
    ASSERT_EQ(answer->status, 200u) << answer->body;
    const json results = json::parse(answer->body);
    const json& report = results["report"];
    EXPECT_EQ(results["currency"], "USD");
    EXPECT_EQ(report["issued"], issued_);
    EXPECT_EQ(report["redeemed"], redeemed_);
    EXPECT_EQ(report["treated_customers"].get<std::int64_t>(), issued_);
    EXPECT_GT(report["control_customers"].get<std::int64_t>(), 1);
    EXPECT_EQ(report["treated_customers"].get<std::int64_t>() +
                  report["control_customers"].get<std::int64_t>(),
              server_->Count("SELECT COUNT(DISTINCT customer_id) FROM campaign_offers"));
    // Every held-out customer spent 1.09; the treated who came back, more.
    EXPECT_DOUBLE_EQ(report["sales"]["control_mean"].get<double>(), 109.0);
    ASSERT_TRUE(report["sales"]["ci95"].is_array());
    EXPECT_LT(report["sales"]["ci95"][0].get<double>(), report["sales"]["ci95"][1].get<double>());
    EXPECT_EQ(results["discount_given"], discount_minor_);
    EXPECT_EQ(results["per_day"],
              (json::array({{{"date", today_},
                             {"issued", issued_},
                             {"redeemed", redeemed_},
                             {"discount", discount_minor_}}})));
    EXPECT_GT(results["budget"]["money"]["spent"].get<std::int64_t>(), 0);
    EXPECT_EQ(results["budget"]["money"]["spent"].get<std::int64_t>() +
                  results["budget"]["money"]["remaining"].get<std::int64_t>(),
              10'000'000);
    EXPECT_EQ(results["budget"]["coupons"]["spent"], issued_);
    EXPECT_TRUE(results["budget"]["coupons"]["total"].is_null());

    auto list = Client(email).Get("/portal/api/campaigns");
    ASSERT_EQ(list->status, 200u);
    const json row = json::parse(list->body)["campaigns"][0];
    EXPECT_EQ(row["status"], "running");
    EXPECT_EQ(row["coupons_issued"], issued_);
    EXPECT_EQ(row["coupons_redeemed"], redeemed_);
    EXPECT_EQ(row["budget_spent"], results["budget"]);
  }
  EXPECT_EQ(Client("ann@example.com").Get("/portal/api/campaigns/no-such/results")->status, 404u);
}

TEST_F(PortalCampaignResults, ListAndDaysDownloadAsCsv) {
  auto list = Client("ann@example.com").Get("/portal/api/campaigns?format=csv");
  ASSERT_EQ(list->status, 200u);
  EXPECT_EQ(list->Header("Content-Type").value_or(""), "text/csv; charset=utf-8");
  std::istringstream lines(list->body);
  std::string header, row, more;
  std::getline(lines, header);
  std::getline(lines, row);
  EXPECT_EQ(header.rfind("id,name,kind,status,starts_at,ends_at,", 0), 0u) << header;
  EXPECT_EQ(row.rfind("december-personal,December personal offers,category_push,running,", 0), 0u)
      << row;
  // Money in dollars, the currency named at the end of the line.
  EXPECT_NE(row.find(",,100000.00,"), std::string::npos) << row;
  EXPECT_NE(row.find("," + std::to_string(issued_) + "," + std::to_string(redeemed_) + "," +
                     Dollars(discount_minor_) + ",2500,USD\r"),
            std::string::npos)
      << row;
  EXPECT_FALSE(std::getline(lines, more));

  auto days = Client("ann@example.com")
                  .Get("/portal/api/campaigns/december-personal/results?format=csv");
  ASSERT_EQ(days->status, 200u);
  EXPECT_EQ(days->body, "date,issued,redeemed,discount,currency\r\n" + today_ + "," +
                            std::to_string(issued_) + "," + std::to_string(redeemed_) + "," +
                            Dollars(discount_minor_) + ",USD\r\n");
}

// The admin makes a campaign through the form (a wrong field first), finds it in the
// list, pauses it and renames it, opens the one with results; the analyst sees no
// controls.
TEST_F(PortalCampaignResults, InChromiumAnAdminCreatesAndPausesAndBothReadTheResults) {
  testing::BrowserRun run;
  ASSERT_NO_FATAL_FAILURE(testing::RunPortalBrowser(
      "portal_campaigns_browser.mjs", "campaigns", *server_, *dir_,
      {"--admin", "ada@example.com", "--analyst", "ann@example.com", "--password", kPassword,
       "--campaign", "december-personal", "--issued", std::to_string(issued_), "--redeemed",
       std::to_string(redeemed_)},
      run));
  EXPECT_EQ(run.status, 0) << "the browser run failed (screenshots in " << run.screenshots
                           << "):\n"
                           << run.log;
  for (const char* shot :
       {"1-list.png", "2-form-field-error.png", "3-created.png", "4-list-paused.png",
        "4b-edit-form.png", "5-results.png", "6-analyst-list.png", "7-analyst-results.png"}) {
    EXPECT_TRUE(std::filesystem::exists(run.screenshots + "/" + shot)) << shot;
  }
  // What the form sent is stored as typed, and the changes are the admin's, audited.
  EXPECT_EQ(server_->Text("SELECT name FROM campaigns WHERE id = 'coffee-push'"),
            "Coffee push, January");
  EXPECT_EQ(server_->Count("SELECT control_basis_points FROM campaigns WHERE id = 'coffee-push'"),
            1500);
  EXPECT_EQ(server_->Count("SELECT budget_minor FROM campaigns WHERE id = 'coffee-push'"),
            125050);
  EXPECT_EQ(server_->Count("SELECT paused FROM campaigns WHERE id = 'coffee-push'"), 1);
  // January 5 to 31 in New York: from its first midnight (05:00 UTC) to the one after
  // the 31st; the rename left them as they were.
  EXPECT_EQ(server_->Count("SELECT starts_at FROM campaigns WHERE id = 'coffee-push'"),
            ToUnixSeconds(ParseIso8601("2027-01-05T05:00:00Z").value()));
  EXPECT_EQ(server_->Count("SELECT ends_at FROM campaigns WHERE id = 'coffee-push'"),
            ToUnixSeconds(ParseIso8601("2027-02-01T05:00:00Z").value()));
  EXPECT_EQ(json::parse(server_->Text("SELECT detail FROM audit_log WHERE action ="
                                      " 'campaign.update' AND target = 'campaign:coffee-push'")),
            (json{{"name", {{"from", "Coffee push"}, {"to", "Coffee push, January"}}}}));
  EXPECT_EQ(server_->Count("SELECT COUNT(*) FROM audit_log WHERE target = 'campaign:coffee-push'"
                           " AND action IN ('campaign.create', 'campaign.pause',"
                           " 'campaign.update')"),
            3);
  EXPECT_EQ(server_->Count("SELECT paused FROM campaigns WHERE id = 'december-personal'"), 0);
}

}  // namespace
}  // namespace loyalty
