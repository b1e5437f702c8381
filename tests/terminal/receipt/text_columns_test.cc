#include "receipt/text_columns.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace loyalty::terminal {
namespace {

TEST(ReceiptTextColumns, DecodesAndEncodesUtf8) {
  const std::string text = "a é € 🍰";
  EXPECT_EQ(DecodeUtf8(text), U"a é € 🍰");
  EXPECT_EQ(EncodeUtf8(DecodeUtf8(text)), text);
  EXPECT_EQ(ColumnsOf(text), 7u);
}

TEST(ReceiptTextColumns, ReplacesEachMalformedByte) {
  EXPECT_EQ(DecodeUtf8("a\xC3(b"), U"a\uFFFD(b");
  EXPECT_EQ(DecodeUtf8("\xE2\x82"), U"\uFFFD\uFFFD");            // truncated
  EXPECT_EQ(DecodeUtf8("\xC0\xAF"), U"\uFFFD\uFFFD");            // overlong '/'
  EXPECT_EQ(DecodeUtf8("\xED\xA0\x80"), U"\uFFFD\uFFFD\uFFFD");  // a surrogate
  EXPECT_EQ(DecodeUtf8("\xF4\x90\x80\x80").size(), 4u);          // beyond U+10FFFF
}

TEST(ReceiptTextColumns, CleansControlCharacters) {
  EXPECT_EQ(CleanText("a\tb\nc\x1b\x7f"), U"a\uFFFDb\uFFFDc\uFFFD\uFFFD");
}

TEST(ReceiptTextColumns, CutsByCodePointNeverInsideOne) {
  EXPECT_EQ(CutToColumns(U"Crème brûlée", 5), "Crème");
  EXPECT_EQ(CutToColumns(U"ab", 5), "ab");
}

TEST(ReceiptTextColumns, WrapsAtSpacesAndCutsLongWords) {
  EXPECT_EQ(WrapToColumns(U"Green Valley Market", 12),
            (std::vector<std::string>{"Green Valley", "Market"}));
  EXPECT_EQ(WrapToColumns(U"sale 6f1c2a4e-8b3d-4c5e", 8),
            (std::vector<std::string>{"sale", "6f1c2a4e", "-8b3d-4c", "5e"}));
  EXPECT_EQ(WrapToColumns(U"", 8), (std::vector<std::string>{""}));
  EXPECT_EQ(WrapToColumns(U"  a   b  ", 8), (std::vector<std::string>{"a b"}));
}

}  // namespace
}  // namespace loyalty::terminal
