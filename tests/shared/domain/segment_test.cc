#include "loyalty/domain/segment.h"

#include <set>
#include <string>

#include <gtest/gtest.h>

namespace loyalty::domain {
namespace {

TEST(Segment, EveryNameParsesBackToItsSegment) {
  std::set<std::string> names;
  for (auto segment : kSegments) {
    const std::string name = SegmentName(segment);
    names.insert(name);
    auto parsed = ParseSegment(name, "segment");
    ASSERT_TRUE(parsed.ok()) << name;
    EXPECT_EQ(*parsed, segment);
  }
  EXPECT_EQ(names.size(), kSegments.size());  // no two segments share a name
  EXPECT_EQ(names.count("cant_lose"), 1u);
}

TEST(Segment, RefusesOtherNamesListingTheValidOnes) {
  for (const char* text : {"", "Champions", "vip", "at risk"}) {
    auto parsed = ParseSegment(text, "target_segment");
    ASSERT_FALSE(parsed.ok()) << text;
    EXPECT_EQ(parsed.error().field, "target_segment");
    EXPECT_NE(parsed.error().message.find("potential_loyalists"), std::string::npos);
  }
}

}  // namespace
}  // namespace loyalty::domain
