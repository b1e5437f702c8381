#include "reader/serial_port.h"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

namespace loyalty::terminal {
namespace {

Error SystemError(const std::string& what) {
  return Unavailable(what + ": " + std::strerror(errno));
}

}  // namespace

Result<speed_t> BaudToSpeed(int baud) {
  switch (baud) {
    case 1200:
      return speed_t{B1200};
    case 2400:
      return speed_t{B2400};
    case 4800:
      return speed_t{B4800};
    case 9600:
      return speed_t{B9600};
    case 19200:
      return speed_t{B19200};
    case 38400:
      return speed_t{B38400};
    case 57600:
      return speed_t{B57600};
    case 115200:
      return speed_t{B115200};
    case 230400:
      return speed_t{B230400};
    case 460800:
      return speed_t{B460800};
    case 921600:
      return speed_t{B921600};
    default:
      break;
  }
  return InvalidArgument("baud", "unsupported baud rate " + std::to_string(baud) +
                                     " (supported: 1200, 2400, 4800, 9600, 19200, 38400, "
                                     "57600, 115200, 230400, 460800, 921600)");
}

Result<SerialPort> SerialPort::Open(const std::string& path, int baud) {
  Result<speed_t> speed = BaudToSpeed(baud);
  if (!speed.ok()) return speed.error();

  const int fd = ::open(path.c_str(), O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return SystemError("cannot open " + path);
  SerialPort port(fd, path);
  if (::isatty(fd) == 0) return Unavailable(path + " is not a serial device");

  termios settings{};
  if (::tcgetattr(fd, &settings) != 0) return SystemError("tcgetattr " + path);
  ::cfmakeraw(&settings);  // 8 data bits, no parity, no echo, no translation
  settings.c_cflag &= ~static_cast<tcflag_t>(CSTOPB | CRTSCTS);  // 1 stop bit, no RTS/CTS
  settings.c_cflag |= CLOCAL | CREAD;  // the reader has no modem-control lines
  settings.c_cc[VMIN] = 0;
  settings.c_cc[VTIME] = 0;
  if (::cfsetispeed(&settings, *speed) != 0 || ::cfsetospeed(&settings, *speed) != 0) {
    return SystemError("cfsetspeed " + path);
  }
  if (::tcsetattr(fd, TCSANOW, &settings) != 0) return SystemError("tcsetattr " + path);
  ::tcflush(fd, TCIOFLUSH);
  return port;
}

SerialPort::SerialPort(SerialPort&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), path_(std::move(other.path_)) {}

SerialPort& SerialPort::operator=(SerialPort&& other) noexcept {
  if (this != &other) {
    Close();
    fd_ = std::exchange(other.fd_, -1);
    path_ = std::move(other.path_);
  }
  return *this;
}

SerialPort::~SerialPort() { Close(); }

void SerialPort::Close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

Result<std::size_t> SerialPort::Read(std::span<uint8_t> buffer, std::chrono::milliseconds timeout) {
  pollfd waiting{fd_, POLLIN, 0};
  const int ready = ::poll(&waiting, 1, static_cast<int>(timeout.count()));
  if (ready < 0) {
    if (errno == EINTR) return std::size_t{0};
    return SystemError("poll " + path_);
  }
  if (ready == 0) return std::size_t{0};
  const ssize_t count = ::read(fd_, buffer.data(), buffer.size());
  if (count > 0) return static_cast<std::size_t>(count);
  if (count < 0 && (errno == EAGAIN || errno == EINTR)) {
    // POLLHUP with nothing to read is a hang-up even though read() did not say so.
    if ((waiting.revents & (POLLHUP | POLLERR)) != 0) return Unavailable(path_ + ": hang-up");
    return std::size_t{0};
  }
  // A pty whose other side closed reads EIO, a USB adapter pulled out reads 0 or ENODEV.
  if (count == 0) return Unavailable(path_ + ": end of file");
  return SystemError("read " + path_);
}

Status SerialPort::WriteAll(std::span<const uint8_t> bytes, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::size_t written = 0;
  while (written < bytes.size()) {
    const ssize_t count = ::write(fd_, bytes.data() + written, bytes.size() - written);
    if (count > 0) {
      written += static_cast<std::size_t>(count);
      continue;
    }
    if (count < 0 && errno != EAGAIN && errno != EINTR) return SystemError("write " + path_);
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      return Error{ErrorCode::kTimeout,
                   path_ + ": device did not accept " + std::to_string(bytes.size() - written) +
                       " bytes within " + std::to_string(timeout.count()) + " ms",
                   {}};
    }
    pollfd waiting{fd_, POLLOUT, 0};
    if (::poll(&waiting, 1, static_cast<int>(left.count())) < 0 && errno != EINTR) {
      return SystemError("poll " + path_);
    }
    if ((waiting.revents & (POLLHUP | POLLERR)) != 0) return Unavailable(path_ + ": hang-up");
  }
  return {};
}

}  // namespace loyalty::terminal
