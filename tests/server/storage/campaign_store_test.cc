// Campaigns in storage, on both engines: create, update, read, list, pause.
#include <memory>
#include <string>

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

Timestamp At(const char* text) { return ParseIso8601(text).value(); }

domain::Campaign MakeCampaign(const std::string& id, const char* starts, const char* ends) {
  nlohmann::json json{{"id", id},
                      {"name", "Campaign " + id},
                      {"kind", "category_push"},
                      {"starts_at", starts},
                      {"ends_at", ends},
                      {"targets", nlohmann::json::array({{{"target", "category"},
                                                          {"value", "DAIRY"}},
                                                         {{"target", "product"},
                                                          {"value", "1001"}}})},
                      {"target_segment", "loyal"},
                      {"discount_type", "amount_off"},
                      {"min_depth", 50},
                      {"max_depth", 200},
                      {"max_discount", 0},
                      {"min_spend", 1500},
                      {"budget", 90000},
                      {"budget_coupons", 0},
                      {"per_customer_cap", 3},
                      {"validity_days", 21},
                      {"control_basis_points", 500}};
  return domain::CampaignFromJson(json).value();
}

class CampaignStoreTest : public ::testing::TestWithParam<testing::Engine> {
 protected:
  void SetUp() override {
    database_ = std::make_unique<testing::TestDatabase>(GetParam(), dir_);
    store_ = OpenStore(ParseStoreUrl(database_->url(), "url").value(), planner_, Key());
  }

  testing::TempDir dir_;
  std::unique_ptr<testing::TestDatabase> database_;
  TopCategoryPlanner planner_;
  std::unique_ptr<Store> store_;
};

INSTANTIATE_TEST_SUITE_P(Engines, CampaignStoreTest,
                         ::testing::Values(testing::Engine::kSqlite, testing::Engine::kPostgres),
                         [](const auto& engine) { return testing::EngineName(engine.param); });

TEST_P(CampaignStoreTest, StoresEveryFieldAndRefusesAnIdInUse) {
  const auto campaign = MakeCampaign("dairy-push", "2026-12-01T00:00:00Z", "2027-01-01T00:00:00Z");
  const Timestamp now = At("2026-11-20T09:30:00Z");
  auto created = store_->CreateCampaign(campaign, std::nullopt, now);
  ASSERT_TRUE(created.ok()) << created.error().ToString();
  EXPECT_EQ(domain::CampaignToJson(created->campaign), domain::CampaignToJson(campaign));
  EXPECT_EQ(created->created_at, now);
  EXPECT_EQ(created->updated_at, now);
  EXPECT_FALSE(created->created_by.has_value());

  auto read = store_->GetCampaign("dairy-push");
  ASSERT_TRUE(read.ok()) << read.error().ToString();
  EXPECT_EQ(domain::CampaignToJson(read->campaign), domain::CampaignToJson(campaign));
  EXPECT_EQ(read->campaign.target_segment, domain::Segment::kLoyal);
  ASSERT_EQ(read->campaign.targets.size(), 2u);
  EXPECT_EQ(read->campaign.targets[1].target, domain::CouponTarget::kProduct);

  auto again = store_->CreateCampaign(campaign, std::nullopt, now);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, ErrorCode::kAlreadyExists);
  EXPECT_EQ(again.error().field, "id");
  EXPECT_EQ(database_->Int("SELECT COUNT(*) FROM campaigns"), 1);

  auto missing = store_->GetCampaign("no-such");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
}

