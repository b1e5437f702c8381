// libFuzzer target: arbitrary swipes through the ISO 7813 track parsers, the payment
// card check and masking.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "loyalty/reader/magstripe.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace loyalty::reader;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)ParseTrack1(text);
  (void)ParseTrack2(text);
  loyalty::Result<MagstripeRead> read = ParseMagstripe(text);
  if (read.ok()) {
    const std::string masked = MaskPan(read->pan());
    if (masked.size() != read->pan().size()) __builtin_trap();
    (void)LooksLikePaymentCard(read->pan());
  }
  (void)LooksLikePaymentCard(text);
  (void)MaskPan(text);
  return 0;
}
