#include "control/scenario.h"

#include <charconv>
#include <fstream>
#include <sstream>

#include "control/command.h"

namespace loyalty::firmware_sim {
namespace {

Error BadLine(int line_number, const std::string& why) {
  return InvalidArgument("scenario", "scenario line " + std::to_string(line_number) + ": " + why);
}

// "1.5s", "0.25s", "2s" or "300ms".
Result<std::chrono::milliseconds> ParseTime(std::string_view text) {
  const auto bad = [&] {
    return InvalidArgument("time", "bad time '" + std::string(text) + "' (expected e.g. 1.5s or 300ms)");
  };
  if (text.ends_with("ms")) {
    text.remove_suffix(2);
    int64_t milliseconds = -1;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), milliseconds);
    if (error != std::errc() || end != text.data() + text.size() || milliseconds < 0) return bad();
    return std::chrono::milliseconds(milliseconds);
  }
  if (text.ends_with("s")) {
    text.remove_suffix(1);
    double seconds = -1;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), seconds);
    if (error != std::errc() || end != text.data() + text.size() || !(seconds >= 0) ||
        seconds > 86'400) {
      return bad();
    }
    return std::chrono::milliseconds(static_cast<int64_t>(seconds * 1000 + 0.5));
  }
  return bad();
}

}  // namespace

Result<std::vector<ScenarioStep>> ParseScenario(std::string_view text) {
  std::vector<ScenarioStep> steps;
  std::chrono::milliseconds previous{0};
  int line_number = 0;
  while (!text.empty()) {
    const std::size_t newline = text.find('\n');
    std::string_view line = text.substr(0, newline);
    text = newline == std::string_view::npos ? std::string_view() : text.substr(newline + 1);
    ++line_number;
    const std::size_t first = line.find_first_not_of(" \t\r");
    if (first == std::string_view::npos || line[first] == '#') continue;
    line.remove_prefix(first);

    bool relative = false;
    if (line.starts_with("at ")) {
      line.remove_prefix(3);
    } else if (line.starts_with("+")) {
      relative = true;
      line.remove_prefix(1);
    } else {
      return BadLine(line_number, "expected 'at TIME COMMAND' or '+TIME COMMAND'");
    }
    line.remove_prefix(std::min(line.find_first_not_of(" \t"), line.size()));
    const std::size_t space = line.find_first_of(" \t");
    if (space == std::string_view::npos) return BadLine(line_number, "missing command after the time");
    Result<std::chrono::milliseconds> time = ParseTime(line.substr(0, space));
    if (!time.ok()) return BadLine(line_number, time.error().message);
    const std::chrono::milliseconds at = relative ? previous + *time : *time;
    if (at < previous) return BadLine(line_number, "goes back in time");
    if (at > kMaxScenarioTime) return BadLine(line_number, "later than 24 hours");
    const std::string_view command = line.substr(space + 1);
    if (Result<Command> parsed = ParseCommand(command); !parsed.ok()) {
      return BadLine(line_number, parsed.error().message);
    }
    if (steps.size() >= kMaxScenarioSteps) return BadLine(line_number, "too many steps");
    steps.push_back(ScenarioStep{at, std::string(command), line_number});
    previous = at;
  }
  return steps;
}

Result<std::vector<ScenarioStep>> LoadScenario(const std::string& path) {
  std::ifstream in(path);
  if (!in) return InvalidArgument("scenario", "cannot read scenario file " + path);
  std::stringstream text;
  text << in.rdbuf();
  Result<std::vector<ScenarioStep>> steps = ParseScenario(text.str());
  if (!steps.ok()) {
    return InvalidArgument("scenario", path + ": " + steps.error().message);
  }
  return steps;
}

}  // namespace loyalty::firmware_sim
