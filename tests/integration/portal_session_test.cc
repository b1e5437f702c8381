// Portal logins through the real server over HTTPS: the first admin from the command
// line, the session cookie's flags, CSRF on logout, the same answer for an unknown
// account and a wrong password, and the throttle after five failures.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "integration/server_harness.h"
#include "loyalty/crypto/hash.h"

namespace loyalty {
namespace {

using namespace std::chrono_literals;
using testing::ServerHarness;
using testing::TempDir;

constexpr char kPassword[] = "a long portal password";

class PortalSession : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<ServerHarness>(dir_);
    ::setenv("LOYALTY_ADMIN_PASSWORD", kPassword, 1);
    const int created =
        testing::RunToEnd(server_->AdminCommand({"admin", "create", "--email", "Ada@Example.com",
                                                 "--name", "Ada Admin"}),
                          dir_.File("admin.log"));
    ::unsetenv("LOYALTY_ADMIN_PASSWORD");
    ASSERT_EQ(created, 0);
    ASSERT_FALSE(server_->Start().empty());
  }

  net::HttpsClient Client(std::vector<std::pair<std::string, std::string>> headers = {}) {
    return net::HttpsClient(
        {*net::ParseHttpsUrl(server_->url()), server_->CaFile(), 10s, std::move(headers)});
  }

  Result<net::HttpResponse> Login(const std::string& email, const std::string& password) {
    return Client().Post("/portal/api/session",
                         nlohmann::json{{"email", email}, {"password", password}}.dump());
  }

  TempDir dir_;
  std::unique_ptr<ServerHarness> server_;
};

TEST_F(PortalSession, LogsInWithAHardenedCookieAndLogsOutOnlyWithTheCsrfToken) {
  auto login = Login("ada@example.com", kPassword);  // e-mails compare without case
  ASSERT_TRUE(login.ok()) << login.error().ToString();
  ASSERT_EQ(login->status, 200u) << login->body;
  const auto body = nlohmann::json::parse(login->body);
  EXPECT_EQ(body["user"]["role"], "admin");
  EXPECT_EQ(body["user"]["email"], "ada@example.com");
  // The pages format money in the chain's currency, which the session names.
  EXPECT_EQ(body["currency"], "USD");
  const std::string csrf = body["csrf_token"];
  const std::string cookie = login->Header("Set-Cookie").value_or("");
  for (const char* flag : {"HttpOnly", "Secure", "SameSite=Strict", "Path=/", "Max-Age=28800"}) {
    EXPECT_NE(cookie.find(flag), std::string::npos) << flag << " missing in " << cookie;
  }
  const std::string session = cookie.substr(0, cookie.find(';'));
  ASSERT_EQ(session.rfind("loyalty_session=", 0), 0u);

  // The database keeps the token's SHA-256, never the token.
  const std::string token = session.substr(session.find('=') + 1);
  EXPECT_EQ(server_->Count("SELECT COUNT(*) FROM portal_sessions WHERE token_hash = '" + token +
                           "'"),
            0);
  EXPECT_EQ(server_->Count("SELECT COUNT(*) FROM portal_sessions WHERE token_hash = '" +
                           crypto::Sha256Hex(token) + "'"),
            1);

  // A portal page's data: the coupon conflicts (none in this store yet), and a limit
  // out of range named.
  auto conflicts = Client({{"Cookie", session}}).Get("/portal/api/coupon-conflicts");
  ASSERT_TRUE(conflicts.ok());
  EXPECT_EQ(conflicts->status, 200u);
  EXPECT_EQ(nlohmann::json::parse(conflicts->body)["conflicts"], nlohmann::json::array());
  auto bad_limit = Client({{"Cookie", session}}).Get("/portal/api/coupon-conflicts?limit=0");
  EXPECT_EQ(nlohmann::json::parse(bad_limit->body)["error"]["field"], "limit");
  EXPECT_EQ(Client().Get("/portal/api/coupon-conflicts")->status, 401u);

  // A chain that sells in euros.
  ASSERT_EQ(server_->Text("UPDATE meta SET value = 'EUR' WHERE key = 'currency' RETURNING value"),
            "EUR");
  auto me = Client({{"Cookie", session}}).Get("/portal/api/session");
  ASSERT_TRUE(me.ok());
  EXPECT_EQ(me->status, 200u);
  EXPECT_EQ(nlohmann::json::parse(me->body)["csrf_token"], csrf);
  EXPECT_EQ(nlohmann::json::parse(me->body)["currency"], "EUR");
  ASSERT_EQ(server_->Text("UPDATE meta SET value = 'USD' WHERE key = 'currency' RETURNING value"),
            "USD");

  // Without the token, or with another, logging out is refused: a page elsewhere can
  // make the browser send the cookie but cannot read the token.
  EXPECT_EQ(Client({{"Cookie", session}}).Delete("/portal/api/session")->status, 403u);
  EXPECT_EQ(Client({{"Cookie", session}, {"X-CSRF-Token", csrf + "x"}})
                .Delete("/portal/api/session")
                ->status,
            403u);
  auto logout = Client({{"Cookie", session}, {"X-CSRF-Token", csrf}}).Delete("/portal/api/session");
  ASSERT_TRUE(logout.ok());
  EXPECT_EQ(logout->status, 204u);
  EXPECT_NE(logout->Header("Set-Cookie").value_or("").find("Max-Age=0"), std::string::npos);
  EXPECT_EQ(Client({{"Cookie", session}}).Get("/portal/api/session")->status, 401u);

  // The session is gone, and the audit log has both events.
  EXPECT_EQ(server_->Count("SELECT COUNT(*) FROM portal_sessions"), 0);
  EXPECT_EQ(server_->Count("SELECT COUNT(*) FROM audit_log WHERE action IN ('login', 'logout')"),
            2);
}

