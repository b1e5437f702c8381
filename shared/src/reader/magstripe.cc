#include "loyalty/reader/magstripe.h"

#include <algorithm>
#include <array>

namespace loyalty::reader {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

bool AllDigits(std::string_view text) { return std::all_of(text.begin(), text.end(), IsDigit); }

// Track 1 is recorded in a 6-bit alphabet: 0x20..0x5F, upper case only.
bool IsTrack1Char(char c) { return c >= 0x20 && c <= 0x5F; }

Error Bad(const char* field, const std::string& why) { return InvalidArgument(field, why); }

bool ValidExpiry(std::string_view yymm) {
  if (yymm.size() != 4 || !AllDigits(yymm)) return false;
  const int month = (yymm[2] - '0') * 10 + (yymm[3] - '0');
  return month >= 1 && month <= 12;
}

// "YYMM" + 3-digit service code at the front of `rest`, shared by both tracks.
Status TakeExpiryAndService(const char* field, std::string_view& rest, std::string& expiry,
                            std::string& service_code) {
  if (rest.size() < 7) return Bad(field, std::string(field) + ": expiry or service code missing");
  if (!ValidExpiry(rest.substr(0, 4))) {
    return Bad(field, std::string(field) + ": expiry is not YYMM with month 01..12");
  }
  if (!AllDigits(rest.substr(4, 3))) {
    return Bad(field, std::string(field) + ": service code is not 3 digits");
  }
  expiry = std::string(rest.substr(0, 4));
  service_code = std::string(rest.substr(4, 3));
  rest.remove_prefix(7);
  return {};
}

Status CheckPan(const char* field, std::string_view pan) {
  if (pan.empty()) return Bad(field, std::string(field) + ": card number is empty");
  if (pan.size() > kMaxPanLength) {
    return Bad(field, std::string(field) + ": card number longer than 19 digits");
  }
  if (!AllDigits(pan)) return Bad(field, std::string(field) + ": card number has a non-digit");
  return {};
}

// Prefix ranges as numbers of `digits` leading digits, with the lengths issued.
struct IinRange {
  int digits;
  int low;
  int high;
  int min_length;
  int max_length;
};

constexpr std::array kPaymentRanges = {
    IinRange{1, 4, 4, 13, 19},           // Visa
    IinRange{2, 51, 55, 16, 16},         // Mastercard
    IinRange{4, 2221, 2720, 16, 16},     // Mastercard 2-series
    IinRange{2, 34, 34, 15, 15},         // American Express
    IinRange{2, 37, 37, 15, 15},         // American Express
    IinRange{4, 6011, 6011, 16, 19},     // Discover
    IinRange{3, 644, 649, 16, 19},       // Discover
    IinRange{2, 65, 65, 16, 19},         // Discover
    IinRange{4, 3528, 3589, 16, 19},     // JCB
    IinRange{3, 300, 305, 14, 19},       // Diners Club
    IinRange{2, 36, 36, 14, 19},         // Diners Club
    IinRange{2, 38, 39, 16, 19},         // Diners Club
    IinRange{2, 62, 62, 16, 19},         // UnionPay
    IinRange{2, 50, 50, 12, 19},         // Maestro
    IinRange{2, 56, 69, 12, 19},         // Maestro
};

int Prefix(std::string_view digits, int count) {
  int value = 0;
  for (int i = 0; i < count; ++i) value = value * 10 + (digits[static_cast<std::size_t>(i)] - '0');
  return value;
}

}  // namespace

Result<Track1> ParseTrack1(std::string_view text) {
  constexpr const char* kField = "track1";
  if (text.size() > kMaxTrack1Length) return Bad(kField, "track1: longer than 79 characters");
  if (text.size() < 2 || text.front() != '%') return Bad(kField, "track1: no start sentinel '%'");
  if (text.back() != '?') return Bad(kField, "track1: no end sentinel '?'");
  std::string_view rest = text.substr(1, text.size() - 2);
  if (!std::all_of(rest.begin(), rest.end(), IsTrack1Char)) {
    return Bad(kField, "track1: character outside the track 1 alphabet");
  }
  if (rest.find_first_of("%?") != std::string_view::npos) {
    return Bad(kField, "track1: sentinel inside the track");
  }
  if (rest.empty() || rest.front() != 'B') return Bad(kField, "track1: format code is not 'B'");
  rest.remove_prefix(1);

  Track1 track;
  const std::size_t first_separator = rest.find('^');
  if (first_separator == std::string_view::npos) {
    return Bad(kField, "track1: no '^' after the card number");
  }
  if (Status pan = CheckPan(kField, rest.substr(0, first_separator)); !pan.ok()) {
    return pan.error();
  }
  track.pan = std::string(rest.substr(0, first_separator));
  rest.remove_prefix(first_separator + 1);

  const std::size_t second_separator = rest.find('^');
  if (second_separator == std::string_view::npos) return Bad(kField, "track1: no '^' after the name");
  if (second_separator < 2 || second_separator > 26) {
    return Bad(kField, "track1: name is not 2..26 characters");
  }
  track.name = std::string(rest.substr(0, second_separator));
  rest.remove_prefix(second_separator + 1);
  if (rest.find('^') != std::string_view::npos) return Bad(kField, "track1: more than two '^'");

  if (Status taken = TakeExpiryAndService(kField, rest, track.expiry_yymm, track.service_code);
      !taken.ok()) {
    return taken.error();
  }
  track.discretionary = std::string(rest);
  return track;
}

