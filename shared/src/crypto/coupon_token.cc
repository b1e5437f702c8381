#include "loyalty/crypto/coupon_token.h"

#include "loyalty/codec/json_reader.h"
#include "loyalty/core/base64.h"

namespace loyalty::crypto {
namespace {

constexpr std::int64_t kTokenVersion = 1;

std::span<const std::uint8_t> Bytes(std::string_view text) {
  return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

}  // namespace

std::string SignCoupon(const domain::Coupon& coupon, const SigningKey& key) {
  nlohmann::json payload = domain::CouponToJson(coupon);
  payload["v"] = kTokenVersion;
  payload["kid"] = key.verify_key().key_id();
  const std::string encoded = Base64UrlEncode(payload.dump());
  const Signature signature = key.Sign(Bytes(encoded));
  return encoded + "." + Base64UrlEncode(signature);
}

Result<domain::Coupon> VerifyCouponToken(std::string_view token, const VerifyKey& key) {
  const auto bad = [](const std::string& why) { return InvalidArgument("coupon_token", why); };
  if (token.size() > kMaxCouponTokenLength) return bad("too long to be a coupon");
  const std::size_t dot = token.find('.');
  if (dot == std::string_view::npos || token.find('.', dot + 1) != std::string_view::npos) {
    return bad("not a coupon token (expected payload.signature)");
  }
  const std::string_view encoded_payload = token.substr(0, dot);
  const auto signature = Base64UrlDecode(token.substr(dot + 1));
  const auto payload_bytes = Base64UrlDecode(encoded_payload);
  if (!signature || !payload_bytes) return bad("not a coupon token (bad base64url)");

  auto payload = codec::ParseJson(
      std::string_view(reinterpret_cast<const char*>(payload_bytes->data()), payload_bytes->size()),
      4);
  if (!payload.ok() || !payload->is_object()) return bad("payload is not a JSON object");
  // The key id is read before the signature check only to give a clearer error when a
  // coupon was signed by another (e.g. rotated) key; nothing else is trusted until verified.
  const auto kid = payload->find("kid");
  if (kid == payload->end() || !kid->is_string() || kid->get<std::string>() != key.key_id()) {
    return bad("signed by an unknown key");
  }
  if (!key.Verify(Bytes(encoded_payload), *signature)) return bad("signature does not match");

  codec::FieldErrors errors;
  codec::ObjectReader reader(*payload, "coupon_token", errors);
  reader.RequiredInt("v", kTokenVersion, kTokenVersion);
  reader.RequiredString("kid", 16);
  domain::Coupon coupon = domain::CouponFromJson(reader);
  reader.Finish();
  if (!errors.ok()) return errors.error();
  return coupon;
}

}  // namespace loyalty::crypto
