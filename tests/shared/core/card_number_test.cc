#include "loyalty/core/card_number.h"

#include <string>

#include <gtest/gtest.h>

namespace loyalty {
namespace {

constexpr char kValid[] = "2000000000015";

TEST(CardNumber, AcceptsAValidNumber) {
  auto card = CardNumber::Parse(kValid);
  ASSERT_TRUE(card.ok()) << card.error().ToString();
  EXPECT_EQ(card->digits(), kValid);
}

TEST(CardNumber, ComputesTheEan13CheckDigit) {
  EXPECT_EQ(CardNumber::CheckDigit("200000000001"), '5');
  EXPECT_EQ(CardNumber::CheckDigit("200000000000"), '8');
  // A published EAN-13 (ISBN 978-0-306-40615-7) checks the weights 1,3,1,3...
  EXPECT_EQ(CardNumber::CheckDigit("978030640615"), '7');
  EXPECT_EQ(CardNumber::CheckDigit("400638133393"), '1');
}

TEST(CardNumber, RejectsWrongCheckDigit) {
  auto card = CardNumber::Parse("2000000000016");
  ASSERT_FALSE(card.ok());
  EXPECT_EQ(card.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(card.error().field, "card_number");
  EXPECT_NE(card.error().message.find("check digit"), std::string::npos);
}

TEST(CardNumber, RejectsEverySingleDigitChange) {
  const std::string valid = kValid;
  int tried = 0;
  for (std::size_t position = 0; position < valid.size(); ++position) {
    for (char digit = '0'; digit <= '9'; ++digit) {
      if (digit == valid[position]) continue;
      std::string changed = valid;
      changed[position] = digit;
      EXPECT_FALSE(CardNumber::Parse(changed).ok()) << changed;
      ++tried;
    }
  }
  EXPECT_EQ(tried, 13 * 9);
}

TEST(CardNumber, RejectsEverySingleDigitChangeOfGeneratedNumbers) {
  for (const char* body : {"212345678901", "299999999999", "250000000007", "200000000000"}) {
    auto card = CardNumber::FromBody(body);
    ASSERT_TRUE(card.ok()) << body;
    const std::string valid = card->digits();
    ASSERT_TRUE(CardNumber::Parse(valid).ok()) << valid;
    for (std::size_t position = 0; position < valid.size(); ++position) {
      for (char digit = '0'; digit <= '9'; ++digit) {
        if (digit == valid[position]) continue;
        std::string changed = valid;
        changed[position] = digit;
        EXPECT_FALSE(CardNumber::Parse(changed).ok()) << changed;
      }
    }
  }
}

TEST(CardNumber, RequiresPrefixTwo) {
  // 4006381333931 is a valid EAN-13 product barcode, not a card.
  auto card = CardNumber::Parse("4006381333931");
  ASSERT_FALSE(card.ok());
  EXPECT_NE(card.error().message.find("start with 2"), std::string::npos);
  // A valid check digit with every other first digit is still refused.
  for (char first = '0'; first <= '9'; ++first) {
    if (first == '2') continue;
    std::string body = std::string(1, first) + "00000000001";
    const std::string number = body + CardNumber::CheckDigit(body);
    EXPECT_FALSE(CardNumber::Parse(number).ok()) << number;
  }
}

TEST(CardNumber, RequiresThirteenDigits) {
  for (const char* text : {"", "200000000001", "20000000000150", "2000000000015 ", " 2000000000015",
                           "2000-000000015", "200000000001x", "2000000000O15"}) {
    auto card = CardNumber::Parse(text, "card");
    ASSERT_FALSE(card.ok()) << text;
    EXPECT_EQ(card.error().field, "card");
  }
}

TEST(CardNumber, FromBodyAddsTheCheckDigit) {
  auto card = CardNumber::FromBody("200000000001");
  ASSERT_TRUE(card.ok());
  EXPECT_EQ(card->digits(), kValid);
  EXPECT_EQ(*card, CardNumber::Parse(kValid).value());
}

TEST(CardNumber, FromBodyRejectsBadBodies) {
  for (const char* body : {"", "20000000000", "2000000000001", "100000000001", "20000000000a"}) {
    EXPECT_FALSE(CardNumber::FromBody(body).ok()) << body;
  }
}

TEST(CardNumber, MaskedShowsOnlyTheLastFourDigits) {
  auto card = CardNumber::FromBody("212345678901");
  ASSERT_TRUE(card.ok());
  const std::string masked = card->Masked();
  EXPECT_EQ(masked.size(), 13u);
  EXPECT_EQ(masked, "*********" + card->digits().substr(9));
  EXPECT_EQ(masked.find(card->digits().substr(0, 9)), std::string::npos);
  EXPECT_EQ(CardNumber::Parse(kValid)->Masked(), "*********0015");
}

}  // namespace
}  // namespace loyalty
