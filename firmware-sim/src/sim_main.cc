#include "sim_main.h"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <charconv>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <deque>
#include <iostream>
#include <memory>
#include <optional>
#include <utility>

#include "control/command.h"
#include "control/control_socket.h"
#include "control/scenario.h"
#include "device/firmware.h"
#include "loyalty/core/log.h"
#include "pty/line_pacer.h"
#include "pty/pseudo_terminal.h"
#include "pty/unique_fd.h"
#include "loyalty/reader/messages.h"
#include "loyalty/reader/nfc_auth.h"

namespace loyalty::firmware_sim {
namespace {

using Clock = std::chrono::steady_clock;

constexpr int kMinBaud = 50;
constexpr int kMaxBaud = 4'000'000;
constexpr std::chrono::milliseconds kControlClientTimeout{5000};

// The signal handler may only write to a pipe; the main loop polls the other end.
int g_signal_pipe_write = -1;

void OnTerminationSignal(int /*signal*/) {
  const int saved_errno = errno;
  const char byte = 1;
  [[maybe_unused]] const ssize_t ignored = ::write(g_signal_pipe_write, &byte, 1);
  errno = saved_errno;
}

Result<int> ParseBaud(std::string_view text) {
  int baud = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), baud);
  if (error != std::errc() || end != text.data() + text.size() || baud < kMinBaud ||
      baud > kMaxBaud) {
    return InvalidArgument("--baud", "--baud must be an integer from " + std::to_string(kMinBaud) +
                                         " to " + std::to_string(kMaxBaud) + ", got '" +
                                         std::string(text) + "'");
  }
  return baud;
}

// A whole number for a counting option (0..1000000).
Result<int64_t> ParseCount(std::string_view name, std::string_view text) {
  int64_t value = -1;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value < 0 || value > 1'000'000) {
    return InvalidArgument(std::string(name), std::string(name) + " must be a whole number from 0 "
                                                                  "to 1000000, got '" +
                                                  std::string(text) + "'");
  }
  return value;
}

class ReaderSim {
 public:
  ReaderSim(const SimOptions& options, std::unique_ptr<PseudoTerminal> pty,
            std::unique_ptr<ControlServer> control, int signal_fd,
            std::vector<ScenarioStep> scenario)
      : options_(options),
        pty_(std::move(pty)),
        control_(std::move(control)),
        firmware_(options.firmware),
        faults_(options.seed),
        pacer_(options.baud),
        signal_fd_(signal_fd),
        stdin_open_(options.read_stdin),
        scenario_(std::move(scenario)),
        started_at_(Clock::now()) {
    faults_.settings() = options.faults;
  }

  int Run();

 private:
  std::string Execute(std::string_view line, Clock::time_point now);
  std::string Present(const Command& command, Clock::time_point now);
  std::string Unplug();
  std::string Plug();
  std::string Status() const;
  void ReadStdin(Clock::time_point now);
  void ReadLine(Clock::time_point now);
  void WriteLine(Clock::time_point now);
  void FlushUnpaced();
  std::optional<Clock::time_point> NextWakeUp() const;
  int WaitForInput(std::vector<pollfd>& fds, Clock::time_point now) const;
  void ServiceControl(Clock::time_point now);
  void RunScenario(Clock::time_point now);
  void LogDroppedEvents();

  const SimOptions& options_;
  std::unique_ptr<PseudoTerminal> pty_;  // null while unplugged
  std::unique_ptr<ControlServer> control_;
  Firmware firmware_;
  FaultInjector faults_;
  LinePacer pacer_;
  // Frames held back by the latency fault, with the time each may go on the line.
  std::deque<std::pair<Clock::time_point, std::vector<uint8_t>>> delayed_output_;
  std::deque<uint8_t> line_output_;  // frame bytes the pacer has not let out yet
  uint64_t bytes_lost_ = 0;
  uint64_t replugs_ = 0;
  std::optional<Clock::time_point> plug_at_;  // replug in progress
  int signal_fd_;
  bool stdin_open_;
  std::string stdin_buffer_;
  std::vector<ScenarioStep> scenario_;
  std::size_t next_step_ = 0;
  Clock::time_point started_at_;
  uint64_t events_dropped_logged_ = 0;
  bool quit_ = false;
};

