#include "loyalty/reader/frame.h"

#include <algorithm>
#include <cassert>

#include "loyalty/reader/crc16.h"

namespace loyalty::reader {

const char* FrameTypeName(FrameType type) {
  switch (type) {
    case FrameType::kAck:
      return "ack";
    case FrameType::kNak:
      return "nak";
    case FrameType::kCardPresented:
      return "card_presented";
    case FrameType::kCardRemoved:
      return "card_removed";
    case FrameType::kDeviceError:
      return "device_error";
    case FrameType::kPing:
      return "ping";
    case FrameType::kPong:
      return "pong";
    case FrameType::kDeviceInfoRequest:
      return "device_info_request";
    case FrameType::kDeviceInfo:
      return "device_info";
    case FrameType::kSetLed:
      return "set_led";
    case FrameType::kLedDone:
      return "led_done";
    case FrameType::kBeep:
      return "beep";
    case FrameType::kBeepDone:
      return "beep_done";
    case FrameType::kNfcAuth:
      return "nfc_auth";
    case FrameType::kNfcAuthResult:
      return "nfc_auth_result";
  }
  return "unknown";
}

std::vector<uint8_t> EncodeFrame(const Frame& frame) {
  assert(frame.payload.size() <= kMaxPayloadSize);
  if (frame.payload.size() > kMaxPayloadSize) return {};

  const auto length = static_cast<uint16_t>(frame.payload.size());
  std::vector<uint8_t> bytes;
  bytes.reserve(frame.payload.size() + kFrameOverhead);
  bytes.push_back(kStx);
  bytes.push_back(static_cast<uint8_t>(length >> 8));
  bytes.push_back(static_cast<uint8_t>(length & 0xFFU));
  bytes.push_back(frame.seq);
  bytes.push_back(static_cast<uint8_t>(frame.type));
  bytes.insert(bytes.end(), frame.payload.begin(), frame.payload.end());
  const uint16_t crc = Crc16(std::span<const uint8_t>(bytes).subspan(1));
  bytes.push_back(static_cast<uint8_t>(crc >> 8));
  bytes.push_back(static_cast<uint8_t>(crc & 0xFFU));
  bytes.push_back(kEtx);
  return bytes;
}

void FrameDecoder::Feed(std::span<const uint8_t> bytes) {
  // Compact only when the consumed prefix dominates, so a stream of small feeds costs
  // amortised O(1) per byte rather than a memmove per frame.
  if (start_ > 0 && start_ >= buffer_.size() / 2) {
    buffer_.erase(buffer_.begin(), buffer_.begin() + static_cast<std::ptrdiff_t>(start_));
    start_ = 0;
  }
  buffer_.insert(buffer_.end(), bytes.begin(), bytes.end());
}

void FrameDecoder::Skip(std::size_t count) {
  start_ += count;
  stats_.bytes_skipped += count;
  if (start_ == buffer_.size()) {
    buffer_.clear();
    start_ = 0;
  }
}

void FrameDecoder::DropStalePartial() {
  if (buffered_bytes() > 0) Skip(1);
}

std::optional<Frame> FrameDecoder::Next() {
  while (true) {
    const std::span<const uint8_t> pending = std::span<const uint8_t>(buffer_).subspan(start_);
    const auto stx = std::find(pending.begin(), pending.end(), kStx);
    const auto noise = static_cast<std::size_t>(stx - pending.begin());
    if (noise > 0) {
      Skip(noise);
      continue;
    }
    if (pending.size() < kFrameHeaderSize) return std::nullopt;

    const std::size_t length = (std::size_t{pending[1]} << 8) | pending[2];
    if (length > kMaxPayloadSize) {
      Skip(1);
      continue;
    }
    const std::size_t frame_size = length + kFrameOverhead;
    if (pending.size() < frame_size) return std::nullopt;
    if (pending[frame_size - 1] != kEtx) {
      Skip(1);
      continue;
    }
    const uint16_t expected_crc = Crc16(pending.subspan(1, length + 4));
    const auto received_crc =
        static_cast<uint16_t>((pending[frame_size - 3] << 8) | pending[frame_size - 2]);
    if (received_crc != expected_crc) {
      // Only one byte is dropped, not the whole candidate: the real frame may start
      // inside what looked like one (a stray STX just before it).
      ++stats_.crc_errors;
      Skip(1);
      continue;
    }

    Frame frame;
    frame.seq = pending[3];
    frame.type = static_cast<FrameType>(pending[4]);
    frame.payload.assign(pending.begin() + kFrameHeaderSize,
                         pending.begin() + static_cast<std::ptrdiff_t>(kFrameHeaderSize + length));
    start_ += frame_size;
    if (start_ == buffer_.size()) {
      buffer_.clear();
      start_ = 0;
    }
    ++stats_.frames;
    return frame;
  }
}

}  // namespace loyalty::reader
