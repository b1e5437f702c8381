#include "receipt/receipt_printer.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

namespace loyalty::terminal {
namespace {

Error Failure(ErrorCode code, const std::string& what, const std::string& path, int error) {
  return Error{code, what + " " + path + ": " + std::strerror(error), "printer"};
}

}  // namespace

Result<ReceiptPrinter> ReceiptPrinter::Open(const std::string& path,
                                            std::chrono::milliseconds write_timeout) {
  if (path.empty()) return InvalidArgument("printer", "no receipt printer path given");
  // O_NONBLOCK so a printer that stops taking data makes write() say so, and Print can
  // wait for it with a timeout instead of blocking the till for ever. O_NOCTTY so a
  // serial printer never becomes this process's controlling terminal.
  int flags = O_WRONLY | O_NOCTTY | O_CLOEXEC | O_NONBLOCK | O_APPEND;
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) {
    const int error = errno;
    if (error != ENOENT || path.starts_with("/dev/")) {
      return Failure(ErrorCode::kUnavailable, "cannot open receipt printer", path, error);
    }
    flags |= O_CREAT;
  } else if (!S_ISCHR(info.st_mode) && !S_ISREG(info.st_mode)) {
    return InvalidArgument(
        "printer", "receipt printer " + path + " is neither a character device nor a regular file");
  }
  const int fd = ::open(path.c_str(), flags, 0640);
  if (fd < 0) return Failure(ErrorCode::kUnavailable, "cannot open receipt printer", path, errno);
  return ReceiptPrinter(fd, path, write_timeout);
}

ReceiptPrinter::ReceiptPrinter(ReceiptPrinter&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)),
      path_(std::move(other.path_)),
      write_timeout_(other.write_timeout_) {}

ReceiptPrinter& ReceiptPrinter::operator=(ReceiptPrinter&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(other.fd_, -1);
    path_ = std::move(other.path_);
    write_timeout_ = other.write_timeout_;
  }
  return *this;
}

ReceiptPrinter::~ReceiptPrinter() {
  if (fd_ >= 0) ::close(fd_);
}

Status ReceiptPrinter::Print(std::string_view bytes) {
  using Clock = std::chrono::steady_clock;
  // The timeout runs from the last byte the printer took, not from the start: a long
  // receipt on a slow printer is fine as long as it keeps printing.
  Clock::time_point deadline = Clock::now() + write_timeout_;
  while (!bytes.empty()) {
    const ssize_t written = ::write(fd_, bytes.data(), bytes.size());
    if (written > 0) {
      bytes.remove_prefix(static_cast<std::size_t>(written));
      deadline = Clock::now() + write_timeout_;
      continue;
    }
    if (written < 0 && errno == EINTR) continue;
    if (written < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
      return Failure(ErrorCode::kUnavailable, "cannot write to receipt printer", path_, errno);
    }
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) {
      return Error{ErrorCode::kTimeout,
                   "receipt printer " + path_ + " took no data for " +
                       std::to_string(write_timeout_.count()) +
                       " ms (paper out, cover open or switched off?)",
                   "printer"};
    }
    pollfd ready{fd_, POLLOUT, 0};
    if (::poll(&ready, 1, static_cast<int>(left.count())) < 0 && errno != EINTR) {
      return Failure(ErrorCode::kUnavailable, "cannot wait for receipt printer", path_, errno);
    }
  }
  return {};
}

}  // namespace loyalty::terminal
