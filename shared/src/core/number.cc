#include "loyalty/core/number.h"

namespace loyalty {

std::optional<std::int64_t> ParseWholeNumber(std::string_view text, std::int64_t max) {
  if (text.empty()) return std::nullopt;
  std::int64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    const int digit = c - '0';
    if (value > (max - digit) / 10) return std::nullopt;  // would pass max
    value = value * 10 + digit;
  }
  return value;
}

}  // namespace loyalty
