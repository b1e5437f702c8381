// Campaigns through the real server over HTTPS: an admin creates, edits, pauses and
// resumes one, each change audited; a store manager and an analyst may read but are
// refused every write; a bad body is answered 400 naming the field.
#include <gtest/gtest.h>

#include <fstream>

#include <nlohmann/json.hpp>

#include "integration/server_harness.h"

namespace loyalty {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using testing::ServerHarness;
using testing::TempDir;

constexpr char kPassword[] = "a long portal password";

using Login = ServerHarness::PortalLogin;

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

}  // namespace
}  // namespace loyalty
