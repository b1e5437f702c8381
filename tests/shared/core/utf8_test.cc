#include "loyalty/core/utf8.h"

#include <gtest/gtest.h>

namespace loyalty {
namespace {

TEST(Utf8, ValidatesWellFormedText) {
  EXPECT_TRUE(IsValidUtf8("Crème brûlée 1 KG"));
  EXPECT_FALSE(IsValidUtf8("\xC3"));          // a character cut short
  EXPECT_FALSE(IsValidUtf8("\xC0\xAF"));      // overlong '/'
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\x80"));  // a surrogate
}

TEST(Utf8, TruncatesOnACharacterBoundary) {
  EXPECT_EQ(TruncateUtf8("15% off milk", 100), "15% off milk");
  EXPECT_EQ(TruncateUtf8("15% off milk", 7), "15% off");
  // "é" is two bytes: a limit inside it keeps the text before it.
  EXPECT_EQ(TruncateUtf8("Crème", 3), "Cr");
  EXPECT_EQ(TruncateUtf8("Crème", 4), "Crè");
  // A four-byte character cut anywhere inside is dropped whole.
  for (std::size_t limit = 1; limit < 4; ++limit) {
    EXPECT_EQ(TruncateUtf8("\xF0\x9F\x8D\x9E", limit), "") << limit;
  }
  EXPECT_TRUE(IsValidUtf8(TruncateUtf8("日本のパン", 7)));
  EXPECT_EQ(TruncateUtf8("日本のパン", 7), "日本");
}

}  // namespace
}  // namespace loyalty
