#include "control/command.h"

#include <charconv>
#include <utility>

#include "loyalty/reader/nfc_auth.h"

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

Result<NfcKeyChoice> ParseNfcKey(std::string_view word) {
  NfcKeyChoice choice;
  if (word.empty()) return choice;
  if (word == "nokey") {
    choice.kind = NfcKeyChoice::Kind::kNone;
    return choice;
  }
  if (word.starts_with("key=")) {
    Result<std::vector<uint8_t>> key = reader::ParseHex(word.substr(4), "key");
    if (!key.ok() || key->size() != reader::kNfcCardKeySize) {
      return InvalidArgument("key", "present nfc: key= must be 64 hex digits (32 bytes)");
    }
    choice.kind = NfcKeyChoice::Kind::kGiven;
    std::copy(key->begin(), key->end(), choice.key.begin());
    return choice;
  }
  return InvalidArgument("key", "present nfc: unexpected argument '" + std::string(word) +
                                    "' (expected key=HEX or nokey)");
}

Result<Command> ParsePresent(std::string_view rest) {
  Command command;
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
  if (*technology == reader::CardTechnology::kNfc) {
    const std::string_view data = TakeWord(rest);
    Result<NfcKeyChoice> key = ParseNfcKey(TakeWord(rest));
    if (!key.ok()) return key.error();
    if (!rest.empty()) {
      return InvalidArgument("command",
                             "present nfc: unexpected argument '" + std::string(rest) + "'");
    }
    command.card = reader::CardEvent{*technology, std::string(data)};
    command.nfc_key = *key;
    return command;
  }
  // DATA is the rest of the line, inner spaces included: barcodes and track 1 names
  // may contain them.
  command.card = reader::CardEvent{*technology, std::string(rest)};
  return command;
}

Result<std::chrono::milliseconds> ParseGap(std::string_view text) {
  std::string_view digits = text;
  if (digits.ends_with("ms")) digits.remove_suffix(2);
  int64_t milliseconds = -1;
  const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), milliseconds);
  if (error != std::errc() || end != digits.data() + digits.size() || milliseconds < 0 ||
      milliseconds > kMaxReplugGap.count()) {
    return InvalidArgument("gap", "replug: expected a gap of 0..60000 ms, got '" +
                                      std::string(text) + "'");
  }
  return std::chrono::milliseconds(milliseconds);
}

}  // namespace

Result<Command> ParseCommand(std::string_view line) {
  std::string_view rest = line;
  const std::string_view name = TakeWord(rest);
  if (name.empty()) return InvalidArgument("command", "empty command");

  if (name == "present") return ParsePresent(rest);

  Command command;
  if (name == "fault") {
    command.kind = CommandKind::kFault;
    command.fault_name = TakeWord(rest);
    if (command.fault_name.empty()) return InvalidArgument("fault", "fault: missing fault name");
    if (command.fault_name != "clear") {
      command.fault_value = TakeWord(rest);
      if (command.fault_value.empty()) {
        return InvalidArgument("fault", "fault " + command.fault_name + ": missing value");
      }
      // Validated here so a scenario file with a bad fault fails when it is loaded.
      FaultSettings scratch;
      if (Status valid = SetFault(scratch, command.fault_name, command.fault_value); !valid.ok()) {
        return valid.error();
      }
    }
  } else if (name == "replug") {
    command.kind = CommandKind::kReplug;
    const std::string_view gap = TakeWord(rest);
    if (!gap.empty()) {
      Result<std::chrono::milliseconds> parsed = ParseGap(gap);
      if (!parsed.ok()) return parsed.error();
      command.replug_gap = *parsed;
    }
  } else if (name == "device-error") {
    command.kind = CommandKind::kDeviceError;
    if (rest.empty()) return InvalidArgument("text", "device-error: missing description");
    command.text = std::string(rest);
    return command;
  } else if (name == "remove") {
    command.kind = CommandKind::kRemove;
  } else if (name == "unplug") {
    command.kind = CommandKind::kUnplug;
  } else if (name == "plug") {
    command.kind = CommandKind::kPlug;
  } else if (name == "status") {
    command.kind = CommandKind::kStatus;
  } else if (name == "help") {
    command.kind = CommandKind::kHelp;
  } else if (name == "quit") {
    command.kind = CommandKind::kQuit;
  } else {
    return InvalidArgument("command", "unknown command '" + std::string(name) +
                                          "' (expected present, remove, device-error, fault, "
                                          "unplug, plug, replug, status, help or quit)");
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
  return "ok commands: present barcode|magstripe DATA | present nfc UID:NUMBER [key=HEX|nokey] "
         "| remove | device-error TEXT | fault corrupt|drop|noise|duplicate P | fault latency MS "
         "| fault mute on|off | fault clear | unplug | plug | replug [MS] | status | help | quit";
}

}  // namespace loyalty::firmware_sim
