#include "control/control_socket.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>

namespace loyalty::firmware_sim {
namespace {

Error SystemError(const std::string& what) {
  return Unavailable(what + ": " + std::strerror(errno));
}

Result<sockaddr_un> MakeAddress(const std::string& path) {
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (path.empty() || path.size() >= sizeof address.sun_path) {
    return InvalidArgument("control", "control socket path must be 1.." +
                                          std::to_string(sizeof address.sun_path - 1) +
                                          " characters: '" + path + "'");
  }
  std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
  return address;
}

// sockaddr_un is passed to the C socket API as the generic sockaddr it starts with.
const sockaddr* AsSockaddr(const sockaddr_un& address) {
  return reinterpret_cast<const sockaddr*>(&address);
}

bool SomeoneListens(const sockaddr_un& address) {
  UniqueFd probe(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  return probe.valid() && ::connect(probe.get(), AsSockaddr(address), sizeof address) == 0;
}

}  // namespace

Result<std::unique_ptr<ControlServer>> ControlServer::Listen(const std::string& path) {
  Result<sockaddr_un> address = MakeAddress(path);
  if (!address.ok()) return address.error();

  struct stat existing {};
  if (::lstat(path.c_str(), &existing) == 0) {
    if (!S_ISSOCK(existing.st_mode)) {
      return InvalidArgument("control", "refusing to replace " + path + ": it is not a socket");
    }
    if (SomeoneListens(*address)) {
      return InvalidArgument("control", "another process is listening on " + path);
    }
    ::unlink(path.c_str());  // left behind by a run that did not exit cleanly
  }

  std::unique_ptr<ControlServer> server(new ControlServer());
  server->listener_.Reset(::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!server->listener_.valid()) return SystemError("socket");
  if (::bind(server->listener_.get(), AsSockaddr(*address), sizeof *address) != 0) {
    return SystemError("cannot bind " + path);
  }
  server->path_ = path;  // from here on the destructor removes the file
  if (::listen(server->listener_.get(), static_cast<int>(kMaxControlConnections)) != 0) {
    return SystemError("listen " + path);
  }
  return server;
}

ControlServer::~ControlServer() {
  connections_.clear();
  listener_.Reset();
  if (!path_.empty()) ::unlink(path_.c_str());
}

std::vector<int> ControlServer::PollFds() const {
  std::vector<int> fds{listener_.get()};
  for (const Connection& connection : connections_) {
    if (!connection.answered) fds.push_back(connection.fd.get());
  }
  return fds;
}

std::optional<ControlServer::Clock::time_point> ControlServer::NextDeadline() const {
  std::optional<Clock::time_point> earliest;
  for (const Connection& connection : connections_) {
    if (!earliest || connection.deadline < *earliest) earliest = connection.deadline;
  }
  return earliest;
}

std::vector<ControlRequest> ControlServer::Service(Clock::time_point now) {
  // Beyond the limit, new clients wait in the listen backlog instead of being refused.
  while (connections_.size() < kMaxControlConnections) {
    const int fd = ::accept4(listener_.get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) break;
    connections_.push_back(Connection{UniqueFd(fd), {}, now + kControlConnectionTimeout, false});
  }

  std::vector<ControlRequest> requests;
  std::vector<int> to_reject;
  std::vector<int> to_close;
  for (Connection& connection : connections_) {
    if (connection.answered) continue;
    bool peer_closed = false;
    std::array<char, 512> chunk{};
    while (connection.buffer.size() <= kMaxControlLineSize) {
      const ssize_t count = ::recv(connection.fd.get(), chunk.data(), chunk.size(), 0);
      if (count > 0) {
        connection.buffer.append(chunk.data(), static_cast<std::size_t>(count));
        if (connection.buffer.find('\n') != std::string::npos) break;
        continue;
      }
      if (count < 0 && errno == EINTR) continue;
      peer_closed = count == 0 || (errno != EAGAIN && errno != EWOULDBLOCK);
      break;
    }

    const std::size_t newline = connection.buffer.find('\n');
    if (newline != std::string::npos && newline <= kMaxControlLineSize) {
      connection.answered = true;
      requests.push_back({connection.fd.get(), connection.buffer.substr(0, newline)});
    } else if (connection.buffer.size() > kMaxControlLineSize) {
      connection.answered = true;
      to_reject.push_back(connection.fd.get());
    } else if (peer_closed && !connection.buffer.empty()) {
      // A client that shuts down its side without a newline still means one command.
      connection.answered = true;
      requests.push_back({connection.fd.get(), connection.buffer});
    } else if (peer_closed || now >= connection.deadline) {
      to_close.push_back(connection.fd.get());
    }
  }
  for (int fd : to_reject) {
    Reply(fd, "error: command longer than " + std::to_string(kMaxControlLineSize) + " bytes");
  }
  for (int fd : to_close) Close(fd);
  return requests;
}

void ControlServer::Reply(int connection, std::string_view line) {
  std::string message(line);
  message += '\n';
  // The reply is one short line and the socket buffer is empty, so one send normally
  // takes it all; a client that has gone away only costs us the line.
  std::size_t sent = 0;
  while (sent < message.size()) {
    const ssize_t count =
        ::send(connection, message.data() + sent, message.size() - sent, MSG_NOSIGNAL);
    if (count < 0 && errno == EINTR) continue;
    if (count <= 0) break;
    sent += static_cast<std::size_t>(count);
  }
  Close(connection);
}

void ControlServer::Close(int connection) {
  std::erase_if(connections_,
                [connection](const Connection& c) { return c.fd.get() == connection; });
}

Result<std::string> SendControlCommand(const std::string& socket_path, std::string_view command,
                                       std::chrono::milliseconds timeout) {
  Result<sockaddr_un> address = MakeAddress(socket_path);
  if (!address.ok()) return address.error();
  UniqueFd socket_fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!socket_fd.valid()) return SystemError("socket");
  if (::connect(socket_fd.get(), AsSockaddr(*address), sizeof *address) != 0) {
    return SystemError("cannot connect to control socket " + socket_path);
  }
  std::string message(command);
  message += '\n';
  std::size_t sent = 0;
  while (sent < message.size()) {
    const ssize_t count =
        ::send(socket_fd.get(), message.data() + sent, message.size() - sent, MSG_NOSIGNAL);
    if (count < 0 && errno == EINTR) continue;
    if (count <= 0) return SystemError("cannot send to control socket " + socket_path);
    sent += static_cast<std::size_t>(count);
  }

  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::string reply;
  while (reply.find('\n') == std::string::npos) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    pollfd waiting{socket_fd.get(), POLLIN, 0};
    const int ready = ::poll(&waiting, 1, static_cast<int>(left.count()));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) break;
    std::array<char, 512> chunk{};
    const ssize_t count = ::recv(socket_fd.get(), chunk.data(), chunk.size(), 0);
    if (count < 0 && errno == EINTR) continue;
    if (count <= 0) {
      if (reply.empty())
        return Unavailable("control socket " + socket_path + " closed without a reply");
      break;  // a reply without its newline is still the reply
    }
    reply.append(chunk.data(), static_cast<std::size_t>(count));
  }
  const std::size_t newline = reply.find('\n');
  if (newline == std::string::npos && reply.empty()) {
    return Error{ErrorCode::kTimeout,
                 "no reply from control socket " + socket_path + " within " +
                     std::to_string(timeout.count()) + " ms",
                 {}};
  }
  return reply.substr(0, newline);
}

}  // namespace loyalty::firmware_sim
