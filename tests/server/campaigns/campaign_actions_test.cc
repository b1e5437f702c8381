#include "campaigns/campaign_actions.h"

#include <memory>

#include <gtest/gtest.h>

#include "storage/open_store.h"
#include "support/temp_dir.h"
#include "support/test_database.h"
#include "targeting/next_visit_planner.h"

namespace loyalty::server {
namespace {

const crypto::SigningKey& Key() {
  static const crypto::SigningKey key = crypto::SigningKey::Generate();
  return key;
}

domain::Campaign BirthdayCampaign() {
  return domain::CampaignFromJson({{"id", "birthday-2027"},
                                   {"name", "Birthday treat"},
                                   {"kind", "birthday"},
                                   {"starts_at", "2027-01-01T00:00:00Z"},
                                   {"ends_at", "2028-01-01T00:00:00Z"},
                                   {"targets", nlohmann::json::array()},
                                   {"discount_type", "percent_off"},
                                   {"min_depth", 10},
                                   {"max_depth", 10},
                                   {"max_discount", 1000},
                                   {"min_spend", 0},
                                   {"budget", 1000000},
                                   {"budget_coupons", 0},
                                   {"per_customer_cap", 1},
                                   {"validity_days", 30},
                                   {"control_basis_points", 0}})
      .value();
}

TEST(CampaignActions, AnUpdateIsAuditedWithOnlyTheFieldsThatChanged) {
  testing::TempDir dir;
  testing::TestDatabase database(testing::Engine::kSqlite, dir);
  TopCategoryPlanner planner;
  auto store = OpenStore(ParseStoreUrl(database.url(), "url").value(), planner, Key());
  const CampaignActor actor{std::nullopt, "command line"};
  const Timestamp now = ParseIso8601("2026-12-01T10:00:00Z").value();
  ASSERT_TRUE(CreateCampaignAudited(*store, BirthdayCampaign(), actor, now).ok());

  auto edited = BirthdayCampaign();
  edited.max_depth = 15;
  edited.target_segment = domain::Segment::kChampions;
  auto after = UpdateCampaignAudited(*store, edited, actor, now + std::chrono::hours(1));
  ASSERT_TRUE(after.ok()) << after.error().ToString();
  EXPECT_EQ(after->campaign.max_depth, 15);
  EXPECT_EQ(after->created_at, now);
  EXPECT_EQ(after->updated_at, now + std::chrono::hours(1));

  const auto detail = nlohmann::json::parse(
      database.Text("SELECT detail FROM audit_log WHERE action = 'campaign.update'"));
  EXPECT_EQ(detail, (nlohmann::json{{"max_depth", {{"from", 10}, {"to", 15}}},
                                    {"target_segment", {{"from", nullptr}, {"to", "champions"}}}}));

  // The answer the API gives: the fields, when and by whom, and whether it runs.
  const auto json = StoredCampaignJson(*after, ParseIso8601("2027-03-01T00:00:00Z").value());
  EXPECT_EQ(json["running"], true);
  EXPECT_TRUE(json["created_by"].is_null());
  EXPECT_EQ(json["updated_at"], "2026-12-01T11:00:00Z");
  EXPECT_EQ(StoredCampaignJson(*after, now)["running"], false);  // not started yet
}

}  // namespace
}  // namespace loyalty::server
