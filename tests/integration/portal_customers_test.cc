// The portal's customer API through the real server over HTTPS: search by each key,
// stable pages, CSV, a store manager kept to their stores, an analyst kept to reading,
// the contact log, export and erasure. Then portal_customers_browser.mjs drives Debian's
// chromium through the customer pages; screenshots land in
// LOYALTY_PORTAL_ARTIFACTS/<engine>/customers/.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>

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

class PortalCustomers : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<ServerHarness>(dir_);
    ASSERT_EQ(server_->RunToEnd(server_->AdminCommand(
                  {"store", "add", "--id", "S002", "--name", "Other store"})),
              0);
    for (const std::vector<std::string>& account :
         {std::vector<std::string>{"admin@example.com", "admin", ""},
          {"analyst@example.com", "analyst", ""},
          {"s1@example.com", "store_manager", "S001"},
          {"s2@example.com", "store_manager", "S002"}}) {
      ASSERT_EQ(server_->CreatePortalAccount(account[0], kPassword, account[1], account[2]), 0)
          << account[0];
    }
    ASSERT_FALSE(server_->Start().empty());
    credential_ = server_->EnrollTerminal(dir_.File("credential.json"));

    ada_ = Buy("200000000001", 2);
    Buy("200000000001", 1);
    Register("200000000001", {{"name", "Lovelace, Ada"},
                              {"email", "ada@example.com"},
                              {"phone", "+44 20 7946 0001"},
                              {"consent_email", true},
                              {"consent_sms", false}});
    grace_ = Buy("200000000002", 1);
    Register("200000000002", {{"name", "Grace \"Amazing\" Hopper"},
                              {"email", "grace@example.com"},
                              {"phone", "555-0102"},
                              {"consent_email", false},
                              {"consent_sms", true}});
    anonymous_ = Buy("200000000003", 4);  // the biggest spender
  }

  // `steaks` of one product bought with the card of `card_body` (12 digits) in S001.
  std::int64_t Buy(const std::string& card_body, std::int64_t steaks) {
    domain::Purchase purchase;
    purchase.store_id = "S001";
    purchase.terminal_id = credential_["terminal_id"];
    purchase.card = *CardNumber::FromBody(card_body);
    purchase.occurred_at = Now();
    purchase.lines = {{"822629", steaks, 419, steaks * 419}};
    purchase.total_minor = steaks * 419;
    auto response = server_->Client(credential_).Post("/v1/purchases",
                                                      domain::PurchaseToJson(purchase).dump());
    EXPECT_TRUE(response.ok() && response->status == 201u);
    return response.ok() ? json::parse(response->body).value("customer_id", 0) : 0;
  }

  void Register(const std::string& card_body, const json& details) {
    const std::string card = CardNumber::FromBody(card_body)->digits();
    auto response = server_->Client(credential_).Post("/v1/cards/" + card + "/registration",
                                                      details.dump());
    ASSERT_TRUE(response.ok());
    ASSERT_EQ(response->status, 200u) << response->body;
  }

  // loyalty-batch coupons for tomorrow (UTC), so that today's purchases are in its history.
  void RunNightlyBatch() {
    const std::string tomorrow = FormatUtc(Now() + std::chrono::hours(24)).substr(0, 10);
    ASSERT_EQ(testing::RunToEnd({LOYALTY_BATCH_PATH, "coupons", "--date", tomorrow, "--threads",
                                 "1", "--data-dir", server_->data_dir(), "--storage-url",
                                 server_->storage_url()},
                                dir_.File("batch.log")),
              0)
        << "see " << dir_.File("batch.log");
  }

  Login LogIn(const std::string& email) { return server_->PortalLogIn(email, kPassword); }

  net::HttpsClient As(const Login& login) { return server_->PortalClient(login); }

  json GetJson(const Login& login, const std::string& target, unsigned status = 200) {
    auto response = As(login).Get(target);
    EXPECT_TRUE(response.ok());
    if (!response.ok()) return nullptr;
    EXPECT_EQ(response->status, status) << target << ": " << response->body;
    return json::parse(response->body, nullptr, false);
  }

  std::vector<std::int64_t> Found(const Login& login, const std::string& query) {
    std::vector<std::int64_t> ids;
    const auto body = GetJson(login, "/portal/api/customers?" + query);
    for (const auto& row : body["customers"]) {
      ids.push_back(row["id"]);
    }
    return ids;
  }

  TempDir dir_;
  std::unique_ptr<ServerHarness> server_;
  json credential_;
  std::int64_t ada_ = 0;
  std::int64_t grace_ = 0;
  std::int64_t anonymous_ = 0;
};

