#include "loyalty/domain/coupon.h"

#include "loyalty/core/money.h"

namespace loyalty::domain {

const char* CouponTargetName(CouponTarget target) {
  switch (target) {
    case CouponTarget::kProduct: return "product";
    case CouponTarget::kCategory: return "category";
    case CouponTarget::kBasket: return "basket";
  }
  return "basket";
}

const char* DiscountTypeName(DiscountType type) {
  return type == DiscountType::kPercentOff ? "percent_off" : "amount_off";
}

nlohmann::json CouponToJson(const Coupon& coupon) {
  return {{"id", coupon.id.str()},
          {"customer_id", coupon.customer_id},
          {"card_number", coupon.card_number},
          {"campaign", coupon.campaign},
          {"title", coupon.title},
          {"target", CouponTargetName(coupon.target)},
          {"target_value", coupon.target_value},
          {"discount_type", DiscountTypeName(coupon.discount_type)},
          {"discount_value", coupon.discount_value},
          {"min_spend", coupon.min_spend_minor},
          {"max_discount", coupon.max_discount_minor},
          {"currency", coupon.currency},
          {"issued_at", FormatUtc(coupon.issued_at)},
          {"expires_at", FormatUtc(coupon.expires_at)}};
}

Coupon CouponFromJson(codec::ObjectReader& reader) {
  Coupon coupon;
  auto& errors = reader.errors();
  errors.Take(Uuid::Parse(reader.RequiredString("id", 36), reader.PathOf("id")), coupon.id);
  coupon.customer_id = reader.RequiredInt("customer_id", 1, INT64_MAX);
  coupon.card_number = reader.RequiredString("card_number", 13, true);
  coupon.campaign = reader.RequiredString("campaign", 64);
  coupon.title = reader.RequiredString("title", kMaxCouponTitleLength);
  const std::string target = reader.RequiredString("target", 16);
  if (target == "product") {
    coupon.target = CouponTarget::kProduct;
  } else if (target == "category") {
    coupon.target = CouponTarget::kCategory;
  } else if (target == "basket") {
    coupon.target = CouponTarget::kBasket;
  } else if (errors.ok()) {
    errors.Add(reader.PathOf("target"), "must be product, category or basket");
  }
  coupon.target_value = reader.RequiredString("target_value", 200, true);
  if (errors.ok() && (coupon.target == CouponTarget::kBasket) != coupon.target_value.empty()) {
    errors.Add(reader.PathOf("target_value"),
               "must be empty for a basket coupon and set for a product or category coupon");
  }
  const std::string type = reader.RequiredString("discount_type", 16);
  if (type == "percent_off") {
    coupon.discount_type = DiscountType::kPercentOff;
    coupon.discount_value = reader.RequiredInt("discount_value", 1, 100);
  } else if (type == "amount_off") {
    coupon.discount_type = DiscountType::kAmountOff;
    coupon.discount_value = reader.RequiredInt("discount_value", 1, kMaxMinorUnits);
  } else if (errors.ok()) {
    errors.Add(reader.PathOf("discount_type"), "must be percent_off or amount_off");
  }
  coupon.min_spend_minor = reader.RequiredInt("min_spend", 0, kMaxMinorUnits);
  coupon.max_discount_minor = reader.RequiredInt("max_discount", 0, kMaxMinorUnits);
  coupon.currency = reader.RequiredString("currency", 3);
  errors.Take(ParseIso8601(reader.RequiredString("issued_at", 40), reader.PathOf("issued_at")),
       coupon.issued_at);
  errors.Take(ParseIso8601(reader.RequiredString("expires_at", 40), reader.PathOf("expires_at")),
       coupon.expires_at);
  if (errors.ok() && coupon.expires_at <= coupon.issued_at) {
    errors.Add(reader.PathOf("expires_at"), "must be after issued_at");
  }
  return coupon;
}

Result<Coupon> CouponFromJson(const nlohmann::json& json) {
  codec::FieldErrors errors;
  codec::ObjectReader reader(json, "", errors);
  Coupon coupon = CouponFromJson(reader);
  reader.Finish();
  if (!errors.ok()) return errors.error();
  return coupon;
}

}  // namespace loyalty::domain
