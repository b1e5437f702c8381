// What a card read means to the checkout: a loyalty card (whatever technology carried
// its number) or a coupon token from a receipt's QR code. Everything else, a payment
// card swiped by mistake included, is refused with a message safe to log and show.
#pragma once

#include <optional>
#include <string>

#include "loyalty/core/card_number.h"
#include "loyalty/core/result.h"
#include "reader/reader_driver.h"

namespace loyalty::terminal {

struct CardIdentity {
  enum class Kind { kLoyaltyCard, kCouponToken };
  Kind kind = Kind::kLoyaltyCard;
  reader::CardTechnology technology = reader::CardTechnology::kBarcode;
  std::optional<CardNumber> card_number;  // kLoyaltyCard: always set
  bool nfc_authenticated = false;         // kLoyaltyCard via NFC: CardRead::nfc_authenticated
  // kCouponToken: the QR payload, which is the token string. Only its shape is checked
  // here (payload.signature, base64url, at most kMaxCouponTokenLength); the caller
  // verifies it with crypto::VerifyCouponToken and the chain's key.
  std::string coupon_token;
};

// Barcode: 13 digits -> a loyalty number (CardNumber::Parse: prefix 2, EAN-13 check
// digit); "xxx.yyy" in base64url -> a coupon token. Magstripe: ISO 7813 track 2 and/or
// track 1 whose card number is a loyalty number; a payment card (magstripe.h,
// LooksLikePaymentCard) is refused with kPermissionDenied. NFC: "UID:NUMBER" with a
// loyalty number. Any other read fails with kInvalidArgument (field "card").
//
// Error messages contain no card data beyond the first 6 and last 4 digits of a
// number, and no track 1 name. Pure function; thread-safe.
Result<CardIdentity> IdentifyCard(const CardRead& read);

}  // namespace loyalty::terminal