TEST_F(PortalCustomers, SearchFindsByEachKeyPagesAreStableAndCsvIsQuoted) {
  const auto admin = LogIn("admin@example.com");
  using Ids = std::vector<std::int64_t>;
  EXPECT_EQ(Found(admin, "q=lovel"), Ids{ada_});
  EXPECT_EQ(Found(admin, "q=hopper&match=contains"), Ids{grace_});
  EXPECT_EQ(Found(admin, "q=ADA%40EXAMPLE"), Ids{ada_});
  EXPECT_EQ(Found(admin, "q=lovelace%2C+a"), Ids{ada_});  // as a browser's form encodes it
  EXPECT_EQ(Found(admin, "q=" + CardNumber::FromBody("200000000002")->digits()), Ids{grace_});
  EXPECT_EQ(Found(admin, "q=442079460001"), Ids{ada_});
  EXPECT_EQ(Found(admin, "consent=sms"), Ids{grace_});
  EXPECT_EQ(Found(admin, "sort=spend&limit=1"), Ids{anonymous_});

  std::vector<std::int64_t> seen;
  std::string target = "/portal/api/customers?sort=visits&limit=1";
  for (int page = 0; page < 5; ++page) {
    const auto body = GetJson(admin, target);
    EXPECT_EQ(body["total"], 3);
    for (const auto& row : body["customers"]) seen.push_back(row["id"]);
    if (body["next_cursor"].is_null()) break;
    target = "/portal/api/customers?sort=visits&limit=1&cursor=" +
             body["next_cursor"].get<std::string>();
  }
  EXPECT_EQ(seen.front(), ada_);  // two visits
  EXPECT_EQ(std::set<std::int64_t>(seen.begin(), seen.end()).size(), 3u);
  EXPECT_EQ(seen.size(), 3u);
  EXPECT_EQ(GetJson(admin, "/portal/api/customers?cursor=xyz", 400)["error"]["field"], "cursor");
  EXPECT_EQ(GetJson(admin, "/portal/api/customers?sort=age", 400)["error"]["field"], "sort");

  auto csv = As(admin).Get("/portal/api/customers?format=csv&sort=name");
  ASSERT_TRUE(csv.ok());
  EXPECT_EQ(csv->status, 200u);
  EXPECT_EQ(csv->Header("Content-Type").value_or("").rfind("text/csv", 0), 0u);
  EXPECT_EQ(csv->body.substr(0, csv->body.find("\r\n")),
            "id,name,email,phone,consent_email,consent_sms,visits,spend,last_visit_at,segment,"
            "lapse_risk,lapse_risk_band,currency");
  EXPECT_NE(csv->body.find(",\"Grace \"\"Amazing\"\" Hopper\",grace@example.com,555-0102,0,1,"),
            std::string::npos)
      << csv->body;
  EXPECT_NE(csv->body.find(",\"Lovelace, Ada\","), std::string::npos);
  // The bulk copy is audited with its size, not its rows.
  const auto rows = std::count(csv->body.begin(), csv->body.end(), '\n') - 1;
  EXPECT_EQ(server_->Text("SELECT detail FROM audit_log WHERE action = 'customers.export_csv'"),
            "{\"rows\":" + std::to_string(rows) + "}");
}

