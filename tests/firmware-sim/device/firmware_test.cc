#include "device/firmware.h"

#include <gtest/gtest.h>

#include <vector>

namespace loyalty::firmware_sim {
namespace {

using namespace std::chrono_literals;
using reader::CardEvent;
using reader::CardTechnology;
using reader::Frame;
using reader::FrameType;

FirmwareOptions Options(std::chrono::milliseconds retransmit_after, int max_retransmits,
                        std::size_t max_queued_events) {
  FirmwareOptions options;
  options.retransmit_after = retransmit_after;
  options.max_retransmits = max_retransmits;
  options.max_queued_events = max_queued_events;
  return options;
}

// Drives a Firmware with a fake clock and decodes what it puts on the line.
class FirmwareTest : public ::testing::Test {
 protected:
  std::vector<Frame> Output() {
    line_.Feed(firmware_.TakeOutput());
    std::vector<Frame> frames;
    for (int i = 0; i < 1000; ++i) {
      std::optional<Frame> frame = line_.Next();
      if (!frame) break;
      frames.push_back(*std::move(frame));
    }
    return frames;
  }
  void HostSends(const Frame& frame) { firmware_.OnHostBytes(reader::EncodeFrame(frame), now_); }
  void Advance(std::chrono::milliseconds step) {
    now_ += step;
    firmware_.OnTimer(now_);
  }
  uint8_t Present(const std::string& data) {
    Result<uint8_t> seq = firmware_.PresentCard(CardEvent{CardTechnology::kBarcode, data}, now_);
    EXPECT_TRUE(seq.ok()) << seq.error().ToString();
    return seq.ok() ? *seq : 0;
  }

  Firmware firmware_;
  reader::FrameDecoder line_;
  Firmware::TimePoint now_{};
};

TEST_F(FirmwareTest, PresentSendsCardFrameWithSeqOne) {
  EXPECT_EQ(Present("2000000000015"), 1);
  const std::vector<Frame> frames = Output();
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0].seq, 1);
  EXPECT_EQ(frames[0].type, FrameType::kCardPresented);
  Result<CardEvent> event = reader::DecodeCardEvent(frames[0].payload);
  ASSERT_TRUE(event.ok());
  EXPECT_EQ(event->data, "2000000000015");
  EXPECT_EQ(firmware_.stats().frames_sent, 1u);
}

TEST_F(FirmwareTest, AckStopsRetransmission) {
  Present("1");
  Output();
  HostSends(Frame{1, FrameType::kAck, {}});
  EXPECT_EQ(firmware_.pending_events(), 0u);
  EXPECT_FALSE(firmware_.NextTimer());
  Advance(2s);
  EXPECT_TRUE(Output().empty());
  EXPECT_EQ(firmware_.stats().acks_received, 1u);
  EXPECT_EQ(firmware_.stats().retransmits, 0u);
}

TEST_F(FirmwareTest, RetransmitsEvery500msThreeTimesThenDrops) {
  Present("1");
  ASSERT_EQ(Output().size(), 1u);
  ASSERT_TRUE(firmware_.NextTimer());
  EXPECT_EQ(*firmware_.NextTimer(), now_ + 500ms);

  Advance(499ms);
  EXPECT_TRUE(Output().empty());
  for (int attempt = 1; attempt <= 3; ++attempt) {
    Advance(attempt == 1 ? 1ms : 500ms);
    const std::vector<Frame> frames = Output();
    ASSERT_EQ(frames.size(), 1u) << "retransmit " << attempt;
    EXPECT_EQ(frames[0].seq, 1);
  }
  EXPECT_EQ(firmware_.stats().retransmits, 3u);
  Advance(500ms);
  EXPECT_TRUE(Output().empty());
  EXPECT_EQ(firmware_.stats().events_dropped, 1u);
  EXPECT_EQ(firmware_.pending_events(), 0u);
  EXPECT_EQ(firmware_.stats().frames_sent, 4u);
}

TEST_F(FirmwareTest, RetransmitIntervalIsConfigurable) {
  firmware_ = Firmware(Options(100ms, 1, 16));
  Present("1");
  Output();
  Advance(100ms);
  EXPECT_EQ(Output().size(), 1u);
  Advance(100ms);
  EXPECT_TRUE(Output().empty());
  EXPECT_EQ(firmware_.stats().events_dropped, 1u);
}

