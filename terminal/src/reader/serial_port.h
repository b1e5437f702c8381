// A serial port opened raw, 8N1, for the card reader.
#pragma once

#include <termios.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "loyalty/core/result.h"

namespace loyalty::terminal {

// The termios speed constant for `baud` (9600 -> B9600). Fails with kInvalidArgument
// for a rate termios has no constant for.
Result<speed_t> BaudToSpeed(int baud);

// Owns an open serial device. Movable, not copyable; closes on destruction.
// Not thread-safe: one thread reads and writes it.
class SerialPort {
 public:
  // Opens `path` (O_RDWR | O_NOCTTY, non-blocking) and sets it raw 8N1 at `baud`:
  // no echo, no line editing, no CR/LF translation, no software flow control, the
  // modem-control lines ignored. Input already queued is discarded, as a real port
  // would not hold bytes sent before it was opened. kUnavailable when the device cannot
  // be opened (absent, busy), kInvalidArgument for an unsupported baud rate.
  static Result<SerialPort> Open(const std::string& path, int baud);

  SerialPort(SerialPort&& other) noexcept;
  SerialPort& operator=(SerialPort&& other) noexcept;
  SerialPort(const SerialPort&) = delete;
  SerialPort& operator=(const SerialPort&) = delete;
  ~SerialPort();

  // Waits up to `timeout` for input, then reads what is there into `buffer`. Returns
  // the byte count, 0 on timeout. Fails with kUnavailable when the device has gone
  // (EIO, hang-up, end of file): the caller closes the port and reopens it later.
  Result<std::size_t> Read(std::span<uint8_t> buffer, std::chrono::milliseconds timeout);

  // Writes every byte, waiting up to `timeout` in all for the device to accept them.
  // kTimeout if it does not, kUnavailable if the device has gone.
  Status WriteAll(std::span<const uint8_t> bytes, std::chrono::milliseconds timeout);

  // For a caller that polls the port together with other descriptors.
  int fd() const { return fd_; }
  const std::string& path() const { return path_; }

 private:
  SerialPort(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  void Close();

  int fd_ = -1;
  std::string path_;
};

}  // namespace loyalty::terminal