// The nightly run's lapse risk in the list: each row's risk and band, a band filter, the
// sort by risk a page at a time, and both in the CSV; a band not known is refused by name.
TEST_F(PortalCustomers, ListFiltersAndSortsByTheNightlyRunsLapseRisk) {
  const auto own_store = LogIn("s1@example.com");
  server_->Exec(
      "INSERT INTO customer_features(customer_id, run_date, visits, last_visit_at,"
      " days_since_last_visit, days_between_visits, lapse_risk, next_visit_at, top_categories)"
      " VALUES (" + std::to_string(ada_) + ", '2026-12-04', 2, 0, 30, 7, 0.93, 0, '[]'), (" +
      std::to_string(grace_) + ", '2026-12-04', 1, 0, 3, 7, 0.25, 0, '[]')");
  // The run writes each customer's band with the risk (migration 0026): 2 high, 0 low.
  server_->Exec("UPDATE customers SET lapse_risk_band = 2 WHERE id = " + std::to_string(ada_));
  server_->Exec("UPDATE customers SET lapse_risk_band = 0 WHERE id = " + std::to_string(grace_));
  using Ids = std::vector<std::int64_t>;
  EXPECT_EQ(Found(own_store, "lapse_risk=high"), Ids{ada_});
  EXPECT_EQ(Found(own_store, "lapse_risk=low"), Ids{grace_});
  EXPECT_TRUE(Found(own_store, "lapse_risk=medium").empty());
  EXPECT_EQ(Found(own_store, "sort=lapse_risk"), (Ids{ada_, grace_}));
  EXPECT_EQ(Found(own_store, "sort=lapse_risk&order=asc"), (Ids{grace_, ada_}));
  const auto first = GetJson(own_store, "/portal/api/customers?sort=lapse_risk&limit=1");
  EXPECT_EQ(first["customers"][0]["lapse_risk"], 0.93);
  EXPECT_EQ(first["customers"][0]["lapse_risk_band"], "high");
  const auto second = GetJson(own_store, "/portal/api/customers?sort=lapse_risk&limit=1&cursor=" +
                                             first["next_cursor"].get<std::string>());
  ASSERT_EQ(second["customers"].size(), 1u);
  EXPECT_EQ(second["customers"][0]["id"], grace_);
  EXPECT_TRUE(second["next_cursor"].is_null());
  const auto everybody = GetJson(own_store, "/portal/api/customers?sort=spend");
  ASSERT_EQ(everybody["customers"][0]["id"], anonymous_);
  EXPECT_TRUE(everybody["customers"][0]["lapse_risk"].is_null());
  EXPECT_TRUE(everybody["customers"][0]["lapse_risk_band"].is_null());

  const auto bad = GetJson(own_store, "/portal/api/customers?lapse_risk=extreme", 400);
  EXPECT_EQ(bad["error"]["field"], "lapse_risk");
  EXPECT_NE(bad["error"]["message"].get<std::string>().find("low, medium or high"),
            std::string::npos);

  auto csv = As(own_store).Get("/portal/api/customers?format=csv&sort=spend");
  ASSERT_TRUE(csv.ok());
  EXPECT_EQ(csv->body.substr(0, csv->body.find("\r\n")),
            "id,name,email,phone,consent_email,consent_sms,visits,spend,last_visit_at,segment,"
            "lapse_risk,lapse_risk_band,currency");
  EXPECT_NE(csv->body.find(",0.93,high,USD\r\n"), std::string::npos) << csv->body;
  EXPECT_NE(csv->body.find(",0.25,low,USD\r\n"), std::string::npos) << csv->body;
  EXPECT_NE(csv->body.find(std::to_string(anonymous_) + ","), std::string::npos);
  auto high_csv = As(own_store).Get("/portal/api/customers?format=csv&lapse_risk=high");
  ASSERT_TRUE(high_csv.ok());
  EXPECT_EQ(std::count(high_csv->body.begin(), high_csv->body.end(), '\n'), 2) << high_csv->body;
}