std::string ReaderSim::Present(const Command& command, Clock::time_point now) {
  if (!pty_) return "error: reader unplugged";
  // A hung device reads no card; saying so keeps a test from waiting for one.
  if (faults_.settings().mute) return "error: reader not answering (fault mute on)";
  Result<uint8_t> seq = firmware_.PresentCard(command.card, now, command.nfc_key);
  if (!seq.ok()) return "error: " + seq.error().message;
  // The card data is a customer's number (or a payment card swiped by mistake): logs
  // carry only what was read and how.
  log::Info("card presented",
            {{"technology", reader::TechnologyName(command.card.technology)}, {"seq", *seq}});
  return "ok seq=" + std::to_string(*seq);
}

std::string ReaderSim::Unplug() {
  if (!pty_) return "error: reader already unplugged";
  // Pulling the plug powers the device off: what it had queued or in flight is gone,
  // and it numbers from SEQ 1 again when it comes back.
  pty_.reset();
  firmware_ = Firmware(options_.firmware);
  line_output_.clear();
  delayed_output_.clear();
  ++replugs_;
  log::Info("reader unplugged");
  return "ok unplugged";
}

std::string ReaderSim::Plug() {
  if (pty_) return "error: reader already plugged in";
  plug_at_.reset();
  Result<std::unique_ptr<PseudoTerminal>> pty = PseudoTerminal::Create(options_.link_path);
  if (!pty.ok()) return "error: cannot plug in: " + pty.error().message;
  pty_ = std::move(pty).value();
  pacer_ = LinePacer(options_.baud);
  log::Info("reader plugged in", {{"pty", pty_->slave_path()}});
  return "ok plugged pty=" + pty_->slave_path();
}

std::string ReaderSim::Status() const {
  const FaultInjector::Stats& damage = faults_.stats();
  return FormatStatus(firmware_.stats(), firmware_.pending_events()) +
         " commands=" + std::to_string(firmware_.stats().commands_received) +
         " nfc_challenges=" + std::to_string(firmware_.stats().nfc_challenges) +
         " led=" + reader::LedColorName(firmware_.led().color) +
         " beeps=" + std::to_string(firmware_.stats().beeps) +
         " plugged=" + (pty_ ? "yes" : "no") + " replugs=" + std::to_string(replugs_) + " " +
         FormatFaults(faults_.settings()) +
         " bytes_corrupted=" + std::to_string(damage.bytes_corrupted) +
         " bytes_dropped=" + std::to_string(damage.bytes_dropped) +
         " noise_bytes=" + std::to_string(damage.noise_bytes) +
         " frames_duplicated=" + std::to_string(damage.frames_duplicated);
}

std::string ReaderSim::Execute(std::string_view line, Clock::time_point now) {
  Result<Command> command = ParseCommand(line);
  if (!command.ok()) return "error: " + command.error().message;
  switch (command->kind) {
    case CommandKind::kPresent:
      return Present(*command, now);
    case CommandKind::kRemove: {
      if (!pty_) return "error: reader unplugged";
      Result<uint8_t> seq = firmware_.RemoveCard(now);
      if (!seq.ok()) return "error: " + seq.error().message;
      return "ok seq=" + std::to_string(*seq);
    }
    case CommandKind::kDeviceError: {
      if (!pty_) return "error: reader unplugged";
      Result<uint8_t> seq = firmware_.ReportError(
          reader::DeviceError{static_cast<uint8_t>(reader::DeviceErrorCode::kHardware),
                              command->text},
          now);
      if (!seq.ok()) return "error: " + seq.error().message;
      return "ok seq=" + std::to_string(*seq);
    }
    case CommandKind::kFault: {
      if (command->fault_name == "clear") {
        faults_.settings() = FaultSettings{};
      } else if (loyalty::Status set =
                     SetFault(faults_.settings(), command->fault_name, command->fault_value);
                 !set.ok()) {
        return "error: " + set.error().message;
      }
      log::Info("faults changed", {{"faults", FormatFaults(faults_.settings())}});
      return "ok " + FormatFaults(faults_.settings());
    }
    case CommandKind::kUnplug:
      return Unplug();
    case CommandKind::kPlug:
      return Plug();
    case CommandKind::kReplug: {
      std::string reply = Unplug();
      if (!reply.starts_with("ok")) return reply;
      plug_at_ = now + command->replug_gap;
      return "ok replug in " + std::to_string(command->replug_gap.count()) + "ms";
    }
    case CommandKind::kStatus:
      return Status();
    case CommandKind::kHelp:
      return HelpText();
    case CommandKind::kQuit:
      quit_ = true;
      return "ok bye";
  }
  return "error: unhandled command";
}

