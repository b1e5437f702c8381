// Messages between terminal and server (API v1, described in docs/api/openapi.yaml).
// The server writes them with the ToJson functions; the terminal reads them strictly
// with the FromJson ones, trusting a coupon only through its verified token.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "loyalty/crypto/ed25519.h"
#include "loyalty/domain/coupon.h"
#include "loyalty/domain/segment.h"

namespace loyalty::api {

inline constexpr char kCardsPath[] = "/v1/cards/";  // + card number
inline constexpr char kPurchasesPath[] = "/v1/purchases";
inline constexpr char kCatalogPath[] = "/v1/catalog";

struct CustomerSummary {
  std::int64_t id = 0;
  std::int64_t visits = 0;
  std::int64_t total_spend_minor = 0;
  Timestamp member_since;
  // Empty until the nightly run first sorts the customer into one.
  std::optional<domain::Segment> segment;
};

// A coupon with the token that proves it. The JSON carries the coupon's fields for
// readers and the token; the reader checks that both say the same.
struct IssuedCoupon {
  domain::Coupon coupon;
  std::string token;
};

nlohmann::json IssuedCouponToJson(const IssuedCoupon& issued);

// GET /v1/cards/{number}: who holds the card and their live coupons. customer is empty
// for a card never used before; its first purchase creates the customer.
struct CardLookup {
  std::string card_number;
  std::optional<CustomerSummary> customer;
  std::vector<IssuedCoupon> coupons;
};

nlohmann::json CardLookupToJson(const CardLookup& lookup);
Result<CardLookup> CardLookupFromJson(const nlohmann::json& json, const crypto::VerifyKey& key);

// POST /v1/purchases answer: 201 when stored now, 200 with the same body for a replay.
struct PurchaseAck {
  std::string purchase_id;
  std::optional<std::int64_t> customer_id;  // empty for a sale without a card
  std::vector<IssuedCoupon> next_visit_coupons;
};

nlohmann::json PurchaseAckToJson(const PurchaseAck& ack);
Result<PurchaseAck> PurchaseAckFromJson(const nlohmann::json& json, const crypto::VerifyKey& key);

}  // namespace loyalty::api
