// A coupon a shopper holds: what it discounts, for whom, until when. The server signs
// it (crypto/coupon_token.h), so a terminal can trust one it reads off a receipt.
#pragma once

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "loyalty/codec/json_reader.h"
#include "loyalty/core/time.h"
#include "loyalty/core/uuid.h"

namespace loyalty::domain {

inline constexpr std::size_t kMaxCouponTitleLength = 200;

enum class CouponTarget {
  kProduct,   // target_value is a SKU
  kCategory,  // target_value is a category name
  kBasket,    // the whole basket; target_value is empty
};
enum class DiscountType {
  kPercentOff,  // discount_value is a percentage, 1..100
  kAmountOff,   // discount_value is minor units
  // For every buy_quantity + get_quantity items of the target, the get_quantity cheapest
  // are discount_value percent off (100: free). "Buy 2 get 1 free".
  kBuyXGetY,
  // get_quantity items of the target product free once the basket's couponable spend
  // reaches min_spend ("a free coffee with 30.00"). discount_value is 0.
  kFreeItem,
};
inline constexpr std::int64_t kMaxCouponItems = 99;

const char* CouponTargetName(CouponTarget target);
const char* DiscountTypeName(DiscountType type);
Result<DiscountType> ParseDiscountType(const std::string& text, const std::string& field);

struct Coupon {
  Uuid id = Uuid::TimeOrdered();
  std::int64_t customer_id = 0;
  std::string card_number;   // the card it was issued to; any card of the customer may use it
  std::string campaign;      // e.g. "next-visit"
  std::string title;         // what the shopper reads: "10% off BREAD"
  CouponTarget target = CouponTarget::kBasket;
  std::string target_value;
  DiscountType discount_type = DiscountType::kPercentOff;
  std::int64_t discount_value = 0;
  std::int64_t min_spend_minor = 0;     // spend on the target the basket must reach
  std::int64_t max_discount_minor = 0;  // cap on the discount; 0 means no cap
  std::int64_t buy_quantity = 0;        // kBuyXGetY only
  std::int64_t get_quantity = 0;        // kBuyXGetY and kFreeItem only
  std::string currency = "USD";
  Timestamp issued_at;
  Timestamp expires_at;

  bool IsLive(Timestamp now) const { return now < expires_at; }
};

nlohmann::json CouponToJson(const Coupon& coupon);
// Strict decode of the object CouponToJson makes.
Coupon CouponFromJson(codec::ObjectReader& reader);
Result<Coupon> CouponFromJson(const nlohmann::json& json);

}  // namespace loyalty::domain