void ReaderSim::ReadStdin(Clock::time_point now) {
  std::array<char, 4096> chunk{};
  const ssize_t count = ::read(STDIN_FILENO, chunk.data(), chunk.size());
  if (count < 0 && (errno == EINTR || errno == EAGAIN)) return;
  if (count <= 0) {
    // End of input is not a reason to stop: run in the background, the simulator is
    // driven through the control socket.
    stdin_open_ = false;
    return;
  }
  stdin_buffer_.append(chunk.data(), static_cast<std::size_t>(count));
  std::size_t newline;
  while (!quit_ && (newline = stdin_buffer_.find('\n')) != std::string::npos) {
    const std::string line = stdin_buffer_.substr(0, newline);
    stdin_buffer_.erase(0, newline + 1);
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    std::cout << Execute(line, now) << std::endl;
  }
  if (stdin_buffer_.size() > kMaxControlLineSize) {
    std::cout << "error: command longer than " << kMaxControlLineSize << " bytes" << std::endl;
    stdin_buffer_.clear();
  }
}

void ReaderSim::ReadLine(Clock::time_point now) {
  if (!pty_) return;
  std::array<uint8_t, 4096> chunk{};
  Result<std::size_t> count = pty_->Read(chunk);
  if (!count.ok()) {
    log::Error("cannot read the line", {{"error", count.error().message}});
    return;
  }
  // A hung device drains its UART but acts on nothing.
  if (faults_.settings().mute) return;
  firmware_.OnHostBytes(std::span<const uint8_t>(chunk.data(), *count), now);
}

void ReaderSim::WriteLine(Clock::time_point now) {
  for (const std::vector<uint8_t>& frame : firmware_.TakeFrames()) {
    const bool is_event =
        frame.size() > 4 && reader::IsDeviceEvent(static_cast<reader::FrameType>(frame[4]));
    std::vector<uint8_t> bytes = faults_.Apply(frame, is_event);
    delayed_output_.emplace_back(now + faults_.settings().latency, std::move(bytes));
  }
  while (!delayed_output_.empty() && delayed_output_.front().first <= now) {
    const std::vector<uint8_t>& bytes = delayed_output_.front().second;
    line_output_.insert(line_output_.end(), bytes.begin(), bytes.end());
    delayed_output_.pop_front();
  }
  if (!pty_) return;
  while (!line_output_.empty() && pacer_.Ready(now)) {
    const std::size_t chunk_size = std::min(pacer_.ChunkSize(), line_output_.size());
    const std::vector<uint8_t> chunk(
        line_output_.begin(), line_output_.begin() + static_cast<std::ptrdiff_t>(chunk_size));
    Result<std::size_t> written = pty_->Write(chunk);
    if (!written.ok()) {
      log::Error("cannot write the line", {{"error", written.error().message}});
      return;
    }
    // A full slave queue means nobody is reading the line. A real UART would send the
    // bytes into the void, so they are dropped the same way and the line time is
    // still spent; holding them back would deliver stale frames to the next reader.
    const std::size_t carried = *written == 0 ? chunk_size : *written;
    if (*written == 0) bytes_lost_ += chunk_size;
    pacer_.Sent(carried, now);
    line_output_.erase(line_output_.begin(),
                       line_output_.begin() + static_cast<std::ptrdiff_t>(carried));
  }
}

