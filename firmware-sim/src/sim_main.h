// Command line and main loop of loyalty-reader-sim.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "device/fault_injector.h"
#include "device/firmware.h"
#include "loyalty/core/result.h"

namespace loyalty::firmware_sim {

inline constexpr int kDefaultBaud = 115200;

// What the command line asks for.
struct SimOptions {
  enum class Mode { kRun, kControlClient, kHelp };
  Mode mode = Mode::kRun;
  std::string link_path;     // --link: symlink made to the pty slave (run mode, required)
  std::string control_path;  // --control: unix socket; empty = none (required for ctl)
  int baud = kDefaultBaud;   // --baud: pacing of bytes on the line, 8N1
  bool read_stdin = true;    // false with --no-stdin
  std::string command;       // ctl mode: the command words joined by spaces
  FaultSettings faults;      // --corrupt, --drop, --noise, --duplicate, --latency
  uint64_t seed = 1;         // --seed: for the fault injector's random numbers
  FirmwareOptions firmware;  // --retransmit-ms, --max-retransmits, --max-nak-resends,
                             // --nfc-master-key (a hex file), --serial
  std::string scenario_path;  // --scenario: a scenario file run from start-up
};

// Parses the arguments after the program name. Fails with kInvalidArgument naming the
// option at fault. Accepts "--option value" and "--option=value".
Result<SimOptions> ParseSimOptions(std::span<const std::string_view> args);

std::string SimUsage();

// The whole program: run mode serves the pty until quit, SIGTERM or SIGINT and exits 0;
// ctl mode exits 0 on an "ok" reply, 1 on an "error" reply, 2 when it cannot reach
// the simulator. Bad usage exits 2, a failure to start exits 1.
int RunReaderSim(int argc, char** argv);

}  // namespace loyalty::firmware_sim
