// Text for a receipt printer in code page PC858 (PC850, Western European, with the euro
// sign at 0xD5), selected with ESC t 19. A printer prints raw UTF-8 as two or three
// wrong characters per letter, so no UTF-8 ever reaches it.
#pragma once

#include <string>
#include <string_view>

namespace loyalty::terminal {

// ESC t page number of PC858 on Epson-compatible printers.
inline constexpr unsigned char kPc858Page = 19;

// At most one byte per code point of `text`, so a line keeps the columns it was laid out in:
// ASCII as is; a character PC858 has, as its byte; a Latin letter it lacks, as the
// nearest one it has ("Ł" as "L", "ő" as "o", "ŕ" as "r"); dashes, curly quotes and
// odd spaces as their ASCII kin; anything else, and every control character, as '?'.
// Combining marks (U+0300..U+036F) are dropped: a decomposed "é" prints as "e", and
// its line one column short of how it was laid out, never longer.
std::string ToPc858(std::u32string_view text);

}  // namespace loyalty::terminal
