#include "loyalty/reader/crc16.h"

#include <array>

namespace loyalty::reader {
namespace {

constexpr uint16_t kPolynomial = 0x1021;
constexpr uint16_t kInitialValue = 0xFFFF;

// One entry per leading byte, so the loop below does one lookup per byte instead of
// eight shifts; built at compile time.
constexpr std::array<uint16_t, 256> MakeTable() {
  std::array<uint16_t, 256> table{};
  for (unsigned byte = 0; byte < 256; ++byte) {
    unsigned crc = byte << 8;
    for (int bit = 0; bit < 8; ++bit) {
      crc = (crc & 0x8000U) != 0 ? (crc << 1) ^ kPolynomial : crc << 1;
    }
    table[byte] = static_cast<uint16_t>(crc & 0xFFFFU);
  }
  return table;
}

constexpr std::array<uint16_t, 256> kTable = MakeTable();

}  // namespace

uint16_t Crc16Update(uint16_t crc, std::span<const uint8_t> bytes) {
  unsigned value = crc;
  for (uint8_t byte : bytes) {
    value = ((value << 8) & 0xFFFFU) ^ kTable[((value >> 8) ^ byte) & 0xFFU];
  }
  return static_cast<uint16_t>(value);
}

uint16_t Crc16(std::span<const uint8_t> bytes) { return Crc16Update(kInitialValue, bytes); }

}  // namespace loyalty::reader
