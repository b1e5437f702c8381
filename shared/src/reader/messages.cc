#include "loyalty/reader/messages.h"

#include <algorithm>
#include <array>

namespace loyalty::reader {
namespace {

bool Printable(std::span<const uint8_t> bytes) {
  return std::all_of(bytes.begin(), bytes.end(), [](uint8_t b) { return b >= 0x20 && b <= 0x7E; });
}

void PutU16(std::vector<uint8_t>& out, uint16_t value) {
  out.push_back(static_cast<uint8_t>(value >> 8));
  out.push_back(static_cast<uint8_t>(value & 0xFFU));
}

uint16_t GetU16(std::span<const uint8_t> bytes) {
  return static_cast<uint16_t>((bytes[0] << 8) | bytes[1]);
}

Error Bad(const std::string& field, const std::string& why) { return InvalidArgument(field, why); }

constexpr std::array kLedColors = {LedColor::kOff, LedColor::kGreen, LedColor::kRed,
                                   LedColor::kAmber};

}  // namespace

std::vector<uint8_t> EncodeDeviceInfo(const DeviceInfo& info) {
  std::vector<uint8_t> payload;
  for (const std::string* field : {&info.model, &info.firmware_version, &info.serial_number}) {
    const std::size_t size = std::min(field->size(), kMaxDeviceInfoFieldSize);
    payload.push_back(static_cast<uint8_t>(size));
    payload.insert(payload.end(), field->begin(),
                   field->begin() + static_cast<std::ptrdiff_t>(size));
  }
  return payload;
}

Result<DeviceInfo> DecodeDeviceInfo(std::span<const uint8_t> payload) {
  DeviceInfo info;
  std::span<const uint8_t> rest = payload;
  const std::array<std::pair<std::string*, const char*>, 3> fields = {
      std::pair{&info.model, "model"}, std::pair{&info.firmware_version, "firmware_version"},
      std::pair{&info.serial_number, "serial_number"}};
  for (const auto& [value, name] : fields) {
    if (rest.empty()) return Bad(name, std::string("device info: ") + name + " missing");
    const std::size_t size = rest[0];
    if (size == 0 || size > kMaxDeviceInfoFieldSize || rest.size() < 1 + size) {
      return Bad(name, std::string("device info: ") + name + " length is wrong");
    }
    const std::span<const uint8_t> text = rest.subspan(1, size);
    if (!Printable(text)) return Bad(name, std::string("device info: ") + name + " not printable");
    value->assign(text.begin(), text.end());
    rest = rest.subspan(1 + size);
  }
  if (!rest.empty()) return Bad("payload", "device info: bytes after the serial number");
  return info;
}

const char* LedColorName(LedColor color) {
  switch (color) {
    case LedColor::kOff:
      return "off";
    case LedColor::kGreen:
      return "green";
    case LedColor::kRed:
      return "red";
    case LedColor::kAmber:
      return "amber";
  }
  return "unknown";
}

Result<LedColor> ParseLedColor(std::string_view name) {
  for (LedColor color : kLedColors) {
    if (name == LedColorName(color)) return color;
  }
  return Bad("color", "unknown LED color '" + std::string(name) +
                          "' (expected off, green, red or amber)");
}

std::vector<uint8_t> EncodeLedCommand(const LedCommand& command) {
  std::vector<uint8_t> payload{static_cast<uint8_t>(command.color)};
  PutU16(payload, command.duration_ms);
  return payload;
}

Result<LedCommand> DecodeLedCommand(std::span<const uint8_t> payload) {
  if (payload.size() != 3) return Bad("payload", "LED command is not 3 bytes");
  LedCommand command{static_cast<LedColor>(payload[0]), GetU16(payload.subspan(1))};
  if (std::find(kLedColors.begin(), kLedColors.end(), command.color) == kLedColors.end()) {
    return Bad("color", "unknown LED color " + std::to_string(payload[0]));
  }
  return command;
}

std::vector<uint8_t> EncodeBeepCommand(const BeepCommand& command) {
  std::vector<uint8_t> payload{command.count};
  PutU16(payload, command.duration_ms);
  return payload;
}

Result<BeepCommand> DecodeBeepCommand(std::span<const uint8_t> payload) {
  if (payload.size() != 3) return Bad("payload", "beep command is not 3 bytes");
  BeepCommand command{payload[0], GetU16(payload.subspan(1))};
  if (command.count < 1 || command.count > 10) return Bad("count", "beep count is not 1..10");
  if (command.duration_ms < 1 || command.duration_ms > 2000) {
    return Bad("duration_ms", "beep duration is not 1..2000 ms");
  }
  return command;
}

std::vector<uint8_t> EncodeNfcAuthRequest(const NfcChallenge& challenge) {
  return {challenge.begin(), challenge.end()};
}

Result<NfcChallenge> DecodeNfcAuthRequest(std::span<const uint8_t> payload) {
  if (payload.size() != kNfcChallengeSize) return Bad("challenge", "NFC challenge is not 16 bytes");
  NfcChallenge challenge{};
  std::copy(payload.begin(), payload.end(), challenge.begin());
  return challenge;
}

std::vector<uint8_t> EncodeNfcAuthResult(const NfcAuthResult& result) {
  // Sized up front rather than grown by insert(): GCC 12 at -O2 reports a false
  // -Warray-bounds on inserting into a one-element vector.
  const bool with_answer = result.status == NfcAuthStatus::kOk;
  std::vector<uint8_t> payload(with_answer ? 1 + kNfcAnswerSize : 1);
  payload[0] = static_cast<uint8_t>(result.status);
  if (with_answer) std::copy(result.answer.begin(), result.answer.end(), payload.begin() + 1);
  return payload;
}

Result<NfcAuthResult> DecodeNfcAuthResult(std::span<const uint8_t> payload) {
  if (payload.empty()) return Bad("status", "NFC auth result is empty");
  NfcAuthResult result;
  result.status = static_cast<NfcAuthStatus>(payload[0]);
  switch (result.status) {
    case NfcAuthStatus::kOk:
      if (payload.size() != 1 + kNfcAnswerSize) {
        return Bad("answer", "NFC auth answer is not 16 bytes");
      }
      std::copy(payload.begin() + 1, payload.end(), result.answer.begin());
      return result;
    case NfcAuthStatus::kNoCard:
    case NfcAuthStatus::kCardNoKey:
      if (payload.size() != 1) return Bad("payload", "NFC auth failure carries extra bytes");
      return result;
  }
  return Bad("status", "unknown NFC auth status " + std::to_string(payload[0]));
}

std::vector<uint8_t> EncodeDeviceError(const DeviceError& error) {
  const std::size_t size = std::min<std::size_t>(error.description.size(), 200);
  std::vector<uint8_t> payload(1 + size);  // sized up front, as in EncodeNfcAuthResult
  payload[0] = error.code;
  std::copy_n(error.description.begin(), size, payload.begin() + 1);
  return payload;
}

Result<DeviceError> DecodeDeviceError(std::span<const uint8_t> payload) {
  if (payload.empty()) return Bad("code", "device error has no code");
  const std::span<const uint8_t> text = payload.subspan(1);
  if (text.size() > 200) return Bad("description", "device error description over 200 bytes");
  if (!Printable(text)) return Bad("description", "device error description not printable");
  return DeviceError{payload[0], std::string(text.begin(), text.end())};
}

}  // namespace loyalty::reader
