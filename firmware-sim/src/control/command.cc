#include "control/command.h"

#include <utility>

namespace loyalty::firmware_sim {
namespace {

constexpr std::string_view kWhitespace = " \t\r\n";

std::string_view Trim(std::string_view text) {
  const std::size_t first = text.find_first_not_of(kWhitespace);
  if (first == std::string_view::npos) return {};
  const std::size_t last = text.find_last_not_of(kWhitespace);
  return text.substr(first, last - first + 1);
}

// Splits off the first word; `rest` keeps everything after the whitespace that follows.
std::string_view TakeWord(std::string_view& rest) {
  rest = Trim(rest);
  const std::size_t end = rest.find_first_of(kWhitespace);
  const std::string_view word = rest.substr(0, end);
  rest = end == std::string_view::npos ? std::string_view() : Trim(rest.substr(end));
  return word;
}

Status ExpectNoArguments(std::string_view command, std::string_view rest) {
  if (rest.empty()) return {};
  return InvalidArgument(
      "command", std::string(command) + ": unexpected argument '" + std::string(rest) + "'");
}

}  // namespace

Result<Command> ParseCommand(std::string_view line) {
  std::string_view rest = line;
  const std::string_view name = TakeWord(rest);
  if (name.empty()) return InvalidArgument("command", "empty command");

  Command command;
  if (name == "present") {
    command.kind = CommandKind::kPresent;
    const std::string_view technology_name = TakeWord(rest);
    if (technology_name.empty()) {
      return InvalidArgument("technology",
                             "present: missing technology (expected barcode, magstripe or nfc)");
    }
    Result<reader::CardTechnology> technology = reader::ParseTechnology(technology_name);
    if (!technology.ok()) {
      return InvalidArgument("technology", "present: " + technology.error().message);
    }
    if (rest.empty()) {
      return InvalidArgument("data",
                             "present " + std::string(technology_name) + ": missing card data");
    }
    // DATA is the rest of the line, inner spaces included: barcodes may contain them.
    command.card = reader::CardEvent{*technology, std::string(rest)};
    return command;
  }

  if (name == "remove") {
    command.kind = CommandKind::kRemove;
  } else if (name == "status") {
    command.kind = CommandKind::kStatus;
  } else if (name == "help") {
    command.kind = CommandKind::kHelp;
  } else if (name == "quit") {
    command.kind = CommandKind::kQuit;
  } else {
    return InvalidArgument("command", "unknown command '" + std::string(name) +
                                          "' (expected present, remove, status, help or quit)");
  }
  if (Status no_arguments = ExpectNoArguments(name, rest); !no_arguments.ok()) {
    return no_arguments.error();
  }
  return command;
}

std::string FormatStatus(const Firmware::Stats& stats, std::size_t pending_events) {
  return "ok frames_sent=" + std::to_string(stats.frames_sent) +
         " acks_received=" + std::to_string(stats.acks_received) +
         " naks_received=" + std::to_string(stats.naks_received) +
         " retransmits=" + std::to_string(stats.retransmits) +
         " events_dropped=" + std::to_string(stats.events_dropped) +
         " pending=" + std::to_string(pending_events);
}

std::string HelpText() {
  return "ok commands: present barcode DATA | remove | status | help | quit";
}

}  // namespace loyalty::firmware_sim
