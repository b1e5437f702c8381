#include "loyalty/core/card_number.h"

#include <algorithm>

namespace loyalty {
namespace {

bool AllDigits(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

char CardNumber::CheckDigit(std::string_view twelve_digits) {
  // EAN-13: weights 1,3,1,3... from the left over the first twelve digits.
  int sum = 0;
  for (std::size_t i = 0; i < 12; ++i) {
    const int digit = twelve_digits[i] - '0';
    sum += (i % 2 == 0) ? digit : 3 * digit;
  }
  return static_cast<char>('0' + (10 - sum % 10) % 10);
}

Result<CardNumber> CardNumber::Parse(std::string_view text, std::string_view field) {
  const std::string name(field);
  if (text.size() != 13 || !AllDigits(text)) {
    return InvalidArgument(name, "a loyalty card number has exactly 13 digits");
  }
  if (text.front() != '2') {
    return InvalidArgument(name, "not a loyalty card: card numbers start with 2");
  }
  if (CheckDigit(text.substr(0, 12)) != text[12]) {
    return InvalidArgument(name, "check digit does not match: mistyped or misread card number");
  }
  return CardNumber(std::string(text));
}

Result<CardNumber> CardNumber::FromBody(std::string_view twelve_digits) {
  if (twelve_digits.size() != 12 || !AllDigits(twelve_digits) || twelve_digits.front() != '2') {
    return InvalidArgument("card_number", "a card number body is 12 digits starting with 2");
  }
  return CardNumber(std::string(twelve_digits) + CheckDigit(twelve_digits));
}

std::string CardNumber::Masked() const {
  return std::string(digits_.size() - 4, '*') + digits_.substr(digits_.size() - 4);
}

}  // namespace loyalty
