// The terminal's driver for the card reader: owns the serial line, speaks the frame
// protocol of docs/reader-protocol.md, and turns card events into CardRead callbacks.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "loyalty/reader/card_event.h"

namespace loyalty::terminal {

// UnifiedPOS-style device states. The reader driver goes closed -> idle when the
// device opens, idle -> error (with a reason) when it cannot be opened or is lost,
// error -> idle when it is back, and -> closed when stopped. kBusy is for devices
// with output in progress; the reader does not use it yet.
enum class DeviceState { kClosed, kIdle, kBusy, kError };

// "closed", "idle", "busy", "error".
const char* DeviceStateName(DeviceState state);

struct CardRead {
  reader::CardTechnology technology = reader::CardTechnology::kBarcode;
  std::string data;  // as read; for a barcode, printable ASCII
};

struct ReaderOptions {
  std::string device_path;                        // e.g. the simulator's --link path
  int baud = 115200;                              // see BaudToSpeed() for accepted rates
  std::chrono::milliseconds reconnect_min{100};   // backoff when the device is absent
  std::chrono::milliseconds reconnect_max{2000};  // the backoff doubles up to this
};

// Runs the reader on its own thread: opens the device (retrying with exponential
// backoff from reconnect_min to reconnect_max while it is absent or after it is lost),
// ACKs every valid frame, NAKs a frame with a bad CRC, drops a card event whose SEQ
// repeats the last one (a retransmission) and calls on_card once per card.
//
// Threading: the callbacks run on the driver's thread, one at a time; they hold up the
// line while they run, so they should hand work off rather than block. They must not
// call Stop() or destroy the driver. state() and stats() may be called from any thread.
class ReaderDriver {
 public:
  using CardCallback = std::function<void(const CardRead&)>;
  using StateCallback = std::function<void(DeviceState, const std::string& detail)>;

  // Counters since construction, for status screens and tests.
  struct Stats {
    uint64_t cards_delivered = 0;     // on_card calls
    uint64_t duplicates_dropped = 0;  // retransmitted events already delivered
    uint64_t bad_card_events = 0;     // valid frames whose card event did not decode
    uint64_t crc_errors = 0;          // answered with a NAK
    uint64_t opens = 0;               // successful opens of the device
  };

  ReaderDriver(ReaderOptions options, CardCallback on_card, StateCallback on_state);
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

 private:
  class Session;

  void Run();
  // Waits up to `duration`; returns false when Stop() was called meanwhile.
  bool SleepUnlessStopped(std::chrono::milliseconds duration);
  void SetState(DeviceState state, const std::string& detail);

  const ReaderOptions options_;
  const CardCallback on_card_;
  const StateCallback on_state_;
  std::atomic<DeviceState> state_{DeviceState::kClosed};
  std::string state_detail_;  // driver thread only
  std::atomic<bool> stopping_{false};
  int wake_fd_ = -1;  // eventfd: written by Stop(), polled by the driver thread
  std::thread thread_;
  mutable std::mutex stats_mutex_;
  Stats stats_;  // guarded by stats_mutex_
};

}  // namespace loyalty::terminal
