#include "loyalty/core/time.h"

#include <gtest/gtest.h>

namespace loyalty {
namespace {

// 2026-11-23T16:10:00Z
constexpr std::int64_t kReference = 1795450200;

std::int64_t Parsed(std::string_view text) {
  auto t = ParseIso8601(text);
  EXPECT_TRUE(t.ok()) << text << ": " << (t.ok() ? "" : t.error().ToString());
  return t.ok() ? ToUnixSeconds(*t) : -1;
}

TEST(ParseIso8601, ReadsUtcWithZ) {
  EXPECT_EQ(Parsed("2026-11-23T16:10:00Z"), kReference);
  EXPECT_EQ(Parsed("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(Parsed("2000-02-29T12:00:00Z"), 951825600);
}

TEST(ParseIso8601, AppliesZoneOffsets) {
  EXPECT_EQ(Parsed("2026-11-23T17:10:00+01:00"), kReference);
  EXPECT_EQ(Parsed("2026-11-23T11:10:00-05:00"), kReference);
  EXPECT_EQ(Parsed("2026-11-23T21:40:00+05:30"), kReference);
  EXPECT_EQ(Parsed("2026-11-23T16:10:00+00:00"), kReference);
  EXPECT_EQ(Parsed("2026-11-24T01:10:00+09:00"), kReference);  // crosses midnight
}

TEST(ParseIso8601, DropsFractionsOfASecond) {
  EXPECT_EQ(Parsed("2026-11-23T16:10:00.999Z"), kReference);
  EXPECT_EQ(Parsed("2026-11-23T16:10:00.1+00:00"), kReference);
  EXPECT_EQ(Parsed("2026-11-23T16:10:00.123456789Z"), kReference);
}

TEST(ParseIso8601, AcceptsASpaceBetweenDateAndTime) {
  EXPECT_EQ(Parsed("2026-11-23 16:10:00Z"), kReference);
}

TEST(ParseIso8601, RejectsMissingZone) {
  auto t = ParseIso8601("2026-11-23T16:10:00", "occurred_at");
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.error().field, "occurred_at");
  EXPECT_NE(t.error().message.find("zone"), std::string::npos) << t.error().message;
  EXPECT_FALSE(ParseIso8601("2026-11-23T16:10:00.5").ok());
}

TEST(ParseIso8601, RejectsDaysThatDoNotExist) {
  for (const char* text : {"2026-02-30T00:00:00Z", "2026-02-29T00:00:00Z", "2026-04-31T00:00:00Z",
                           "2026-13-01T00:00:00Z", "2026-00-10T00:00:00Z", "2026-01-00T00:00:00Z",
                           "2100-02-29T00:00:00Z"}) {
    EXPECT_FALSE(ParseIso8601(text).ok()) << text;
  }
}

TEST(ParseIso8601, RejectsOutOfRangeTimes) {
  for (const char* text : {"2026-11-23T24:00:00Z", "2026-11-23T23:60:00Z", "2026-11-23T23:59:61Z",
                           "2026-11-23T16:10:00+15:00", "2026-11-23T16:10:00+01:60",
                           "1969-12-31T23:59:59Z"}) {
    EXPECT_FALSE(ParseIso8601(text).ok()) << text;
  }
}

TEST(ParseIso8601, RejectsJunk) {
  for (const char* text :
       {"", "junk", "2026-11-23", "2026-11-23T16:10Z", "2026/11/23T16:10:00Z",
        "2026-11-23T16:10:00ZZ", "2026-11-23T16:10:00Z ", " 2026-11-23T16:10:00Z",
        "2026-11-23T16:10:00.Z", "2026-11-23T16:10:00+0100", "2026-11-23T16:10:00+01",
        "2026-11-23T16:10:00+1:00", "2026-11-23X16:10:00Z", "20261123T161000Z",
        "2026-11-23T16:10:00z", "+2026-11-23T16:10:00Z", "2026-1a-23T16:10:00Z",
        "2026-11-23T16:10:00-", "2026-11-23T16:10:00+01:00:00"}) {
    auto t = ParseIso8601(text, "issued_at");
    ASSERT_FALSE(t.ok()) << "'" << text << "' was accepted";
    EXPECT_EQ(t.error().field, "issued_at");
  }
}

TEST(FormatUtc, FormatsWithZ) {
  EXPECT_EQ(FormatUtc(FromUnixSeconds(kReference)), "2026-11-23T16:10:00Z");
  EXPECT_EQ(FormatUtc(FromUnixSeconds(0)), "1970-01-01T00:00:00Z");
}

TEST(FormatUtc, RoundTripsThroughParse) {
  for (std::int64_t seconds : {std::int64_t{0}, std::int64_t{59}, std::int64_t{951825600},
                               kReference, std::int64_t{4102444799}, std::int64_t{253402300799}}) {
    const std::string text = FormatUtc(FromUnixSeconds(seconds));
    EXPECT_EQ(Parsed(text), seconds) << text;
  }
  const Timestamp now = Now();
  EXPECT_EQ(ParseIso8601(FormatUtc(now)).value(), now);
}

TEST(UnixSeconds, ConvertBothWays) {
  EXPECT_EQ(ToUnixSeconds(FromUnixSeconds(kReference)), kReference);
  EXPECT_EQ(ToUnixSeconds(FromUnixSeconds(-1)), -1);
}

}  // namespace
}  // namespace loyalty
