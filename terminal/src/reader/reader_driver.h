// The terminal's driver for the card reader: owns the serial line, speaks the frame
// protocol of docs/reader-protocol.md, and turns card events into CardRead callbacks.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "loyalty/core/result.h"
#include "loyalty/reader/card_event.h"
#include "loyalty/reader/messages.h"

namespace loyalty::terminal {

// UnifiedPOS-style device states. The reader driver goes closed -> idle when the
// device opens and answers, idle -> busy while it authenticates an NFC card and back,
// -> error (with a reason) when the device cannot be opened, is lost, stops answering
// or reports a fault, error -> idle when it is back, and -> closed when stopped.
enum class DeviceState { kClosed, kIdle, kBusy, kError };

// "closed", "idle", "busy", "error".
const char* DeviceStateName(DeviceState state);

// What the driver does with an NFC card (docs/reader-protocol.md, "NFC authentication").
enum class NfcAuthPolicy {
  kOff,        // no challenge; every NFC card is delivered with nfc_authenticated false
  kPreferred,  // challenge; a wrong answer is refused, a card that cannot answer (no key,
               // or no master key configured) is delivered with nfc_authenticated false
  kRequired,   // challenge; only a right answer is delivered
};

// "off", "preferred", "required"; and the inverse (kInvalidArgument naming the values).
const char* NfcAuthPolicyName(NfcAuthPolicy policy);
Result<NfcAuthPolicy> ParseNfcAuthPolicy(std::string_view name);

struct CardRead {
  reader::CardTechnology technology = reader::CardTechnology::kBarcode;
  std::string data;  // as read, printable ASCII (card_event.h); IdentifyCard() interprets it
  // NFC only: the card answered the driver's challenge with the key diversified from
  // ReaderOptions::nfc_master_key and its UID.
  bool nfc_authenticated = false;
};

// A card the driver read but does not hand over. Carries no card data.
struct CardRejection {
  reader::CardTechnology technology = reader::CardTechnology::kBarcode;
  std::string reason;  // e.g. "nfc authentication failed: wrong answer (cloned card?)"
};

struct ReaderOptions {
  std::string device_path;                        // e.g. the simulator's --link path
  int baud = 115200;                              // see BaudToSpeed() for accepted rates
  std::chrono::milliseconds reconnect_min{100};   // backoff when the device is absent
  std::chrono::milliseconds reconnect_max{2000};  // the backoff doubles up to this

  NfcAuthPolicy nfc_auth = NfcAuthPolicy::kRequired;
  // The chain's NFC master key (reader::LoadNfcMasterKey reads the file); empty: no
  // card can authenticate (kRequired then refuses every NFC card).
  std::vector<uint8_t> nfc_master_key;

  // A command (ping, device info, LED, beep, NFC challenge) with no response within
  // this is sent again. After command_attempts timeouts with the line silent the device
  // is "not answering": the driver reports kError, closes the port and reconnects with
  // backoff. If bytes did arrive (a damaged response) the device is alive; after
  // 4 x command_attempts sends the driver carries on without that response (an NFC
  // card is then treated as one that did not answer right).
  std::chrono::milliseconds response_timeout{300};
  int command_attempts = 3;
  // With the line quiet this long the driver pings the device, so a device that stops
  // answering is noticed within ping_interval + command_attempts * response_timeout.
  // 0 turns keep-alive off.
  std::chrono::milliseconds ping_interval{2000};
  // Ask for model, firmware version and serial number when the port opens; the device
  // is reported kIdle once it answers.
  bool query_device_info = true;
  // A partial frame with no new byte for this long is given up (and NAKed, so the
  // device resends at once); much longer than any gap inside one frame.
  std::chrono::milliseconds frame_gap_timeout{20};
};

// Runs the reader on its own thread: opens the device (retrying with exponential
// backoff from reconnect_min to reconnect_max while it is absent or after it is lost),
// ACKs every device event, NAKs damaged frames, drops an event whose SEQ repeats the
// last one (a retransmission), authenticates NFC cards per the policy and calls
// on_card once per card.
//
// Threading: the callbacks run on the driver's thread, one at a time; they hold up the
// line while they run, so they should hand work off rather than block. They must not
// call Stop() or destroy the driver. state(), stats(), device_info(), SetLed() and
// Beep() may be called from any thread.
class ReaderDriver {
 public:
  using CardCallback = std::function<void(const CardRead&)>;
  using StateCallback = std::function<void(DeviceState, const std::string& detail)>;
  using RejectCallback = std::function<void(const CardRejection&)>;

