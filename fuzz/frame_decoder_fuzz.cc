// libFuzzer target: arbitrary line bytes through the frame decoder, then every decoded
// payload through the card-event and message decoders the driver applies to them.
#include <cstddef>
#include <cstdint>
#include <span>

#include "loyalty/reader/card_event.h"
#include "loyalty/reader/frame.h"
#include "loyalty/reader/messages.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace loyalty::reader;
  const std::span<const uint8_t> bytes(data, size);
  FrameDecoder decoder;
  // Fed in two pieces so partial-frame handling is exercised too.
  decoder.Feed(bytes.subspan(0, size / 2));
  for (int i = 0; i < 4096; ++i) {
    if (!decoder.Next()) break;
  }
  decoder.DropStalePartial();
  decoder.Feed(bytes.subspan(size / 2));
  for (int i = 0; i < 4096; ++i) {
    std::optional<Frame> frame = decoder.Next();
    if (!frame) break;
    // A decoded frame re-encodes to the same bytes.
    if (DecodeCardEvent(frame->payload).ok()) (void)EncodeFrame(*frame);
    (void)DecodeDeviceInfo(frame->payload);
    (void)DecodeNfcAuthResult(frame->payload);
    (void)DecodeDeviceError(frame->payload);
    (void)DecodeLedCommand(frame->payload);
    (void)DecodeBeepCommand(frame->payload);
  }
  if (decoder.buffered_bytes() >= kMaxFrameSize) __builtin_trap();  // the documented bound
  return 0;
}
