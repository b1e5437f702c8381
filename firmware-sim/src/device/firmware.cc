#include "device/firmware.h"

#include <string>
#include <utility>

namespace loyalty::firmware_sim {

using reader::Frame;
using reader::FrameType;

Firmware::Firmware(FirmwareOptions options) : options_(options) {}

Result<uint8_t> Firmware::PresentCard(const reader::CardEvent& card, TimePoint now) {
  if (card.technology != reader::CardTechnology::kBarcode) {
    return InvalidArgument("technology", std::string("technology ") +
                                             reader::TechnologyName(card.technology) +
                                             " not supported by this firmware yet");
  }
  if (card.data.size() > reader::kMaxCardDataSize) {
    return InvalidArgument("data",
                           "card data is " + std::to_string(card.data.size()) + " bytes; at most " +
                               std::to_string(reader::kMaxCardDataSize) + " fit in a frame");
  }
  std::vector<uint8_t> payload = reader::EncodeCardEvent(card);
  // Checked with the host's own decoder so the device never sends what the host refuses.
  if (auto checked = reader::DecodeCardEvent(payload); !checked.ok()) return checked.error();
  return Enqueue(FrameType::kCardPresented, std::move(payload), now);
}

Result<uint8_t> Firmware::RemoveCard(TimePoint now) {
  return Enqueue(FrameType::kCardRemoved, {}, now);
}

Result<uint8_t> Firmware::Enqueue(FrameType type, std::vector<uint8_t> payload, TimePoint now) {
  if (waiting_events_.size() >= options_.max_queued_events) {
    return Unavailable("device busy: " + std::to_string(waiting_events_.size()) +
                       " card events are waiting for the host to acknowledge");
  }
  Frame frame{next_seq_++, type, std::move(payload)};
  const uint8_t seq = frame.seq;
  waiting_events_.push_back(std::move(frame));
  if (!in_flight_) StartNextEvent(now);
  return seq;
}

void Firmware::Send(const Frame& frame) {
  const std::vector<uint8_t> bytes = reader::EncodeFrame(frame);
  output_.insert(output_.end(), bytes.begin(), bytes.end());
  ++stats_.frames_sent;
}

void Firmware::StartNextEvent(TimePoint now) {
  in_flight_.reset();
  if (waiting_events_.empty()) return;
  in_flight_ = InFlight{std::move(waiting_events_.front()), 0, now + options_.retransmit_after};
  waiting_events_.pop_front();
  Send(in_flight_->frame);
}

void Firmware::Retransmit(TimePoint now) {
  ++in_flight_->retransmits;
  ++stats_.retransmits;
  in_flight_->deadline = now + options_.retransmit_after;
  Send(in_flight_->frame);
}

void Firmware::OnTimer(TimePoint now) {
  if (!in_flight_ || now < in_flight_->deadline) return;
  if (in_flight_->retransmits < options_.max_retransmits) {
    Retransmit(now);
  } else {
    ++stats_.events_dropped;
    StartNextEvent(now);
  }
}

std::optional<Firmware::TimePoint> Firmware::NextTimer() const {
  if (!in_flight_) return std::nullopt;
  return in_flight_->deadline;
}

void Firmware::OnHostBytes(std::span<const uint8_t> bytes, TimePoint now) {
  decoder_.Feed(bytes);
  while (std::optional<Frame> frame = decoder_.Next()) OnHostFrame(*frame, now);
}

void Firmware::OnHostFrame(const Frame& frame, TimePoint now) {
  switch (frame.type) {
    case FrameType::kAck:
      ++stats_.acks_received;
      // An ACK for anything but the frame in flight is late (its frame was already
      // acknowledged or given up); acting on it could drop an unacknowledged event.
      if (in_flight_ && frame.seq == in_flight_->frame.seq) StartNextEvent(now);
      break;
    case FrameType::kNak:
      ++stats_.naks_received;
      if (in_flight_ && in_flight_->retransmits < options_.max_retransmits) Retransmit(now);
      break;
    case FrameType::kPing:
      ++stats_.pings_received;
      Send(Frame{next_seq_++, FrameType::kPong, frame.payload});
      break;
    default:
      // Frames only a device sends, or types this firmware does not know: ignored,
      // as a host may be newer than the device.
      break;
  }
}

std::vector<uint8_t> Firmware::TakeOutput() { return std::exchange(output_, {}); }

std::size_t Firmware::pending_events() const {
  return waiting_events_.size() + (in_flight_ ? 1 : 0);
}

}  // namespace loyalty::firmware_sim
