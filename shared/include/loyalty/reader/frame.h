// Frames on the serial line between the card reader and the terminal.
// The byte layout, the ACK/NAK rules and a worked example are in docs/reader-protocol.md.
//
//   STX 0x02 | LEN u16 | SEQ u8 | TYPE u8 | PAYLOAD (LEN bytes) | CRC u16 | ETX 0x03
//
// Multi-byte fields are big-endian; CRC is Crc16 (crc16.h) over LEN, SEQ, TYPE, PAYLOAD.
// There is no byte stuffing: a payload may contain STX and ETX, and the decoder finds
// frames by checking STX, LEN, ETX and CRC together.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace loyalty::reader {

inline constexpr uint8_t kStx = 0x02;
inline constexpr uint8_t kEtx = 0x03;
inline constexpr std::size_t kMaxPayloadSize = 1024;
// STX + LEN + SEQ + TYPE before the payload, CRC + ETX after it.
inline constexpr std::size_t kFrameHeaderSize = 5;
inline constexpr std::size_t kFrameTrailerSize = 3;
inline constexpr std::size_t kFrameOverhead = kFrameHeaderSize + kFrameTrailerSize;
inline constexpr std::size_t kMaxFrameSize = kMaxPayloadSize + kFrameOverhead;

// What a frame carries. The values are the TYPE byte on the wire. A decoded frame may
// hold a value not listed here (a newer device); the consumer decides what to do with it.
enum class FrameType : uint8_t {
  kAck = 0x06,            // host -> device: SEQ is the acknowledged frame's SEQ
  kNak = 0x15,            // host -> device: a frame arrived with a bad CRC; SEQ 0
  kCardPresented = 0x10,  // device -> host: payload is a card event (card_event.h)
  kCardRemoved = 0x11,    // device -> host: empty payload
  kDeviceError = 0x1E,    // device -> host: reserved for device faults
  // Host commands (0x20..0x2F, even) and the device's responses (the command's TYPE + 1).
  // A response carries the SEQ of the command it answers; it is neither ACKed nor
  // retransmitted: the host repeats a command that got no response.
  kPing = 0x20,               // host -> device: payload is echoed in the PONG
  kPong = 0x21,               // device -> host
  kDeviceInfoRequest = 0x22,  // host -> device: empty payload
  kDeviceInfo = 0x23,         // device -> host: DeviceInfo (messages.h)
  kSetLed = 0x24,             // host -> device: LedCommand
  kLedDone = 0x25,            // device -> host: empty payload
  kBeep = 0x26,               // host -> device: BeepCommand
  kBeepDone = 0x27,           // device -> host: empty payload
  kNfcAuth = 0x28,            // host -> device: NfcAuthRequest (a challenge)
  kNfcAuthResult = 0x29,      // device -> host: NfcAuthResult (the card's answer)
};

// Device events (0x10..0x1F, known or not): numbered by the device, ACKed by the host,
// retransmitted until ACKed.
inline constexpr bool IsDeviceEvent(FrameType type) {
  const auto value = static_cast<uint8_t>(type);
  return value >= 0x10 && value <= 0x1F;
}
// Responses to host commands (odd values 0x21..0x2F).
inline constexpr bool IsResponse(FrameType type) {
  const auto value = static_cast<uint8_t>(type);
  return value >= 0x21 && value <= 0x2F && value % 2 == 1;
}

// Name for logs ("ack", "card_presented", ...); "unknown" for a value not listed above.
const char* FrameTypeName(FrameType type);

struct Frame {
  uint8_t seq = 0;
  FrameType type = FrameType::kPing;
  std::vector<uint8_t> payload;  // at most kMaxPayloadSize bytes

  bool operator==(const Frame&) const = default;
};

// Encodes one frame. Precondition: frame.payload.size() <= kMaxPayloadSize. Payloads
// are built by our own code, never taken from the line unchecked, so a larger one is a
// programming error: it asserts in debug builds, and in release builds returns an empty
// vector so no malformed frame is ever put on the line.
std::vector<uint8_t> EncodeFrame(const Frame& frame);

// Turns a byte stream into frames. Feed() bytes as they arrive, in any chunking, then
// call Next() until it returns nullopt.
//
// On any mismatch at a candidate STX (LEN over kMaxPayloadSize, no ETX where LEN says,
// bad CRC) the decoder drops that one byte and searches for the next STX, so noise
// between frames is skipped and a frame that starts inside a damaged one is still found.
//
// Memory: after Next() returns nullopt the buffer holds at most one partial frame
// (fewer than kMaxFrameSize bytes); Feed() adds what it is given until Next() runs.
// Not thread-safe; one owner.
class FrameDecoder {
 public:
  struct Stats {
    uint64_t frames = 0;         // valid frames returned by Next()
    uint64_t crc_errors = 0;     // STX, LEN and ETX in place but the CRC did not match
    uint64_t bytes_skipped = 0;  // bytes dropped while searching for a frame
  };

  void Feed(std::span<const uint8_t> bytes);

  // The next complete valid frame, in line order, or nullopt when more bytes are needed.
  // A host answers a bad CRC with a NAK: compare stats().crc_errors before and after.
  std::optional<Frame> Next();

  // Bytes held that do not yet form a frame.
  std::size_t buffered_bytes() const { return buffer_.size() - start_; }

  // Gives up on the partial frame at the front: drops its first byte so the next
  // Next() searches for a later STX. Call it when the line has been silent longer than
  // a gap inside a frame can last; otherwise a stray STX whose "LEN" reads as a large
  // number would hold back the real frames behind it until that many bytes arrive.
  void DropStalePartial();

  const Stats& stats() const { return stats_; }

 private:
  void Skip(std::size_t count);

  std::vector<uint8_t> buffer_;
  std::size_t start_ = 0;  // bytes before start_ are consumed; compacted lazily
  Stats stats_;
};

}  // namespace loyalty::reader
