#include "receipt/text_columns.h"

namespace loyalty::terminal {
namespace {

constexpr char32_t kReplacement = U'\uFFFD';

bool IsContinuation(unsigned char byte) { return (byte & 0xC0) == 0x80; }

bool IsControl(char32_t c) { return c < 0x20 || (c >= 0x7F && c <= 0x9F); }

}  // namespace

std::u32string DecodeUtf8(std::string_view utf8) {
  std::u32string out;
  out.reserve(utf8.size());
  std::size_t i = 0;
  while (i < utf8.size()) {
    const auto lead = static_cast<unsigned char>(utf8[i]);
    std::size_t length = 0;
    char32_t c = 0;
    char32_t smallest = 0;  // below it the sequence is an overlong form
    if (lead < 0x80) {
      out.push_back(lead);
      ++i;
      continue;
    }
    if ((lead & 0xE0) == 0xC0) {
      length = 2, c = lead & 0x1Fu, smallest = 0x80;
    } else if ((lead & 0xF0) == 0xE0) {
      length = 3, c = lead & 0x0Fu, smallest = 0x800;
    } else if ((lead & 0xF8) == 0xF0) {
      length = 4, c = lead & 0x07u, smallest = 0x10000;
    }
    bool well_formed = length != 0 && i + length <= utf8.size();
    for (std::size_t k = 1; well_formed && k < length; ++k) {
      const auto byte = static_cast<unsigned char>(utf8[i + k]);
      well_formed = IsContinuation(byte);
      c = (c << 6) | (byte & 0x3Fu);
    }
    well_formed = well_formed && c >= smallest && c <= 0x10FFFF && (c < 0xD800 || c > 0xDFFF);
    if (well_formed) {
      out.push_back(c);
      i += length;
    } else {
      out.push_back(kReplacement);
      ++i;
    }
  }
  return out;
}

std::string EncodeUtf8(std::u32string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char32_t c : text) {
    if (c < 0x80) {
      out.push_back(static_cast<char>(c));
    } else if (c < 0x800) {
      out.push_back(static_cast<char>(0xC0 | (c >> 6)));
      out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    } else if (c < 0x10000) {
      out.push_back(static_cast<char>(0xE0 | (c >> 12)));
      out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    } else {
      out.push_back(static_cast<char>(0xF0 | (c >> 18)));
      out.push_back(static_cast<char>(0x80 | ((c >> 12) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    }
  }
  return out;
}

std::u32string CleanText(std::string_view utf8) {
  std::u32string text = DecodeUtf8(utf8);
  for (char32_t& c : text) {
    if (IsControl(c)) c = kReplacement;
  }
  return text;
}

std::string CutToColumns(std::u32string_view text, std::size_t columns) {
  return EncodeUtf8(text.substr(0, columns));
}

std::vector<std::string> WrapToColumns(std::u32string_view text, std::size_t columns) {
  std::vector<std::string> lines;
  if (columns == 0) return {""};
  std::u32string line;
  std::size_t pos = 0;
  while (pos < text.size()) {
    if (text[pos] == U' ') {
      ++pos;
      continue;
    }
    std::size_t end = text.find(U' ', pos);
    if (end == std::u32string_view::npos) end = text.size();
    std::u32string_view word = text.substr(pos, end - pos);
    pos = end;
    while (!word.empty()) {
      const std::size_t room =
          line.empty() ? columns : columns - std::min(columns, line.size() + 1);
      if (word.size() <= room) {
        if (!line.empty()) line.push_back(U' ');
        line.append(word);
        word = {};
      } else if (line.empty()) {
        lines.push_back(EncodeUtf8(word.substr(0, columns)));
        word.remove_prefix(columns);
      } else {
        lines.push_back(EncodeUtf8(line));
        line.clear();
      }
    }
  }
  if (!line.empty() || lines.empty()) lines.push_back(EncodeUtf8(line));
  return lines;
}

std::size_t ColumnsOf(std::string_view utf8) {
  std::size_t count = 0;
  for (const char byte : utf8) {
    if (!IsContinuation(static_cast<unsigned char>(byte))) ++count;
  }
  return count;
}

}  // namespace loyalty::terminal
