// Every portal route by every kind of caller: nobody logged in, an analyst, a manager of
// the store the customer shops in, a manager of another store, and an admin. The routes
// come from the router that AddAllRoutes builds (as main() does; openapi_test.cc checks
// they are the documented ones), so a route added without a line in the table below
// fails here, and so does a route that lets the wrong role through.
//
// "Passes" means the role check let the request through: the answer is neither 401, 403
// nor 404 (a body the handler finds wrong, 400, still passed). Changes run with an
// empty body, except where the table gives one; the admin goes last and erasing comes
// after the other routes, so nothing a passing request changes hides a route from
// another caller.
#include <gtest/gtest.h>

#include <boost/beast/http/verb.hpp>
#include <fstream>
#include <map>

#include "api/routes.h"
#include "auth/password.h"
#include "loyalty/crypto/ed25519.h"
#include "ops/metrics.h"
#include "storage/sqlite_store.h"
#include "support/temp_dir.h"
#include "support/source_dir.h"
#include "targeting/next_visit_planner.h"

namespace loyalty::server {
namespace {

using nlohmann::json;

enum class Expect {
  kPasses,
  kForbidden,     // 403: the role may not do this
  kNotFound,      // 404: another store's thing, as if it did not exist
  kUnauthorized,  // 401: nobody is logged in
};

const char* Name(Expect expect) {
  switch (expect) {
    case Expect::kPasses: return "passes";
    case Expect::kForbidden: return "403";
    case Expect::kNotFound: return "404";
    case Expect::kUnauthorized: return "401";
  }
  return "?";
}

bool Matches(Expect expect, unsigned status) {
  switch (expect) {
    case Expect::kPasses: return status != 401 && status != 403 && status != 404;
    case Expect::kForbidden: return status == 403;
    case Expect::kNotFound: return status == 404;
    case Expect::kUnauthorized: return status == 401;
  }
  return false;
}

// The callers, in the order they run: the admin last.
enum Caller { kNobody, kAnalyst, kOtherManager, kOwnManager, kAdmin, kCallerCount };
const char* const kCallerNames[] = {"nobody", "analyst", "manager of S002", "manager of S001",
                                    "admin"};

struct RouteCase {
  std::string path;  // the pattern with its {names} filled in with things that exist
  std::string body;  // for a change; empty sends "{}"
  Expect analyst, other_manager, own_manager, admin;
  Expect nobody = Expect::kUnauthorized;  // only logging in is open to all
};

constexpr auto P = Expect::kPasses;
constexpr auto F = Expect::kForbidden;
constexpr auto N = Expect::kNotFound;

class PortalRouteRoles : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = std::make_unique<SqliteStore>(dir_.File("server.db"), planner_, key_);
    AddAllRoutes(router_, *store_, key_.verify_key(), metrics_, throttle_, [] {}, files_);
    ASSERT_TRUE(store_->AddStore({"S001", "Main St", "USD"}).ok());
    ASSERT_TRUE(store_->AddStore({"S002", "High St", "USD"}).ok());
    ASSERT_TRUE(store_
                    ->ImportProducts({{"3001", "Steak", "MEAT", "MEAT", "BEEF", "Ranch", "500 G",
                                       899, true}})
                    .ok());
    customer_ = Buy(1);

    AddUser("admin@example.com", PortalRole::kAdmin, {});
    AddUser("analyst@example.com", PortalRole::kAnalyst, {});
    AddUser("own@example.com", PortalRole::kStoreManager, {"S001"});
    AddUser("other@example.com", PortalRole::kStoreManager, {"S002"});
    sessions_[kAdmin] = LogIn("admin@example.com");
    sessions_[kAnalyst] = LogIn("analyst@example.com");
    sessions_[kOwnManager] = LogIn("own@example.com");
    sessions_[kOtherManager] = LogIn("other@example.com");

    std::ifstream example(testing::SourceDir() + "/docs/examples/campaign.json");
    campaign_ = json::parse(example, nullptr, false);
    ASSERT_TRUE(campaign_.is_object()) << "docs/examples/campaign.json";
    auto created = Call(kAdmin, http::Verb::post, "/portal/api/campaigns", campaign_.dump());
    ASSERT_EQ(created.status, 201u) << created.body;
    auto contact = Call(kAdmin, http::Verb::post, CustomerPath("/contacts"),
                        R"({"kind": "note", "text": "Asked about the bakery"})");
    ASSERT_EQ(contact.status, 201u) << contact.body;
    contact_ = json::parse(contact.body)["id"].get<std::int64_t>();
    auto code = store_->CreateEnrollmentCode("S001", std::chrono::hours(1), Now());
    ASSERT_TRUE(code.ok());
    auto till = store_->EnrollTerminal(*code, "Till 1", Now());
    ASSERT_TRUE(till.ok());
    terminal_ = till->identity.terminal_id;
  }

