#include "loyalty/reader/messages.h"

#include <gtest/gtest.h>

#include "loyalty/reader/nfc_auth.h"

namespace loyalty::reader {
namespace {

TEST(DeviceInfoCodec, RoundTripsAndRejectsMalformed) {
  const DeviceInfo info{"LR-300", "1.1.0", "SN1"};
  EXPECT_EQ(DecodeDeviceInfo(EncodeDeviceInfo(info)).value(), info);
  EXPECT_EQ(DecodeDeviceInfo({}).error().field, "model");
  EXPECT_EQ(DecodeDeviceInfo(std::vector<uint8_t>{1, 'A'}).error().field, "firmware_version");
  EXPECT_FALSE(DecodeDeviceInfo(std::vector<uint8_t>{5, 'A'}).ok());        // short
  EXPECT_FALSE(DecodeDeviceInfo(std::vector<uint8_t>{0, 1, 'A', 1, 'B'}).ok());  // empty field
  EXPECT_FALSE(DecodeDeviceInfo(std::vector<uint8_t>{1, 0x07, 1, 'A', 1, 'B'}).ok());
  std::vector<uint8_t> extra = EncodeDeviceInfo(info);
  extra.push_back('x');
  EXPECT_EQ(DecodeDeviceInfo(extra).error().field, "payload");
}

TEST(LedAndBeepCodec, RoundTripAndLimits) {
  EXPECT_EQ(DecodeLedCommand(EncodeLedCommand({LedColor::kAmber, 700})).value(),
            (LedCommand{LedColor::kAmber, 700}));
  EXPECT_FALSE(DecodeLedCommand(std::vector<uint8_t>{9, 0, 0}).ok());
  EXPECT_FALSE(DecodeLedCommand(std::vector<uint8_t>{1, 0}).ok());
  EXPECT_EQ(DecodeBeepCommand(EncodeBeepCommand({2, 100})).value(), (BeepCommand{2, 100}));
  EXPECT_FALSE(DecodeBeepCommand(std::vector<uint8_t>{11, 0, 100}).ok());
  EXPECT_FALSE(DecodeBeepCommand(std::vector<uint8_t>{1, 0, 0}).ok());
  EXPECT_FALSE(DecodeBeepCommand(std::vector<uint8_t>{1, 0x07, 0xD1}).ok());  // 2001 ms
  EXPECT_EQ(ParseLedColor("green").value(), LedColor::kGreen);
  EXPECT_FALSE(ParseLedColor("blue").ok());
}

TEST(NfcAuthCodec, RoundTripsAndRejectsMalformed) {
  NfcChallenge challenge{};
  challenge[3] = 9;
  EXPECT_EQ(DecodeNfcAuthRequest(EncodeNfcAuthRequest(challenge)).value(), challenge);
  EXPECT_FALSE(DecodeNfcAuthRequest(std::vector<uint8_t>(15)).ok());
  NfcAuthResult ok{NfcAuthStatus::kOk, {}};
  ok.answer[0] = 1;
  EXPECT_EQ(DecodeNfcAuthResult(EncodeNfcAuthResult(ok)).value(), ok);
  EXPECT_EQ(DecodeNfcAuthResult(std::vector<uint8_t>{1}).value().status, NfcAuthStatus::kNoCard);
  EXPECT_FALSE(DecodeNfcAuthResult({}).ok());
  EXPECT_FALSE(DecodeNfcAuthResult(std::vector<uint8_t>{0, 1, 2}).ok());
  EXPECT_FALSE(DecodeNfcAuthResult(std::vector<uint8_t>{2, 0}).ok());
  EXPECT_FALSE(DecodeNfcAuthResult(std::vector<uint8_t>{7}).ok());
}

TEST(DeviceErrorCodec, RoundTripsAndRejectsMalformed) {
  EXPECT_EQ(DecodeDeviceError(EncodeDeviceError({2, "antenna"})).value(),
            (DeviceError{2, "antenna"}));
  EXPECT_FALSE(DecodeDeviceError({}).ok());
  EXPECT_FALSE(DecodeDeviceError(std::vector<uint8_t>{1, 0x00}).ok());
}

TEST(NfcAuth, KnownAnswerAndKeyDiversification) {
  const std::vector<uint8_t> master(32, 0x5A);
  const std::vector<uint8_t> uid = {0x04, 0xA1, 0xB2, 0xC3};
  const NfcCardKey key = DeriveNfcCardKey(master, uid);
  EXPECT_NE(key, DeriveNfcCardKey(master, std::vector<uint8_t>{0x04, 0xA1, 0xB2, 0xC4}));
  const NfcChallenge challenge{};
  const NfcAnswer answer = ComputeNfcAnswer(key, challenge);
  EXPECT_TRUE(NfcAnswerMatches(answer, answer));
  NfcAnswer wrong = answer;
  wrong[15] ^= 1;
  EXPECT_FALSE(NfcAnswerMatches(answer, wrong));
  EXPECT_FALSE(NfcAnswerMatches(answer, std::vector<uint8_t>(15)));
  EXPECT_NE(RandomNfcChallenge(), RandomNfcChallenge());
}

TEST(NfcCardData, ParsesAndRejects) {
  Result<NfcCardData> card = ParseNfcCardData("04A1B2C3D4E5F6:2000000000015");
  ASSERT_TRUE(card.ok());
  EXPECT_EQ(card->uid.size(), 7u);
  EXPECT_EQ(FormatNfcCardData(*card), "04A1B2C3D4E5F6:2000000000015");
  EXPECT_FALSE(ParseNfcCardData("04A1B2C3").ok());
  EXPECT_FALSE(ParseNfcCardData("04A1B2:2000000000015").ok());
  EXPECT_FALSE(ParseNfcCardData("04A1B2CX:2000000000015").ok());
  EXPECT_FALSE(ParseNfcCardData(std::string(22, 'A') + ":1").ok());
  EXPECT_FALSE(ParseNfcCardData("04A1B2C3:").ok());
  EXPECT_EQ(ParseHex("0aFF", "k").value(), (std::vector<uint8_t>{0x0A, 0xFF}));
  EXPECT_FALSE(ParseHex("abc", "k").ok());
}

}  // namespace
}  // namespace loyalty::reader
