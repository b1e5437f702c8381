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

namespace loyalty::firmware_sim {

struct FirmwareOptions {
  // How long to wait for the host's ACK of a card event before sending it again.
  std::chrono::milliseconds retransmit_after{500};
  // How many times an unacknowledged card event is sent again before it is dropped.
  int max_retransmits = 3;
  // Card events waiting behind the one in flight; a present/remove beyond this is refused.
  std::size_t max_queued_events = 16;
};

// Sends card events stop-and-wait: one event is in flight until the host ACKs it (or
// the retransmissions run out), the others wait in order. Keeping one in flight is
// what lets the host detect a duplicate by comparing with the last SEQ it delivered.
// Every frame the device sends takes the next SEQ (wrapping 255 -> 0); the first is 1.
// Not thread-safe; one owner.
class Firmware {
 public:
  using Clock = std::chrono::steady_clock;
  using TimePoint = Clock::time_point;

  struct Stats {
    uint64_t frames_sent = 0;  // every frame put on the line, retransmissions included
    uint64_t acks_received = 0;
    uint64_t naks_received = 0;
    uint64_t retransmits = 0;
    uint64_t events_dropped = 0;  // card events given up after max_retransmits
    uint64_t pings_received = 0;
  };

  explicit Firmware(FirmwareOptions options = {});

  // Queues a kCardPresented frame and returns its SEQ. Fails (kInvalidArgument) for a
  // technology this firmware cannot read yet or data the host would reject, and
  // (kUnavailable) when max_queued_events are already waiting.
  Result<uint8_t> PresentCard(const reader::CardEvent& card, TimePoint now);

  // Queues a kCardRemoved frame and returns its SEQ; fails only when the queue is full.
  Result<uint8_t> RemoveCard(TimePoint now);

  // Bytes read from the line (ACK, NAK, PING frames from the host). A NAK makes the
  // event in flight go out again at once; it counts against max_retransmits.
  void OnHostBytes(std::span<const uint8_t> bytes, TimePoint now);

  // Retransmits, or gives up on, the event in flight when its deadline has passed.
  void OnTimer(TimePoint now);

  // When OnTimer next has work; nullopt when no event is in flight.
  std::optional<TimePoint> NextTimer() const;

  // Frame bytes produced since the last call, in line order; the caller paces them.
  std::vector<uint8_t> TakeOutput();

  // Events in flight plus those waiting.
  std::size_t pending_events() const;
  const Stats& stats() const { return stats_; }

 private:
  struct InFlight {
    reader::Frame frame;
    int retransmits = 0;
    TimePoint deadline;
  };

  Result<uint8_t> Enqueue(reader::FrameType type, std::vector<uint8_t> payload, TimePoint now);
  void Send(const reader::Frame& frame);
  void StartNextEvent(TimePoint now);
  void Retransmit(TimePoint now);
  void OnHostFrame(const reader::Frame& frame, TimePoint now);

  FirmwareOptions options_;
  uint8_t next_seq_ = 1;
  std::optional<InFlight> in_flight_;
  std::deque<reader::Frame> waiting_events_;
  reader::FrameDecoder decoder_;
  std::vector<uint8_t> output_;
  Stats stats_;
};

}  // namespace loyalty::firmware_sim
