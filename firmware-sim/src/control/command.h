// The simulator's command language, shared by stdin and the control socket: one
// command per line, one reply line per command ("ok ..." or "error: ...").
//
//   present TECHNOLOGY DATA   a card is presented; DATA is the rest of the line
//   remove                    the card is taken away
//   status                    counters: frames sent, ACKs, NAKs, retransmissions
//   help                      the list of commands
//   quit                      the simulator exits
#pragma once

#include <string>
#include <string_view>

#include "device/firmware.h"
#include "loyalty/core/result.h"
#include "loyalty/reader/card_event.h"

namespace loyalty::firmware_sim {

enum class CommandKind { kPresent, kRemove, kStatus, kHelp, kQuit };

struct Command {
  CommandKind kind = CommandKind::kHelp;
  reader::CardEvent card;  // kPresent only
};

// Parses one line (a trailing CR or spaces are ignored). Fails with kInvalidArgument and
// a message that names the problem: empty line, unknown command, missing technology,
// unknown technology, missing data, or an argument a command does not take. Whether
// the firmware can read the technology is the firmware's call, not the parser's.
Result<Command> ParseCommand(std::string_view line);

// "ok frames_sent=N acks_received=N naks_received=N retransmits=N events_dropped=N pending=N"
std::string FormatStatus(const Firmware::Stats& stats, std::size_t pending_events);

// The reply line for help.
std::string HelpText();

}  // namespace loyalty::firmware_sim
