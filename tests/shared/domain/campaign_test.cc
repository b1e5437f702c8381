#include "loyalty/domain/campaign.h"

#include <gtest/gtest.h>

namespace loyalty::domain {
namespace {

using nlohmann::json;

json WinBack() {
  return {{"id", "winback-2026-12"},
          {"name", "Win back December"},
          {"kind", "win_back"},
          {"starts_at", "2026-12-01T00:00:00Z"},
          {"ends_at", "2027-01-01T00:00:00Z"},
          {"targets", json::array({{{"target", "category"}, {"value", "COFFEE"}}})},
          {"target_segment", "at_risk"},
          {"discount_type", "percent_off"},
          {"min_depth", 10},
          {"max_depth", 25},
          {"max_discount", 500},
          {"min_spend", 0},
          {"buy_quantity", 0},
          {"get_quantity", 0},
          {"budget", 500000},
          {"budget_coupons", 20000},
          {"per_customer_cap", 2},
          {"validity_days", 14},
          {"control_basis_points", 1000},
          {"paused", false}};
}

void ExpectRefused(const json& body, const std::string& field) {
  auto campaign = CampaignFromJson(body);
  ASSERT_FALSE(campaign.ok()) << "accepted: " << body.dump();
  EXPECT_EQ(campaign.error().field, field) << campaign.error().ToString();
}

TEST(Campaign, RoundTripsThroughJson) {
  auto campaign = CampaignFromJson(WinBack());
  ASSERT_TRUE(campaign.ok()) << campaign.error().ToString();
  EXPECT_EQ(campaign->kind, CampaignKind::kWinBack);
  EXPECT_EQ(campaign->targets.at(0).value, "COFFEE");
  EXPECT_EQ(campaign->target_segment, Segment::kAtRisk);
  EXPECT_EQ(campaign->control_basis_points, 1000);
  EXPECT_EQ(CampaignToJson(*campaign), WinBack());
  EXPECT_TRUE(campaign->RunsAt(ParseIso8601("2026-12-24T12:00:00Z").value()));
  EXPECT_FALSE(campaign->RunsAt(ParseIso8601("2027-01-01T00:00:00Z").value()));
}

TEST(Campaign, RefusesBadFieldsNamingThem) {
  json body = WinBack();
  body["id"] = "Win Back!";
  ExpectRefused(body, "id");
  body = WinBack();
  body["kind"] = "lottery";
  ExpectRefused(body, "kind");
  body = WinBack();
  body["ends_at"] = body["starts_at"];
  ExpectRefused(body, "ends_at");
  body = WinBack();
  body["max_depth"] = 101;  // a percentage
  ExpectRefused(body, "max_depth");
  body = WinBack();
  body["max_depth"] = 5;
  ExpectRefused(body, "max_depth");  // below min_depth
  body = WinBack();
  body["control_basis_points"] = 5000;
  ExpectRefused(body, "control_basis_points");
  body = WinBack();
  body["budget"] = 0;
  ExpectRefused(body, "budget");
  body = WinBack();
  body["targets"][0]["target"] = "basket";
  ExpectRefused(body, "targets[0].target");
  body = WinBack();
  body["target_segment"] = "vip";
  ExpectRefused(body, "target_segment");
  body = WinBack();
  body["target_segment"] = "";
  ExpectRefused(body, "target_segment");
  body = WinBack();
  body["colour"] = "red";
  ExpectRefused(body, "colour");
}

TEST(Campaign, WithoutATargetSegmentAimsAtEveryCustomer) {
  json body = WinBack();
  body.erase("target_segment");
  auto campaign = CampaignFromJson(body);
  ASSERT_TRUE(campaign.ok()) << campaign.error().ToString();
  EXPECT_FALSE(campaign->target_segment.has_value());
  // Written back as null, which reads back the same.
  const json written = CampaignToJson(*campaign);
  EXPECT_TRUE(written.at("target_segment").is_null());
  auto again = CampaignFromJson(written);
  ASSERT_TRUE(again.ok()) << again.error().ToString();
  EXPECT_FALSE(again->target_segment.has_value());
}

TEST(Campaign, KindsThatNameWhatTheyOfferMustNameIt) {
  json body = WinBack();
  body["kind"] = "category_push";
  body["targets"] = json::array();
  ExpectRefused(body, "targets");
  body = WinBack();
  body["discount_type"] = "free_item";
  body["min_depth"] = 0;
  body["max_depth"] = 0;
  ExpectRefused(body, "targets[0].target");  // a category cannot be given free
  body["targets"] = json::array({{{"target", "product"}, {"value", "822629"}}});
  ExpectRefused(body, "get_quantity");  // how many it gives
  body["get_quantity"] = 1;
  ExpectRefused(body, "min_spend");     // and for what spend
  body["min_spend"] = 3000;
  EXPECT_TRUE(CampaignFromJson(body).ok());
}

TEST(Campaign, EachDiscountTypeNeedsItsOwnFields) {
  json body = WinBack();
  body["discount_type"] = "buy_x_get_y";
  body["min_depth"] = 50;
  body["max_depth"] = 100;
  ExpectRefused(body, "buy_quantity");
  body["buy_quantity"] = 2;
  ExpectRefused(body, "get_quantity");
  body["get_quantity"] = 1;
  auto offer = CampaignFromJson(body);
  ASSERT_TRUE(offer.ok()) << offer.error().ToString();
  EXPECT_EQ(offer->buy_quantity, 2);
  EXPECT_EQ(offer->get_quantity, 1);
  EXPECT_EQ(CampaignToJson(*offer), body);

  body = WinBack();
  body["discount_type"] = "amount_off";
  body["min_depth"] = 50;  // minor units
  body["max_depth"] = 300;
  ASSERT_TRUE(CampaignFromJson(body).ok());
  body["get_quantity"] = 1;  // nothing to give with an amount off
  ExpectRefused(body, "get_quantity");
  body = WinBack();
  body["buy_quantity"] = 2;
  ExpectRefused(body, "buy_quantity");
  body = WinBack();
  body["get_quantity"] = 100;
  ExpectRefused(body, "get_quantity");
}

TEST(Campaign, ACampaignWrittenBeforeTheQuantitiesStillReads) {
  json body = WinBack();
  body.erase("buy_quantity");
  body.erase("get_quantity");
  auto campaign = CampaignFromJson(body);
  ASSERT_TRUE(campaign.ok()) << campaign.error().ToString();
  EXPECT_EQ(campaign->buy_quantity, 0);
  EXPECT_EQ(campaign->get_quantity, 0);
}

}  // namespace
}  // namespace loyalty::domain
