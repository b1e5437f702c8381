#pragma once

#include <cstddef>
#include <string_view>

namespace loyalty {

// True when `text` is well-formed UTF-8 (no overlong forms, surrogates or code points
// above U+10FFFF). Text from files (CSV imports) is checked with it before it is stored,
// since everything stored may later be sent as JSON, which must be UTF-8.
bool IsValidUtf8(std::string_view text);

// The longest prefix of `text` of at most `max_bytes` that does not cut a character in
// two, for fields with a byte limit (a coupon's title).
std::string_view TruncateUtf8(std::string_view text, std::size_t max_bytes);

}  // namespace loyalty
