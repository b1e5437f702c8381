#include "loyalty/reader/magstripe.h"

#include <gtest/gtest.h>

namespace loyalty::reader {
namespace {

std::string Track1Error(std::string_view text) {
  Result<Track1> track = ParseTrack1(text);
  EXPECT_FALSE(track.ok()) << text;
  return track.ok() ? std::string() : track.error().message;
}

std::string Track2Error(std::string_view text) {
  Result<Track2> track = ParseTrack2(text);
  EXPECT_FALSE(track.ok()) << text;
  return track.ok() ? std::string() : track.error().message;
}

TEST(Track1Parser, ParsesEveryField) {
  Result<Track1> track = ParseTrack1("%B4111111111111111^DOE/JANE^2812101000000?");
  ASSERT_TRUE(track.ok()) << track.error().ToString();
  EXPECT_EQ(track->pan, "4111111111111111");
  EXPECT_EQ(track->name, "DOE/JANE");
  EXPECT_EQ(track->expiry_yymm, "2812");
  EXPECT_EQ(track->service_code, "101");
  EXPECT_EQ(track->discretionary, "000000");
}

TEST(Track1Parser, RejectsEveryMalformedPart) {
  EXPECT_NE(Track1Error("").find("start sentinel"), std::string::npos);
  EXPECT_NE(Track1Error("B41^DOE/J^2812101?").find("start sentinel"), std::string::npos);
  EXPECT_NE(Track1Error("%B41^DOE/J^2812101").find("end sentinel"), std::string::npos);
  EXPECT_NE(Track1Error("%A41^DOE/J^2812101?").find("format code"), std::string::npos);
  EXPECT_NE(Track1Error("%B^DOE/J^2812101?").find("empty"), std::string::npos);
  EXPECT_NE(Track1Error("%B41X1^DOE/J^2812101?").find("non-digit"), std::string::npos);
  EXPECT_NE(Track1Error("%B12345678901234567890^DOE/J^2812101?").find("19 digits"),
            std::string::npos);
  EXPECT_NE(Track1Error("%B41DOE/J2812101?").find("'^' after the card number"), std::string::npos);
  EXPECT_NE(Track1Error("%B41^DOE/J2812101?").find("'^' after the name"), std::string::npos);
  EXPECT_NE(Track1Error("%B41^D^2812101?").find("2..26"), std::string::npos);
  EXPECT_NE(Track1Error("%B41^" + std::string(27, 'A') + "^2812101?").find("2..26"),
            std::string::npos);
  EXPECT_NE(Track1Error("%B41^DOE/J^2812^101?").find("more than two"), std::string::npos);
  EXPECT_NE(Track1Error("%B41^DOE/J^281?").find("missing"), std::string::npos);
  EXPECT_NE(Track1Error("%B41^DOE/J^2813101?").find("month"), std::string::npos);
  EXPECT_NE(Track1Error("%B41^DOE/J^2800101?").find("month"), std::string::npos);
  EXPECT_NE(Track1Error("%B41^DOE/J^28121X1?").find("service code"), std::string::npos);
  EXPECT_NE(Track1Error("%B41^doe/j^2812101?").find("alphabet"), std::string::npos);
  EXPECT_NE(Track1Error("%B41^DOE?J^2812101?").find("sentinel inside"), std::string::npos);
  EXPECT_NE(Track1Error("%B41^DOE/J^2812101" + std::string(70, '0') + "?").find("79"),
            std::string::npos);
}

TEST(Track1Parser, ErrorsNeverEchoTheData) {
  const std::string message = Track1Error("%B4111111111111111^DOE/JANE^2813101?");
  EXPECT_EQ(message.find("4111"), std::string::npos);
  EXPECT_EQ(message.find("DOE"), std::string::npos);
}

TEST(Track2Parser, ParsesEveryField) {
  Result<Track2> track = ParseTrack2(";2000000000015=28121015432?");
  ASSERT_TRUE(track.ok()) << track.error().ToString();
  EXPECT_EQ(track->pan, "2000000000015");
  EXPECT_EQ(track->expiry_yymm, "2812");
  EXPECT_EQ(track->service_code, "101");
  EXPECT_EQ(track->discretionary, "5432");
}

TEST(Track2Parser, RejectsEveryMalformedPart) {
  EXPECT_NE(Track2Error("").find("start sentinel"), std::string::npos);
  EXPECT_NE(Track2Error("2000=2812101?").find("start sentinel"), std::string::npos);
  EXPECT_NE(Track2Error(";2000=2812101").find("end sentinel"), std::string::npos);
  EXPECT_NE(Track2Error(";?").find("no '='"), std::string::npos);
  EXPECT_NE(Track2Error(";20002812101?").find("no '='"), std::string::npos);
  EXPECT_NE(Track2Error(";=2812101?").find("empty"), std::string::npos);
  EXPECT_NE(Track2Error(";20A0=2812101?").find("digit or '='"), std::string::npos);
  EXPECT_NE(Track2Error(";12345678901234567890=2812101?").find("19 digits"), std::string::npos);
  EXPECT_NE(Track2Error(";2000=2812=101?").find("more than one"), std::string::npos);
  EXPECT_NE(Track2Error(";2000=28?").find("missing"), std::string::npos);
  EXPECT_NE(Track2Error(";2000=2899101?").find("month"), std::string::npos);
  EXPECT_NE(Track2Error(";2000=2812101" + std::string(30, '0') + "?").find("40"),
            std::string::npos);
  EXPECT_NE(Track2Error(";2000=2812101?5").find("end sentinel"), std::string::npos);
}

TEST(MagstripeParser, SplitsTracksAndChecksTheyAgree) {
  Result<MagstripeRead> both =
      ParseMagstripe("%B2000000000015^DOE/JANE^2812101?;2000000000015=2812101?");
  ASSERT_TRUE(both.ok()) << both.error().ToString();
  EXPECT_TRUE(both->track1 && both->track2);
  EXPECT_EQ(both->pan(), "2000000000015");
  EXPECT_EQ(ParseMagstripe("%B2000000000015^DOE/JANE^2812101?").value().pan(), "2000000000015");
  EXPECT_FALSE(ParseMagstripe("").ok());
  EXPECT_FALSE(ParseMagstripe("%B2000000000015^DOE/JANE^2812101?;2000000000022=2812101?").ok());
  EXPECT_FALSE(ParseMagstripe(";2000000000015=2812101?;2000000000015=2812101?").ok());
  EXPECT_FALSE(ParseMagstripe("xx;2000000000015=2812101?").ok());
  EXPECT_FALSE(ParseMagstripe(";2000000000015=2812101").ok());
  EXPECT_FALSE(ParseMagstripe("?").ok());
}

TEST(PaymentCardDetection, RecognisesSchemesByLuhnAndIin) {
  EXPECT_TRUE(LuhnValid("4111111111111111"));
  EXPECT_FALSE(LuhnValid("4111111111111112"));
  EXPECT_FALSE(LuhnValid(""));
  EXPECT_FALSE(LuhnValid("41x1"));
  for (const char* pan : {"4111111111111111", "5555555555554444", "2223003122003222",
                          "378282246310005", "6011111111111117", "3530111333300000",
                          "36259600000004", "6200000000000005", "4222222222222"}) {
    EXPECT_TRUE(LooksLikePaymentCard(pan)) << pan;
  }
  EXPECT_FALSE(LooksLikePaymentCard("4111111111111112"));  // Luhn fails
  EXPECT_FALSE(LooksLikePaymentCard("2000000000015"));     // a loyalty number
  EXPECT_FALSE(LooksLikePaymentCard("9876543210987654"));  // no scheme
  EXPECT_FALSE(LooksLikePaymentCard("37828224631000"));    // Amex prefix, wrong length
}

TEST(MaskPan, ShowsFirstSixAndLastFour) {
  EXPECT_EQ(MaskPan("4111111111111111"), "411111******1111");
  EXPECT_EQ(MaskPan("378282246310005"), "378282*****0005");
  EXPECT_EQ(MaskPan("1234567890"), "**********");
  EXPECT_EQ(MaskPan(""), "");
}

}  // namespace
}  // namespace loyalty::reader
