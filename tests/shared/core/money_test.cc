#include "loyalty/core/money.h"

#include <cstdint>
#include <limits>

#include <gtest/gtest.h>

namespace loyalty {
namespace {

Currency Code(const char* code) { return Currency::FromCode(code).value(); }

std::int64_t ParseMinor(std::string_view text, const Currency& currency = Currency::Usd()) {
  auto money = Money::Parse(text, currency);
  EXPECT_TRUE(money.ok()) << text << ": " << money.error().ToString();
  return money.ok() ? money->minor : -1;
}

void ExpectRejected(std::string_view text, const Currency& currency = Currency::Usd()) {
  auto money = Money::Parse(text, currency, "price");
  ASSERT_FALSE(money.ok()) << "'" << text << "' was accepted as " << money->minor;
  EXPECT_EQ(money.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(money.error().field, "price");
}

TEST(Currency, KnowsExponents) {
  EXPECT_EQ(Code("USD").exponent(), 2);
  EXPECT_EQ(Code("EUR").exponent(), 2);
  EXPECT_EQ(Code("JPY").exponent(), 0);
  EXPECT_EQ(Currency::Usd(), Code("USD"));
  EXPECT_EQ(Code("EUR").code(), "EUR");
}

TEST(Currency, RejectsUnknownAndLowerCaseCodes) {
  for (const char* code : {"usd", "XXX", "", "US", "USDD"}) {
    auto currency = Currency::FromCode(code);
    ASSERT_FALSE(currency.ok()) << code;
    EXPECT_EQ(currency.error().field, "currency");
  }
}

TEST(MoneyParse, ReadsDecimalsExactly) {
  EXPECT_EQ(ParseMinor("12.34"), 1234);
  EXPECT_EQ(ParseMinor("12"), 1200);
  EXPECT_EQ(ParseMinor("12.3"), 1230);
  EXPECT_EQ(ParseMinor("0.01"), 1);
  EXPECT_EQ(ParseMinor("-0.50"), -50);
  EXPECT_EQ(ParseMinor("+3.00"), 300);
  EXPECT_EQ(ParseMinor("0"), 0);
  // 0.29 is not exact in binary floating point; 29 cents must stay 29.
  EXPECT_EQ(ParseMinor("0.29"), 29);
  EXPECT_EQ(ParseMinor("1234567.89"), 123456789);
}

TEST(MoneyParse, UsesTheCurrencyExponent) {
  EXPECT_EQ(ParseMinor("1500", Code("JPY")), 1500);
  ExpectRejected("15.5", Code("JPY"));
  EXPECT_EQ(Money::Parse("2.50", Code("EUR"))->currency, Code("EUR"));
}

TEST(MoneyParse, RejectsMoreDecimalsThanTheCurrencyHas) {
  ExpectRejected("1.234");
  ExpectRejected("0.001");
  auto money = Money::Parse("1.234", Currency::Usd());
  ASSERT_FALSE(money.ok());
  EXPECT_NE(money.error().message.find("2 decimals"), std::string::npos) << money.error().message;
}

TEST(MoneyParse, RejectsNonDecimalForms) {
  for (const char* text : {"1e3", "", "-", "+", "1,00", "1 000", " 1", "1 ", "1.2.3", ".", "-.",
                           "$1", "0x10", "1.-5", "--1", "12a", "١٢"}) {
    ExpectRejected(text);
  }
}

TEST(MoneyParse, AcceptsValuesUpToTheLimit) {
  EXPECT_EQ(ParseMinor("100000000000.00"), kMaxMinorUnits);
  EXPECT_EQ(ParseMinor("-100000000000.00"), -kMaxMinorUnits);
  EXPECT_EQ(ParseMinor("10000000000000", Code("JPY")), kMaxMinorUnits);
}

TEST(MoneyParse, RejectsHugeValues) {
  ExpectRejected("100000000000.01");
  ExpectRejected("100000000001");
  ExpectRejected("-100000000001");
  ExpectRejected("10000000000001", Code("JPY"));
  // Far beyond int64: must be refused, not wrapped around to a small number.
  ExpectRejected("99999999999999999999999999999999");
  ExpectRejected("18446744073709551617");
  ExpectRejected("9223372036854775807");
}

TEST(MoneyParse, NamesTheFieldInTheError) {
  auto money = Money::Parse("abc", Currency::Usd(), "lines[0].price");
  ASSERT_FALSE(money.ok());
  EXPECT_EQ(money.error().field, "lines[0].price");
  EXPECT_NE(money.error().message.find("abc"), std::string::npos);
}

TEST(FormatMinor, FormatsCents) {
  EXPECT_EQ(FormatMinor(1234, Currency::Usd()), "12.34");
  EXPECT_EQ(FormatMinor(5, Currency::Usd()), "0.05");
  EXPECT_EQ(FormatMinor(0, Currency::Usd()), "0.00");
  EXPECT_EQ(FormatMinor(100, Currency::Usd()), "1.00");
}

TEST(FormatMinor, FormatsNegativeAmounts) {
  EXPECT_EQ(FormatMinor(-5, Currency::Usd()), "-0.05");
  EXPECT_EQ(FormatMinor(-1234, Currency::Usd()), "-12.34");
  EXPECT_EQ(FormatMinor(std::numeric_limits<std::int64_t>::min(), Currency::Usd()),
            "-92233720368547758.08");
  EXPECT_EQ(FormatMinor(std::numeric_limits<std::int64_t>::max(), Currency::Usd()),
            "92233720368547758.07");
}

TEST(FormatMinor, FormatsCurrenciesWithoutMinorUnits) {
  EXPECT_EQ(FormatMinor(1500, Code("JPY")), "1500");
  EXPECT_EQ(FormatMinor(-7, Code("JPY")), "-7");
  EXPECT_EQ(FormatMinor(0, Code("JPY")), "0");
}

TEST(FormatMinor, RoundTripsThroughParse) {
  for (std::int64_t minor : {std::int64_t{0}, std::int64_t{1}, std::int64_t{-1}, std::int64_t{99},
                             std::int64_t{-100}, std::int64_t{123456789}, kMaxMinorUnits,
                             -kMaxMinorUnits}) {
    const Money money{minor, Currency::Usd()};
    EXPECT_EQ(ParseMinor(money.ToDecimal()), minor) << money.ToDecimal();
  }
}

TEST(MulDivRound, RoundsHalvesAwayFromZero) {
  EXPECT_EQ(MulDivRound(5, 1, 2), 3);     // 2.5
  EXPECT_EQ(MulDivRound(-5, 1, 2), -3);   // -2.5
  EXPECT_EQ(MulDivRound(5, -1, 2), -3);
  EXPECT_EQ(MulDivRound(5, 1, -2), -3);
  EXPECT_EQ(MulDivRound(-5, 1, -2), 3);
  EXPECT_EQ(MulDivRound(15, 10, 100), 2);   // 1.5
  EXPECT_EQ(MulDivRound(-15, 10, 100), -2);
  EXPECT_EQ(MulDivRound(25, 10, 100), 3);   // 2.5, not banker's 2
}

TEST(MulDivRound, RoundsOtherFractionsToNearest) {
  EXPECT_EQ(MulDivRound(14, 10, 100), 1);   // 1.4
  EXPECT_EQ(MulDivRound(16, 10, 100), 2);   // 1.6
  EXPECT_EQ(MulDivRound(-14, 10, 100), -1);
  EXPECT_EQ(MulDivRound(-16, 10, 100), -2);
  EXPECT_EQ(MulDivRound(1240, 15, 100), 186);
  EXPECT_EQ(MulDivRound(1, 1, 3), 0);
  EXPECT_EQ(MulDivRound(2, 1, 3), 1);
  EXPECT_EQ(MulDivRound(0, 7, 9), 0);
  EXPECT_EQ(MulDivRound(1000, 100, 100), 1000);
}

TEST(MulDivRound, DoesNotOverflowIntermediateProducts) {
  const std::int64_t big = std::numeric_limits<std::int64_t>::max() / 2;
  EXPECT_EQ(MulDivRound(big, 100, 100), big);
  EXPECT_EQ(MulDivRound(-big, 3, 3), -big);
  EXPECT_EQ(MulDivRound(kMaxMinorUnits, 1'000'000, 1'000'000), kMaxMinorUnits);
}

// Products that fit in 64 bits take a shorter path than those that do not: both round
// alike on either side of the boundary and with denominators near the type's limit.
TEST(MulDivRound, RoundsAlikeEitherSideOfA64BitProduct) {
  constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
  const std::int64_t fits = kMax / 100;  // fits * 100 fits, (fits + 1) * 100 does not
  EXPECT_EQ(MulDivRound(fits, 100, 100), fits);
  EXPECT_EQ(MulDivRound(fits + 1, 100, 100), fits + 1);
  EXPECT_EQ(MulDivRound(-fits, 100, 100), -fits);
  EXPECT_EQ(MulDivRound(-fits - 1, 100, 100), -fits - 1);
  // fits is even: fits - 1 and fits + 1 are halves away from whole numbers, rounded away
  // from zero, the one's product within 64 bits and the other's past them.
  EXPECT_EQ(MulDivRound(fits - 1, 100, 200), fits / 2);
  EXPECT_EQ(MulDivRound(fits + 1, 100, 200), fits / 2 + 1);
  EXPECT_EQ(MulDivRound(-fits + 1, 100, 200), -fits / 2);
  EXPECT_EQ(MulDivRound(-fits - 1, 100, 200), -fits / 2 - 1);
  EXPECT_EQ(MulDivRound(kMax, 1, kMax), 1);
  EXPECT_EQ(MulDivRound(kMax / 2 + 1, 1, kMax), 1);  // a hair over a half
  EXPECT_EQ(MulDivRound(kMax / 2, 1, kMax), 0);      // a hair under
  EXPECT_EQ(MulDivRound(-(kMax / 2) - 1, 1, kMax), -1);
  constexpr std::int64_t kMin = std::numeric_limits<std::int64_t>::min();
  EXPECT_EQ(MulDivRound(kMin, 1, 2), kMin / 2);
  EXPECT_EQ(MulDivRound(kMin + 1, 1, 2), kMin / 2);  // -(2^62) + 0.5, away from zero
}

}  // namespace
}  // namespace loyalty
