#include "receipt/pc858.h"

#include <string>

#include <gtest/gtest.h>

#include "receipt/text_columns.h"

namespace loyalty::terminal {
namespace {

std::string Pc858(const std::string& utf8) { return ToPc858(DecodeUtf8(utf8)); }

TEST(ReceiptPc858, KeepsPrintableAscii) {
  std::string ascii;
  for (char c = 0x20; c < 0x7F; ++c) ascii.push_back(c);
  EXPECT_EQ(Pc858(ascii), ascii);
}

TEST(ReceiptPc858, MapsWesternEuropeanLettersToTheirBytes) {
  // Bytes from the PC858 chart: ä 0x84, é 0x82, ñ 0xA4, ß 0xE1, Ø 0x9D, € 0xD5.
  EXPECT_EQ(Pc858("äéñßØ€"), "\x84\x82\xA4\xE1\x9D\xD5");
}

TEST(ReceiptPc858, TransliteratesLettersItLacks) {
  EXPECT_EQ(Pc858("Łódź Šťastný Œuvre ő"),
            "L\xA2"
            "dz Stastn\xEC Ouvre o");
  EXPECT_EQ(Pc858("“quoted” – ‘x’…"), "\"quoted\" - 'x'.");
}

TEST(ReceiptPc858, ReplacesEverythingElseAndControlsWithOneQuestionMarkEach) {
  EXPECT_EQ(Pc858("Ω🍰中"), "???");
  EXPECT_EQ(Pc858("a\x1b"
                  "b\nc\x7f"),
            "a?b?c?");
  EXPECT_EQ(ToPc858(U"\u0085"), "?");  // C1 control NEL
}

TEST(ReceiptPc858, DropsCombiningMarks) { EXPECT_EQ(Pc858("e\u0301te\u0301"), "ete"); }

}  // namespace
}  // namespace loyalty::terminal
