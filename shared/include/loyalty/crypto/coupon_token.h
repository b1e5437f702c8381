// Signed coupon tokens: what a receipt's QR code carries and what the server hands a
// terminal. Format, like a compact JWS without the header:
//   base64url(payload JSON) "." base64url(Ed25519 signature over the first part's text)
// The payload is the coupon (domain::CouponToJson) plus "v":1 and "kid", the signing
// key's id. Signing the encoded text rather than re-serialised JSON means a verifier
// never has to reproduce the signer's byte-exact JSON.
#pragma once

#include <string>
#include <string_view>

#include "loyalty/crypto/ed25519.h"
#include "loyalty/domain/coupon.h"

namespace loyalty::crypto {

inline constexpr std::size_t kMaxCouponTokenLength = 2048;

std::string SignCoupon(const domain::Coupon& coupon, const SigningKey& key);

// Checks the form, the key id, the signature and then decodes the payload strictly.
// Expiry and the card the coupon is bound to are the caller's to check against the sale.
Result<domain::Coupon> VerifyCouponToken(std::string_view token, const VerifyKey& key);

}  // namespace loyalty::crypto
