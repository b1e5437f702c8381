#include "device/firmware.h"

#include <string>
#include <utility>

namespace loyalty::firmware_sim {

using reader::Frame;
using reader::FrameType;

Firmware::Firmware(FirmwareOptions options) : options_(std::move(options)) {}

Result<uint8_t> Firmware::PresentCard(const reader::CardEvent& card, TimePoint now,
                                      const NfcKeyChoice& nfc_key) {
  if (card.data.size() > reader::kMaxCardDataSize) {
    return InvalidArgument("data",
                           "card data is " + std::to_string(card.data.size()) + " bytes; at most " +
                               std::to_string(reader::kMaxCardDataSize) + " fit in a frame");
  }
  std::vector<uint8_t> payload = reader::EncodeCardEvent(card);
  // Checked with the host's own decoder so the device never sends what the host refuses.
  if (auto checked = reader::DecodeCardEvent(payload); !checked.ok()) return checked.error();
  Result<uint8_t> seq = Enqueue(FrameType::kCardPresented, std::move(payload), now);
  if (!seq.ok()) return seq;

  // A new card replaces whatever NFC card was in the field.
  nfc_card_.reset();
  if (card.technology == reader::CardTechnology::kNfc) {
    NfcCardOnReader on_reader;
    switch (nfc_key.kind) {
      case NfcKeyChoice::Kind::kGiven:
        on_reader.key = nfc_key.key;
        break;
      case NfcKeyChoice::Kind::kDerived:
        if (Result<reader::NfcCardData> data = reader::ParseNfcCardData(card.data);
            data.ok() && !options_.nfc_master_key.empty()) {
          on_reader.key = reader::DeriveNfcCardKey(options_.nfc_master_key, data->uid);
        }
        break;
      case NfcKeyChoice::Kind::kNone:
        break;
    }
    nfc_card_ = on_reader;
  }
  return seq;
}

Result<uint8_t> Firmware::RemoveCard(TimePoint now) {
  Result<uint8_t> seq = Enqueue(FrameType::kCardRemoved, {}, now);
  if (seq.ok()) nfc_card_.reset();
  return seq;
}

Result<uint8_t> Firmware::ReportError(const reader::DeviceError& error, TimePoint now) {
  return Enqueue(FrameType::kDeviceError, reader::EncodeDeviceError(error), now);
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
  output_.push_back(reader::EncodeFrame(frame));
  ++stats_.frames_sent;
}

void Firmware::Respond(const Frame& command, FrameType type, std::vector<uint8_t> payload) {
  // The response takes the command's SEQ: that is how the host matches it to the
  // command, and the device's own counter stays for events, whose duplicate check
  // depends on consecutive events having different SEQs.
  Send(Frame{command.seq, type, std::move(payload)});
}

void Firmware::StartNextEvent(TimePoint now) {
  in_flight_.reset();
  if (waiting_events_.empty()) return;
  in_flight_ = InFlight{std::move(waiting_events_.front()), 0, 0, now + options_.retransmit_after};
  waiting_events_.pop_front();
  Send(in_flight_->frame);
}

void Firmware::Retransmit(TimePoint now) {
  ++stats_.retransmits;
  in_flight_->deadline = now + options_.retransmit_after;
  Send(in_flight_->frame);
}

void Firmware::OnTimer(TimePoint now) {
  if (!in_flight_ || now < in_flight_->deadline) return;
  if (in_flight_->retransmits < options_.max_retransmits) {
    ++in_flight_->retransmits;
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
      if (in_flight_ && in_flight_->nak_resends < options_.max_nak_resends) {
        ++in_flight_->nak_resends;
        Retransmit(now);
      }
      break;
    default:
      OnCommand(frame);
      break;
  }
}

void Firmware::OnCommand(const Frame& frame) {
  // Frames only a device sends, or commands this firmware does not know, are ignored:
  // the host may be newer than the device, and it times out on a missing response.
  const auto value = static_cast<uint8_t>(frame.type);
  if (value < 0x20 || value > 0x2F || value % 2 != 0) return;
  ++stats_.commands_received;
  switch (frame.type) {
    case FrameType::kPing:
      ++stats_.pings_received;
      Respond(frame, FrameType::kPong, frame.payload);
      return;
    case FrameType::kDeviceInfoRequest:
      Respond(frame, FrameType::kDeviceInfo, reader::EncodeDeviceInfo(options_.info));
      return;
    case FrameType::kSetLed:
      if (Result<reader::LedCommand> led = reader::DecodeLedCommand(frame.payload); led.ok()) {
        led_ = *led;
        Respond(frame, FrameType::kLedDone, {});
        return;
      }
      break;
    case FrameType::kBeep:
      if (Result<reader::BeepCommand> beep = reader::DecodeBeepCommand(frame.payload); beep.ok()) {
        stats_.beeps += beep->count;
        Respond(frame, FrameType::kBeepDone, {});
        return;
      }
      break;
    case FrameType::kNfcAuth:
      if (Result<reader::NfcChallenge> challenge = reader::DecodeNfcAuthRequest(frame.payload);
          challenge.ok()) {
        ++stats_.nfc_challenges;
        reader::NfcAuthResult result;
        if (!nfc_card_) {
          result.status = reader::NfcAuthStatus::kNoCard;
        } else if (!nfc_card_->key) {
          result.status = reader::NfcAuthStatus::kCardNoKey;
        } else {
          result.answer = reader::ComputeNfcAnswer(*nfc_card_->key, *challenge);
        }
        Respond(frame, FrameType::kNfcAuthResult, reader::EncodeNfcAuthResult(result));
        return;
      }
      break;
    default:
      return;
  }
  ++stats_.bad_commands;
}

std::vector<std::vector<uint8_t>> Firmware::TakeFrames() { return std::exchange(output_, {}); }

std::vector<uint8_t> Firmware::TakeOutput() {
  std::vector<uint8_t> bytes;
  for (const std::vector<uint8_t>& frame : TakeFrames()) {
    bytes.insert(bytes.end(), frame.begin(), frame.end());
  }
  return bytes;
}

std::size_t Firmware::pending_events() const {
  return waiting_events_.size() + (in_flight_ ? 1 : 0);
}

}  // namespace loyalty::firmware_sim