// Frames produced just before quitting (a "present" then "quit" on stdin) still go out.
void ReaderSim::FlushUnpaced() {
  for (const std::vector<uint8_t>& frame : firmware_.TakeFrames()) {
    line_output_.insert(line_output_.end(), frame.begin(), frame.end());
  }
  if (!pty_) return;
  const std::vector<uint8_t> remaining(line_output_.begin(), line_output_.end());
  line_output_.clear();
  if (Result<std::size_t> written = pty_->Write(remaining); written.ok()) {
    bytes_lost_ += remaining.size() - *written;
  }
}

std::optional<Clock::time_point> ReaderSim::NextWakeUp() const {
  std::optional<Clock::time_point> wake_up;
  const auto consider = [&wake_up](std::optional<Clock::time_point> candidate) {
    if (candidate && (!wake_up || *candidate < *wake_up)) wake_up = candidate;
  };
  if (!faults_.settings().mute) consider(firmware_.NextTimer());
  if (!line_output_.empty() && pty_) consider(pacer_.free_at());
  if (!delayed_output_.empty()) consider(delayed_output_.front().first);
  if (control_) consider(control_->NextDeadline());
  consider(plug_at_);
  if (next_step_ < scenario_.size()) consider(started_at_ + scenario_[next_step_].at);
  return wake_up;
}

void ReaderSim::ServiceControl(Clock::time_point now) {
  for (const ControlRequest& request : control_->Service(now)) {
    control_->Reply(request.connection,
                    quit_ ? "error: simulator is stopping" : Execute(request.line, now));
  }
}

void ReaderSim::RunScenario(Clock::time_point now) {
  while (!quit_ && next_step_ < scenario_.size() &&
         started_at_ + scenario_[next_step_].at <= now) {
    const ScenarioStep& step = scenario_[next_step_++];
    const std::string reply = Execute(step.command, now);
    // Logged without the command: a present line carries card data.
    log::Info("scenario step", {{"line", step.line_number}, {"reply", reply.substr(0, 40)}});
  }
}

void ReaderSim::LogDroppedEvents() {
  if (firmware_.stats().events_dropped == events_dropped_logged_) return;
  events_dropped_logged_ = firmware_.stats().events_dropped;
  log::Warn("card event dropped: no ACK from the host",
            {{"events_dropped", events_dropped_logged_}});
}

