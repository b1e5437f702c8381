#include "reader/card_identity.h"

#include <algorithm>

#include "loyalty/core/base64.h"
#include "loyalty/crypto/coupon_token.h"
#include "loyalty/reader/magstripe.h"
#include "loyalty/reader/nfc_auth.h"

namespace loyalty::terminal {
namespace {

bool IsBase64Url(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_';
}

// The shape of a coupon token, so a QR code is told from garbage before the caller
// spends a signature check on it.
bool LooksLikeCouponToken(std::string_view text) {
  if (text.size() > crypto::kMaxCouponTokenLength) return false;
  const std::size_t dot = text.find('.');
  if (dot == std::string_view::npos || dot == 0 || dot + 1 == text.size()) return false;
  const std::string_view payload = text.substr(0, dot);
  const std::string_view signature = text.substr(dot + 1);
  if (!std::all_of(payload.begin(), payload.end(), IsBase64Url) ||
      !std::all_of(signature.begin(), signature.end(), IsBase64Url)) {
    return false;
  }
  const auto signature_bytes = Base64UrlDecode(signature);
  return signature_bytes && signature_bytes->size() == crypto::kSignatureSize &&
         Base64UrlDecode(payload).has_value();
}

Error NotACard(const std::string& why) { return InvalidArgument("card", why); }

CardIdentity LoyaltyCard(const CardRead& read, CardNumber number) {
  CardIdentity identity;
  identity.kind = CardIdentity::Kind::kLoyaltyCard;
  identity.technology = read.technology;
  identity.card_number = std::move(number);
  identity.nfc_authenticated =
      read.technology == reader::CardTechnology::kNfc && read.nfc_authenticated;
  return identity;
}

Result<CardIdentity> IdentifyBarcode(const CardRead& read) {
  if (read.data.size() == 13 && std::all_of(read.data.begin(), read.data.end(),
                                            [](char c) { return c >= '0' && c <= '9'; })) {
    Result<CardNumber> number = CardNumber::Parse(read.data, "card");
    // CardNumber's messages do not echo the digits.
    if (!number.ok()) return NotACard("barcode is not a loyalty card: " + number.error().message);
    return LoyaltyCard(read, *number);
  }
  if (LooksLikeCouponToken(read.data)) {
    CardIdentity identity;
    identity.kind = CardIdentity::Kind::kCouponToken;
    identity.technology = read.technology;
    identity.coupon_token = read.data;
    return identity;
  }
  return NotACard("barcode is neither a loyalty card number nor a coupon (" +
                  std::to_string(read.data.size()) + " characters)");
}

Result<CardIdentity> IdentifyMagstripe(const CardRead& read) {
  Result<reader::MagstripeRead> swipe = reader::ParseMagstripe(read.data);
  if (!swipe.ok()) return NotACard("unreadable magnetic stripe: " + swipe.error().message);
  const std::string& pan = swipe->pan();
  if (reader::LooksLikePaymentCard(pan)) {
    return Error{ErrorCode::kPermissionDenied,
                 "payment card " + reader::MaskPan(pan) +
                     " refused: only loyalty cards are read here, nothing was stored",
                 "card"};
  }
  Result<CardNumber> number = CardNumber::Parse(pan, "card");
  if (!number.ok()) {
    return NotACard("magnetic stripe card " + reader::MaskPan(pan) +
                    " is not a loyalty card: " + number.error().message);
  }
  return LoyaltyCard(read, *number);
}

Result<CardIdentity> IdentifyNfc(const CardRead& read) {
  Result<reader::NfcCardData> data = reader::ParseNfcCardData(read.data);
  if (!data.ok()) return NotACard("unreadable nfc card: " + data.error().message);
  Result<CardNumber> number = CardNumber::Parse(data->number, "card");
  if (!number.ok()) {
    return NotACard("nfc card " + reader::MaskPan(data->number) +
                    " is not a loyalty card: " + number.error().message);
  }
  return LoyaltyCard(read, *number);
}

}  // namespace

Result<CardIdentity> IdentifyCard(const CardRead& read) {
  switch (read.technology) {
    case reader::CardTechnology::kBarcode:
      return IdentifyBarcode(read);
    case reader::CardTechnology::kMagstripe:
      return IdentifyMagstripe(read);
    case reader::CardTechnology::kNfc:
      return IdentifyNfc(read);
  }
  return NotACard("unknown card technology");
}

}  // namespace loyalty::terminal
