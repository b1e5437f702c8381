// The payload of a kCardPresented frame: which technology read the card and what it read.
//   byte 0: CardTechnology, bytes 1..: the data as printable ASCII text
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "loyalty/core/result.h"
#include "loyalty/reader/frame.h"

namespace loyalty::reader {

enum class CardTechnology : uint8_t {
  kBarcode = 0x01,
  kMagstripe = 0x02,
  kNfc = 0x03,
};

// Card data fills the frame payload after the technology byte.
inline constexpr std::size_t kMaxCardDataSize = kMaxPayloadSize - 1;

struct CardEvent {
  CardTechnology technology = CardTechnology::kBarcode;
  std::string data;

  bool operator==(const CardEvent&) const = default;
};

// Precondition: event.data.size() <= kMaxCardDataSize (callers validate user input first).
std::vector<uint8_t> EncodeCardEvent(const CardEvent& event);

// Validates a kCardPresented payload from the line. Fails with kInvalidArgument, the
// field named ("payload", "technology" or "data"), for an empty payload, an unknown
// technology byte, empty data, or data with a byte outside printable ASCII (0x20..0x7E).
// Data per technology: barcode characters; magstripe tracks as read ("%B...?;...?",
// magstripe.h); NFC "UID:NUMBER" (nfc_auth.h). Their contents are checked by the
// consumer (terminal/src/reader/card_identity.h), not here.
Result<CardEvent> DecodeCardEvent(std::span<const uint8_t> payload);

// "barcode", "magstripe", "nfc"; "unknown" for any other value.
const char* TechnologyName(CardTechnology technology);

// The inverse of TechnologyName (exact, lower case). Fails with kInvalidArgument naming
// the accepted values.
Result<CardTechnology> ParseTechnology(std::string_view name);

}  // namespace loyalty::reader
