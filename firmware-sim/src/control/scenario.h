// Scenario files: timed commands the simulator runs by itself, for demos and tests.
//
//   # comment; blank lines are ignored
//   at 0.5s present barcode 2000000000015
//   at 1200ms fault corrupt 0.05
//   +300ms replug 200           (relative to the previous step)
//
// A step is "at TIME COMMAND" (TIME from the start of the run) or "+TIME COMMAND"
// (after the previous step); TIME is a decimal number of seconds with "s" or whole
// milliseconds with "ms". Steps must not go back in time. COMMAND is any line of the
// command language (command.h) and is checked when the file is loaded.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "loyalty/core/result.h"

namespace loyalty::firmware_sim {

inline constexpr std::size_t kMaxScenarioSteps = 100'000;
inline constexpr std::chrono::hours kMaxScenarioTime{24};

struct ScenarioStep {
  std::chrono::milliseconds at{0};  // from the start of the run
  std::string command;
  int line_number = 0;  // in the file, for messages
};

// Fails with kInvalidArgument, field "scenario", naming the line and what is wrong.
Result<std::vector<ScenarioStep>> ParseScenario(std::string_view text);
Result<std::vector<ScenarioStep>> LoadScenario(const std::string& path);

}  // namespace loyalty::firmware_sim
