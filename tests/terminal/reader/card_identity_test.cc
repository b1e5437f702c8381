#include "reader/card_identity.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "loyalty/crypto/coupon_token.h"
#include "loyalty/reader/magstripe.h"

namespace loyalty::terminal {
namespace {

using reader::CardTechnology;

Result<CardIdentity> Identify(CardTechnology technology, std::string data, bool nfc = false) {
  return IdentifyCard(CardRead{technology, std::move(data), nfc});
}

// A message may show at most the first 6 and last 4 digits of `pan`: no run of more
// than 6 digits, and if the number shows at all, only as MaskPan() renders it.
void ExpectNoMoreThanFirst6Last4(const std::string& message, const std::string& pan) {
  std::size_t run = 0;
  std::size_t longest = 0;
  for (char c : message) {
    run = (c >= '0' && c <= '9') ? run + 1 : 0;
    longest = std::max(longest, run);
  }
  EXPECT_LE(longest, 6u) << message;
  EXPECT_EQ(message.find(pan.substr(0, 7)), std::string::npos) << message;
  const std::size_t shown = message.find(pan.substr(0, 6));
  if (shown != std::string::npos) {
    EXPECT_EQ(message.substr(shown, pan.size()), reader::MaskPan(pan)) << message;
  }
}

TEST(IdentifyCard, BarcodeLoyaltyNumber) {
  Result<CardIdentity> identity = Identify(CardTechnology::kBarcode, "2000000000015");
  ASSERT_TRUE(identity.ok()) << identity.error().ToString();
  EXPECT_EQ(identity->kind, CardIdentity::Kind::kLoyaltyCard);
  EXPECT_EQ(identity->card_number->digits(), "2000000000015");
  EXPECT_FALSE(identity->nfc_authenticated);
}

TEST(IdentifyCard, BarcodeWithBadCheckDigitOrProductCode) {
  EXPECT_NE(Identify(CardTechnology::kBarcode, "2000000000016").error().message.find("check digit"),
            std::string::npos);
  EXPECT_NE(Identify(CardTechnology::kBarcode, "4006381333931").error().message.find("start with 2"),
            std::string::npos);
  EXPECT_EQ(Identify(CardTechnology::kBarcode, "hello").error().field, "card");
}

TEST(IdentifyCard, QrCouponToken) {
  domain::Coupon coupon;
  const crypto::SigningKey key = crypto::SigningKey::Generate();
  coupon.title = "10% off BREAD";
  const std::string token = crypto::SignCoupon(coupon, key);
  Result<CardIdentity> identity = Identify(CardTechnology::kBarcode, token);
  ASSERT_TRUE(identity.ok()) << identity.error().ToString();
  EXPECT_EQ(identity->kind, CardIdentity::Kind::kCouponToken);
  EXPECT_EQ(identity->coupon_token, token);
  EXPECT_FALSE(identity->card_number.has_value());
  // Shape only: a token with a short signature, or not base64url, is no coupon.
  EXPECT_FALSE(Identify(CardTechnology::kBarcode, "abc.def").ok());
  EXPECT_FALSE(Identify(CardTechnology::kBarcode, "a*c." + token.substr(token.find('.') + 1)).ok());
}

TEST(IdentifyCard, MagstripeLoyaltyCardOnEitherTrack) {
  Result<CardIdentity> track2 = Identify(CardTechnology::kMagstripe, ";2000000000015=2812101?");
  ASSERT_TRUE(track2.ok()) << track2.error().ToString();
  EXPECT_EQ(track2->card_number->digits(), "2000000000015");
  EXPECT_EQ(track2->technology, CardTechnology::kMagstripe);
  Result<CardIdentity> both = Identify(
      CardTechnology::kMagstripe, "%B2000000000015^DOE/JANE^2812101?;2000000000015=2812101?");
  ASSERT_TRUE(both.ok()) << both.error().ToString();
}

TEST(IdentifyCard, PaymentCardRefusedAndMasked) {
  const std::string pan = "4111111111111111";
  Result<CardIdentity> identity = Identify(
      CardTechnology::kMagstripe, "%B" + pan + "^DOE/JANE^2812101000000?;" + pan + "=2812101000?");
  ASSERT_FALSE(identity.ok());
  EXPECT_EQ(identity.error().code, ErrorCode::kPermissionDenied);
  EXPECT_NE(identity.error().message.find("411111******1111"), std::string::npos)
      << identity.error().message;
  ExpectNoMoreThanFirst6Last4(identity.error().message, pan);
  EXPECT_EQ(identity.error().message.find("DOE"), std::string::npos);
}

TEST(IdentifyCard, UnknownMagstripeCardIsMasked) {
  const std::string pan = "9876543210987654";
  Result<CardIdentity> identity = Identify(CardTechnology::kMagstripe, ";" + pan + "=2812101?");
  ASSERT_FALSE(identity.ok());
  ExpectNoMoreThanFirst6Last4(identity.error().message, pan);
  Result<CardIdentity> garbage = Identify(CardTechnology::kMagstripe, ";" + pan + "=28?");
  ASSERT_FALSE(garbage.ok());
  ExpectNoMoreThanFirst6Last4(garbage.error().message, pan);
}

TEST(IdentifyCard, NfcCarriesAuthentication) {
  Result<CardIdentity> identity = Identify(CardTechnology::kNfc, "04A1B2C3:2000000000015", true);
  ASSERT_TRUE(identity.ok()) << identity.error().ToString();
  EXPECT_TRUE(identity->nfc_authenticated);
  EXPECT_EQ(identity->technology, CardTechnology::kNfc);
  EXPECT_FALSE(Identify(CardTechnology::kNfc, "04A1B2C3:2000000000016").ok());
  EXPECT_FALSE(Identify(CardTechnology::kNfc, "2000000000015").ok());
  // nfc_authenticated from a barcode means nothing.
  EXPECT_FALSE(Identify(CardTechnology::kBarcode, "2000000000015", true)->nfc_authenticated);
}

}  // namespace
}  // namespace loyalty::terminal
