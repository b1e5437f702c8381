#include "loyalty/reader/crc16.h"

#include <gtest/gtest.h>

#include <string_view>

namespace loyalty::reader {
namespace {

std::span<const uint8_t> Bytes(std::string_view text) {
  return {reinterpret_cast<const uint8_t*>(text.data()), text.size()};
}

TEST(Crc16, MatchesCcittFalseCheckValue) { EXPECT_EQ(Crc16(Bytes("123456789")), 0x29B1); }

TEST(Crc16, EmptyInputIsInitialValue) { EXPECT_EQ(Crc16({}), 0xFFFF); }

TEST(Crc16, UpdateContinuesAcrossChunks) {
  EXPECT_EQ(Crc16Update(Crc16(Bytes("1234")), Bytes("56789")), 0x29B1);
}

TEST(Crc16, SingleBitFlipChangesCrc) {
  EXPECT_NE(Crc16(Bytes("123456789")), Crc16(Bytes("123456788")));
}

}  // namespace
}  // namespace loyalty::reader
