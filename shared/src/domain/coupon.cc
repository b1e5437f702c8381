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
  switch (type) {
    case DiscountType::kPercentOff: return "percent_off";
    case DiscountType::kAmountOff: return "amount_off";
    case DiscountType::kBuyXGetY: return "buy_x_get_y";
    case DiscountType::kFreeItem: return "free_item";
  }
  return "percent_off";
}

Result<DiscountType> ParseDiscountType(const std::string& text, const std::string& field) {
  for (auto type : {DiscountType::kPercentOff, DiscountType::kAmountOff, DiscountType::kBuyXGetY,
                    DiscountType::kFreeItem}) {
    if (text == DiscountTypeName(type)) return type;
  }
  return InvalidArgument(field,
                         "must be percent_off, amount_off, buy_x_get_y or free_item, not '" +
                             text + "'");
}

nlohmann::json CouponToJson(const Coupon& coupon) {
  nlohmann::json json = {{"id", coupon.id.str()},
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
  // Only the kinds that use them carry the item counts, so the tokens of percent and
  // amount coupons read the same as before these kinds existed.
  if (coupon.discount_type == DiscountType::kBuyXGetY) json["buy_quantity"] = coupon.buy_quantity;
  if (coupon.discount_type == DiscountType::kBuyXGetY ||
      coupon.discount_type == DiscountType::kFreeItem) {
    json["get_quantity"] = coupon.get_quantity;
  }
  return json;
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
  auto parsed_type = ParseDiscountType(type, reader.PathOf("discount_type"));
  if (!parsed_type.ok()) {
    if (errors.ok()) errors.Add(parsed_type.error());
  } else {
    coupon.discount_type = *parsed_type;
    switch (coupon.discount_type) {
      case DiscountType::kPercentOff:
        coupon.discount_value = reader.RequiredInt("discount_value", 1, 100);
        break;
      case DiscountType::kAmountOff:
        coupon.discount_value = reader.RequiredInt("discount_value", 1, kMaxMinorUnits);
        break;
      case DiscountType::kBuyXGetY:
        coupon.discount_value = reader.RequiredInt("discount_value", 1, 100);
        coupon.buy_quantity = reader.RequiredInt("buy_quantity", 1, kMaxCouponItems);
        coupon.get_quantity = reader.RequiredInt("get_quantity", 1, kMaxCouponItems);
        break;
      case DiscountType::kFreeItem:
        coupon.discount_value = reader.RequiredInt("discount_value", 0, 0);
        coupon.get_quantity = reader.RequiredInt("get_quantity", 1, kMaxCouponItems);
        if (errors.ok() && coupon.target != CouponTarget::kProduct) {
          errors.Add(reader.PathOf("target"), "must be product for a free_item coupon");
        }
        break;
    }
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
