#include "loyalty/reader/card_event.h"

#include <gtest/gtest.h>

namespace loyalty::reader {
namespace {

TEST(CardEvent, RoundTripsBarcode) {
  const CardEvent event{CardTechnology::kBarcode, "2000000000015"};
  const std::vector<uint8_t> payload = EncodeCardEvent(event);
  ASSERT_EQ(payload.size(), 14u);
  EXPECT_EQ(payload[0], 0x01);
  Result<CardEvent> decoded = DecodeCardEvent(payload);
  ASSERT_TRUE(decoded.ok()) << decoded.error().ToString();
  EXPECT_EQ(*decoded, event);
}

TEST(CardEvent, RoundTripsMagstripeAndNfc) {
  for (const CardEvent& event : {CardEvent{CardTechnology::kMagstripe, ";123=2512?"},
                                 CardEvent{CardTechnology::kNfc, "04A1B2C3:2000000000015"}}) {
    Result<CardEvent> decoded = DecodeCardEvent(EncodeCardEvent(event));
    ASSERT_TRUE(decoded.ok()) << decoded.error().ToString();
    EXPECT_EQ(*decoded, event);
  }
}

TEST(CardEvent, RejectsEmptyPayload) {
  Result<CardEvent> decoded = DecodeCardEvent({});
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(decoded.error().field, "payload");
  EXPECT_NE(decoded.error().message.find("empty"), std::string::npos);
}

TEST(CardEvent, RejectsUnknownTechnology) {
  const std::vector<uint8_t> payload = {0x7F, '1'};
  Result<CardEvent> decoded = DecodeCardEvent(payload);
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.error().field, "technology");
  EXPECT_NE(decoded.error().message.find("0x7F"), std::string::npos);
}

TEST(CardEvent, RejectsZeroTechnology) {
  const std::vector<uint8_t> payload = {0x00, '1'};
  EXPECT_FALSE(DecodeCardEvent(payload).ok());
}

TEST(CardEvent, RejectsEmptyData) {
  const std::vector<uint8_t> payload = {0x01};
  Result<CardEvent> decoded = DecodeCardEvent(payload);
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.error().field, "data");
  EXPECT_NE(decoded.error().message.find("barcode"), std::string::npos);
}

TEST(CardEvent, RejectsNonPrintableBarcode) {
  for (uint8_t bad : {uint8_t{0x00}, uint8_t{0x0A}, uint8_t{0x1F}, uint8_t{0x7F}, uint8_t{0xC3}}) {
    const std::vector<uint8_t> payload = {0x01, '1', '2', bad, '3'};
    Result<CardEvent> decoded = DecodeCardEvent(payload);
    ASSERT_FALSE(decoded.ok()) << int{bad};
    EXPECT_EQ(decoded.error().field, "data");
    EXPECT_NE(decoded.error().message.find("offset 2"), std::string::npos)
        << decoded.error().message;
  }
}

TEST(CardEvent, AcceptsPrintableEdges) {
  const std::vector<uint8_t> payload = {0x01, 0x20, 0x7E};
  EXPECT_TRUE(DecodeCardEvent(payload).ok());
}

TEST(CardTechnology, NamesRoundTrip) {
  for (CardTechnology technology :
       {CardTechnology::kBarcode, CardTechnology::kMagstripe, CardTechnology::kNfc}) {
    Result<CardTechnology> parsed = ParseTechnology(TechnologyName(technology));
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(*parsed, technology);
  }
  EXPECT_STREQ(TechnologyName(CardTechnology::kBarcode), "barcode");
  EXPECT_STREQ(TechnologyName(CardTechnology::kMagstripe), "magstripe");
  EXPECT_STREQ(TechnologyName(CardTechnology::kNfc), "nfc");
  EXPECT_STREQ(TechnologyName(static_cast<CardTechnology>(0x42)), "unknown");
}

TEST(CardTechnology, ParseRejectsUnknownName) {
  for (std::string_view name : {"", "Barcode", "qr", "unknown"}) {
    Result<CardTechnology> parsed = ParseTechnology(name);
    ASSERT_FALSE(parsed.ok()) << name;
    EXPECT_EQ(parsed.error().field, "technology");
    EXPECT_NE(parsed.error().message.find("expected barcode"), std::string::npos);
  }
}

}  // namespace
}  // namespace loyalty::reader