TEST_F(PortalCustomers, StoreManagersSeeTheirStoresAndAnalystsOnlyRead) {
  const auto other_store = LogIn("s2@example.com");
  const auto own_store = LogIn("s1@example.com");
  const auto analyst = LogIn("analyst@example.com");
  const std::string page = "/portal/api/customers/" + std::to_string(ada_);

  EXPECT_TRUE(Found(other_store, "").empty());
  EXPECT_EQ(GetJson(other_store, page, 404)["error"]["field"], "customer_id");
  EXPECT_EQ(GetJson(other_store, page + "/purchases", 404)["error"]["field"], "customer_id");
  EXPECT_EQ(As(other_store).Get(page + "/purchases?format=csv")->status, 404u);
  GetJson(other_store, page + "/export", 404);
  GetJson(other_store, "/portal/api/customers?store=S001", 403);
  EXPECT_EQ(As(other_store)
                .Post(page + "/contacts", json{{"kind", "note"}, {"text", "x"}}.dump())
                ->status,
            404u);
  EXPECT_EQ(Found(own_store, "sort=visits").size(), 3u);
  EXPECT_EQ(GetJson(own_store, page)["details"]["name"], "Lovelace, Ada");

  EXPECT_EQ(GetJson(analyst, page)["profile"]["visits"], 2);
  const auto refused = [&](Result<net::HttpResponse> response) {
    ASSERT_TRUE(response.ok());
    EXPECT_EQ(response->status, 403u) << response->body;
  };
  refused(As(analyst).Post(page + "/contacts", json{{"kind", "note"}, {"text", "x"}}.dump()));
  refused(As(analyst).Put(page + "/details", json{{"name", "X"}, {"consent_email", false},
                                                  {"consent_sms", false}}
                                                 .dump()));
  refused(As(analyst).Post(page + "/merge", json{{"from", grace_}}.dump()));
  refused(As(analyst).Post(page + "/erase", ""));
  refused(As(own_store).Post(page + "/erase", ""));
  GetJson(analyst, page + "/export", 403);

  // The contact log: a follow-up already due stands out until it is done.
  auto added = As(own_store).Post(
      page + "/contacts", json{{"kind", "complaint"},
                               {"text", "the steak was cold"},
                               {"follow_up_due_at", "2020-01-01T00:00:00Z"}}
                              .dump());
  ASSERT_TRUE(added.ok());
  ASSERT_EQ(added->status, 201u) << added->body;
  const auto contact = json::parse(added->body);
  EXPECT_TRUE(contact["overdue"]);
  EXPECT_EQ(GetJson(own_store, page)["overdue_follow_ups"], 1);
  EXPECT_EQ(GetJson(own_store, "/portal/api/follow-ups?overdue=1")["follow_ups"].size(), 1u);
  auto follow_ups_csv = As(own_store).Get("/portal/api/follow-ups?overdue=1&format=csv");
  ASSERT_TRUE(follow_ups_csv.ok());
  EXPECT_EQ(follow_ups_csv->body,
            "id,customer_id,kind,created_at,follow_up_due_at,overdue,text\r\n" +
                std::to_string(contact["id"].get<std::int64_t>()) + "," + std::to_string(ada_) +
                ",complaint," + contact["created_at"].get<std::string>() +
                ",2020-01-01T00:00:00Z,1,the steak was cold\r\n");
  EXPECT_TRUE(GetJson(other_store, "/portal/api/follow-ups?overdue=1")["follow_ups"].empty());
  auto done = As(own_store).Post(
      page + "/contacts/" + std::to_string(contact["id"].get<std::int64_t>()) + "/done", "");
  ASSERT_TRUE(done.ok());
  EXPECT_EQ(done->status, 200u) << done->body;
  EXPECT_TRUE(GetJson(own_store, "/portal/api/follow-ups?overdue=1")["follow_ups"].empty());

  // Edits by the store's manager: details and consents, a lost card, a merge.
  auto edited = As(own_store).Put(page + "/details", json{{"name", "Ada King"},
                                                          {"email", "ada@example.com"},
                                                          {"phone", "555 0001"},
                                                          {"consent_email", false},
                                                          {"consent_sms", true}}
                                                         .dump());
  ASSERT_TRUE(edited.ok());
  ASSERT_EQ(edited->status, 200u) << edited->body;
  EXPECT_EQ(json::parse(edited->body)["details"]["consent_sms"], true);
  const std::string lost = CardNumber::FromBody("200000000001")->digits();
  const std::string fresh = CardNumber::FromBody("200000000009")->digits();
  auto replaced = As(own_store).Post(
      page + "/card-replacement", json{{"card_number", lost}, {"new_card_number", fresh}}.dump());
  ASSERT_TRUE(replaced.ok());
  EXPECT_EQ(replaced->status, 200u) << replaced->body;
  auto merged = As(own_store).Post(page + "/merge", json{{"from", anonymous_}}.dump());
  ASSERT_TRUE(merged.ok());
  ASSERT_EQ(merged->status, 200u) << merged->body;
  EXPECT_EQ(json::parse(merged->body)["profile"]["visits"], 3);

  // Each change is audited by customer id, without the personal data.
  EXPECT_EQ(server_->Count("SELECT COUNT(*) FROM audit_log WHERE target = 'customer:" +
                           std::to_string(ada_) + "'"),
            5);
  EXPECT_EQ(server_->Count("SELECT COUNT(*) FROM audit_log WHERE detail LIKE '%Ada%'"
                           " OR detail LIKE '%cold%' OR detail LIKE '%" + fresh + "%'"),
            0);
}

