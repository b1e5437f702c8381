#pragma once

#include <string_view>

namespace loyalty {

// True when `text` is well-formed UTF-8 (no overlong forms, surrogates or code points
// above U+10FFFF). Text from files (CSV imports) is checked with it before it is stored,
// since everything stored may later be sent as JSON, which must be UTF-8.
bool IsValidUtf8(std::string_view text);

}  // namespace loyalty