TEST_P(CampaignStoreTest, KeepsTheQuantitiesOfBuyXGetYAndFreeItem) {
  auto multibuy = MakeCampaign("multibuy", "2026-12-01T00:00:00Z", "2027-01-01T00:00:00Z");
  multibuy.discount_type = domain::DiscountType::kBuyXGetY;
  multibuy.min_depth = 50;
  multibuy.max_depth = 100;
  multibuy.buy_quantity = 3;
  multibuy.get_quantity = 2;
  ASSERT_TRUE(domain::CampaignFromJson(domain::CampaignToJson(multibuy)).ok());
  ASSERT_TRUE(store_->CreateCampaign(multibuy, std::nullopt, At("2026-11-20T09:30:00Z")).ok());
  auto read = store_->GetCampaign("multibuy");
  ASSERT_TRUE(read.ok()) << read.error().ToString();
  EXPECT_EQ(read->campaign.buy_quantity, 3);
  EXPECT_EQ(read->campaign.get_quantity, 2);

  auto free = multibuy;
  free.discount_type = domain::DiscountType::kFreeItem;
  free.min_depth = free.max_depth = 0;
  free.buy_quantity = 0;
  free.get_quantity = 1;
  free.targets = {{domain::CouponTarget::kProduct, "1001"}};
  ASSERT_TRUE(domain::CampaignFromJson(domain::CampaignToJson(free)).ok());
  ASSERT_TRUE(store_->UpdateCampaign(free, At("2026-11-21T09:30:00Z")).ok());
  read = store_->GetCampaign("multibuy");
  ASSERT_TRUE(read.ok()) << read.error().ToString();
  EXPECT_EQ(domain::CampaignToJson(read->campaign), domain::CampaignToJson(free));
}

TEST_P(CampaignStoreTest, AnUpdateReplacesTheFieldsAndReturnsWhatItReplaced) {
  auto campaign = MakeCampaign("dairy-push", "2026-12-01T00:00:00Z", "2027-01-01T00:00:00Z");
  ASSERT_TRUE(store_->CreateCampaign(campaign, std::nullopt, At("2026-11-20T09:00:00Z")).ok());
  auto edited = campaign;
  edited.name = "Dairy, extended";
  edited.ends_at = At("2027-02-01T00:00:00Z");
  edited.targets.pop_back();
  edited.target_segment.reset();
  edited.budget_minor = 120000;
  const Timestamp later = At("2026-11-21T10:00:00Z");
  auto before = store_->UpdateCampaign(edited, later);
  ASSERT_TRUE(before.ok()) << before.error().ToString();
  EXPECT_EQ(before->campaign.name, "Campaign dairy-push");
  EXPECT_EQ(before->campaign.budget_minor, 90000);

  auto now_stored = store_->GetCampaign("dairy-push");
  ASSERT_TRUE(now_stored.ok());
  EXPECT_EQ(domain::CampaignToJson(now_stored->campaign), domain::CampaignToJson(edited));
  EXPECT_FALSE(now_stored->campaign.target_segment.has_value());
  EXPECT_EQ(now_stored->created_at, At("2026-11-20T09:00:00Z"));
  EXPECT_EQ(now_stored->updated_at, later);

  edited.id = "no-such";
  auto unknown = store_->UpdateCampaign(edited, later);
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().code, ErrorCode::kNotFound);
}

TEST_P(CampaignStoreTest, ListsNewestFirstAndOnlyTheRunningOnesWhenAsked) {
  // Created in this order; "ended" finished before the moment asked about, "later"
  // starts after it, "paused" would run but is paused.
  const struct {
    const char* id;
    const char* starts;
    const char* ends;
  } specs[] = {{"ended", "2026-10-01T00:00:00Z", "2026-11-01T00:00:00Z"},
               {"running", "2026-11-01T00:00:00Z", "2026-12-01T00:00:00Z"},
               {"later", "2026-12-01T00:00:00Z", "2027-01-01T00:00:00Z"},
               {"paused", "2026-11-01T00:00:00Z", "2026-12-01T00:00:00Z"}};
  Timestamp created = At("2026-09-01T00:00:00Z");
  for (const auto& spec : specs) {
    created += std::chrono::hours(1);
    ASSERT_TRUE(
        store_->CreateCampaign(MakeCampaign(spec.id, spec.starts, spec.ends), std::nullopt, created)
            .ok());
  }
  ASSERT_TRUE(store_->SetCampaignPaused("paused", true, created).ok());

  std::vector<std::string> ids;
  for (const auto& stored : store_->ListCampaigns(std::nullopt)) ids.push_back(stored.campaign.id);
  EXPECT_EQ(ids, (std::vector<std::string>{"paused", "later", "running", "ended"}));

  const Timestamp moment = At("2026-11-15T12:00:00Z");
  ids.clear();
  for (const auto& stored : store_->ListCampaigns(moment)) {
    EXPECT_TRUE(stored.campaign.RunsAt(moment));
    ids.push_back(stored.campaign.id);
  }
  EXPECT_EQ(ids, std::vector<std::string>{"running"});
  // The end is exclusive.
  const auto at_the_end = store_->ListCampaigns(At("2026-12-01T00:00:00Z"));
  ASSERT_EQ(at_the_end.size(), 1u);
  EXPECT_EQ(at_the_end.front().campaign.id, "later");
}

