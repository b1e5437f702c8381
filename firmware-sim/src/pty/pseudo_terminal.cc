#include "pty/pseudo_terminal.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace loyalty::firmware_sim {
namespace {

Error SystemError(const std::string& what) {
  return Unavailable(what + ": " + std::strerror(errno));
}

// Where link_path points, or "" when it is not a readable symlink.
std::string ReadLink(const std::string& link_path) {
  std::array<char, 4096> target{};
  const ssize_t length = ::readlink(link_path.c_str(), target.data(), target.size() - 1);
  if (length < 0) return {};
  return std::string(target.data(), static_cast<std::size_t>(length));
}

Status PointLinkAt(const std::string& link_path, const std::string& target) {
  struct stat existing {};
  if (::lstat(link_path.c_str(), &existing) == 0 && !S_ISLNK(existing.st_mode)) {
    return InvalidArgument(
        "link", "refusing to replace " + link_path + ": it exists and is not a symbolic link");
  }
  // symlink() then rename() so a terminal polling the path never sees it missing or
  // half-made, and a stale link from a crashed run is replaced in one step.
  const std::string temporary = link_path + ".tmp." + std::to_string(::getpid());
  ::unlink(temporary.c_str());
  if (::symlink(target.c_str(), temporary.c_str()) != 0) {
    return SystemError("cannot create link " + temporary);
  }
  if (::rename(temporary.c_str(), link_path.c_str()) != 0) {
    Error error = SystemError("cannot create link " + link_path);
    ::unlink(temporary.c_str());
    return error;
  }
  return {};
}

}  // namespace

Result<std::unique_ptr<PseudoTerminal>> PseudoTerminal::Create(const std::string& link_path) {
  std::unique_ptr<PseudoTerminal> pty(new PseudoTerminal());
  pty->master_.Reset(::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC));
  if (!pty->master_.valid()) return SystemError("posix_openpt");
  if (::grantpt(pty->master_fd()) != 0) return SystemError("grantpt");
  if (::unlockpt(pty->master_fd()) != 0) return SystemError("unlockpt");
  std::array<char, 256> name{};
  if (::ptsname_r(pty->master_fd(), name.data(), name.size()) != 0) return SystemError("ptsname");
  pty->slave_path_ = name.data();

  pty->slave_.Reset(::open(pty->slave_path_.c_str(), O_RDWR | O_NOCTTY | O_CLOEXEC));
  if (!pty->slave_.valid()) return SystemError("cannot open " + pty->slave_path_);
  // The line discipline that handles bytes written to the master is the slave's, so
  // raw mode is set there; otherwise a CR in a payload would become LF, and so on.
  termios settings{};
  if (::tcgetattr(pty->slave_.get(), &settings) != 0) return SystemError("tcgetattr");
  ::cfmakeraw(&settings);
  if (::tcsetattr(pty->slave_.get(), TCSANOW, &settings) != 0) return SystemError("tcsetattr");

  const int flags = ::fcntl(pty->master_fd(), F_GETFL);
  if (flags < 0 || ::fcntl(pty->master_fd(), F_SETFL, flags | O_NONBLOCK) != 0) {
    return SystemError("fcntl O_NONBLOCK");
  }

  if (!link_path.empty()) {
    if (Status linked = PointLinkAt(link_path, pty->slave_path_); !linked.ok()) {
      return linked.error();
    }
    pty->link_path_ = link_path;
  }
  return pty;
}

PseudoTerminal::~PseudoTerminal() { RemoveLink(); }

void PseudoTerminal::RemoveLink() {
  if (link_path_.empty()) return;
  if (ReadLink(link_path_) == slave_path_) ::unlink(link_path_.c_str());
  link_path_.clear();
}

Result<std::size_t> PseudoTerminal::Read(std::span<uint8_t> buffer) {
  const ssize_t count = ::read(master_fd(), buffer.data(), buffer.size());
  if (count >= 0) return static_cast<std::size_t>(count);
  if (errno == EAGAIN || errno == EINTR) return std::size_t{0};
  return SystemError("read " + slave_path_);
}

Result<std::size_t> PseudoTerminal::Write(std::span<const uint8_t> bytes) {
  const ssize_t count = ::write(master_fd(), bytes.data(), bytes.size());
  if (count >= 0) return static_cast<std::size_t>(count);
  if (errno == EAGAIN || errno == EINTR) return std::size_t{0};
  return SystemError("write " + slave_path_);
}

}  // namespace loyalty::firmware_sim
