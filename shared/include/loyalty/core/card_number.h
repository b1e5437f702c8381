// Loyalty card numbers: EAN-13 in the GS1 restricted-circulation range 20-29, which
// GS1 reserves for numbers a company assigns for its own use. The card is printed as an
// EAN-13 barcode, so the check digit catches every single-digit misread or typo (and
// most adjacent transpositions); the '2' prefix keeps a product barcode scanned by
// mistake from being taken for a card.
#pragma once

#include <string>
#include <string_view>

#include "loyalty/core/result.h"

namespace loyalty {

class CardNumber {
 public:
  // Accepts exactly 13 digits starting with '2' whose last digit is the EAN-13 check
  // digit of the first twelve. Spaces and dashes a person may type are not accepted:
  // the card reader delivers digits only, and the portal strips them before calling.
  static Result<CardNumber> Parse(std::string_view text, std::string_view field = "card_number");

  // Builds a valid number from the 12-digit body (first digit '2'), adding the check digit.
  static Result<CardNumber> FromBody(std::string_view twelve_digits);

  // The EAN-13 check digit ('0'..'9') of twelve digits.
  static char CheckDigit(std::string_view twelve_digits);

  const std::string& digits() const { return digits_; }
  // Safe to print on receipts and in logs: only the last four digits show.
  std::string Masked() const;

  bool operator==(const CardNumber& other) const { return digits_ == other.digits_; }

 private:
  explicit CardNumber(std::string digits) : digits_(std::move(digits)) {}
  std::string digits_;
};

}  // namespace loyalty