TEST_F(PortalCustomers, ExportHoldsEverythingAndErasureLeavesAnonymousPurchases) {
  const auto admin = LogIn("admin@example.com");
  const std::string page = "/portal/api/customers/" + std::to_string(ada_);
  ASSERT_EQ(As(admin)
                .Post(page + "/contacts", json{{"kind", "note"}, {"text", "prefers e-mail"}}.dump())
                ->status,
            201u);
  auto exported = As(admin).Get(page + "/export");
  ASSERT_TRUE(exported.ok());
  ASSERT_EQ(exported->status, 200u);
  const auto document = json::parse(exported->body);
  EXPECT_EQ(document["details"]["email"], "ada@example.com");
  EXPECT_EQ(document["details"]["consent_email"], true);
  EXPECT_EQ(document["cards"].size(), 1u);
  EXPECT_EQ(document["purchases"].size(), 2u);
  EXPECT_EQ(document["purchases"][0]["lines"][0]["sku"], "822629");
  EXPECT_TRUE(document["coupons"].is_array());
  EXPECT_EQ(document["coupons"].size(), document["coupon_counts"]["issued"].get<std::size_t>());
  EXPECT_EQ(document["contacts"][0]["text"], "prefers e-mail");
  EXPECT_NE(exported->Header("Content-Disposition").value_or("").find("attachment"),
            std::string::npos);

  // The same purchases as CSV, newest first: one steak, then two.
  auto purchases_csv = As(admin).Get(page + "/purchases?format=csv");
  ASSERT_TRUE(purchases_csv.ok());
  EXPECT_EQ(purchases_csv->status, 200u);
  EXPECT_EQ(purchases_csv->Header("Content-Type").value_or("").rfind("text/csv", 0), 0u);
  std::vector<std::string> rows;
  for (std::size_t at = 0; at < purchases_csv->body.size();) {
    const auto end = purchases_csv->body.find("\r\n", at);
    rows.push_back(purchases_csv->body.substr(at, end - at));
    at = end == std::string::npos ? end : end + 2;
  }
  ASSERT_EQ(rows.size(), 3u) << purchases_csv->body;
  EXPECT_EQ(rows[0], "id,occurred_at,store_id,currency,items,discount,total");
  EXPECT_NE(rows[1].find(",S001,USD,1,0.00,4.19"), std::string::npos) << rows[1];
  EXPECT_NE(rows[2].find(",S001,USD,2,0.00,8.38"), std::string::npos) << rows[2];

  // Erasing cannot be undone: the request repeats the customer's number or a card.
  const auto refused_erase = [&](const std::string& body, const std::string& message) {
    auto response = As(admin).Post(page + "/erase", body);
    ASSERT_TRUE(response.ok());
    EXPECT_EQ(response->status, 400u) << body << ": " << response->body;
    const auto error = json::parse(response->body)["error"];
    EXPECT_EQ(error["field"], "confirm") << body;
    EXPECT_NE(error["message"].get<std::string>().find(message), std::string::npos)
        << response->body;
  };
  refused_erase("", "repeat the customer's number");
  refused_erase("{}", "repeat the customer's number");
  refused_erase(json{{"confirm", std::to_string(grace_)}}.dump(), "does not match");
  refused_erase(json{{"confirm", CardNumber::FromBody("200000000002")->digits()}}.dump(),
                "does not match");
  refused_erase(json{{"confirm", ada_}}.dump(), "must be a string");
  EXPECT_EQ(server_->Count("SELECT COUNT(*) FROM customer_details WHERE customer_id = " +
                           std::to_string(ada_)),
            1);
  const std::string ada_card = CardNumber::FromBody("200000000001")->digits();
  auto erased = As(admin).Post(page + "/erase", json{{"confirm", ada_card}}.dump());
  ASSERT_TRUE(erased.ok());
  ASSERT_EQ(erased->status, 200u) << erased->body;
  EXPECT_EQ(json::parse(erased->body)["erased_now"], true);
  EXPECT_EQ(json::parse(As(admin)
                            .Post(page + "/erase", json{{"confirm", std::to_string(ada_)}}.dump())
                            ->body)["erased_now"],
            false);
  EXPECT_EQ(server_->Count("SELECT COUNT(*) FROM audit_log WHERE action = 'customer.erase'"
                           " AND detail LIKE '%\"confirmed_by\":\"card_number\"%'"
                           " AND detail NOT LIKE '%" + ada_card.substr(0, 12) + "%'"),
            1);

  const std::string of = " WHERE customer_id = " + std::to_string(ada_);
  EXPECT_EQ(server_->Count("SELECT COUNT(*) FROM purchases" + of), 2);
  EXPECT_EQ(server_->Count("SELECT COUNT(*) FROM purchases" + of + " AND card_number IS NULL"), 2);
  EXPECT_EQ(server_->Count("SELECT COUNT(*) FROM customer_details" + of), 0);
  EXPECT_EQ(server_->Count("SELECT COUNT(*) FROM cards" + of), 0);
  const auto after = As(admin).Get(page + "/export");
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->body.find("ada@"), std::string::npos);
  EXPECT_EQ(after->body.find("Lovelace"), std::string::npos);
  EXPECT_EQ(after->body.find("prefers"), std::string::npos);
  EXPECT_EQ(json::parse(after->body)["profile"]["visits"], 2);
  EXPECT_TRUE(Found(admin, "q=lovel").empty());
  EXPECT_EQ(server_->Count("SELECT COUNT(*) FROM audit_log WHERE action = 'customer.erase'"), 1);
}

