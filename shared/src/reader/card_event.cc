#include "loyalty/reader/card_event.h"

#include <array>
#include <cassert>
#include <cstdio>

namespace loyalty::reader {
namespace {

constexpr std::array kAllTechnologies = {CardTechnology::kBarcode, CardTechnology::kMagstripe,
                                         CardTechnology::kNfc};

std::string Hex(uint8_t byte) {
  std::array<char, 8> text{};
  std::snprintf(text.data(), text.size(), "0x%02X", static_cast<unsigned>(byte));
  return text.data();
}

}  // namespace

const char* TechnologyName(CardTechnology technology) {
  switch (technology) {
    case CardTechnology::kBarcode:
      return "barcode";
    case CardTechnology::kMagstripe:
      return "magstripe";
    case CardTechnology::kNfc:
      return "nfc";
  }
  return "unknown";
}

Result<CardTechnology> ParseTechnology(std::string_view name) {
  for (CardTechnology technology : kAllTechnologies) {
    if (name == TechnologyName(technology)) return technology;
  }
  return InvalidArgument("technology", "unknown card technology '" + std::string(name) +
                                           "' (expected barcode, magstripe or nfc)");
}

std::vector<uint8_t> EncodeCardEvent(const CardEvent& event) {
  assert(event.data.size() <= kMaxCardDataSize);
  std::vector<uint8_t> payload;
  payload.reserve(event.data.size() + 1);
  payload.push_back(static_cast<uint8_t>(event.technology));
  payload.insert(payload.end(), event.data.begin(), event.data.end());
  return payload;
}

Result<CardEvent> DecodeCardEvent(std::span<const uint8_t> payload) {
  if (payload.empty()) {
    return InvalidArgument("payload", "card event payload is empty (expected a technology byte)");
  }
  CardEvent event;
  event.technology = static_cast<CardTechnology>(payload[0]);
  bool known = false;
  for (CardTechnology technology : kAllTechnologies)
    known = known || technology == event.technology;
  if (!known) {
    return InvalidArgument("technology", "unknown card technology " + Hex(payload[0]));
  }
  const std::span<const uint8_t> data = payload.subspan(1);
  if (data.empty()) {
    return InvalidArgument(
        "data", std::string(TechnologyName(event.technology)) + " card event has no data");
  }
  // Every technology delivers text: barcode characters, magstripe tracks, and for NFC
  // "UID:NUMBER". A control byte means the frame is not what the device meant to send.
  for (std::size_t i = 0; i < data.size(); ++i) {
    if (data[i] < 0x20 || data[i] > 0x7E) {
      return InvalidArgument("data", std::string(TechnologyName(event.technology)) +
                                         " data has non-printable byte " + Hex(data[i]) +
                                         " at offset " + std::to_string(i));
    }
  }
  event.data.assign(data.begin(), data.end());
  return event;
}

}  // namespace loyalty::reader
