// Payloads of the reader's command, response and device-error frames
// (docs/reader-protocol.md, "Commands and responses"). Every Decode function validates
// bytes from the line and fails with kInvalidArgument naming the field; Encode
// functions take values our own code built.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "loyalty/core/result.h"
#include "loyalty/reader/nfc_auth.h"

namespace loyalty::reader {

inline constexpr std::size_t kMaxDeviceInfoFieldSize = 64;

// DEVICE_INFO: three length-prefixed printable-ASCII fields, each 1..64 bytes:
//   u8 len | model | u8 len | firmware version | u8 len | serial number
struct DeviceInfo {
  std::string model;             // e.g. "LR-300"
  std::string firmware_version;  // e.g. "1.1.0"
  std::string serial_number;     // e.g. "SIM00000001"

  bool operator==(const DeviceInfo&) const = default;
};
std::vector<uint8_t> EncodeDeviceInfo(const DeviceInfo& info);
Result<DeviceInfo> DecodeDeviceInfo(std::span<const uint8_t> payload);

enum class LedColor : uint8_t { kOff = 0, kGreen = 1, kRed = 2, kAmber = 3 };
// "off", "green", "red", "amber"; "unknown" otherwise.
const char* LedColorName(LedColor color);
Result<LedColor> ParseLedColor(std::string_view name);

// SET_LED: u8 color | u16 duration in ms (0 = stay lit until the next SET_LED).
struct LedCommand {
  LedColor color = LedColor::kOff;
  uint16_t duration_ms = 0;
  bool operator==(const LedCommand&) const = default;
};
std::vector<uint8_t> EncodeLedCommand(const LedCommand& command);
Result<LedCommand> DecodeLedCommand(std::span<const uint8_t> payload);

// BEEP: u8 count (1..10) | u16 duration of each beep in ms (1..2000).
struct BeepCommand {
  uint8_t count = 1;
  uint16_t duration_ms = 100;
  bool operator==(const BeepCommand&) const = default;
};
std::vector<uint8_t> EncodeBeepCommand(const BeepCommand& command);
Result<BeepCommand> DecodeBeepCommand(std::span<const uint8_t> payload);

// NFC_AUTH: the 16-byte challenge for the NFC card on the reader.
std::vector<uint8_t> EncodeNfcAuthRequest(const NfcChallenge& challenge);
Result<NfcChallenge> DecodeNfcAuthRequest(std::span<const uint8_t> payload);

// NFC_AUTH_RESULT: u8 status, then for kOk the 16-byte answer (nothing otherwise).
enum class NfcAuthStatus : uint8_t {
  kOk = 0,
  kNoCard = 1,     // no NFC card on the reader (taken away)
  kCardNoKey = 2,  // the card on the reader cannot authenticate (no key on it)
};
struct NfcAuthResult {
  NfcAuthStatus status = NfcAuthStatus::kOk;
  NfcAnswer answer{};  // meaningful for kOk only
  bool operator==(const NfcAuthResult&) const = default;
};
std::vector<uint8_t> EncodeNfcAuthResult(const NfcAuthResult& result);
Result<NfcAuthResult> DecodeNfcAuthResult(std::span<const uint8_t> payload);

// DEVICE_ERROR event: u8 code | printable-ASCII description (0..200 bytes).
enum class DeviceErrorCode : uint8_t { kHardware = 1, kNfcField = 2, kMagneticHead = 3 };
struct DeviceError {
  uint8_t code = 1;  // a DeviceErrorCode value, or a newer one
  std::string description;
  bool operator==(const DeviceError&) const = default;
};
std::vector<uint8_t> EncodeDeviceError(const DeviceError& error);
Result<DeviceError> DecodeDeviceError(std::span<const uint8_t> payload);

}  // namespace loyalty::reader