  std::int64_t Buy(int card) {
    domain::Purchase purchase;
    purchase.store_id = "S001";
    purchase.terminal_id = "T01";
    purchase.card = CardNumber::FromBody("20000000000" + std::to_string(card)).value();
    purchase.occurred_at = Now();
    purchase.lines.push_back({"3001", 1, 899, 899});
    purchase.total_minor = purchase.SubtotalMinor();
    auto recorded = store_->RecordPurchase(purchase, Now());
    EXPECT_TRUE(recorded.ok());
    return recorded.ok() ? recorded->ack.customer_id.value_or(0) : 0;
  }

  void AddUser(const std::string& email, PortalRole role, std::vector<std::string> stores) {
    auto hash = auth::HashPassword(kPassword);
    ASSERT_TRUE(hash.ok());
    ASSERT_TRUE(store_->CreatePortalUser({email, email, role, *hash, std::move(stores)}, Now()).ok());
  }

  struct Session {
    std::string cookie;
    std::string csrf;
  };

  Session LogIn(const std::string& email) {
    auto response = Call(kNobody, http::Verb::post, "/portal/api/session",
                         json{{"email", email}, {"password", kPassword}}.dump());
    EXPECT_EQ(response.status, 200u) << response.body;
    for (const auto& [name, value] : response.headers) {
      if (name == "Set-Cookie") {
        return {value.substr(0, value.find(';')),
                json::parse(response.body)["csrf_token"].get<std::string>()};
      }
    }
    ADD_FAILURE() << "no session cookie for " << email;
    return {};
  }

  http::Response Call(Caller caller, http::Verb method, const std::string& target,
                      const std::string& body = "", bool with_csrf = true) {
    auto request = std::make_shared<http::Request>();
    request->method = method;
    const auto question = target.find('?');
    request->path = target.substr(0, question);
    if (question != std::string::npos) {
      const std::string query = target.substr(question + 1);
      for (std::size_t start = 0; start <= query.size();) {
        const auto end = std::min(query.find('&', start), query.size());
        const auto pair = query.substr(start, end - start);
        const auto equals = pair.find('=');
        request->query[pair.substr(0, equals)] =
            equals == std::string::npos ? "" : pair.substr(equals + 1);
        start = end + 1;
      }
    }
    request->body = body;
    request->remote_address = "127.0.0.1";
    request->headers["content-type"] = "application/json";
    if (caller != kNobody) {
      request->headers["cookie"] = sessions_[caller].cookie;
      if (with_csrf) request->headers["x-csrf-token"] = sessions_[caller].csrf;
    }
    http::Response response;
    bool answered = false;
    router_.Dispatch(request, [&](http::Response answer, const std::string&) {
      response = std::move(answer);
      answered = true;
    });
    EXPECT_TRUE(answered) << target << " did not answer at once";
    return response;
  }

  std::string CustomerPath(const std::string& rest = "") const {
    return "/portal/api/customers/" + std::to_string(customer_) + rest;
  }

