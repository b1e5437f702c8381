#include "loyalty/core/money.h"

#include <array>
#include <cstdlib>

namespace loyalty {
namespace {

struct KnownCurrency {
  std::string_view code;
  int exponent;
};

// The currencies a chain we sell to may price in. Exponents from ISO 4217.
constexpr std::array<KnownCurrency, 14> kKnownCurrencies = {{
    {"USD", 2}, {"EUR", 2}, {"GBP", 2}, {"CAD", 2}, {"AUD", 2}, {"CHF", 2}, {"SEK", 2},
    {"NOK", 2}, {"DKK", 2}, {"PLN", 2}, {"CZK", 2}, {"JPY", 0}, {"KRW", 0}, {"MXN", 2},
}};

std::int64_t PowerOfTen(int exponent) {
  std::int64_t result = 1;
  for (int i = 0; i < exponent; ++i) result *= 10;
  return result;
}

}  // namespace

Result<Currency> Currency::FromCode(std::string_view code) {
  for (const auto& known : kKnownCurrencies) {
    if (known.code == code) return Currency(std::string(code), known.exponent);
  }
  return InvalidArgument("currency", "unknown currency code '" + std::string(code) +
                                         "' (expected an ISO 4217 code such as USD or EUR)");
}

Currency Currency::Usd() { return Currency("USD", 2); }

Result<Money> Money::Parse(std::string_view decimal, const Currency& currency,
                           std::string_view field) {
  const std::string name(field);
  const std::string shown(decimal.substr(0, 40));
  std::string_view text = decimal;
  bool negative = false;
  if (!text.empty() && (text.front() == '-' || text.front() == '+')) {
    negative = text.front() == '-';
    text.remove_prefix(1);
  }
  if (text.empty()) return InvalidArgument(name, "empty amount");

  std::int64_t whole = 0;
  std::int64_t fraction = 0;
  int fraction_digits = 0;
  bool seen_point = false;
  bool seen_digit = false;
  for (char c : text) {
    if (c == '.') {
      if (seen_point) return InvalidArgument(name, "'" + shown + "' has two decimal points");
      seen_point = true;
      continue;
    }
    if (c < '0' || c > '9') {
      return InvalidArgument(name, "'" + shown + "' is not a decimal amount");
    }
    seen_digit = true;
    const int digit = c - '0';
    if (seen_point) {
      if (++fraction_digits > currency.exponent()) {
        return InvalidArgument(name, "'" + shown + "' has more than " +
                                         std::to_string(currency.exponent()) + " decimals for " +
                                         currency.code());
      }
      fraction = fraction * 10 + digit;
    } else {
      if (whole > kMaxMinorUnits) return InvalidArgument(name, "'" + shown + "' is too large");
      whole = whole * 10 + digit;
    }
  }
  if (!seen_digit) return InvalidArgument(name, "'" + shown + "' has no digits");
  const std::int64_t scale = PowerOfTen(currency.exponent());
  if (whole > kMaxMinorUnits / scale) return InvalidArgument(name, "'" + shown + "' is too large");
  fraction *= PowerOfTen(currency.exponent() - fraction_digits);
  std::int64_t minor = whole * scale + fraction;
  if (minor > kMaxMinorUnits) return InvalidArgument(name, "'" + shown + "' is too large");
  return Money{negative ? -minor : minor, currency};
}

std::string Money::ToDecimal() const { return FormatMinor(minor, currency); }

std::string FormatMinor(std::int64_t minor, const Currency& currency) {
  const bool negative = minor < 0;
  // Work in unsigned so that INT64_MIN formats instead of overflowing.
  std::uint64_t magnitude = negative ? 0 - static_cast<std::uint64_t>(minor)
                                     : static_cast<std::uint64_t>(minor);
  const auto scale = static_cast<std::uint64_t>(PowerOfTen(currency.exponent()));
  std::string text = std::to_string(magnitude / scale);
  if (currency.exponent() > 0) {
    std::string fraction = std::to_string(magnitude % scale);
    fraction.insert(0, static_cast<std::size_t>(currency.exponent()) - fraction.size(), '0');
    text += "." + fraction;
  }
  return negative ? "-" + text : text;
}

// __extension__ keeps -Wpedantic quiet about the GCC/Clang 128-bit integer.
__extension__ using Int128 = __int128;

std::int64_t MulDivRound(std::int64_t value, std::int64_t numerator, std::int64_t denominator) {
  // Prices times percents nearly always fit in 64 bits, and a 128-bit division costs
  // several times a 64-bit one: the nightly plan prices hundreds of millions of coupons.
  std::int64_t narrow = 0;
  if (denominator > 0 && !__builtin_mul_overflow(value, numerator, &narrow)) {
    std::int64_t quotient = narrow / denominator;
    const std::int64_t remainder = narrow % denominator;
    const std::int64_t magnitude = remainder < 0 ? -remainder : remainder;
    if (magnitude >= denominator - magnitude) quotient += narrow < 0 ? -1 : 1;
    return quotient;
  }
  const Int128 product = static_cast<Int128>(value) * numerator;
  Int128 quotient = product / denominator;
  const Int128 remainder = product % denominator;
  const Int128 twice = remainder < 0 ? -2 * remainder : 2 * remainder;
  const Int128 abs_denominator = denominator < 0 ? -denominator : denominator;
  if (twice >= abs_denominator) quotient += ((product < 0) != (denominator < 0)) ? -1 : 1;
  return static_cast<std::int64_t>(quotient);
}

}  // namespace loyalty
