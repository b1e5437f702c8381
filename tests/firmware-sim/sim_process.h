// Runs the built loyalty-reader-sim binary for tests. Every wait is bounded.
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#ifndef LOYALTY_READER_SIM_PATH
#error "LOYALTY_READER_SIM_PATH must name the loyalty-reader-sim binary"
#endif

namespace loyalty::firmware_sim {

inline constexpr const char* kReaderSimPath = LOYALTY_READER_SIM_PATH;

struct ProcessResult {
  int exit_code = -1;  // -1 if it had to be killed
  std::string out;
};

// Polls `done` every 5 ms for at most `timeout`.
template <typename Predicate>
bool WaitFor(Predicate done, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

inline std::vector<char*> Argv(std::vector<std::string>& args) {
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  return argv;
}

// Waits up to `timeout` for the child, then kills it. Returns its exit code or -1.
inline int WaitExit(pid_t pid, std::chrono::milliseconds timeout) {
  int status = 0;
  const bool exited = WaitFor([&] { return ::waitpid(pid, &status, WNOHANG) == pid; }, timeout);
  if (!exited) {
    ::kill(pid, SIGKILL);
    ::waitpid(pid, &status, 0);
    return -1;
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// Runs the simulator binary with `args` to completion (at most 10 s), capturing stdout.
inline ProcessResult RunSim(std::vector<std::string> args) {
  args.insert(args.begin(), kReaderSimPath);
  int out_pipe[2];
  if (::pipe(out_pipe) != 0) return {};
  posix_spawn_file_actions_t actions;
  ::posix_spawn_file_actions_init(&actions);
  ::posix_spawn_file_actions_adddup2(&actions, out_pipe[1], STDOUT_FILENO);
  ::posix_spawn_file_actions_addclose(&actions, out_pipe[0]);
  ::posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
  pid_t pid = -1;
  std::vector<char*> argv = Argv(args);
  const int spawned = ::posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  ::posix_spawn_file_actions_destroy(&actions);
  ::close(out_pipe[1]);
  ProcessResult result;
  if (spawned != 0) {
    ::close(out_pipe[0]);
    return result;
  }
  char buffer[512];
  ssize_t count;
  while ((count = ::read(out_pipe[0], buffer, sizeof buffer)) > 0) {
    result.out.append(buffer, static_cast<std::size_t>(count));
  }
  ::close(out_pipe[0]);
  result.exit_code = WaitExit(pid, std::chrono::seconds(10));
  return result;
}

// A simulator running in the background: --link, --control, --no-stdin, stderr to a
// file. The destructor stops it (SIGTERM, then SIGKILL after 5 s).
class SimProcess {
 public:
  SimProcess(std::string link, std::string control, std::string log_path,
             std::vector<std::string> extra_args = {})
      : link_(std::move(link)), control_(std::move(control)), log_path_(std::move(log_path)) {
    std::vector<std::string> args = {kReaderSimPath, "--link", link_,
                                     "--control",    control_, "--no-stdin"};
    args.insert(args.end(), extra_args.begin(), extra_args.end());
    posix_spawn_file_actions_t actions;
    ::posix_spawn_file_actions_init(&actions);
    ::posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    ::posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, log_path_.c_str(),
                                       O_WRONLY | O_CREAT | O_APPEND, 0644);
    std::vector<char*> argv = Argv(args);
    if (::posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ) != 0) pid_ = -1;
    ::posix_spawn_file_actions_destroy(&actions);
  }
  ~SimProcess() { Stop(); }
  SimProcess(const SimProcess&) = delete;
  SimProcess& operator=(const SimProcess&) = delete;

  // True once the link and the control socket exist (at most 5 s).
  // Ready is the "reader ready" log line, which the simulator writes after its link and
  // control socket exist: waiting for the files alone races with that line.
  bool WaitReady() const {
    return pid_ > 0 && WaitFor(
                           [&] {
                             return std::filesystem::is_symlink(link_) &&
                                    std::filesystem::is_socket(control_) &&
                                    Log().find(R"("msg":"reader ready")") != std::string::npos;
                           },
                           std::chrono::seconds(10));
  }

  // SIGTERM and wait; returns the exit code (-1 if killed or not running).
  int Stop() {
    if (pid_ <= 0) return -1;
    ::kill(pid_, SIGTERM);
    const int code = WaitExit(pid_, std::chrono::seconds(5));
    pid_ = -1;
    return code;
  }

  std::string Log() const {
    std::ifstream in(log_path_);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }

 private:
  std::string link_;
  std::string control_;
  std::string log_path_;
  pid_t pid_ = -1;
};

}  // namespace loyalty::firmware_sim
