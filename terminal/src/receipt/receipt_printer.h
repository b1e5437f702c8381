// Where receipt bytes go: a printer's device node (/dev/usb/lp0, a serial port set up
// beforehand) or a regular file the bytes are appended to (tests, a printer spooled
// elsewhere, a receipt archive). Never stdout, which is the terminal's event stream.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "loyalty/core/result.h"

namespace loyalty::terminal {

class ReceiptPrinter {
 public:
  // How long Print waits for a printer that takes no data (paper out, cover open,
  // switched off) before it gives up with kTimeout.
  static constexpr std::chrono::milliseconds kDefaultWriteTimeout{5000};

  // Opens `path` for writing: a character device as is; a regular file in append mode,
  // created (mode 0640) when missing. A missing path under /dev/ is an error and never
  // created: it is a printer unplugged, and a file made there would swallow receipts.
  // Errors name the path and the cause.
  static Result<ReceiptPrinter> Open(
      const std::string& path, std::chrono::milliseconds write_timeout = kDefaultWriteTimeout);

  ReceiptPrinter(ReceiptPrinter&& other) noexcept;
  ReceiptPrinter& operator=(ReceiptPrinter&& other) noexcept;
  ReceiptPrinter(const ReceiptPrinter&) = delete;
  ReceiptPrinter& operator=(const ReceiptPrinter&) = delete;
  ~ReceiptPrinter();

  // Writes all of `bytes` (one whole receipt) or returns the error: kUnavailable when
  // the device or file refuses them, kTimeout when a printer takes none for
  // write_timeout. After an error part of the receipt may have printed. Not thread-safe:
  // one caller at a time, as one receipt must not interleave with another.
  Status Print(std::string_view bytes);

  const std::string& path() const { return path_; }

 private:
  ReceiptPrinter(int fd, std::string path, std::chrono::milliseconds write_timeout)
      : fd_(fd), path_(std::move(path)), write_timeout_(write_timeout) {}

  int fd_ = -1;
  std::string path_;
  std::chrono::milliseconds write_timeout_;
};

}  // namespace loyalty::terminal
