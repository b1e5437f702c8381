// Reads back the ESC/POS bytes the receipt renderer writes, command by command, the way
// a printer would: text lines with the style they print in, raster images, the cut.
// Any byte sequence it does not know is an error, so a test that reads a stream
// cleanly also proves the stream holds only these commands.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace loyalty::terminal::testing {

struct PrintedLine {
  std::string bytes;  // as sent: PC858, without the LF
  int align = 0;      // ESC a: 0 left, 1 centre, 2 right
  bool bold = false;
  bool double_height = false;
};

struct PrintedImage {
  std::size_t width_bytes = 0;
  std::size_t height_dots = 0;
  std::vector<std::uint8_t> rows;
  int align = 0;

  bool Black(std::size_t x, std::size_t y) const {
    return (rows[y * width_bytes + x / 8] & (0x80u >> (x % 8))) != 0;
  }
};

struct PrintedReceipt {
  bool initialized = false;  // starts with ESC @
  int code_page = -1;        // ESC t
  std::size_t left_margin_dots = 0;
  std::size_t print_width_dots = 0;
  std::vector<PrintedLine> lines;
  std::vector<PrintedImage> images;
  int cuts = 0;
  bool cut_last = false;  // nothing follows the cut
  std::string error;      // the first thing not understood, with its offset
};

inline PrintedReceipt ReadEscPos(const std::string& stream) {
  PrintedReceipt out;
  int align = 0;
  bool bold = false;
  bool double_height = false;
  std::string line;
  std::size_t i = 0;
  const auto byte = [&](std::size_t at) { return static_cast<std::uint8_t>(stream[at]); };
  // Whether `count` bytes from i are there; a command cut short ends as unknown below.
  const auto need = [&](std::size_t count) { return i + count <= stream.size(); };
  const auto number16 = [&](std::size_t at) {
    return static_cast<std::size_t>(byte(at)) | (static_cast<std::size_t>(byte(at + 1)) << 8);
  };
  while (i < stream.size() && out.error.empty()) {
    out.cut_last = false;
    const std::uint8_t c = byte(i);
    if (c == 0x0A) {
      out.lines.push_back({line, align, bold, double_height});
      line.clear();
      ++i;
    } else if (c == 0x1B && need(2) && byte(i + 1) == '@') {
      if (i == 0) out.initialized = true;
      align = 0, bold = false, double_height = false;
      i += 2;
    } else if (c == 0x1B && need(3) && byte(i + 1) == 't') {
      out.code_page = byte(i + 2);
      i += 3;
    } else if (c == 0x1B && need(3) && byte(i + 1) == 'a') {
      align = byte(i + 2);
      i += 3;
    } else if (c == 0x1B && need(3) && byte(i + 1) == 'E') {
      bold = byte(i + 2) != 0;
      i += 3;
    } else if (c == 0x1D && need(3) && byte(i + 1) == '!') {
      double_height = (byte(i + 2) & 0x0F) == 1;
      i += 3;
    } else if (c == 0x1D && need(4) && byte(i + 1) == 'L') {
      out.left_margin_dots = number16(i + 2);
      i += 4;
    } else if (c == 0x1D && need(4) && byte(i + 1) == 'W') {
      out.print_width_dots = number16(i + 2);
      i += 4;
    } else if (c == 0x1D && need(8) && byte(i + 1) == 'v' && byte(i + 2) == '0' &&
               byte(i + 3) == 0) {
      PrintedImage image;
      image.width_bytes = number16(i + 4);
      image.height_dots = number16(i + 6);
      image.align = align;
      i += 8;
      if (!need(image.width_bytes * image.height_dots)) {
        out.error = "raster image cut short at offset " + std::to_string(i);
        break;
      }
      image.rows.assign(
          stream.begin() + static_cast<std::ptrdiff_t>(i),
          stream.begin() + static_cast<std::ptrdiff_t>(i + image.width_bytes * image.height_dots));
      i += image.rows.size();
      out.images.push_back(std::move(image));
    } else if (c == 0x1D && need(4) && byte(i + 1) == 'V' && byte(i + 2) == 66) {
      ++out.cuts;
      i += 4;
      out.cut_last = true;
    } else if (c >= 0x20 && c != 0x7F) {
      line.push_back(static_cast<char>(c));
      ++i;
    } else {
      out.error = "unknown or cut short command, byte " + std::to_string(c) + " at offset " +
                  std::to_string(i);
    }
  }
  if (out.error.empty() && !line.empty()) out.error = "text after the last LF: " + line;
  return out;
}

}  // namespace loyalty::terminal::testing