TEST_F(FirmwareTest, OneEventInFlightOthersWaitInOrder) {
  EXPECT_EQ(Present("A"), 1);
  EXPECT_EQ(Present("B"), 2);
  EXPECT_EQ(firmware_.RemoveCard(now_).value(), 3);
  std::vector<Frame> frames = Output();
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0].seq, 1);
  EXPECT_EQ(firmware_.pending_events(), 3u);

  HostSends(Frame{1, FrameType::kAck, {}});
  frames = Output();
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0].seq, 2);
  HostSends(Frame{2, FrameType::kAck, {}});
  frames = Output();
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0].seq, 3);
  EXPECT_EQ(frames[0].type, FrameType::kCardRemoved);
  EXPECT_TRUE(frames[0].payload.empty());
}

TEST_F(FirmwareTest, AckForOtherSeqIsIgnored) {
  Present("A");
  Output();
  HostSends(Frame{7, FrameType::kAck, {}});
  EXPECT_EQ(firmware_.pending_events(), 1u);
  Advance(500ms);
  EXPECT_EQ(Output().size(), 1u);
}

TEST_F(FirmwareTest, NakRetransmitsAtOnceUpToItsOwnLimit) {
  FirmwareOptions options;
  options.max_nak_resends = 4;
  firmware_ = Firmware(options);
  Present("A");
  Output();
  for (int i = 0; i < 6; ++i) HostSends(Frame{0, FrameType::kNak, {}});
  EXPECT_EQ(Output().size(), 4u);  // only max_nak_resends resends, however many NAKs
  EXPECT_EQ(firmware_.stats().naks_received, 6u);
  EXPECT_EQ(firmware_.stats().retransmits, 4u);
  // Timeouts still get their own max_retransmits (3) before the event is dropped.
  for (int i = 0; i < 3; ++i) {
    Advance(500ms);
    EXPECT_EQ(Output().size(), 1u);
  }
  Advance(500ms);
  EXPECT_EQ(firmware_.stats().events_dropped, 1u);
}

TEST_F(FirmwareTest, NakWithNothingInFlightIsCountedOnly) {
  HostSends(Frame{0, FrameType::kNak, {}});
  EXPECT_TRUE(Output().empty());
  EXPECT_EQ(firmware_.stats().naks_received, 1u);
}

TEST_F(FirmwareTest, PingGetsPongWithPayloadAndThePingsSeq) {
  HostSends(Frame{42, FrameType::kPing, {1, 2, 3}});
  const std::vector<Frame> frames = Output();
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0].type, FrameType::kPong);
  EXPECT_EQ(frames[0].seq, 42);
  EXPECT_EQ(frames[0].payload, (std::vector<uint8_t>{1, 2, 3}));
  // Responses do not use the event counter: events stay consecutive for the host.
  EXPECT_EQ(Present("A"), 1);
}

TEST_F(FirmwareTest, HostBytesSplitAndCorruptedAreHandled) {
  Present("A");
  Output();
  std::vector<uint8_t> ack = reader::EncodeFrame(Frame{1, FrameType::kAck, {}});
  std::vector<uint8_t> bad = ack;
  bad[5] ^= 0xFF;
  firmware_.OnHostBytes(bad, now_);
  EXPECT_EQ(firmware_.pending_events(), 1u);
  for (uint8_t byte : ack) firmware_.OnHostBytes(std::span<const uint8_t>(&byte, 1), now_);
  EXPECT_EQ(firmware_.pending_events(), 0u);
}

TEST_F(FirmwareTest, SeqWrapsFrom255To0) {
  for (int i = 1; i <= 255; ++i) {
    const uint8_t seq = Present("A");
    HostSends(Frame{seq, FrameType::kAck, {}});
  }
  EXPECT_EQ(Present("A"), 0);
  HostSends(Frame{0, FrameType::kAck, {}});
  EXPECT_EQ(Present("A"), 1);
}

TEST_F(FirmwareTest, SendsMagstripeAndNfcAsRead) {
  ASSERT_TRUE(
      firmware_.PresentCard(CardEvent{CardTechnology::kMagstripe, ";2000000000015=2812101?"}, now_)
          .ok());
  std::vector<Frame> frames = Output();
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(reader::DecodeCardEvent(frames[0].payload).value().technology,
            CardTechnology::kMagstripe);
  HostSends(Frame{1, FrameType::kAck, {}});
  ASSERT_TRUE(
      firmware_.PresentCard(CardEvent{CardTechnology::kNfc, "04A1B2C3:2000000000015"}, now_).ok());
  frames = Output();
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(reader::DecodeCardEvent(frames[0].payload).value().data, "04A1B2C3:2000000000015");
}

