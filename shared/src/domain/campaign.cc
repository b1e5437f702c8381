#include "loyalty/domain/campaign.h"

#include "loyalty/codec/json_reader.h"
#include "loyalty/core/money.h"

namespace loyalty::domain {
namespace {

constexpr CampaignKind kKinds[] = {CampaignKind::kNextVisit,    CampaignKind::kWinBack,
                                   CampaignKind::kBirthday,     CampaignKind::kAnniversary,
                                   CampaignKind::kCategoryPush, CampaignKind::kNewProductTrial};

bool IsSlug(const std::string& text) {
  if (text.empty() || text.size() > 64 || text.front() == '-' || text.back() == '-') return false;
  for (char c : text) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
  }
  return true;
}

// Which of the quantity and spend fields each discount type needs, so a campaign can only
// issue coupons the till knows how to apply (coupon.h).
Status CheckTypeFields(const Campaign& campaign) {
  const char* type = DiscountTypeName(campaign.discount_type);
  const bool buy = campaign.discount_type == DiscountType::kBuyXGetY;
  const bool get = buy || campaign.discount_type == DiscountType::kFreeItem;
  if (buy && campaign.buy_quantity < 1) {
    return InvalidArgument("buy_quantity",
                           "a buy_x_get_y campaign needs the items to buy, 1 to " +
                               std::to_string(kMaxCouponItems));
  }
  if (!buy && campaign.buy_quantity != 0) {
    return InvalidArgument("buy_quantity", std::string("must be 0 for ") + type);
  }
  if (get && campaign.get_quantity < 1) {
    return InvalidArgument("get_quantity",
                           std::string("a ") + type + " campaign needs the items it gives, 1 to " +
                               std::to_string(kMaxCouponItems));
  }
  if (!get && campaign.get_quantity != 0) {
    return InvalidArgument("get_quantity", std::string("must be 0 for ") + type);
  }
  if (campaign.discount_type == DiscountType::kFreeItem && campaign.min_spend_minor < 1) {
    // A free item with no spend to reach is a giveaway the targeting cannot price by
    // what it brings in.
    return InvalidArgument("min_spend", "a free_item campaign needs the basket spend that "
                                        "earns the item, at least 1");
  }
  return Status();
}

}  // namespace

const char* CampaignKindName(CampaignKind kind) {
  switch (kind) {
    case CampaignKind::kNextVisit: return "next_visit";
    case CampaignKind::kWinBack: return "win_back";
    case CampaignKind::kBirthday: return "birthday";
    case CampaignKind::kAnniversary: return "anniversary";
    case CampaignKind::kCategoryPush: return "category_push";
    case CampaignKind::kNewProductTrial: return "new_product_trial";
  }
  return "next_visit";
}

Result<CampaignKind> ParseCampaignKind(const std::string& text, const std::string& field) {
  for (auto kind : kKinds) {
    if (text == CampaignKindName(kind)) return kind;
  }
  return InvalidArgument(field, "must be next_visit, win_back, birthday, anniversary, "
                                "category_push or new_product_trial, not '" + text + "'");
}

nlohmann::json CampaignToJson(const Campaign& campaign) {
  nlohmann::json targets = nlohmann::json::array();
  for (const auto& target : campaign.targets) {
    targets.push_back({{"target", CouponTargetName(target.target)}, {"value", target.value}});
  }
  return {{"id", campaign.id},
          {"name", campaign.name},
          {"kind", CampaignKindName(campaign.kind)},
          {"starts_at", FormatUtc(campaign.starts_at)},
          {"ends_at", FormatUtc(campaign.ends_at)},
          {"targets", std::move(targets)},
          {"target_segment", campaign.target_segment
                                 ? nlohmann::json(SegmentName(*campaign.target_segment))
                                 : nlohmann::json(nullptr)},
          {"discount_type", DiscountTypeName(campaign.discount_type)},
          {"min_depth", campaign.min_depth},
          {"max_depth", campaign.max_depth},
          {"max_discount", campaign.max_discount_minor},
          {"min_spend", campaign.min_spend_minor},
          {"buy_quantity", campaign.buy_quantity},
          {"get_quantity", campaign.get_quantity},
          {"budget", campaign.budget_minor},
          {"budget_coupons", campaign.budget_coupons},
          {"per_customer_cap", campaign.per_customer_cap},
          {"validity_days", campaign.validity_days},
          {"control_basis_points", campaign.control_basis_points},
          {"paused", campaign.paused}};
}

