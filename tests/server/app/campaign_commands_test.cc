// `loyalty-server campaign ...` against a real store: the committed example file is
// accepted, bad input is refused naming the field, and every change is audited with no
// user id.
#include "app/campaign_commands.h"

#include <fstream>
#include <memory>
#include <sstream>

#include <gtest/gtest.h>

#include "storage/open_store.h"
#include "support/temp_dir.h"
#include "support/source_dir.h"
#include "support/test_database.h"
#include "targeting/next_visit_planner.h"

namespace loyalty::server {
namespace {

const crypto::SigningKey& Key() {
  static const crypto::SigningKey key = crypto::SigningKey::Generate();
  return key;
}

std::string ExampleFile() {
  return testing::SourceDir() + "/docs/examples/campaign.json";
}

class CampaignCommands : public ::testing::Test {
 protected:
  void SetUp() override {
    database_ = std::make_unique<testing::TestDatabase>(testing::Engine::kSqlite, dir_);
    store_ = OpenStore(ParseStoreUrl(database_->url(), "url").value(), planner_, Key());
  }

  int Run(std::vector<std::string> arguments) {
    out_.str("");
    err_.str("");
    auto args = Args::Parse(arguments, {"file"}, {"running"});
    EXPECT_TRUE(args.ok());
    return RunCampaignCommand(args->positional(), *args, *store_, out_, err_);
  }

  testing::TempDir dir_;
  std::unique_ptr<testing::TestDatabase> database_;
  TopCategoryPlanner planner_;
  std::unique_ptr<Store> store_;
  std::ostringstream out_;
  std::ostringstream err_;
};

TEST_F(CampaignCommands, AddsTheDocumentedExampleAndAuditsItWithoutAUser) {
  ASSERT_EQ(Run({"campaign", "add", "--file", ExampleFile()}), 0) << err_.str();
  EXPECT_EQ(out_.str(), "campaign winback-2027-01 added\n");
  auto stored = store_->GetCampaign("winback-2027-01");
  ASSERT_TRUE(stored.ok()) << stored.error().ToString();
  EXPECT_EQ(stored->campaign.target_segment, domain::Segment::kAtRisk);
  EXPECT_FALSE(stored->created_by.has_value());
  EXPECT_EQ(database_->Int("SELECT COUNT(*) FROM audit_log WHERE action = 'campaign.create'"
                           " AND target = 'campaign:winback-2027-01' AND user_id IS NULL"
                           " AND remote_address = 'command line'"),
            1);

  // The same id twice: refused, not a bad input but a clash with what is stored.
  EXPECT_EQ(Run({"campaign", "add", "--file", ExampleFile()}), 1);
  EXPECT_NE(err_.str().find("winback-2027-01 exists"), std::string::npos) << err_.str();

  ASSERT_EQ(Run({"campaign", "list"}), 0);
  EXPECT_NE(out_.str().find("winback-2027-01  "), std::string::npos) << out_.str();
  EXPECT_NE(out_.str().find("at_risk"), std::string::npos) << out_.str();
}

TEST_F(CampaignCommands, PausesAndResumesWithAnAuditEach) {
  ASSERT_EQ(Run({"campaign", "add", "--file", ExampleFile()}), 0) << err_.str();
  ASSERT_EQ(Run({"campaign", "pause", "winback-2027-01"}), 0) << err_.str();
  EXPECT_TRUE(store_->GetCampaign("winback-2027-01")->campaign.paused);
  ASSERT_EQ(Run({"campaign", "list"}), 0);
  EXPECT_NE(out_.str().find("paused"), std::string::npos) << out_.str();
  ASSERT_EQ(Run({"campaign", "resume", "winback-2027-01"}), 0) << err_.str();
  EXPECT_FALSE(store_->GetCampaign("winback-2027-01")->campaign.paused);
  EXPECT_EQ(database_->Int("SELECT COUNT(*) FROM audit_log WHERE action IN"
                           " ('campaign.pause', 'campaign.resume') AND user_id IS NULL"),
            2);
  EXPECT_EQ(database_->Text("SELECT detail FROM audit_log WHERE action = 'campaign.pause'"),
            R"({"paused":{"from":false,"to":true}})");

  EXPECT_EQ(Run({"campaign", "pause", "no-such"}), 1);
  EXPECT_NE(err_.str().find("no campaign no-such"), std::string::npos) << err_.str();
}

TEST_F(CampaignCommands, RefusesBadInputNamingWhatIsWrong) {
  EXPECT_EQ(Run({"campaign", "add"}), 2);
  EXPECT_NE(err_.str().find("--file"), std::string::npos) << err_.str();
  EXPECT_EQ(Run({"campaign", "add", "--file", dir_.File("missing.json")}), 2);
  EXPECT_EQ(Run({"campaign", "launch"}), 2);
  EXPECT_EQ(Run({"campaign", "pause"}), 2);

  const std::string bad = dir_.File("bad.json");
  {
    std::ifstream example(ExampleFile());
    auto json = nlohmann::json::parse(example);
    json["target_segment"] = "whales";
    std::ofstream(bad) << json.dump();
  }
  EXPECT_EQ(Run({"campaign", "add", "--file", bad}), 2);
  EXPECT_NE(err_.str().find("target_segment"), std::string::npos) << err_.str();
  EXPECT_TRUE(store_->ListCampaigns(std::nullopt).empty());
  EXPECT_EQ(database_->Int("SELECT COUNT(*) FROM audit_log"), 0);
}

}  // namespace
}  // namespace loyalty::server