TEST_F(PortalCustomers, RegistersANewCardOnceNamingTheFieldAtFault) {
  const auto admin = LogIn("admin@example.com");
  const auto analyst = LogIn("analyst@example.com");
  const std::string fresh = CardNumber::FromBody("200000000007")->digits();
  const json details = {{"name", "Johnson, Katherine"},
                        {"email", "kj@example.com"},
                        {"consent_email", true},
                        {"consent_sms", false}};
  const auto post = [&](const Login& login, const json& body, unsigned status) {
    auto response = As(login).Post("/portal/api/customers", body.dump());
    EXPECT_TRUE(response.ok());
    if (!response.ok()) return json();
    EXPECT_EQ(response->status, status) << body.dump() << ": " << response->body;
    return json::parse(response->body, nullptr, false);
  };

  post(analyst, {{"card_number", fresh}, {"details", details}}, 403);
  EXPECT_EQ(post(admin, {{"card_number", fresh}}, 400)["error"]["field"], "details");
  EXPECT_EQ(post(admin, {{"card_number", "123"}, {"details", details}}, 400)["error"]["field"],
            "card_number");
  auto bad_email = details;
  bad_email["email"] = "not an address";
  EXPECT_EQ(post(admin, {{"card_number", fresh}, {"details", bad_email}}, 400)["error"]["field"],
            "email");
  EXPECT_EQ(server_->Count("SELECT COUNT(*) FROM cards WHERE number = '" + fresh + "'"), 0);

  const auto created = post(admin, {{"card_number", fresh}, {"details", details}}, 201);
  const std::int64_t id = created.value("customer_id", std::int64_t{0});
  ASSERT_GT(id, 0);
  const auto page = GetJson(admin, "/portal/api/customers/" + std::to_string(id));
  EXPECT_EQ(page["details"]["name"], "Johnson, Katherine");
  EXPECT_EQ(page["cards"][0]["number"], fresh);
  EXPECT_EQ(Found(admin, "q=johnson"), std::vector<std::int64_t>{id});

  // A card with a holder, this one's or Ada's, is never registered over.
  const std::string adas = CardNumber::FromBody("200000000001")->digits();
  for (const auto& card : {fresh, adas}) {
    EXPECT_EQ(post(admin, {{"card_number", card}, {"details", details}}, 409)["error"]["field"],
              "card_number");
  }
  EXPECT_EQ(GetJson(admin, "/portal/api/customers/" + std::to_string(ada_))["details"]["name"],
            "Lovelace, Ada");
  // A card used at the till before its holder came to the desk: the details join the
  // customer its purchases made.
  const std::string anonymous = CardNumber::FromBody("200000000003")->digits();
  EXPECT_EQ(post(admin, {{"card_number", anonymous}, {"details", details}}, 201)["customer_id"],
            anonymous_);
  EXPECT_EQ(server_->Count("SELECT COUNT(*) FROM audit_log WHERE action = 'customer.register'"
                           " AND target = 'customer:" +
                           std::to_string(id) + "' AND detail NOT LIKE '%Katherine%'"
                           " AND detail NOT LIKE '%" + fresh + "%'"),
            1);
}