Result<Track2> ParseTrack2(std::string_view text) {
  constexpr const char* kField = "track2";
  if (text.size() > kMaxTrack2Length) return Bad(kField, "track2: longer than 40 characters");
  if (text.size() < 2 || text.front() != ';') return Bad(kField, "track2: no start sentinel ';'");
  if (text.back() != '?') return Bad(kField, "track2: no end sentinel '?'");
  std::string_view rest = text.substr(1, text.size() - 2);
  if (!std::all_of(rest.begin(), rest.end(), [](char c) { return IsDigit(c) || c == '='; })) {
    return Bad(kField, "track2: character other than a digit or '='");
  }
  const std::size_t separator = rest.find('=');
  if (separator == std::string_view::npos) return Bad(kField, "track2: no '=' after the card number");
  Track2 track;
  if (Status pan = CheckPan(kField, rest.substr(0, separator)); !pan.ok()) return pan.error();
  track.pan = std::string(rest.substr(0, separator));
  rest.remove_prefix(separator + 1);
  if (rest.find('=') != std::string_view::npos) return Bad(kField, "track2: more than one '='");
  if (Status taken = TakeExpiryAndService(kField, rest, track.expiry_yymm, track.service_code);
      !taken.ok()) {
    return taken.error();
  }
  track.discretionary = std::string(rest);
  return track;
}

Result<MagstripeRead> ParseMagstripe(std::string_view data) {
  constexpr const char* kField = "magstripe";
  MagstripeRead read;
  std::string_view rest = data;
  // Bounded by the data: every pass consumes at least the two sentinels of one track.
  while (!rest.empty()) {
    const std::size_t end = rest.find('?');
    if (end == std::string_view::npos) return Bad(kField, "magstripe: track without end sentinel");
    const std::string_view track = rest.substr(0, end + 1);
    rest.remove_prefix(end + 1);
    if (track.front() == '%') {
      if (read.track1) return Bad(kField, "magstripe: track 1 appears twice");
      Result<Track1> parsed = ParseTrack1(track);
      if (!parsed.ok()) return parsed.error();
      read.track1 = std::move(parsed).value();
    } else if (track.front() == ';') {
      if (read.track2) return Bad(kField, "magstripe: track 2 appears twice");
      Result<Track2> parsed = ParseTrack2(track);
      if (!parsed.ok()) return parsed.error();
      read.track2 = std::move(parsed).value();
    } else {
      return Bad(kField, "magstripe: data outside a track");
    }
  }
  if (!read.track1 && !read.track2) return Bad(kField, "magstripe: no track");
  if (read.track1 && read.track2 && read.track1->pan != read.track2->pan) {
    return Bad(kField, "magstripe: track 1 and track 2 carry different card numbers");
  }
  return read;
}

bool LuhnValid(std::string_view digits) {
  if (digits.empty() || !AllDigits(digits)) return false;
  int sum = 0;
  bool double_it = false;
  for (auto it = digits.rbegin(); it != digits.rend(); ++it) {
    int digit = *it - '0';
    if (double_it) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
    double_it = !double_it;
  }
  return sum % 10 == 0;
}

bool LooksLikePaymentCard(std::string_view pan) {
  if (pan.size() < 12 || pan.size() > kMaxPanLength || !LuhnValid(pan)) return false;
  const auto length = static_cast<int>(pan.size());
  return std::any_of(kPaymentRanges.begin(), kPaymentRanges.end(), [&](const IinRange& range) {
    const int prefix = Prefix(pan, range.digits);
    return prefix >= range.low && prefix <= range.high && length >= range.min_length &&
           length <= range.max_length;
  });
}

std::string MaskPan(std::string_view pan) {
  if (pan.size() < 11) return std::string(pan.size(), '*');
  std::string masked(pan);
  std::fill(masked.begin() + 6, masked.end() - 4, '*');
  return masked;
}

}  // namespace loyalty::reader
