// Base64url without padding (RFC 4648 section 5), the alphabet safe in URLs and QR codes.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace loyalty {

std::string Base64UrlEncode(std::span<const std::uint8_t> bytes);
inline std::string Base64UrlEncode(std::string_view text) {
  return Base64UrlEncode(
      std::span(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()));
}
// nullopt on a character outside the alphabet, padding, or an impossible length.
std::optional<std::vector<std::uint8_t>> Base64UrlDecode(std::string_view text);

}  // namespace loyalty