TEST_F(PortalCustomers, NightlyRunFeaturesShowOnThePageAndInTheExport) {
  const auto admin = LogIn("admin@example.com");
  const std::string page = "/portal/api/customers/" + std::to_string(ada_);
  EXPECT_TRUE(GetJson(admin, page)["features"].is_null());
  ASSERT_NO_FATAL_FAILURE(RunNightlyBatch());

  // Ada's two purchases came seconds apart, one trip: no gap of hers or anybody's, so the
  // usual gap is the default 14 days and a day's absence is a low risk; everybody bought
  // the same steak, so no category stands out.
  const auto features = GetJson(admin, page)["features"];
  ASSERT_TRUE(features.is_object()) << features.dump();
  EXPECT_EQ(features["visits"], 2);
  EXPECT_NEAR(features["days_between_visits"].get<double>(), 14, 1e-9);
  EXPECT_LT(features["lapse_risk"].get<double>(), 0.01);
  EXPECT_EQ(features["lapse_risk_band"], "low");
  EXPECT_TRUE(features["top_categories"].empty());
  EXPECT_EQ(features["run_date"], FormatUtc(Now() + std::chrono::hours(24)).substr(0, 10));
  EXPECT_EQ(GetJson(admin, page + "/export")["features"], features);
  // The analyst reads them too; the other store's manager is refused the customer.
  EXPECT_EQ(GetJson(LogIn("analyst@example.com"), page)["features"], features);
  GetJson(LogIn("s2@example.com"), page, 404);
}

