#include "auth/credentials.h"

#include <openssl/rand.h>

#include <array>
#include <stdexcept>

#include "loyalty/core/base64.h"
#include "loyalty/crypto/hash.h"

namespace loyalty::server::auth {
namespace {

constexpr char kCrockford[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
constexpr std::size_t kCodeLength = 12;

template <std::size_t N>
std::array<unsigned char, N> RandomBytes() {
  std::array<unsigned char, N> bytes{};
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
    throw std::runtime_error("OpenSSL RAND_bytes failed");
  }
  return bytes;
}

}  // namespace

std::string NewEnrollmentCode() {
  const auto bytes = RandomBytes<8>();
  std::uint64_t bits = 0;
  for (unsigned char byte : bytes) bits = (bits << 8) | byte;
  std::string code;
  for (std::size_t i = 0; i < kCodeLength; ++i) {
    if (i > 0 && i % 4 == 0) code += '-';
    code += kCrockford[bits & 31];
    bits >>= 5;
  }
  return code;
}

Result<std::string> NormalizeEnrollmentCode(std::string_view typed) {
  std::string code;
  for (char c : typed) {
    if (c == '-' || c == ' ') continue;
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (c == 'O') c = '0';
    if (c == 'I' || c == 'L') c = '1';
    if (std::string_view(kCrockford).find(c) == std::string_view::npos) {
      return InvalidArgument("code", "enrollment codes use only digits and letters (no U)");
    }
    code += c;
  }
  if (code.size() != kCodeLength) {
    return InvalidArgument("code", "an enrollment code has 12 characters, like K7QH-2M9D-XW4R");
  }
  return code;
}

std::string NewTerminalCredential() {
  const auto bytes = RandomBytes<32>();
  return Base64UrlEncode(std::span<const std::uint8_t>(bytes.data(), bytes.size()));
}

std::string HashSecret(std::string_view secret) { return crypto::Sha256Hex(secret); }

}  // namespace loyalty::server::auth
