#include "loyalty/core/uuid.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "loyalty/core/name_based_uuid.h"

namespace loyalty {
namespace {

bool IsLowerHex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }

TEST(Uuid, RandomIsCanonicalVersionFour) {
  for (int i = 0; i < 200; ++i) {
    const std::string text = Uuid::Random().str();
    ASSERT_EQ(text.size(), 36u);
    for (std::size_t j = 0; j < text.size(); ++j) {
      if (j == 8 || j == 13 || j == 18 || j == 23) {
        EXPECT_EQ(text[j], '-') << text;
      } else {
        EXPECT_TRUE(IsLowerHex(text[j])) << text;
      }
    }
    EXPECT_EQ(text[14], '4') << text;                                          // version
    EXPECT_NE(std::string("89ab").find(text[19]), std::string::npos) << text;  // variant
    EXPECT_TRUE(Uuid::Parse(text).ok()) << text;
  }
}

TEST(Uuid, RandomIsUnique) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) seen.insert(Uuid::Random().str());
  EXPECT_EQ(seen.size(), 1000u);
}

TEST(Uuid, ParseAcceptsUpperCaseAndStoresLowerCase) {
  auto uuid = Uuid::Parse("3F2504E0-4F89-41D3-9A0C-0305E82C3301");
  ASSERT_TRUE(uuid.ok());
  EXPECT_EQ(uuid->str(), "3f2504e0-4f89-41d3-9a0c-0305e82c3301");
  EXPECT_EQ(*uuid, Uuid::Parse("3f2504e0-4f89-41d3-9a0c-0305e82c3301").value());
}

TEST(Uuid, ParseRejectsBadForms) {
  for (const char* text : {
           "",
           "3f2504e0-4f89-41d3-9a0c-0305e82c330",    // short
           "3f2504e0-4f89-41d3-9a0c-0305e82c33011",  // long
           "3f2504e04f8941d39a0c0305e82c3301",       // no dashes
           "3f2504e0-4f89-41d3-9a0c_0305e82c3301",   // wrong separator
           "3f2504e0-4f8-941d3-9a0c-0305e82c3301",   // dash in the wrong place
           "3f2504g0-4f89-41d3-9a0c-0305e82c3301",   // not hex
           "{3f2504e0-4f89-41d3-9a0c-0305e82c330}",  // braces
           " 3f2504e0-4f89-41d3-9a0c-0305e82c330",   // space
           "3f2504e0-4f89-41d3-9a0c-0305e82c33 1",
       }) {
    auto uuid = Uuid::Parse(text, "coupon_id");
    ASSERT_FALSE(uuid.ok()) << text;
    EXPECT_EQ(uuid.error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(uuid.error().field, "coupon_id");
  }
}

// The example of RFC 9562, appendix A.4: the DNS namespace and "www.example.com".
TEST(Uuid, NameBasedMatchesTheRfcExample) {
  const Uuid dns = Uuid::Parse("6ba7b810-9dad-11d1-80b4-00c04fd430c8").value();
  EXPECT_EQ(NameBasedUuid(dns, "www.example.com").str(), "2ed6657d-e927-568b-95e1-2665a8aea6a2");
}

TEST(Uuid, NameBasedIsStablePerNameAndDiffersBetweenNames) {
  const Uuid space = Uuid::Random();
  EXPECT_EQ(NameBasedUuid(space, "c1/b1"), NameBasedUuid(space, "c1/b1"));
  EXPECT_FALSE(NameBasedUuid(space, "c1/b1") == NameBasedUuid(space, "c1/b2"));
  EXPECT_FALSE(NameBasedUuid(space, "c1/b1") == NameBasedUuid(Uuid::Random(), "c1/b1"));
}

}  // namespace
}  // namespace loyalty