TEST_F(FirmwareTest, RejectsDataTheHostWouldRefuse) {
  EXPECT_FALSE(firmware_.PresentCard(CardEvent{CardTechnology::kBarcode, "12\t3"}, now_).ok());
  Result<uint8_t> too_long = firmware_.PresentCard(
      CardEvent{CardTechnology::kBarcode, std::string(reader::kMaxCardDataSize + 1, '1')}, now_);
  ASSERT_FALSE(too_long.ok());
  EXPECT_NE(too_long.error().message.find("1023"), std::string::npos);
  EXPECT_TRUE(
      firmware_
          .PresentCard(
              CardEvent{CardTechnology::kBarcode, std::string(reader::kMaxCardDataSize, '1')}, now_)
          .ok());
}

TEST_F(FirmwareTest, QueueIsBounded) {
  firmware_ = Firmware(Options(500ms, 3, 2));
  Present("in flight");
  Present("waiting 1");
  Present("waiting 2");
  Result<uint8_t> refused = firmware_.PresentCard(CardEvent{CardTechnology::kBarcode, "x"}, now_);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kUnavailable);
}

TEST_F(FirmwareTest, AnswersDeviceInfoLedAndBeepWithTheCommandsSeq) {
  HostSends(Frame{9, FrameType::kDeviceInfoRequest, {}});
  HostSends(Frame{10, FrameType::kSetLed, reader::EncodeLedCommand({reader::LedColor::kRed, 300})});
  HostSends(Frame{11, FrameType::kBeep, reader::EncodeBeepCommand({3, 50})});
  HostSends(Frame{12, FrameType::kBeep, {0, 0, 50}});  // count 0: not answered
  const std::vector<Frame> frames = Output();
  ASSERT_EQ(frames.size(), 3u);
  EXPECT_EQ(frames[0].type, FrameType::kDeviceInfo);
  EXPECT_EQ(frames[0].seq, 9);
  EXPECT_EQ(reader::DecodeDeviceInfo(frames[0].payload).value().model, "LR-300 (simulated)");
  EXPECT_EQ(frames[1], (Frame{10, FrameType::kLedDone, {}}));
  EXPECT_EQ(frames[2], (Frame{11, FrameType::kBeepDone, {}}));
  EXPECT_EQ(firmware_.led().color, reader::LedColor::kRed);
  EXPECT_EQ(firmware_.stats().beeps, 3u);
  EXPECT_EQ(firmware_.stats().bad_commands, 1u);
}

TEST_F(FirmwareTest, NfcCardAnswersChallengeWithItsKey) {
  FirmwareOptions options;
  options.nfc_master_key = std::vector<uint8_t>(32, 7);
  firmware_ = Firmware(options);
  const reader::NfcChallenge challenge{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
  const auto ask = [&](uint8_t seq) {
    HostSends(Frame{seq, FrameType::kNfcAuth, reader::EncodeNfcAuthRequest(challenge)});
    std::vector<Frame> frames = Output();
    EXPECT_FALSE(frames.empty());
    return reader::DecodeNfcAuthResult(frames.back().payload).value();
  };
  EXPECT_EQ(ask(1).status, reader::NfcAuthStatus::kNoCard);

  ASSERT_TRUE(firmware_.PresentCard(CardEvent{CardTechnology::kNfc, "01020304:2000000000015"}, now_)
                  .ok());
  HostSends(Frame{1, FrameType::kAck, {}});
  const reader::NfcCardKey key =
      reader::DeriveNfcCardKey(std::vector<uint8_t>(32, 7), std::vector<uint8_t>{1, 2, 3, 4});
  reader::NfcAuthResult result = ask(2);
  EXPECT_EQ(result.status, reader::NfcAuthStatus::kOk);
  EXPECT_EQ(result.answer, reader::ComputeNfcAnswer(key, challenge));

  NfcKeyChoice none;
  none.kind = NfcKeyChoice::Kind::kNone;
  ASSERT_TRUE(firmware_.PresentCard(CardEvent{CardTechnology::kNfc, "01020304:2000000000015"}, now_,
                                    none)
                  .ok());
  EXPECT_EQ(ask(3).status, reader::NfcAuthStatus::kCardNoKey);
  ASSERT_TRUE(firmware_.RemoveCard(now_).ok());
  EXPECT_EQ(ask(4).status, reader::NfcAuthStatus::kNoCard);
}

TEST_F(FirmwareTest, DeviceErrorIsAnEvent) {
  ASSERT_EQ(firmware_.ReportError({1, "head dirty"}, now_).value(), 1);
  const std::vector<Frame> frames = Output();
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0].type, FrameType::kDeviceError);
  EXPECT_EQ(reader::DecodeDeviceError(frames[0].payload).value().description, "head dirty");
}

}  // namespace
}  // namespace loyalty::firmware_sim