TEST_P(CampaignStoreTest, PausesAndResumesAndRefusesAnUnknownId) {
  ASSERT_TRUE(store_
                  ->CreateCampaign(
                      MakeCampaign("dairy-push", "2026-12-01T00:00:00Z", "2027-01-01T00:00:00Z"),
                      std::nullopt, At("2026-11-20T09:00:00Z"))
                  .ok());
  const Timestamp paused_at = At("2026-12-05T08:00:00Z");
  ASSERT_TRUE(store_->SetCampaignPaused("dairy-push", true, paused_at).ok());
  auto paused = store_->GetCampaign("dairy-push");
  ASSERT_TRUE(paused.ok());
  EXPECT_TRUE(paused->campaign.paused);
  EXPECT_EQ(paused->updated_at, paused_at);
  EXPECT_TRUE(store_->ListCampaigns(paused_at).empty());

  // Pausing again changes nothing, not even the time of the last change.
  ASSERT_TRUE(store_->SetCampaignPaused("dairy-push", true, At("2026-12-06T08:00:00Z")).ok());
  EXPECT_EQ(store_->GetCampaign("dairy-push")->updated_at, paused_at);

  ASSERT_TRUE(store_->SetCampaignPaused("dairy-push", false, At("2026-12-07T08:00:00Z")).ok());
  EXPECT_FALSE(store_->GetCampaign("dairy-push")->campaign.paused);
  EXPECT_EQ(store_->ListCampaigns(At("2026-12-07T09:00:00Z")).size(), 1u);

  auto unknown = store_->SetCampaignPaused("no-such", true, paused_at);
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().code, ErrorCode::kNotFound);
}

TEST_P(CampaignStoreTest, RecordsThePortalUserWhoCreatedIt) {
  auto user = store_->CreatePortalUser(
      {"ada@example.com", "Ada", PortalRole::kAdmin, "not a real hash", {}},
      At("2026-11-01T00:00:00Z"));
  ASSERT_TRUE(user.ok()) << user.error().ToString();
  auto created = store_->CreateCampaign(
      MakeCampaign("dairy-push", "2026-12-01T00:00:00Z", "2027-01-01T00:00:00Z"), user->id,
      At("2026-11-20T09:00:00Z"));
  ASSERT_TRUE(created.ok()) << created.error().ToString();
  EXPECT_EQ(created->created_by, user->id);
  EXPECT_EQ(store_->ListCampaigns(std::nullopt).front().created_by, user->id);
}

// The database refuses what the codec would, should anything write around it.
TEST_P(CampaignStoreTest, TheTableChecksItsColumns) {
  ASSERT_TRUE(store_
                  ->CreateCampaign(
                      MakeCampaign("dairy-push", "2026-12-01T00:00:00Z", "2027-01-01T00:00:00Z"),
                      std::nullopt, At("2026-11-20T09:00:00Z"))
                  .ok());
  for (const char* change :
       {"target_segment = 'vip'", "targets = '{\"target\": \"category\"}'", "paused = 2",
        "ends_at = starts_at", "kind = 'lottery'", "control_basis_points = 5000"}) {
    EXPECT_ANY_THROW(database_->Exec(std::string("UPDATE campaigns SET ") + change))
        << change;
  }
}

}  // namespace
}  // namespace loyalty::server