  // Every portal route, with the path to call and what each caller must get.
  std::map<std::string, RouteCase> Table() const {
    const std::string campaign = "/portal/api/campaigns/" + campaign_["id"].get<std::string>();
    return {
        {"POST /portal/api/session", {"/portal/api/session", "", P, P, P, P, P}},
        {"GET /portal/api/session", {"/portal/api/session", "", P, P, P, P}},
        {"DELETE /portal/api/session", {"/portal/api/session", "", P, P, P, P}},
        {"GET /portal/api/dashboard", {"/portal/api/dashboard", "", P, P, P, P}},
        {"GET /portal/api/coupon-conflicts", {"/portal/api/coupon-conflicts", "", P, P, P, P}},
        {"GET /portal/api/stores", {"/portal/api/stores", "", P, P, P, P}},
        {"GET /portal/api/performance", {"/portal/api/performance", "", P, P, P, P}},
        {"POST /portal/api/stores/{store_id}/enrollment-codes",
         {"/portal/api/stores/S001/enrollment-codes", "", F, N, P, P}},
        {"POST /portal/api/terminals/{terminal_id}/revoke",
         {"/portal/api/terminals/" + terminal_ + "/revoke", "", F, N, P, P}},
        {"GET /portal/api/acquisition", {"/portal/api/acquisition", "", P, P, P, P}},
        {"GET /portal/api/acquisition/sources", {"/portal/api/acquisition/sources", "", P, F, F, P}},
        {"PUT /portal/api/acquisition/sources/{source}",
         {"/portal/api/acquisition/sources/flyer", "", F, F, F, P}},
        {"PUT /portal/api/acquisition/sources/{source}/costs",
         {"/portal/api/acquisition/sources/flyer/costs", "", F, F, F, P}},
        {"GET /portal/api/audit", {"/portal/api/audit", "", F, F, F, P}},
        {"GET /portal/api/follow-ups", {"/portal/api/follow-ups", "", P, P, P, P}},
        {"GET /portal/api/customers", {"/portal/api/customers", "", P, P, P, P}},
        {"POST /portal/api/customers", {"/portal/api/customers", "", F, P, P, P}},
        {"GET /portal/api/customers/{customer_id}", {CustomerPath(), "", P, N, P, P}},
        {"GET /portal/api/customers/{customer_id}/purchases",
         {CustomerPath("/purchases"), "", P, N, P, P}},
        {"POST /portal/api/customers/{customer_id}/contacts",
         {CustomerPath("/contacts"), "", F, N, P, P}},
        {"POST /portal/api/customers/{customer_id}/contacts/{contact_id}/done",
         {CustomerPath("/contacts/" + std::to_string(contact_) + "/done"), "", F, N, P, P}},
        {"PUT /portal/api/customers/{customer_id}/details",
         {CustomerPath("/details"), "", F, N, P, P}},
        {"POST /portal/api/customers/{customer_id}/card-replacement",
         {CustomerPath("/card-replacement"), "", F, N, P, P}},
        {"POST /portal/api/customers/{customer_id}/merge",
         {CustomerPath("/merge"), "", F, N, P, P}},
        {"GET /portal/api/customers/{customer_id}/export",
         {CustomerPath("/export"), "", F, N, P, P}},
        {"POST /portal/api/customers/{customer_id}/erase",
         {CustomerPath("/erase"), json{{"confirm", std::to_string(customer_)}}.dump(), F, F, F,
          P}},
        {"GET /portal/api/campaigns", {"/portal/api/campaigns", "", P, P, P, P}},
        {"POST /portal/api/campaigns", {"/portal/api/campaigns", "", F, F, F, P}},
        {"GET /portal/api/campaigns/{campaign_id}", {campaign, "", P, P, P, P}},
        {"GET /portal/api/campaigns/{campaign_id}/results", {campaign + "/results", "", P, P, P, P}},
        {"PUT /portal/api/campaigns/{campaign_id}", {campaign, "", F, F, F, P}},
        {"POST /portal/api/campaigns/{campaign_id}/pause", {campaign + "/pause", "", F, F, F, P}},
        {"POST /portal/api/campaigns/{campaign_id}/resume",
         {campaign + "/resume", "", F, F, F, P}},
    };
  }

  static constexpr char kPassword[] = "a long portal password";
  testing::TempDir dir_;
  TopCategoryPlanner planner_;
  crypto::SigningKey key_ = crypto::SigningKey::Generate();
  std::unique_ptr<SqliteStore> store_;
  ops::Registry metrics_;
  auth::LoginThrottle throttle_;
  PortalFiles files_;
  http::Router router_;
  Session sessions_[kCallerCount];
  std::int64_t customer_ = 0;  // shops in S001
  std::int64_t contact_ = 0;
  std::string terminal_;  // a till of S001
  json campaign_;
};

std::string RouteName(const http::Router::Route& route) {
  std::string method(boost::beast::http::to_string(route.method));
  return method + " " + route.pattern;
}

