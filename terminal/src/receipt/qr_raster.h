// QR codes for receipts: encoded with libqrencode, drawn as a 1-bit raster image a
// thermal printer prints dot for dot (ESC/POS GS v 0).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "loyalty/core/result.h"

namespace loyalty::terminal {

// The four modules of light margin around a QR code that the standard asks for, so a
// reader finds the code's edges even with print right beside it.
inline constexpr std::size_t kQrQuietZoneModules = 4;

// The modules of a QR code, without its quiet zone.
struct QrMatrix {
  std::size_t size = 0;    // modules per side
  std::vector<bool> dark;  // size * size, row by row from the top left

  bool Dark(std::size_t x, std::size_t y) const { return dark[y * size + x]; }
};

// `payload` as QR code: QRcode_encodeString with error correction M (15% of the code
// may be smudged), 8-bit mode for what is not digits, case kept, the smallest version
// that holds it. An error for a payload with a NUL byte or too long for any version
// (more than about 2300 bytes).
Result<QrMatrix> EncodeQr(std::string_view payload);

// A 1-bit image: bit 1 is a black dot, the most significant bit of a byte its leftmost
// dot; dots past width_dots in a row's last byte are white.
struct RasterImage {
  std::size_t width_dots = 0;
  std::size_t height_dots = 0;
  std::vector<std::uint8_t> rows;  // height_dots rows of WidthBytes() bytes

  std::size_t WidthBytes() const { return (width_dots + 7) / 8; }
};

// `qr` inside its quiet zone, each module a square of `dots_per_module` dots (>= 1).
RasterImage RasterizeQr(const QrMatrix& qr, std::size_t dots_per_module);

}  // namespace loyalty::terminal
