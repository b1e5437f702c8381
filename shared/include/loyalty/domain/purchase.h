// A finished sale as the terminal journals it and the server stores it.
// All amounts are integer minor units of the purchase's currency; prices include tax.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "loyalty/core/card_number.h"
#include "loyalty/core/money.h"
#include "loyalty/core/time.h"
#include "loyalty/core/uuid.h"
#include "loyalty/domain/catalog.h"

namespace loyalty::domain {

// Limits that turn absurd input into an error instead of a stored row.
inline constexpr std::int64_t kMaxLineQuantity = 9'999;
inline constexpr std::size_t kMaxPurchaseLines = 1'000;
// A weighed line: 1 g up to 100 kg on the till's scale.
inline constexpr std::int64_t kMaxLineWeightGrams = 100'000;
inline constexpr std::size_t kMaxCashierIdLength = 32;

// The id of the cashier signed on at the till ("C042"): 1..kMaxCashierIdLength
// printable ASCII characters (space to '~'), with no space at either end. An error names
// `field`.
Result<std::string> ParseCashierId(std::string_view text, const std::string& field);

// What a line costs: quantity x unit price, or for a weighed line the weight in grams
// times the price per kilogram, rounded half away from zero to the minor unit.
std::int64_t LineAmountMinor(std::int64_t quantity, std::int64_t unit_price_minor,
                             std::optional<std::int64_t> weight_grams);

struct PurchaseLine {
  std::string sku;
  std::int64_t quantity = 0;          // items, 1..kMaxLineQuantity; 1 for a weighed line
  std::int64_t unit_price_minor = 0;  // shelf price of one item, or of a kilogram
  std::int64_t amount_minor = 0;      // LineAmountMinor(...), before coupons
  std::optional<std::int64_t> weight_grams;  // set for goods sold by weight
};

// A coupon applied to this sale.
struct Redemption {
  Uuid coupon_id = Uuid::Random();
  std::int64_t discount_minor = 0;  // > 0
  // The till could not reach the server and trusted the coupon's signature and its own
  // ledger; the server checks it against other terminals when the sale uploads.
  bool verified_offline = false;
};

struct Purchase {
  Uuid id = Uuid::TimeOrdered();  // made at the terminal; the server's idempotency key
  std::string store_id;
  std::string terminal_id;
  // Who rang the sale up; none from a till older than cashier sign-on, or with nobody
  // signed on. Optional on the wire ("cashier_id") so those tills keep working.
  std::optional<std::string> cashier_id;
  std::optional<CardNumber> card;
  Timestamp occurred_at;
  Currency currency = Currency::Usd();
  std::vector<PurchaseLine> lines;
  std::vector<Redemption> redemptions;
  std::int64_t total_minor = 0;  // sum of line amounts less the redemptions' discounts

  std::int64_t SubtotalMinor() const;
  std::int64_t DiscountMinor() const;
};

nlohmann::json PurchaseToJson(const Purchase& purchase);
// Strict: unknown, missing or mistyped fields, quantities out of range, line amounts
// that are not quantity x unit price, and totals that do not add up are refused with
// the path of the field.
Result<Purchase> PurchaseFromJson(const nlohmann::json& json);

}  // namespace loyalty::domain
