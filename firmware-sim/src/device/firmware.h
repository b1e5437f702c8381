// The reader's firmware logic, without any I/O: commands and host bytes go in, frame
// bytes for the line come out, and time is passed in so tests can drive it with a fake
// clock. The protocol it implements is docs/reader-protocol.md.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <span>
#include <vector>

#include "loyalty/core/result.h"
#include "loyalty/reader/card_event.h"
#include "loyalty/reader/frame.h"
#include "loyalty/reader/messages.h"
#include "loyalty/reader/nfc_auth.h"

namespace loyalty::firmware_sim {

struct FirmwareOptions {
  // How long to wait for the host's ACK of a card event before sending it again.
  std::chrono::milliseconds retransmit_after{500};
  // How many times an unacknowledged card event is sent again on timeout before it is
  // dropped.
  int max_retransmits = 3;
  // Card events waiting behind the one in flight; a present/remove beyond this is refused.
  std::size_t max_queued_events = 16;
  // Resends of one event asked for by NAKs. Counted apart from timeouts: on a noisy line
  // a host NAKs every damaged copy, and giving up after 3 would lose cards that the
  // next clean copy would have delivered; the cap only stops an endless NAK loop.
  int max_nak_resends = 32;
  // What DEVICE_INFO reports.
  reader::DeviceInfo info{"LR-300 (simulated)", "1.1.0", "SIM00000001"};
  // Used to derive the key of an NFC card presented without one (test set-ups); empty:
  // such a card has no key and cannot authenticate.
  std::vector<uint8_t> nfc_master_key;
};

// Which key an NFC card holds.
struct NfcKeyChoice {
  enum class Kind {
    kDerived,  // HMAC(master key, UID) with FirmwareOptions::nfc_master_key, if any
    kGiven,    // `key` below: a card from another chain, or a clone with a guessed key
    kNone,     // a card without a key (a plain NFC tag carrying a number)
  };
  Kind kind = Kind::kDerived;
  reader::NfcCardKey key{};
};

// Sends card events stop-and-wait: one event is in flight until the host ACKs it (or
// the retransmissions run out), the others wait in order. Keeping one in flight is
// what lets the host detect a duplicate by comparing with the last SEQ it delivered.
// Every event the device sends takes the next SEQ (wrapping 255 -> 0); the first is 1.
// Responses to host commands carry the command's SEQ and do not use the counter.
// Not thread-safe; one owner.
class Firmware {
 public:
  using Clock = std::chrono::steady_clock;
  using TimePoint = Clock::time_point;

  struct Stats {
    uint64_t frames_sent = 0;  // every frame put on the line, retransmissions included
    uint64_t acks_received = 0;
    uint64_t naks_received = 0;
    uint64_t retransmits = 0;     // on timeout and on NAK
    uint64_t events_dropped = 0;  // card events given up after the retransmission limits
    uint64_t pings_received = 0;
    uint64_t commands_received = 0;  // every host command, pings included
    uint64_t bad_commands = 0;       // commands whose payload did not decode: not answered
    uint64_t beeps = 0;
    uint64_t nfc_challenges = 0;
  };

  explicit Firmware(FirmwareOptions options = {});

  // Queues a kCardPresented frame and returns its SEQ. Fails (kInvalidArgument) for
  // data the host would reject or that does not fit a frame, and (kUnavailable) when
  // max_queued_events are already waiting. An NFC card stays "on the reader" (to answer
  // NFC_AUTH) until RemoveCard() or the next PresentCard(); `nfc_key` is its key.
  Result<uint8_t> PresentCard(const reader::CardEvent& card, TimePoint now,
                              const NfcKeyChoice& nfc_key = {});

  // Queues a kCardRemoved frame and returns its SEQ; fails only when the queue is full.
  Result<uint8_t> RemoveCard(TimePoint now);

  // Queues a kDeviceError event; fails only when the queue is full.
  Result<uint8_t> ReportError(const reader::DeviceError& error, TimePoint now);

  // Bytes read from the line (ACK, NAK and command frames from the host). A NAK makes
  // the event in flight go out again at once (up to max_nak_resends).
  void OnHostBytes(std::span<const uint8_t> bytes, TimePoint now);

  // Retransmits, or gives up on, the event in flight when its deadline has passed.
  void OnTimer(TimePoint now);

  // When OnTimer next has work; nullopt when no event is in flight.
  std::optional<TimePoint> NextTimer() const;

  // Frames produced since the last call, each encoded, in line order; the caller paces
  // them (and may damage them to simulate a noisy line).
  std::vector<std::vector<uint8_t>> TakeFrames();
  // The same, concatenated.
  std::vector<uint8_t> TakeOutput();

  // Events in flight plus those waiting.
  std::size_t pending_events() const;
  const Stats& stats() const { return stats_; }
  // The LED as last set by the host.
  reader::LedCommand led() const { return led_; }

 private:
  struct InFlight {
    reader::Frame frame;
    int retransmits = 0;
    int nak_resends = 0;
    TimePoint deadline;
  };
  struct NfcCardOnReader {
    std::optional<reader::NfcCardKey> key;
  };

  Result<uint8_t> Enqueue(reader::FrameType type, std::vector<uint8_t> payload, TimePoint now);
  void Send(const reader::Frame& frame);
  void Respond(const reader::Frame& command, reader::FrameType type, std::vector<uint8_t> payload);
  void StartNextEvent(TimePoint now);
  void Retransmit(TimePoint now);
  void OnHostFrame(const reader::Frame& frame, TimePoint now);
  void OnCommand(const reader::Frame& frame);

  FirmwareOptions options_;
  uint8_t next_seq_ = 1;
  std::optional<InFlight> in_flight_;
  std::deque<reader::Frame> waiting_events_;
  reader::FrameDecoder decoder_;
  std::vector<std::vector<uint8_t>> output_;
  std::optional<NfcCardOnReader> nfc_card_;
  reader::LedCommand led_;
  Stats stats_;
};

}  // namespace loyalty::firmware_sim
