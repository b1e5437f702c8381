#include "loyalty/crypto/coupon_token.h"

#include <string>

#include <gtest/gtest.h>

#include "loyalty/core/base64.h"

namespace loyalty::crypto {
namespace {

constexpr std::string_view kAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

domain::Coupon SampleCoupon() {
  domain::Coupon coupon;
  coupon.customer_id = 42;
  coupon.card_number = "2000000000015";
  coupon.campaign = "next-visit";
  coupon.title = "10% off DAIRY";
  coupon.target = domain::CouponTarget::kCategory;
  coupon.target_value = "DAIRY";
  coupon.discount_type = domain::DiscountType::kPercentOff;
  coupon.discount_value = 10;
  coupon.max_discount_minor = 500;
  coupon.issued_at = ParseIso8601("2026-11-23T16:10:00Z").value();
  coupon.expires_at = ParseIso8601("2026-12-07T16:10:00Z").value();
  return coupon;
}

class CouponToken : public ::testing::Test {
 protected:
  // One key for the suite: generating keys is the slow part.
  static const SigningKey& Key() {
    static const SigningKey key = SigningKey::Generate();
    return key;
  }
};

TEST_F(CouponToken, SignThenVerify) {
  const domain::Coupon coupon = SampleCoupon();
  const std::string token = SignCoupon(coupon, Key());
  EXPECT_LE(token.size(), kMaxCouponTokenLength);
  ASSERT_EQ(token.find_first_not_of(std::string(kAlphabet) + "."), std::string::npos) << token;
  auto verified = VerifyCouponToken(token, Key().verify_key());
  ASSERT_TRUE(verified.ok()) << verified.error().ToString();
  EXPECT_EQ(domain::CouponToJson(*verified), domain::CouponToJson(coupon));
}

TEST_F(CouponToken, PayloadCarriesVersionAndKeyId) {
  const std::string token = SignCoupon(SampleCoupon(), Key());
  const auto payload = Base64UrlDecode(token.substr(0, token.find('.')));
  ASSERT_TRUE(payload.has_value());
  const auto json = nlohmann::json::parse(std::string(payload->begin(), payload->end()));
  EXPECT_EQ(json["v"], 1);
  EXPECT_EQ(json["kid"], Key().verify_key().key_id());
  EXPECT_EQ(json["title"], "10% off DAIRY");
}

TEST_F(CouponToken, RefusesEverySingleChangedCharacter) {
  const std::string token = SignCoupon(SampleCoupon(), Key());
  const VerifyKey& verify_key = Key().verify_key();
  int tried = 0;
  for (std::size_t i = 0; i < token.size(); ++i) {
    if (token[i] == '.') continue;
    for (char replacement : kAlphabet) {
      if (replacement == token[i]) continue;
      std::string changed = token;
      changed[i] = replacement;
      ++tried;
      if (VerifyCouponToken(changed, verify_key).ok()) {
        ADD_FAILURE() << "accepted with position " << i << " changed from '" << token[i]
                      << "' to '" << replacement << "'";
      }
    }
  }
  EXPECT_EQ(tried, static_cast<int>((token.size() - 1) * 63));
}

TEST_F(CouponToken, RefusesATokenSignedByAnotherKey) {
  const SigningKey other = SigningKey::Generate();
  const std::string token = SignCoupon(SampleCoupon(), other);
  auto verified = VerifyCouponToken(token, Key().verify_key());
  ASSERT_FALSE(verified.ok());
  EXPECT_EQ(verified.error().field, "coupon_token");
}

TEST_F(CouponToken, RefusesAForeignSignatureUnderOurKeyId) {
  // Another key signs a payload that claims our key id: the signature check must catch it.
  const SigningKey other = SigningKey::Generate();
  nlohmann::json payload = domain::CouponToJson(SampleCoupon());
  payload["v"] = 1;
  payload["kid"] = Key().verify_key().key_id();
  const std::string encoded = Base64UrlEncode(payload.dump());
  const Signature signature = other.Sign(
      std::span(reinterpret_cast<const std::uint8_t*>(encoded.data()), encoded.size()));
  const std::string forged = encoded + "." + Base64UrlEncode(signature);
  auto verified = VerifyCouponToken(forged, Key().verify_key());
  ASSERT_FALSE(verified.ok());
  EXPECT_NE(verified.error().message.find("signature"), std::string::npos);
}

TEST_F(CouponToken, RefusesASwappedPayload) {
  domain::Coupon richer = SampleCoupon();
  richer.discount_value = 100;
  const std::string token = SignCoupon(SampleCoupon(), Key());
  const std::string other_token = SignCoupon(richer, Key());
  const std::string spliced =
      other_token.substr(0, other_token.find('.')) + token.substr(token.find('.'));
  EXPECT_FALSE(VerifyCouponToken(spliced, Key().verify_key()).ok());
}

TEST_F(CouponToken, RefusesEveryTruncation) {
  const std::string token = SignCoupon(SampleCoupon(), Key());
  for (std::size_t length = 0; length < token.size(); ++length) {
    EXPECT_FALSE(VerifyCouponToken(token.substr(0, length), Key().verify_key()).ok()) << length;
  }
  // Cut from the front, too.
  for (std::size_t start = 1; start < token.size(); ++start) {
    EXPECT_FALSE(VerifyCouponToken(token.substr(start), Key().verify_key()).ok()) << start;
  }
}

TEST_F(CouponToken, RefusesMalformedTokens) {
  const std::string token = SignCoupon(SampleCoupon(), Key());
  const VerifyKey& key = Key().verify_key();
  EXPECT_FALSE(VerifyCouponToken("", key).ok());
  EXPECT_FALSE(VerifyCouponToken(".", key).ok());
  EXPECT_FALSE(VerifyCouponToken(token + ".", key).ok());
  EXPECT_FALSE(VerifyCouponToken(token + "A", key).ok());
  EXPECT_FALSE(VerifyCouponToken(token + "==", key).ok());
  EXPECT_FALSE(VerifyCouponToken(token.substr(0, token.find('.')), key).ok());
  EXPECT_FALSE(VerifyCouponToken(std::string(kMaxCouponTokenLength + 1, 'A'), key).ok());
}

TEST_F(CouponToken, PublicKeyAloneVerifies) {
  const std::string token = SignCoupon(SampleCoupon(), Key());
  auto terminal_key = VerifyKey::FromPem(Key().verify_key().ToPem());
  ASSERT_TRUE(terminal_key.ok());
  auto verified = VerifyCouponToken(token, *terminal_key);
  ASSERT_TRUE(verified.ok()) << verified.error().ToString();
  EXPECT_EQ(verified->title, "10% off DAIRY");
}

TEST_F(CouponToken, RefusesASignedPayloadThatIsNotAValidCoupon) {
  // Correctly signed, but the coupon inside breaks the strict decode.
  nlohmann::json payload = domain::CouponToJson(SampleCoupon());
  payload["v"] = 2;
  payload["kid"] = Key().verify_key().key_id();
  std::string encoded = Base64UrlEncode(payload.dump());
  Signature signature = Key().Sign(
      std::span(reinterpret_cast<const std::uint8_t*>(encoded.data()), encoded.size()));
  auto verified = VerifyCouponToken(encoded + "." + Base64UrlEncode(signature), Key().verify_key());
  ASSERT_FALSE(verified.ok());
  EXPECT_EQ(verified.error().field, "coupon_token.v");

  payload["v"] = 1;
  payload["extra"] = true;
  encoded = Base64UrlEncode(payload.dump());
  signature = Key().Sign(
      std::span(reinterpret_cast<const std::uint8_t*>(encoded.data()), encoded.size()));
  verified = VerifyCouponToken(encoded + "." + Base64UrlEncode(signature), Key().verify_key());
  ASSERT_FALSE(verified.ok());
  EXPECT_EQ(verified.error().field, "coupon_token.extra");
}

}  // namespace
}  // namespace loyalty::crypto
