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
  if (campaign.kind == CampaignKind::kCategoryPush && campaign.targets.empty()) {
    return InvalidArgument("targets", "a category_push campaign names its categories");
  }
  if (campaign.kind == CampaignKind::kNewProductTrial && campaign.targets.empty()) {
    return InvalidArgument("targets", "a new_product_trial campaign names its products");
  }
  return campaign;
}

}  // namespace loyalty::domain
