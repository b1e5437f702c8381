#include "loyalty/core/uuid.h"

#include <openssl/rand.h>

#include <array>
#include <cctype>
#include <stdexcept>

namespace loyalty {

Uuid Uuid::Random() {
  std::array<unsigned char, 16> bytes{};
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
    throw std::runtime_error("OpenSSL RAND_bytes failed: no entropy for a UUID");
  }
  bytes[6] = static_cast<unsigned char>((bytes[6] & 0x0F) | 0x40);  // version 4
  bytes[8] = static_cast<unsigned char>((bytes[8] & 0x3F) | 0x80);  // RFC 9562 variant
  static constexpr char kHex[] = "0123456789abcdef";
  std::string text;
  text.reserve(36);
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) text += '-';
    text += kHex[bytes[i] >> 4];
    text += kHex[bytes[i] & 0x0F];
  }
  return Uuid(std::move(text));
}

Result<Uuid> Uuid::Parse(std::string_view text, std::string_view field) {
  if (text.size() != 36) {
    return InvalidArgument(std::string(field), "a UUID has 36 characters (8-4-4-4-12 hex digits)");
  }
  std::string lower(text);
  for (std::size_t i = 0; i < lower.size(); ++i) {
    const bool dash_position = i == 8 || i == 13 || i == 18 || i == 23;
    const char c = lower[i];
    if (dash_position ? c != '-' : std::isxdigit(static_cast<unsigned char>(c)) == 0) {
      return InvalidArgument(std::string(field), "not a UUID: expected 8-4-4-4-12 hex digits");
    }
    lower[i] = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return Uuid(std::move(lower));
}

}  // namespace loyalty