TEST_F(PortalSession, RefusesUnknownAccountsAndWrongPasswordsAlikeThenThrottles) {
  auto unknown = Login("nobody@example.com", kPassword);
  auto wrong = Login("ada@example.com", "not the password at all");
  ASSERT_TRUE(unknown.ok() && wrong.ok());
  EXPECT_EQ(unknown->status, 401u);
  EXPECT_EQ(wrong->status, 401u);
  EXPECT_EQ(nlohmann::json::parse(unknown->body)["error"]["message"],
            nlohmann::json::parse(wrong->body)["error"]["message"]);
  EXPECT_EQ(Client().Get("/portal/api/session")->status, 401u);

  // The same account however its e-mail is spelt: one count.
  for (const char* spelling :
       {"ADA@example.com", " Ada@Example.com", "ada@EXAMPLE.com", "Ada@example.COM"}) {
    EXPECT_EQ(Login(spelling, "a wrong guess")->status, 401u);
  }
  // Five failures for the account: even the right password now waits.
  auto throttled = Login("ada@example.com", kPassword);
  ASSERT_TRUE(throttled.ok());
  EXPECT_EQ(throttled->status, 429u) << throttled->body;
  const auto retry_after = std::stoi(throttled->Header("Retry-After").value_or("0"));
  EXPECT_GT(retry_after, 800);
  EXPECT_LE(retry_after, 900);

  // A cross-site form can only post text/plain: refused.
  auto form = Client({{"Content-Type", "text/plain"}})
                  .Post("/portal/api/session",
                        nlohmann::json{{"email", "ada@example.com"}, {"password", kPassword}}.dump());
  EXPECT_EQ(form->status, 400u);
  EXPECT_EQ(nlohmann::json::parse(form->body)["error"]["field"], "content-type");

  auto bad = Client().Post("/portal/api/session", R"({"email": "ada@example.com"})");
  EXPECT_EQ(bad->status, 400u);
  EXPECT_EQ(nlohmann::json::parse(bad->body)["error"]["field"], "password");
}

TEST_F(PortalSession, AdminCreateRefusesWeakPasswordsAndDuplicateAccounts) {
  ::setenv("LOYALTY_ADMIN_PASSWORD", "short", 1);
  EXPECT_EQ(testing::RunToEnd(server_->AdminCommand({"admin", "create", "--email",
                                                     "bob@example.com", "--name", "Bob"}),
                              dir_.File("admin2.log")),
            2);  // bad input
  ::setenv("LOYALTY_ADMIN_PASSWORD", kPassword, 1);
  EXPECT_EQ(testing::RunToEnd(server_->AdminCommand({"admin", "create", "--email",
                                                     "ADA@example.com", "--name", "Ada"}),
                              dir_.File("admin2.log")),
            1);
  EXPECT_EQ(
      testing::RunToEnd(server_->AdminCommand({"admin", "create", "--email", "sam@example.com",
                                               "--name", "Sam", "--role", "store_manager"}),
                        dir_.File("admin2.log")),
      2);
  EXPECT_EQ(testing::RunToEnd(
                server_->AdminCommand({"admin", "create", "--email", "sam@example.com", "--name",
                                       "Sam", "--role", "store_manager", "--stores", "S001"}),
                dir_.File("admin2.log")),
            0);
  ::unsetenv("LOYALTY_ADMIN_PASSWORD");
  std::ifstream log(dir_.File("admin2.log"));
  const std::string text((std::istreambuf_iterator<char>(log)), {});
  EXPECT_NE(text.find("at least 12 characters"), std::string::npos) << text;
  EXPECT_NE(text.find("an account with this e-mail exists"), std::string::npos) << text;
  EXPECT_NE(text.find("a store manager needs the stores"), std::string::npos) << text;
}

}  // namespace
}  // namespace loyalty
