// The simulator's command language, shared by stdin, the control socket and scenario
// files: one command per line, one reply line per command ("ok ..." or "error: ...").
//
//   present barcode DATA          a barcode (EAN-13 loyalty number, or a QR coupon token)
//   present magstripe TRACKS      a swipe: "%B...?" and/or ";...?" as read
//   present nfc UID:NUMBER [key=HEX|nokey]
//                                 an NFC card; its key is derived from --nfc-master-key
//                                 unless key= gives one (a clone) or nokey says it has none
//   remove                        the card is taken away
//   device-error TEXT             the device reports a fault (DEVICE_ERROR event)
//   fault NAME VALUE | fault clear
//                                 corrupt|drop|noise|duplicate P, latency MS, mute on|off
//   unplug | plug | replug [MS]   the pseudo-terminal goes away / comes back (power cycle)
//   status                        counters, LED, faults
//   help                          the list of commands
//   quit                          the simulator exits
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "device/fault_injector.h"
#include "device/firmware.h"
#include "loyalty/core/result.h"
#include "loyalty/reader/card_event.h"

namespace loyalty::firmware_sim {

enum class CommandKind {
  kPresent,
  kRemove,
  kDeviceError,
  kFault,
  kUnplug,
  kPlug,
  kReplug,
  kStatus,
  kHelp,
  kQuit
};

inline constexpr std::chrono::milliseconds kDefaultReplugGap{200};
inline constexpr std::chrono::milliseconds kMaxReplugGap{60'000};

struct Command {
  CommandKind kind = CommandKind::kHelp;
  reader::CardEvent card;  // kPresent
  NfcKeyChoice nfc_key;    // kPresent with nfc
  std::string fault_name;   // kFault: a fault name or "clear"
  std::string fault_value;  // kFault: empty for clear
  std::chrono::milliseconds replug_gap = kDefaultReplugGap;  // kReplug
  std::string text;  // kDeviceError
};

// Parses one line (a trailing CR or spaces are ignored). Fails with kInvalidArgument and
// a message that names the problem: empty line, unknown command, missing technology,
// unknown technology, missing data, a bad NFC key, or an argument a command does not
// take. Whether the card data makes sense is the terminal's call, not the parser's.
Result<Command> ParseCommand(std::string_view line);

// "ok frames_sent=N acks_received=N naks_received=N retransmits=N events_dropped=N pending=N"
std::string FormatStatus(const Firmware::Stats& stats, std::size_t pending_events);

// The reply line for help.
std::string HelpText();

}  // namespace loyalty::firmware_sim