Result<Campaign> CampaignFromJson(const nlohmann::json& json) {
  codec::FieldErrors errors;
  codec::ObjectReader reader(json, "", errors);
  Campaign campaign;
  campaign.id = reader.RequiredString("id", 64);
  if (errors.ok() && !IsSlug(campaign.id)) {
    errors.Add("id", "must be lower-case letters, digits and dashes, like winback-2026-12");
  }
  campaign.name = reader.RequiredString("name", 200);
  errors.Take(ParseCampaignKind(reader.RequiredString("kind", 32), "kind"), campaign.kind);
  errors.Take(ParseIso8601(reader.RequiredString("starts_at", 40), "starts_at"), campaign.starts_at);
  errors.Take(ParseIso8601(reader.RequiredString("ends_at", 40), "ends_at"), campaign.ends_at);
  reader.ForEachObject("targets", 0, 1000, [&](codec::ObjectReader& item, std::size_t) {
    CampaignTarget target;
    const std::string type = item.RequiredString("target", 16);
    if (type == "product") {
      target.target = CouponTarget::kProduct;
    } else if (type == "category") {
      target.target = CouponTarget::kCategory;
    } else if (errors.ok()) {
      errors.Add(item.PathOf("target"), "must be product or category");
    }
    target.value = item.RequiredString("value", 200);
    campaign.targets.push_back(std::move(target));
  });
  if (auto segment = reader.OptionalString("target_segment", 32)) {
    auto parsed = ParseSegment(*segment, "target_segment");
    if (parsed.ok()) {
      campaign.target_segment = *parsed;
    } else {
      errors.Add(parsed.error());
    }
  }
  errors.Take(ParseDiscountType(reader.RequiredString("discount_type", 16), "discount_type"),
              campaign.discount_type);
  const bool percent = campaign.discount_type == DiscountType::kPercentOff ||
                       campaign.discount_type == DiscountType::kBuyXGetY;
  const std::int64_t depth_max = percent ? 100
                                 : campaign.discount_type == DiscountType::kFreeItem
                                     ? 0
                                     : kMaxMinorUnits;
  const std::int64_t depth_min = campaign.discount_type == DiscountType::kFreeItem ? 0 : 1;
  campaign.min_depth = reader.RequiredInt("min_depth", depth_min, depth_max);
  campaign.max_depth = reader.RequiredInt("max_depth", depth_min, depth_max);
  campaign.max_discount_minor = reader.RequiredInt("max_discount", 0, kMaxMinorUnits);
  campaign.min_spend_minor = reader.RequiredInt("min_spend", 0, kMaxMinorUnits);
  // Optional, so a campaign written before buy_x_get_y and free_item were issued still
  // reads; the type's rules below say which it needs.
  campaign.buy_quantity = reader.OptionalInt("buy_quantity", 0, kMaxCouponItems).value_or(0);
  campaign.get_quantity = reader.OptionalInt("get_quantity", 0, kMaxCouponItems).value_or(0);
  campaign.budget_minor = reader.RequiredInt("budget", 1, kMaxMinorUnits);
  campaign.budget_coupons = reader.RequiredInt("budget_coupons", 0, 100'000'000);
  campaign.per_customer_cap = reader.RequiredInt("per_customer_cap", 1, 100);
  campaign.validity_days = reader.RequiredInt("validity_days", 1, 365);
  // Holding out half or more would leave too few treated customers to learn from.
  campaign.control_basis_points = reader.RequiredInt("control_basis_points", 0, 4999);
  campaign.paused = reader.OptionalBool("paused").value_or(false);
  reader.Finish();
  if (!errors.ok()) return errors.error();
  if (campaign.ends_at <= campaign.starts_at) {
    return InvalidArgument("ends_at", "must be after starts_at");
  }
  if (campaign.max_depth < campaign.min_depth) {
    return InvalidArgument("max_depth", "must be at least min_depth (" +
                                            std::to_string(campaign.min_depth) + ")");
  }
  if (campaign.discount_type == DiscountType::kFreeItem) {
    if (campaign.targets.empty()) {
      return InvalidArgument("targets", "a free_item campaign names the products it gives");
    }
    for (std::size_t i = 0; i < campaign.targets.size(); ++i) {
      if (campaign.targets[i].target != CouponTarget::kProduct) {
        return InvalidArgument("targets[" + std::to_string(i) + "].target",
                               "must be product for a free_item campaign");
      }
    }
  }
  if (auto status = CheckTypeFields(campaign); !status.ok()) return status.error();
  if (campaign.kind == CampaignKind::kCategoryPush && campaign.targets.empty()) {
    return InvalidArgument("targets", "a category_push campaign names its categories");
  }
  if (campaign.kind == CampaignKind::kNewProductTrial && campaign.targets.empty()) {
    return InvalidArgument("targets", "a new_product_trial campaign names its products");
  }
  return campaign;
}

}  // namespace loyalty::domain
