#include "receipt/qr_raster.h"

#include <cerrno>
#include <cstring>
#include <memory>
#include <string>

#include <qrencode.h>

namespace loyalty::terminal {

Result<QrMatrix> EncodeQr(std::string_view payload) {
  // QRcode_encodeString reads a C string: a NUL would silently cut the payload short.
  if (payload.find('\0') != std::string_view::npos) {
    return InvalidArgument("token", "a QR payload cannot hold a NUL byte");
  }
  const std::string text(payload);
  errno = 0;
  const std::unique_ptr<QRcode, decltype(&QRcode_free)> code(
      QRcode_encodeString(text.c_str(), /*version=*/0, QR_ECLEVEL_M, QR_MODE_8,
                          /*casesensitive=*/1),
      &QRcode_free);
  if (code == nullptr) {
    const int error = errno;
    if (error == ERANGE) {
      return InvalidArgument("token", "a payload of " + std::to_string(payload.size()) +
                                          " bytes is too long for a QR code");
    }
    return Internal(std::string("libqrencode failed: ") + std::strerror(error));
  }
  QrMatrix matrix;
  matrix.size = static_cast<std::size_t>(code->width);
  matrix.dark.resize(matrix.size * matrix.size);
  for (std::size_t i = 0; i < matrix.dark.size(); ++i) {
    matrix.dark[i] = (code->data[i] & 1) != 0;  // the other bits are libqrencode's own notes
  }
  return matrix;
}

RasterImage RasterizeQr(const QrMatrix& qr, std::size_t dots_per_module) {
  const std::size_t modules = qr.size + 2 * kQrQuietZoneModules;
  RasterImage image;
  image.width_dots = modules * dots_per_module;
  image.height_dots = image.width_dots;
  const std::size_t stride = image.WidthBytes();
  image.rows.assign(stride * image.height_dots, 0);
  for (std::size_t y = 0; y < image.height_dots; ++y) {
    const std::size_t module_y = y / dots_per_module;
    if (module_y < kQrQuietZoneModules || module_y >= kQrQuietZoneModules + qr.size) continue;
    for (std::size_t x = 0; x < image.width_dots; ++x) {
      const std::size_t module_x = x / dots_per_module;
      if (module_x < kQrQuietZoneModules || module_x >= kQrQuietZoneModules + qr.size) continue;
      if (qr.Dark(module_x - kQrQuietZoneModules, module_y - kQrQuietZoneModules)) {
        image.rows[y * stride + x / 8] |= static_cast<std::uint8_t>(0x80u >> (x % 8));
      }
    }
  }
  return image;
}

}  // namespace loyalty::terminal
