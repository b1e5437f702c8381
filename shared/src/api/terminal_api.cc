#include "loyalty/api/terminal_api.h"

#include "loyalty/codec/json_reader.h"
#include "loyalty/crypto/coupon_token.h"

namespace loyalty::api {
namespace {

// Reads one coupon object: verifies its token, then requires the plain fields to be
// exactly what the token says, so no reader ever acts on unsigned data.
void ReadIssuedCoupon(codec::ObjectReader& reader, const nlohmann::json& raw,
                      const crypto::VerifyKey& key, std::vector<IssuedCoupon>& out) {
  const std::string token = reader.RequiredString("token", crypto::kMaxCouponTokenLength);
  auto coupon = crypto::VerifyCouponToken(token, key);
  if (!coupon.ok()) {
    reader.errors().Add(reader.PathOf("token"), coupon.error().message);
    return;
  }
  IssuedCoupon issued{std::move(coupon).value(), token};
  if (IssuedCouponToJson(issued) != raw) {
    reader.errors().Add(reader.PathOf("token"), "coupon fields differ from its signed token");
    return;
  }
  // Every field was compared above.
  for (const auto& [field, unused] : raw.items()) {
    reader.MarkRead(field);
  }
  out.push_back(std::move(issued));
}

void ReadCoupons(codec::ObjectReader& reader, const nlohmann::json& json, std::string_view key_name,
                 const crypto::VerifyKey& key, std::vector<IssuedCoupon>& out) {
  const auto it = json.find(key_name);
  reader.ForEachObject(key_name, 0, 1000, [&](codec::ObjectReader& item, std::size_t index) {
    ReadIssuedCoupon(item, (*it)[index], key, out);
  });
}

}  // namespace

nlohmann::json IssuedCouponToJson(const IssuedCoupon& issued) {
  nlohmann::json json = domain::CouponToJson(issued.coupon);
  json["token"] = issued.token;
  return json;
}

nlohmann::json CardLookupToJson(const CardLookup& lookup) {
  nlohmann::json coupons = nlohmann::json::array();
  for (const auto& issued : lookup.coupons) coupons.push_back(IssuedCouponToJson(issued));
  nlohmann::json customer = nullptr;
  if (lookup.customer) {
    customer = {{"id", lookup.customer->id},
                {"visits", lookup.customer->visits},
                {"total_spend", lookup.customer->total_spend_minor},
                {"member_since", FormatUtc(lookup.customer->member_since)},
                {"segment", lookup.customer->segment
                                ? nlohmann::json(domain::SegmentName(*lookup.customer->segment))
                                : nlohmann::json(nullptr)}};
  }
  return {{"card_number", lookup.card_number},
          {"customer", std::move(customer)},
          {"coupons", std::move(coupons)}};
}

Result<CardLookup> CardLookupFromJson(const nlohmann::json& json, const crypto::VerifyKey& key) {
  codec::FieldErrors errors;
  codec::ObjectReader reader(json, "", errors);
  CardLookup lookup;
  lookup.card_number = reader.RequiredString("card_number", 13);
  if (json.is_object() && json.contains("customer") && !json["customer"].is_null()) {
    reader.WithObject("customer", [&](codec::ObjectReader& customer) {
      CustomerSummary summary;
      summary.id = customer.RequiredInt("id", 1, INT64_MAX);
      summary.visits = customer.RequiredInt("visits", 0, INT64_MAX);
      summary.total_spend_minor = customer.RequiredInt("total_spend", 0, INT64_MAX);
      errors.Take(ParseIso8601(customer.RequiredString("member_since", 40),
                               customer.PathOf("member_since")),
                  summary.member_since);
      // Shown to the cashier only: a segment this till does not know yet (a newer
      // server) reads as none rather than refusing the card.
      if (const auto segment = customer.OptionalString("segment", 64)) {
        if (auto known = domain::ParseSegment(*segment, customer.PathOf("segment")); known.ok()) {
          summary.segment = *known;
        }
      }
      lookup.customer = summary;
    });
  } else {
    reader.MarkRead("customer");  // null: a card never used before
  }
  ReadCoupons(reader, json, "coupons", key, lookup.coupons);
  reader.Finish();
  if (!errors.ok()) return errors.error();
  return lookup;
}

nlohmann::json PurchaseAckToJson(const PurchaseAck& ack) {
  nlohmann::json coupons = nlohmann::json::array();
  for (const auto& issued : ack.next_visit_coupons) coupons.push_back(IssuedCouponToJson(issued));
  return {{"purchase_id", ack.purchase_id},
          {"customer_id", ack.customer_id ? nlohmann::json(*ack.customer_id) : nullptr},
          {"next_visit_coupons", std::move(coupons)}};
}

Result<PurchaseAck> PurchaseAckFromJson(const nlohmann::json& json, const crypto::VerifyKey& key) {
  codec::FieldErrors errors;
  codec::ObjectReader reader(json, "", errors);
  PurchaseAck ack;
  ack.purchase_id = reader.RequiredString("purchase_id", 36);
  ack.customer_id = reader.OptionalInt("customer_id", 1, INT64_MAX);
  ReadCoupons(reader, json, "next_visit_coupons", key, ack.next_visit_coupons);
  reader.Finish();
  if (!errors.ok()) return errors.error();
  return ack;
}

}  // namespace loyalty::api
