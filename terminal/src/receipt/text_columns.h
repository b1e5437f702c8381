// Receipt text measured in columns: one column per Unicode code point. Product names
// and coupon titles are UTF-8 from the catalog and the server; both renderings cut,
// wrap and pad them by code point, never by byte, so a name is never split inside a
// character and a line counted to fit on screen also fits on the printer, which prints
// one byte per code point (receipt/pc858.h).
//
// Characters that take two cells on a terminal (CJK) still count as one column: the
// printer prints each as one '?', so the paper, which is what must fit, stays exact.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace loyalty::terminal {

// The code points of `utf8`. A malformed or truncated sequence, an overlong form or a
// surrogate becomes one U+FFFD for its first byte and decoding resumes at the next one.
std::u32string DecodeUtf8(std::string_view utf8);
std::string EncodeUtf8(std::u32string_view text);

// `utf8` made safe to lay out: control characters (C0, DEL, C1), which would break a
// line on screen or reach a printer as a command, and malformed bytes become U+FFFD.
std::u32string CleanText(std::string_view utf8);

// At most the first `columns` code points of `text`, as UTF-8.
std::string CutToColumns(std::u32string_view text, std::size_t columns);

// `text` broken at spaces into lines of at most `columns` code points; a word longer
// than a line is cut into line-sized pieces. Never returns an empty vector.
std::vector<std::string> WrapToColumns(std::u32string_view text, std::size_t columns);

// Number of code points in well-formed UTF-8 (what CutToColumns and the layout produce).
std::size_t ColumnsOf(std::string_view utf8);

}  // namespace loyalty::terminal
