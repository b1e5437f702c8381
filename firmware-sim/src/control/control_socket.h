// The simulator's control socket: a unix-domain stream socket where each connection
// carries one command line and gets one reply line, then is closed. Tests and scripts
// drive the reader through it while stdin stays free.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "loyalty/core/result.h"
#include "pty/unique_fd.h"

namespace loyalty::firmware_sim {

// Limits of one control connection.
inline constexpr std::size_t kMaxControlLineSize = 4096;
inline constexpr std::size_t kMaxControlConnections = 16;
inline constexpr std::chrono::seconds kControlConnectionTimeout{5};

struct ControlRequest {
  int connection = -1;  // pass back to Reply()
  std::string line;     // without the newline
};

// Non-blocking server meant for one poll() loop: put PollFds() in the poll set, call
// Service() after each poll, Reply() to every request it returned. Not thread-safe.
class ControlServer {
 public:
  using Clock = std::chrono::steady_clock;

  // Binds `path`. A socket file left by a crashed run (nobody accepts on it) is
  // replaced; a live one, or a path that is not a socket, is refused.
  static Result<std::unique_ptr<ControlServer>> Listen(const std::string& path);

  // Closes every connection and removes the socket file.
  ~ControlServer();
  ControlServer(const ControlServer&) = delete;
  ControlServer& operator=(const ControlServer&) = delete;

  // The listening socket and every open connection; poll them for POLLIN.
  std::vector<int> PollFds() const;

  // Accepts, reads what is available, drops connections idle past
  // kControlConnectionTimeout, and returns complete lines. A line longer than
  // kMaxControlLineSize is answered with an error here and never returned.
  std::vector<ControlRequest> Service(Clock::time_point now);

  // Sends `line` and a newline on the connection and closes it.
  void Reply(int connection, std::string_view line);

  // When Service() must run again to expire idle connections, if any are open.
  std::optional<Clock::time_point> NextDeadline() const;

  const std::string& path() const { return path_; }

 private:
  struct Connection {
    UniqueFd fd;
    std::string buffer;
    Clock::time_point deadline;
    bool answered = false;
  };

  ControlServer() = default;
  void Close(int connection);

  UniqueFd listener_;
  std::string path_;
  std::vector<Connection> connections_;
};

// Client side: connects to `socket_path`, sends `command`, waits up to `timeout` for the
// reply line and returns it without the newline. Fails with kUnavailable when nothing
// listens at the path and kTimeout when no full reply arrives in time.
Result<std::string> SendControlCommand(const std::string& socket_path, std::string_view command,
                                       std::chrono::milliseconds timeout);

}  // namespace loyalty::firmware_sim