TEST_F(PortalCustomers, InChromiumFindsACustomerLogsAFollowUpEditsAConsentAndRefusesAnotherStore) {
  // The customer page shows the nightly run's features.
  ASSERT_NO_FATAL_FAILURE(RunNightlyBatch());
  testing::BrowserRun run;
  // Ada's two purchases, newest first: one steak, then two, at 419 cents each; Grace spent
  // $4.19 and the anonymous card $16.76, so $10 to $15 is Ada alone.
  ASSERT_NO_FATAL_FAILURE(testing::RunPortalBrowser(
      "portal_customers_browser.mjs", "customers", *server_, dir_,
      {"--email", "admin@example.com", "--manager-email", "s2@example.com", "--password", kPassword,
       "--customer-id", std::to_string(ada_), "--customer-name", "Lovelace, Ada", "--search",
       "Lovelace", "--visits", "2", "--spend", "$12.57", "--totals", "$4.19,$8.38",
       "--analyst-email", "analyst@example.com", "--new-card",
       CardNumber::FromBody("200000000007")->digits(), "--replacement-card",
       CardNumber::FromBody("200000000008")->digits(), "--merge-id", std::to_string(grace_),
       "--merge-name", "Grace \"Amazing\" Hopper", "--top-spender",
       "anonymous #" + std::to_string(anonymous_), "--least-spender", "Grace \"Amazing\" Hopper",
       "--spend-from", "10", "--spend-to", "15", "--usual-gap", "14 days", "--lapse-band", "low"},
      run));
  EXPECT_EQ(run.status, 0) << "the browser run failed (screenshots in " << run.screenshots << "):\n"
                           << run.log;
  for (const char* shot : {"1-customers.png", "2-search.png", "3-customer.png", "3-features.png",
                           "4-overdue-follow-up.png", "5-field-error.png", "6-consent-saved.png",
                           "7-follow-ups-panel.png", "8-sorted-by-spend.png", "8-lapse-risk.png",
                           "9-follow-up-done.png", "10-card-replaced.png", "11-registered.png",
                           "12-merge-confirm.png", "13-erase-confirm.png", "14-erased.png",
                           "14-narrow-list.png", "14-narrow-customer.png",
                           "15-session-ended.png", "16-analyst.png",
                           "17-manager-refused.png"}) {
    EXPECT_TRUE(std::filesystem::exists(run.screenshots + "/" + shot)) << shot;
  }
  // What the browser did went through the API: stored and audited.
  const std::string of = " WHERE customer_id = " + std::to_string(ada_);
  EXPECT_EQ(server_->Count("SELECT COUNT(*) FROM customer_details" + of + " AND consent_sms = 1"),
            1);
  EXPECT_EQ(server_->Count("SELECT COUNT(*) FROM audit_log WHERE action IN"
                           " ('customer.contact_add', 'customer.details_update',"
                           " 'customer.contact_done', 'customer.card_replace',"
                           " 'customer.register', 'customer.merge', 'customer.erase')"),
            7);
  EXPECT_EQ(server_->Count("SELECT COUNT(*) FROM customer_details WHERE name LIKE '%Katherine%'"),
            0);
  // The erased customer's card was free again, so only the ended session kept it so.
  EXPECT_EQ(server_->Count("SELECT COUNT(*) FROM customer_details WHERE name = 'Late, Someone'"),
            0);
}

}  // namespace
}  // namespace loyalty
