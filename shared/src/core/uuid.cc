#include "loyalty/core/uuid.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <chrono>
#include <stdexcept>

#include "loyalty/core/name_based_uuid.h"

namespace loyalty {

namespace {

std::array<unsigned char, 16> RandomBytes() {
  std::array<unsigned char, 16> bytes{};
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
    throw std::runtime_error("OpenSSL RAND_bytes failed: no entropy for a UUID");
  }
  return bytes;
}

std::string Format(const std::array<unsigned char, 16>& bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string text;
  text.reserve(36);
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) text += '-';
    text += kHex[bytes[i] >> 4];
    text += kHex[bytes[i] & 0x0F];
  }
  return text;
}

}  // namespace

Uuid Uuid::Random() {
  auto bytes = RandomBytes();
  bytes[6] = static_cast<unsigned char>((bytes[6] & 0x0F) | 0x40);  // version 4
  bytes[8] = static_cast<unsigned char>((bytes[8] & 0x3F) | 0x80);  // RFC 9562 variant
  return Uuid(Format(bytes));
}

Uuid Uuid::TimeOrdered() {
  auto bytes = RandomBytes();
  const auto millis =
      static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                     std::chrono::system_clock::now().time_since_epoch())
                                     .count());
  for (int i = 0; i < 6; ++i) {
    bytes[static_cast<std::size_t>(i)] = static_cast<unsigned char>(millis >> (40 - 8 * i));
  }
  bytes[6] = static_cast<unsigned char>((bytes[6] & 0x0F) | 0x70);  // version 7
  bytes[8] = static_cast<unsigned char>((bytes[8] & 0x3F) | 0x80);  // RFC 9562 variant
  return Uuid(Format(bytes));
}

Uuid NameBasedUuid(const Uuid& name_space, std::string_view name) {
  std::string input;
  input.reserve(16 + name.size());
  const std::string& text = name_space.str();
  for (std::size_t i = 0; i < text.size(); i += 2) {
    if (text[i] == '-') ++i;
    input += static_cast<char>(std::stoi(text.substr(i, 2), nullptr, 16));
  }
  input += name;
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int digest_size = 0;
  if (EVP_Digest(input.data(), input.size(), digest, &digest_size, EVP_sha1(), nullptr) != 1) {
    throw std::runtime_error("OpenSSL SHA-1 failed for a name-based UUID");
  }
  std::array<unsigned char, 16> bytes{};
  std::copy(digest, digest + bytes.size(), bytes.begin());
  bytes[6] = static_cast<unsigned char>((bytes[6] & 0x0F) | 0x50);  // version 5
  bytes[8] = static_cast<unsigned char>((bytes[8] & 0x3F) | 0x80);  // RFC 9562 variant
  return Uuid::Parse(Format(bytes)).value();
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
