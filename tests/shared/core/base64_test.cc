#include "loyalty/core/base64.h"

#include <cstdint>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace loyalty {
namespace {

std::string Decoded(std::string_view text) {
  auto bytes = Base64UrlDecode(text);
  EXPECT_TRUE(bytes.has_value()) << text;
  return bytes ? std::string(bytes->begin(), bytes->end()) : std::string("<failed>");
}

TEST(Base64Url, EncodesRfc4648VectorsWithoutPadding) {
  EXPECT_EQ(Base64UrlEncode(std::string_view("")), "");
  EXPECT_EQ(Base64UrlEncode(std::string_view("f")), "Zg");
  EXPECT_EQ(Base64UrlEncode(std::string_view("fo")), "Zm8");
  EXPECT_EQ(Base64UrlEncode(std::string_view("foo")), "Zm9v");
  EXPECT_EQ(Base64UrlEncode(std::string_view("foob")), "Zm9vYg");
  EXPECT_EQ(Base64UrlEncode(std::string_view("fooba")), "Zm9vYmE");
  EXPECT_EQ(Base64UrlEncode(std::string_view("foobar")), "Zm9vYmFy");
}

TEST(Base64Url, UsesTheUrlSafeAlphabet) {
  const std::vector<std::uint8_t> bytes = {0xFB, 0xFF, 0xBF};
  EXPECT_EQ(Base64UrlEncode(bytes), "-_-_");
  EXPECT_EQ(Decoded("-_-_"), std::string("\xFB\xFF\xBF"));
}

TEST(Base64Url, DecodesRfc4648Vectors) {
  EXPECT_EQ(Decoded(""), "");
  EXPECT_EQ(Decoded("Zg"), "f");
  EXPECT_EQ(Decoded("Zm8"), "fo");
  EXPECT_EQ(Decoded("Zm9vYmFy"), "foobar");
}

TEST(Base64Url, RoundTripsEveryLengthFromZeroToTen) {
  for (std::size_t length = 0; length <= 10; ++length) {
    for (int seed = 0; seed < 32; ++seed) {
      std::vector<std::uint8_t> bytes(length);
      for (std::size_t i = 0; i < length; ++i) {
        bytes[i] = static_cast<std::uint8_t>((static_cast<std::size_t>(seed) * 37 + i * 101 +
                                              (seed % 2 == 0 ? std::size_t{0} : std::size_t{0xF0})) & 0xFF);
      }
      const std::string text = Base64UrlEncode(bytes);
      EXPECT_EQ(text.size(), (length * 4 + 2) / 3) << length;
      EXPECT_EQ(text.find('='), std::string::npos);
      auto decoded = Base64UrlDecode(text);
      ASSERT_TRUE(decoded.has_value()) << text;
      EXPECT_EQ(*decoded, bytes) << text;
    }
  }
}

TEST(Base64Url, RoundTripsAllByteValues) {
  std::vector<std::uint8_t> bytes(256);
  for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<std::uint8_t>(i);
  EXPECT_EQ(Base64UrlDecode(Base64UrlEncode(bytes)), bytes);
}

TEST(Base64Url, RejectsCharactersOutsideTheAlphabet) {
  for (const char* text : {"Zm9v+mFy", "Zm9v/mFy", "Zg==", "Zm8=", "Zm9 v", "Zm9v\n", "Zm.9",
                           "Zm9v!A", "\xC3\xA9Zm9"}) {
    EXPECT_FALSE(Base64UrlDecode(text).has_value()) << text;
  }
}

TEST(Base64Url, RejectsImpossibleLengths) {
  EXPECT_FALSE(Base64UrlDecode("Z").has_value());
  EXPECT_FALSE(Base64UrlDecode("Zm9vY").has_value());
}

TEST(Base64Url, RejectsNonCanonicalTrailingBits) {
  // "f" is Zg; Zh..Zv carry the same byte with non-zero leftover bits.
  for (const char* text : {"Zh", "Zi", "Zv", "Zm9", "Zm-", "Zm9vYh", "Zm9vYmF"}) {
    EXPECT_FALSE(Base64UrlDecode(text).has_value()) << text;
  }
  // Exactly one text decodes to each byte string: every other last character fails.
  const std::string alphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  int accepted = 0;
  for (char last : alphabet) {
    if (Base64UrlDecode(std::string("Zm") + last).has_value()) ++accepted;  // 2 bytes: 2 spare bits
  }
  EXPECT_EQ(accepted, 16);
  accepted = 0;
  for (char last : alphabet) {
    if (Base64UrlDecode(std::string("Z") + last).has_value()) ++accepted;  // 1 byte: 4 spare bits
  }
  EXPECT_EQ(accepted, 4);
}

}  // namespace
}  // namespace loyalty
