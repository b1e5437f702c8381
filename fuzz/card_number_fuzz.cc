// libFuzzer target: EAN-13 loyalty numbers (CardNumber::Parse, the one EAN parser) and
// the NFC card data that carries them.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "loyalty/core/card_number.h"
#include "loyalty/reader/nfc_auth.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  loyalty::Result<loyalty::CardNumber> number = loyalty::CardNumber::Parse(text);
  if (number.ok()) {
    if (number->digits() != text) __builtin_trap();
    (void)number->Masked();
  }
  if (size >= 12) (void)loyalty::CardNumber::FromBody(text.substr(0, 12));
  (void)loyalty::reader::ParseNfcCardData(text);
  return 0;
}
