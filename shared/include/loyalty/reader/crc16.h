// CRC used by the reader frame protocol (docs/reader-protocol.md).
#pragma once

#include <cstdint>
#include <span>

namespace loyalty::reader {

// CRC-16/CCITT-FALSE: polynomial 0x1021, initial value 0xFFFF, no input or output
// reflection, no final XOR. Crc16 of the ASCII bytes "123456789" is 0x29B1.
// Pure function; safe to call from any thread.
uint16_t Crc16(std::span<const uint8_t> bytes);

// Continues a CRC over more bytes: Crc16Update(Crc16(a), b) == Crc16(a followed by b).
uint16_t Crc16Update(uint16_t crc, std::span<const uint8_t> bytes);

}  // namespace loyalty::reader
