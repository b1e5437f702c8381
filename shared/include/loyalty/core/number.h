#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace loyalty {

// A whole number written in decimal digits only (no sign, no spaces) and at most `max`,
// as ports, ids and versions arrive in URLs, flags and the environment; nullopt otherwise.
std::optional<std::int64_t> ParseWholeNumber(std::string_view text, std::int64_t max);

}  // namespace loyalty