TEST_F(PortalRouteRoles, EveryPortalRouteAnswersEachCallerAsTheTableSays) {
  const auto table = Table();
  std::vector<std::pair<std::string, http::Verb>> routes;
  for (const auto& route : router_.Routes()) {
    if (!route.pattern.starts_with("/portal/api/")) continue;
    const std::string name = RouteName(route);
    if (!table.contains(name)) {
      ADD_FAILURE() << name << " has no line in the route x role table: add one";
      continue;
    }
    routes.emplace_back(name, route.method);
  }
  for (const auto& [name, expected] : table) {
    EXPECT_TRUE(std::any_of(routes.begin(), routes.end(),
                            [&](const auto& route) { return route.first == name; }))
        << name << " is in the table but the server does not mount it";
  }
  // Erasing the customer and logging out (which ends the caller's session) run after
  // the caller's other routes.
  for (const char* last : {"POST /portal/api/customers/{customer_id}/erase",
                           "DELETE /portal/api/session"}) {
    std::stable_partition(routes.begin(), routes.end(),
                          [&](const auto& route) { return route.first != last; });
  }

  for (int caller = kNobody; caller < kCallerCount; ++caller) {
    for (const auto& [name, method] : routes) {
      const RouteCase& route = table.at(name);
      Expect expected = route.nobody;
      switch (caller) {
        case kAnalyst: expected = route.analyst; break;
        case kOtherManager: expected = route.other_manager; break;
        case kOwnManager: expected = route.own_manager; break;
        case kAdmin: expected = route.admin; break;
        default: break;
      }
      const bool change = method != http::Verb::get;
      const std::string body = change ? (route.body.empty() ? "{}" : route.body) : "";
      const bool open_to_all = route.nobody == Expect::kPasses;
      if (change && !open_to_all && caller != kNobody && expected == Expect::kPasses) {
        // Without the CSRF token a change is refused before anything else.
        const auto forged = Call(static_cast<Caller>(caller), method, route.path, body, false);
        EXPECT_EQ(forged.status, 403u)
            << name << " for the " << kCallerNames[caller] << " without a CSRF token";
      }
      const auto response = Call(static_cast<Caller>(caller), method, route.path, body);
      EXPECT_TRUE(Matches(expected, response.status))
          << name << " (" << route.path << ") for the " << kCallerNames[caller] << ": expected "
          << Name(expected) << ", got " << response.status << " " << response.body;
    }
  }
}

}  // namespace
}  // namespace loyalty::server

namespace loyalty::server {
namespace {

// The audit log as the admin reads it: the logins, the campaign and the contact note
// made in SetUp, newest first, filtered, a page at a time and as CSV.
TEST_F(PortalRouteRoles, AuditLogShowsTheActionsFiltersPagesAndDownloads) {
  auto all = Call(kAdmin, http::Verb::get, "/portal/api/audit");
  ASSERT_EQ(all.status, 200u) << all.body;
  const auto entries = json::parse(all.body)["entries"];
  std::vector<std::string> actions;
  for (const auto& entry : entries) actions.push_back(entry["action"]);
  EXPECT_EQ(actions, (std::vector<std::string>{"customer.contact_add", "campaign.create", "login",
                                               "login", "login", "login"}));
  EXPECT_EQ(entries[0]["target"], "customer:" + std::to_string(customer_));
  EXPECT_EQ(entries[0]["user"]["email"], "admin@example.com");
  EXPECT_EQ(entries[0]["remote_address"], "127.0.0.1");
  // No personal data: the note's text is not in the log.
  EXPECT_EQ(all.body.find("bakery"), std::string::npos);

  auto customer = Call(kAdmin, http::Verb::get, "/portal/api/audit?action=customer");
  EXPECT_EQ(json::parse(customer.body)["entries"].size(), 1u);

  auto first = Call(kAdmin, http::Verb::get, "/portal/api/audit?limit=4");
  const auto first_page = json::parse(first.body);
  ASSERT_EQ(first_page["entries"].size(), 4u);
  auto second = Call(kAdmin, http::Verb::get,
                     "/portal/api/audit?limit=4&before=" +
                         std::to_string(first_page["next_before"].get<std::int64_t>()));
  const auto second_page = json::parse(second.body);
  EXPECT_EQ(second_page["entries"].size(), 2u);
  EXPECT_TRUE(second_page["next_before"].is_null());

  auto csv = Call(kAdmin, http::Verb::get, "/portal/api/audit?format=csv&action=campaign");
  EXPECT_EQ(csv.content_type, "text/csv; charset=utf-8");
  EXPECT_EQ(csv.body.substr(0, csv.body.find("\r\n")),
            "seq,at,user_id,user_email,action,target,detail,remote_address");
  EXPECT_NE(csv.body.find(",campaign.create,campaign:"), std::string::npos) << csv.body;

  for (const auto& [query, field] : std::vector<std::pair<std::string, std::string>>{
           {"from=yesterday", "from"},
           {"to=2026-12-01T00:00:00", "to"},
           {"from=2026-12-02T00:00:00Z&to=2026-12-01T00:00:00Z", "to"},
           {"limit=0", "limit"},
           {"limit=501", "limit"},
           {"before=-1", "before"},
           {"user=ada", "user"}}) {
    auto refused = Call(kAdmin, http::Verb::get, "/portal/api/audit?" + query);
    EXPECT_EQ(refused.status, 400u) << query;
    EXPECT_EQ(json::parse(refused.body)["error"]["field"], field) << query;
  }
}

}  // namespace
}  // namespace loyalty::server