  // Counters since construction, for status screens and tests.
  struct Stats {
    uint64_t cards_delivered = 0;     // on_card calls
    uint64_t cards_rejected = 0;      // on_reject calls (NFC authentication, bad events)
    uint64_t duplicates_dropped = 0;  // retransmitted events already delivered
    uint64_t bad_card_events = 0;     // valid frames whose card event did not decode
    uint64_t crc_errors = 0;          // frames with a bad CRC
    uint64_t naks_sent = 0;
    uint64_t opens = 0;               // successful opens of the device
    uint64_t commands_sent = 0;       // host commands, resends included
    uint64_t command_timeouts = 0;    // responses that did not come in time
    uint64_t nfc_authenticated = 0;   // NFC cards that answered the challenge right
    uint64_t device_errors = 0;       // DEVICE_ERROR events
  };

  ReaderDriver(ReaderOptions options, CardCallback on_card, StateCallback on_state,
               RejectCallback on_reject = nullptr);
  ~ReaderDriver();  // stops and joins
  ReaderDriver(const ReaderDriver&) = delete;
  ReaderDriver& operator=(const ReaderDriver&) = delete;

  // Starts the driver thread and returns at once; no effect if already running.
  void Start();
  // Asks the thread to finish and joins it; returns within about one poll interval
  // (tens of milliseconds) plus whatever a callback in progress takes. The last state
  // reported is kClosed. Start() may be called again afterwards.
  void Stop();

  DeviceState state() const { return state_.load(); }
  Stats stats() const;
  // What the device reported when it was last opened; nullopt before it answered.
  std::optional<reader::DeviceInfo> device_info() const;

  // Queue an LED or beep command for the device and return at once. The device's
  // answer is not awaited (a missing one counts toward "not answering"). Fail with
  // kInvalidArgument for out-of-range values (beep count 1..10, durations: LED 0..65535
  // ms, beep 1..2000 ms) and kUnavailable when the device is not open or 8 commands
  // are already waiting.
  Status SetLed(reader::LedColor color,
                std::chrono::milliseconds duration = std::chrono::milliseconds(0));
  Status Beep(int count = 1, std::chrono::milliseconds duration = std::chrono::milliseconds(100));

 private:
  class Session;
  struct UserCommand {
    reader::FrameType type;
    std::vector<uint8_t> payload;
  };

  void Run();
  // Waits up to `duration`; returns false when Stop() was called meanwhile.
  bool SleepUnlessStopped(std::chrono::milliseconds duration);
  void SetState(DeviceState state, const std::string& detail);
  Status QueueUserCommand(UserCommand command);
  void Wake();

  const ReaderOptions options_;
  const CardCallback on_card_;
  const StateCallback on_state_;
  const RejectCallback on_reject_;
  std::atomic<DeviceState> state_{DeviceState::kClosed};
  std::string state_detail_;  // driver thread only
  std::atomic<bool> stopping_{false};
  std::atomic<bool> session_open_{false};
  int wake_fd_ = -1;  // eventfd: written by Stop() and by SetLed()/Beep()
  std::thread thread_;
  mutable std::mutex mutex_;
  Stats stats_;                                   // guarded by mutex_
  std::optional<reader::DeviceInfo> device_info_;  // guarded by mutex_
  std::deque<UserCommand> user_commands_;          // guarded by mutex_
};

}  // namespace loyalty::terminal
