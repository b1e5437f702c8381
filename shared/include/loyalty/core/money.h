// Money as an integer count of minor units (cents) in an ISO 4217 currency.
// Never a float: amounts are parsed from and formatted to decimal text exactly.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "loyalty/core/result.h"

namespace loyalty {

// An ISO 4217 currency we know the minor-unit exponent of.
class Currency {
 public:
  // Accepts a known three-letter upper-case code ("USD", "EUR", "JPY"...).
  static Result<Currency> FromCode(std::string_view code);
  static Currency Usd();

  const std::string& code() const { return code_; }
  int exponent() const { return exponent_; }  // digits after the decimal point
  bool operator==(const Currency& other) const { return code_ == other.code_; }

 private:
  Currency(std::string code, int exponent) : code_(std::move(code)), exponent_(exponent) {}
  std::string code_;
  int exponent_;
};

// Largest amount any field may carry: 10^13 minor units (100 billion dollars), far
// beyond any basket yet small enough that sums of thousands of them cannot overflow.
inline constexpr std::int64_t kMaxMinorUnits = 10'000'000'000'000;

struct Money {
  std::int64_t minor = 0;
  Currency currency = Currency::Usd();

  // Parses "12.34", "12", "-0.50" exactly; rejects more decimals than the currency has,
  // exponents, thousands separators and values beyond kMaxMinorUnits. `field` names the
  // input in the error.
  static Result<Money> Parse(std::string_view decimal, const Currency& currency,
                             std::string_view field = "amount");

  // "12.34" (no symbol, '.' as separator), as receipts and CSV exports print it.
  std::string ToDecimal() const;
};

// Formats minor units of a currency as decimal text ("-0.05").
std::string FormatMinor(std::int64_t minor, const Currency& currency);

// round(value * numerator / denominator) with halves rounded away from zero, done in
// 128-bit so it cannot overflow. Used for percentage discounts.
std::int64_t MulDivRound(std::int64_t value, std::int64_t numerator, std::int64_t denominator);

}  // namespace loyalty
