// libFuzzer target: coupon tokens as a QR code delivers them, verified against a fixed
// key: form, base64url, JSON payload and signature checks must refuse garbage cleanly.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "loyalty/crypto/coupon_token.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const loyalty::crypto::SigningKey kKey = loyalty::crypto::SigningKey::Generate();
  const std::string_view token(reinterpret_cast<const char*>(data), size);
  (void)loyalty::crypto::VerifyCouponToken(token, kKey.verify_key());
  return 0;
}
