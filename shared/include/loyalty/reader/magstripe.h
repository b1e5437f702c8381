// Magnetic stripe tracks as a reader delivers them (ISO/IEC 7813), and the rules that
// keep a payment card swiped by mistake out of our systems.
//
//   track 1: %B<PAN up to 19 digits>^<NAME 2..26>^<YYMM><service code 3><discretionary>?
//   track 2: ;<PAN up to 19 digits>=<YYMM><service code 3><discretionary>?
//
// The reader checks each track's LRC and strips it, so data ends at the end sentinel.
// A loyalty card carries its 13-digit loyalty number as the PAN.
//
// Nothing here logs. Error messages never contain track data; a PAN appears only as
// MaskPan() shows it (first 6 and last 4 digits).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "loyalty/core/result.h"

namespace loyalty::reader {

inline constexpr std::size_t kMaxTrack1Length = 79;  // sentinels included
inline constexpr std::size_t kMaxTrack2Length = 40;
inline constexpr std::size_t kMaxPanLength = 19;

struct Track1 {
  std::string pan;             // digits only, 1..19
  std::string name;            // "SURNAME/GIVEN", 2..26 characters; personal data
  std::string expiry_yymm;     // 4 digits, month 01..12
  std::string service_code;    // 3 digits
  std::string discretionary;   // the rest before the end sentinel, may be empty
};

struct Track2 {
  std::string pan;
  std::string expiry_yymm;
  std::string service_code;
  std::string discretionary;  // digits only
};

// Strict parsers of one track, sentinels included. Fail with kInvalidArgument, field
// "track1"/"track2", saying which part is wrong (never echoing the data).
Result<Track1> ParseTrack1(std::string_view text);
Result<Track2> ParseTrack2(std::string_view text);

// What one swipe produced: track 1 and/or track 2, concatenated as the reader sends
// them ("%B...?;...?", either may be missing but not both).
struct MagstripeRead {
  std::optional<Track1> track1;
  std::optional<Track2> track2;

  // The card number: track 2's PAN, else track 1's. Both tracks present with different
  // PANs is a parse error, so this is unambiguous.
  const std::string& pan() const { return track2 ? track2->pan : track1->pan; }
};

// Splits a swipe into tracks and parses each. Fails (field "magstripe") on anything
// else in the data, a repeated track, no track, or tracks whose PANs disagree.
Result<MagstripeRead> ParseMagstripe(std::string_view data);

// True when `digits` passes the Luhn (mod 10) check. False for non-digits or empty.
bool LuhnValid(std::string_view digits);

// True when `pan` has the shape of a payment card: 12..19 digits, a valid Luhn check
// digit and an issuer prefix (IIN) of a card scheme (Visa, Mastercard, Amex, Discover,
// JCB, Diners, UnionPay, Maestro) with a length that scheme issues. Loyalty numbers
// (13 digits starting with 2, EAN check digit) never match.
bool LooksLikePaymentCard(std::string_view pan);

// First 6 and last 4 digits, the rest as '*'; all '*' when shorter than 11 characters,
// where first 6 + last 4 would show (nearly) everything.
std::string MaskPan(std::string_view pan);

}  // namespace loyalty::reader