// ppoll rather than poll: the pacer needs sub-millisecond timeouts at high baud rates.
int ReaderSim::WaitForInput(std::vector<pollfd>& fds, Clock::time_point now) const {
  timespec timeout{};
  const timespec* timeout_pointer = nullptr;
  if (const std::optional<Clock::time_point> wake_up = NextWakeUp()) {
    const auto wait = std::max(std::chrono::nanoseconds(0), *wake_up - now);
    timeout.tv_sec = static_cast<time_t>(wait.count() / 1'000'000'000);
    timeout.tv_nsec = static_cast<long>(wait.count() % 1'000'000'000);
    timeout_pointer = &timeout;
  }
  return ::ppoll(fds.data(), fds.size(), timeout_pointer, nullptr);
}

int ReaderSim::Run() {
  constexpr std::size_t kSignalIndex = 0;
  constexpr std::size_t kLineIndex = 1;
  constexpr std::size_t kStdinIndex = 2;
  while (!quit_) {
    Clock::time_point now = Clock::now();
    if (plug_at_ && *plug_at_ <= now) {
      const std::string reply = Plug();
      if (!reply.starts_with("ok")) log::Error("replug failed", {{"error", reply}});
    }
    RunScenario(now);
    if (quit_) break;
    if (!faults_.settings().mute) firmware_.OnTimer(now);
    WriteLine(now);
    LogDroppedEvents();

    // A descriptor of -1 is ignored by poll, which keeps the indexes fixed.
    std::vector<pollfd> fds = {{signal_fd_, POLLIN, 0},
                               {pty_ ? pty_->master_fd() : -1, POLLIN, 0},
                               {stdin_open_ ? STDIN_FILENO : -1, POLLIN, 0}};
    if (control_) {
      for (int fd : control_->PollFds()) fds.push_back({fd, POLLIN, 0});
    }
    if (WaitForInput(fds, now) < 0 && errno != EINTR) {
      log::Error("poll failed", {{"error", std::strerror(errno)}});
      return 1;
    }

    now = Clock::now();
    if (fds[kSignalIndex].revents != 0) {
      log::Info("signal received, stopping");
      break;
    }
    if (fds[kLineIndex].revents != 0) ReadLine(now);
    if (fds[kStdinIndex].revents != 0) ReadStdin(now);
    // Also on a timeout: Service() is what closes idle control connections.
    if (control_) ServiceControl(now);
  }
  FlushUnpaced();
  const Firmware::Stats& stats = firmware_.stats();
  log::Info("reader stopped", {{"frames_sent", stats.frames_sent},
                               {"acks_received", stats.acks_received},
                               {"naks_received", stats.naks_received},
                               {"retransmits", stats.retransmits},
                               {"bytes_lost", bytes_lost_}});
  return 0;
}

int RunControlClient(const SimOptions& options) {
  Result<std::string> reply =
      SendControlCommand(options.control_path, options.command, kControlClientTimeout);
  if (!reply.ok()) {
    std::cerr << "loyalty-reader-sim ctl: " << reply.error().message
              << " (is loyalty-reader-sim running with --control " << options.control_path << "?)"
              << std::endl;
    return 2;
  }
  std::cout << *reply << std::endl;
  return reply->starts_with("ok") ? 0 : 1;
}

int RunSimulator(const SimOptions& options) {
  log::SetProgram("reader-sim");
  std::array<int, 2> signal_pipe{};
  if (::pipe2(signal_pipe.data(), O_CLOEXEC | O_NONBLOCK) != 0) {
    log::Error("cannot create a pipe", {{"error", std::strerror(errno)}});
    return 1;
  }
  const UniqueFd signal_read(signal_pipe[0]);
  const UniqueFd signal_write(signal_pipe[1]);
  g_signal_pipe_write = signal_write.get();
  struct sigaction action {};
  action.sa_handler = OnTerminationSignal;
  ::sigemptyset(&action.sa_mask);
  ::sigaction(SIGTERM, &action, nullptr);
  ::sigaction(SIGINT, &action, nullptr);
  // A control client or a stdout reader that goes away must not kill the device.
  std::signal(SIGPIPE, SIG_IGN);

  std::vector<ScenarioStep> scenario;
  if (!options.scenario_path.empty()) {
    Result<std::vector<ScenarioStep>> loaded = LoadScenario(options.scenario_path);
    if (!loaded.ok()) {
      log::Error("cannot load the scenario", {{"error", loaded.error().message}});
      return 1;
    }
    scenario = std::move(loaded).value();
  }

  Result<std::unique_ptr<PseudoTerminal>> pty = PseudoTerminal::Create(options.link_path);
  if (!pty.ok()) {
    log::Error("cannot open the pseudo-terminal", {{"error", pty.error().message}});
    return 1;
  }
  std::unique_ptr<ControlServer> control;
  if (!options.control_path.empty()) {
    Result<std::unique_ptr<ControlServer>> listening = ControlServer::Listen(options.control_path);
    if (!listening.ok()) {
      log::Error("cannot open the control socket", {{"error", listening.error().message}});
      return 1;
    }
    control = std::move(listening).value();
  }

  nlohmann::json ready_fields = {
      {"link", options.link_path}, {"pty", (*pty)->slave_path()}, {"baud", options.baud}};
  if (control) ready_fields["control"] = options.control_path;
  if (!options.scenario_path.empty()) ready_fields["scenario"] = options.scenario_path;
  log::Info("reader ready", ready_fields);

  ReaderSim simulator(options, std::move(pty).value(), std::move(control), signal_read.get(),
                      std::move(scenario));
  const int exit_code = simulator.Run();
  g_signal_pipe_write = -1;
  return exit_code;
}

}  // namespace

std::string SimUsage() {
  return "Usage:\n"
         "  loyalty-reader-sim --link PATH [--control SOCKET_PATH] [--baud N] [--no-stdin]\n"
         "                     [--scenario FILE] [fault and firmware options]\n"
         "  loyalty-reader-sim ctl --control SOCKET_PATH COMMAND...\n"
         "\n"
         "Runs the card reader's firmware behind a pseudo-terminal; PATH becomes a symlink\n"
         "to the serial device the terminal opens. Commands, one per line on stdin or per\n"
         "connection on the control socket:\n"
         "  present barcode DATA   a barcode: EAN-13 loyalty number or QR coupon token\n"
         "  present magstripe TRACKS   a swipe, e.g. ;2000000000015=28121010000?\n"
         "  present nfc UID:NUMBER [key=HEX|nokey]   an NFC card (key derived by default)\n"
         "  remove                 take the card away\n"
         "  device-error TEXT      report a device fault to the host\n"
         "  fault NAME VALUE       corrupt|drop|noise|duplicate P, latency MS, mute on|off\n"
         "  fault clear            no faults\n"
         "  unplug | plug | replug [MS]   the pty goes away / comes back (power cycle)\n"
         "  status                 counters, LED, faults\n"
         "  help                   list the commands\n"
         "  quit                   stop the simulator\n"
         "\n"
         "Options:\n"
         "  --link PATH            symlink to create for the pty (replaces a stale one)\n"
         "  --control SOCKET_PATH  also accept commands on this unix socket\n"
         "  --baud N               line speed for pacing, 8N1 (default 115200)\n"
         "  --no-stdin             do not read commands from stdin\n"
         "  --scenario FILE        run timed commands from FILE (docs/reader-protocol.md)\n"
         "  --corrupt P --drop P --noise P --duplicate P   start with these faults (0..1)\n"
         "  --latency MS           start with this added latency\n"
         "  --seed N               seed of the fault injector (default 1)\n"
         "  --retransmit-ms N      wait for an ACK before resending (default 500)\n"
         "  --max-retransmits N    resends on timeout before an event is dropped (default 3)\n"
         "  --max-nak-resends N    resends on NAK before an event is dropped (default 32)\n"
         "  --nfc-master-key FILE  hex master key to derive NFC card keys from\n"
         "  --serial TEXT          serial number the device reports\n"
         "  --help                 this text\n"
         "\n"
         "ctl exits 0 on an ok reply, 1 on an error reply, 2 when the simulator is unreachable.\n";
}

Result<SimOptions> ParseSimOptions(std::span<const std::string_view> args) {
  SimOptions options;
  std::size_t index = 0;
  if (!args.empty() && args[0] == "ctl") {
    options.mode = SimOptions::Mode::kControlClient;
    index = 1;
  }
  for (; index < args.size(); ++index) {
    std::string_view arg = args[index];
    if (arg == "--help" || arg == "-h") {
      options.mode = SimOptions::Mode::kHelp;
      return options;
    }
    if (!arg.starts_with("--")) break;
    std::string_view name = arg;
    std::optional<std::string_view> value;
    if (const std::size_t equals = arg.find('='); equals != std::string_view::npos) {
      name = arg.substr(0, equals);
      value = arg.substr(equals + 1);
    }
    const auto take_value = [&]() -> Result<std::string_view> {
      if (value) return *value;
      if (index + 1 >= args.size()) {
        return InvalidArgument(std::string(name), std::string(name) + " needs a value");
      }
      return args[++index];
    };
    const bool in_run_mode = options.mode == SimOptions::Mode::kRun;
    if (name == "--control") {
      Result<std::string_view> path = take_value();
      if (!path.ok()) return path.error();
      options.control_path = *path;
    } else if (name == "--link" && in_run_mode) {
      Result<std::string_view> path = take_value();
      if (!path.ok()) return path.error();
      options.link_path = *path;
    } else if (name == "--baud" && in_run_mode) {
      Result<std::string_view> text = take_value();
      if (!text.ok()) return text.error();
      Result<int> baud = ParseBaud(*text);
      if (!baud.ok()) return baud.error();
      options.baud = *baud;
    } else if (name == "--no-stdin" && in_run_mode && !value) {
      options.read_stdin = false;
    } else if (in_run_mode && (name == "--corrupt" || name == "--drop" || name == "--noise" ||
                               name == "--duplicate" || name == "--latency")) {
      Result<std::string_view> text = take_value();
      if (!text.ok()) return text.error();
      if (Status set = SetFault(options.faults, name.substr(2), *text); !set.ok()) {
        return InvalidArgument(std::string(name), std::string(name) + ": " + set.error().message);
      }
    } else if (in_run_mode && (name == "--seed" || name == "--retransmit-ms" ||
                               name == "--max-retransmits" || name == "--max-nak-resends")) {
      Result<std::string_view> text = take_value();
      if (!text.ok()) return text.error();
      Result<int64_t> number = ParseCount(name, *text);
      if (!number.ok()) return number.error();
      if (name == "--seed") options.seed = static_cast<uint64_t>(*number);
      if (name == "--retransmit-ms") {
        options.firmware.retransmit_after = std::chrono::milliseconds(std::max<int64_t>(1, *number));
      }
      if (name == "--max-retransmits") options.firmware.max_retransmits = static_cast<int>(*number);
      if (name == "--max-nak-resends") options.firmware.max_nak_resends = static_cast<int>(*number);
    } else if (name == "--nfc-master-key" && in_run_mode) {
      Result<std::string_view> path = take_value();
      if (!path.ok()) return path.error();
      Result<std::vector<uint8_t>> key = reader::LoadNfcMasterKey(std::string(*path));
      if (!key.ok()) return InvalidArgument("--nfc-master-key", key.error().message);
      options.firmware.nfc_master_key = std::move(key).value();
    } else if (name == "--serial" && in_run_mode) {
      Result<std::string_view> serial = take_value();
      if (!serial.ok()) return serial.error();
      if (serial->empty() || serial->size() > reader::kMaxDeviceInfoFieldSize) {
        return InvalidArgument("--serial", "--serial must be 1..64 characters");
      }
      options.firmware.info.serial_number = *serial;
    } else if (name == "--scenario" && in_run_mode) {
      Result<std::string_view> path = take_value();
      if (!path.ok()) return path.error();
      options.scenario_path = *path;
    } else {
      return InvalidArgument(std::string(name), "unknown option '" + std::string(arg) + "'");
    }
  }

  if (options.mode == SimOptions::Mode::kControlClient) {
    if (options.control_path.empty()) {
      return InvalidArgument("--control", "ctl needs --control SOCKET_PATH");
    }
    for (; index < args.size(); ++index) {
      if (!options.command.empty()) options.command += ' ';
      options.command += args[index];
    }
    if (options.command.empty()) {
      return InvalidArgument("command", "ctl needs a command, e.g. 'status'");
    }
    return options;
  }
  if (index < args.size()) {
    return InvalidArgument("arguments", "unexpected argument '" + std::string(args[index]) + "'");
  }
  if (options.link_path.empty()) return InvalidArgument("--link", "--link PATH is required");
  if (options.control_path.empty() && !options.read_stdin) {
    return InvalidArgument("--no-stdin",
                           "--no-stdin needs --control, or nothing could drive the reader");
  }
  return options;
}

int RunReaderSim(int argc, char** argv) {
  const std::vector<std::string_view> args(argv + (argc > 0 ? 1 : 0), argv + argc);
  Result<SimOptions> options = ParseSimOptions(args);
  if (!options.ok()) {
    std::cerr << "loyalty-reader-sim: " << options.error().message << "\n"
              << "Try 'loyalty-reader-sim --help'." << std::endl;
    return 2;
  }
  switch (options->mode) {
    case SimOptions::Mode::kHelp:
      std::cout << SimUsage();
      return 0;
    case SimOptions::Mode::kControlClient:
      return RunControlClient(*options);
    case SimOptions::Mode::kRun:
      return RunSimulator(*options);
  }
  return 2;
}

}  // namespace loyalty::firmware_sim
