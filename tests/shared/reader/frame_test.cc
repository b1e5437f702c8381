#include "loyalty/reader/frame.h"

#include <gtest/gtest.h>

#include <vector>

#include "loyalty/reader/card_event.h"

namespace loyalty::reader {
namespace {

std::vector<uint8_t> Concat(std::initializer_list<std::vector<uint8_t>> parts) {
  std::vector<uint8_t> all;
  for (const auto& part : parts) all.insert(all.end(), part.begin(), part.end());
  return all;
}

std::vector<Frame> DecodeAll(FrameDecoder& decoder) {
  std::vector<Frame> frames;
  // Bounded: each call either returns a frame or consumes input, so this cannot spin.
  for (int i = 0; i < 10'000; ++i) {
    std::optional<Frame> frame = decoder.Next();
    if (!frame) break;
    frames.push_back(*std::move(frame));
  }
  return frames;
}

std::vector<Frame> DecodeAll(const std::vector<uint8_t>& bytes) {
  FrameDecoder decoder;
  decoder.Feed(bytes);
  return DecodeAll(decoder);
}

Frame CardFrame(uint8_t seq, std::string data) {
  return Frame{seq, FrameType::kCardPresented,
               EncodeCardEvent(CardEvent{CardTechnology::kBarcode, std::move(data)})};
}

// The worked example in docs/reader-protocol.md.
const std::vector<uint8_t> kBarcodeExample = {
    0x02,                                                              // STX
    0x00, 0x0E,                                                        // LEN 14
    0x01,                                                              // SEQ 1
    0x10,                                                              // card presented
    0x01,                                                              // barcode
    0x32, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30,  // "20000000000"
    0x31, 0x35,                                                        // "15"
    0xF6, 0x21,                                                        // CRC
    0x03,                                                              // ETX
};

TEST(EncodeFrame, MatchesWorkedExample) {
  EXPECT_EQ(EncodeFrame(CardFrame(1, "2000000000015")), kBarcodeExample);
}

TEST(EncodeFrame, EmptyAckIsEightBytes) {
  EXPECT_EQ(EncodeFrame(Frame{1, FrameType::kAck, {}}),
            (std::vector<uint8_t>{0x02, 0x00, 0x00, 0x01, 0x06, 0xD7, 0x37, 0x03}));
  EXPECT_EQ(EncodeFrame(Frame{0, FrameType::kNak, {}}),
            (std::vector<uint8_t>{0x02, 0x00, 0x00, 0x00, 0x15, 0xC6, 0x54, 0x03}));
}

TEST(EncodeFrame, LengthIsBigEndian) {
  const std::vector<uint8_t> bytes =
      EncodeFrame(Frame{0, FrameType::kPing, std::vector<uint8_t>(300, 0xAA)});
  ASSERT_EQ(bytes.size(), 300 + kFrameOverhead);
  EXPECT_EQ(bytes[1], 0x01);
  EXPECT_EQ(bytes[2], 0x2C);
}

TEST(FrameDecoder, DecodesWorkedExample) {
  const std::vector<Frame> frames = DecodeAll(kBarcodeExample);
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0], CardFrame(1, "2000000000015"));
  Result<CardEvent> event = DecodeCardEvent(frames[0].payload);
  ASSERT_TRUE(event.ok());
  EXPECT_EQ(event->data, "2000000000015");
}

TEST(FrameDecoder, RoundTripsEveryTypeAndSizes) {
  for (FrameType type :
       {FrameType::kAck, FrameType::kNak, FrameType::kCardPresented, FrameType::kCardRemoved,
        FrameType::kDeviceError, FrameType::kPing, FrameType::kPong}) {
    for (std::size_t size :
         {std::size_t{0}, std::size_t{1}, std::size_t{255}, std::size_t{256}, kMaxPayloadSize}) {
      std::vector<uint8_t> payload(size);
      for (std::size_t i = 0; i < size; ++i) payload[i] = static_cast<uint8_t>(i * 7);
      const Frame frame{static_cast<uint8_t>(size & 0xFF), type, payload};
      const std::vector<Frame> frames = DecodeAll(EncodeFrame(frame));
      ASSERT_EQ(frames.size(), 1u) << FrameTypeName(type) << " size " << size;
      EXPECT_EQ(frames[0], frame);
    }
  }
}

TEST(FrameDecoder, UnknownTypeStillDecodes) {
  const Frame frame{9, static_cast<FrameType>(0x7F), {1, 2, 3}};
  const std::vector<Frame> frames = DecodeAll(EncodeFrame(frame));
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(static_cast<uint8_t>(frames[0].type), 0x7F);
  EXPECT_STREQ(FrameTypeName(frames[0].type), "unknown");
}

TEST(FrameDecoder, PayloadContainingStxAndEtx) {
  const Frame frame{3, FrameType::kPing, {kStx, kEtx, kStx, 0x00, 0x01, kEtx, kStx}};
  FrameDecoder decoder;
  decoder.Feed(Concat({EncodeFrame(frame), EncodeFrame(frame)}));
  const std::vector<Frame> frames = DecodeAll(decoder);
  ASSERT_EQ(frames.size(), 2u);
  EXPECT_EQ(frames[0], frame);
  EXPECT_EQ(frames[1], frame);
  EXPECT_EQ(decoder.stats().bytes_skipped, 0u);
}

TEST(FrameDecoder, FrameSplitByteByByte) {
  const std::vector<uint8_t> bytes = Concat({kBarcodeExample, EncodeFrame(CardFrame(2, "42"))});
  FrameDecoder decoder;
  std::vector<Frame> frames;
  for (uint8_t byte : bytes) {
    decoder.Feed(std::span<const uint8_t>(&byte, 1));
    for (Frame& frame : DecodeAll(decoder)) frames.push_back(std::move(frame));
  }
  ASSERT_EQ(frames.size(), 2u);
  EXPECT_EQ(frames[0].seq, 1);
  EXPECT_EQ(frames[1], CardFrame(2, "42"));
  EXPECT_EQ(decoder.buffered_bytes(), 0u);
}

TEST(FrameDecoder, TruncatedFrameWaitsForMore) {
  FrameDecoder decoder;
  decoder.Feed(std::span(kBarcodeExample).first(kBarcodeExample.size() - 1));
  EXPECT_FALSE(decoder.Next());
  EXPECT_EQ(decoder.buffered_bytes(), kBarcodeExample.size() - 1);
  decoder.Feed(std::span(kBarcodeExample).last(1));
  EXPECT_TRUE(decoder.Next());
}

TEST(FrameDecoder, HeaderOnlyWaitsForMore) {
  FrameDecoder decoder;
  decoder.Feed(std::span(kBarcodeExample).first(3));
  EXPECT_FALSE(decoder.Next());
  EXPECT_EQ(decoder.stats().bytes_skipped, 0u);
}

TEST(FrameDecoder, NoiseBeforeAndBetweenFramesIsSkipped) {
  const std::vector<uint8_t> noise = {0x00, 0xFF, 0x03, 0x55};
  FrameDecoder decoder;
  decoder.Feed(Concat({noise, kBarcodeExample, noise, EncodeFrame(CardFrame(2, "7")), noise}));
  const std::vector<Frame> frames = DecodeAll(decoder);
  ASSERT_EQ(frames.size(), 2u);
  EXPECT_EQ(frames[0].seq, 1);
  EXPECT_EQ(frames[1].seq, 2);
  EXPECT_EQ(decoder.stats().bytes_skipped, 3 * noise.size());
  EXPECT_EQ(decoder.buffered_bytes(), 0u);
}

TEST(FrameDecoder, BadCrcIsCountedAndNextFrameDecodes) {
  std::vector<uint8_t> corrupted = kBarcodeExample;
  corrupted[19] ^= 0x01;  // CRC high byte
  FrameDecoder decoder;
  decoder.Feed(Concat({corrupted, EncodeFrame(CardFrame(2, "7"))}));
  const std::vector<Frame> frames = DecodeAll(decoder);
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0].seq, 2);
  EXPECT_EQ(decoder.stats().crc_errors, 1u);
  EXPECT_EQ(decoder.stats().frames, 1u);
  EXPECT_EQ(decoder.stats().bytes_skipped, corrupted.size());
}

TEST(FrameDecoder, ResyncsAfterCorruptedByte) {
  std::vector<uint8_t> corrupted = kBarcodeExample;
  corrupted[8] = 'X';  // payload byte: CRC no longer matches
  const std::vector<Frame> frames = DecodeAll(Concat({corrupted, kBarcodeExample}));
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0], CardFrame(1, "2000000000015"));
}

TEST(FrameDecoder, BadEtxIsSkippedWithoutCrcError) {
  std::vector<uint8_t> corrupted = kBarcodeExample;
  corrupted.back() = 0x04;
  FrameDecoder decoder;
  decoder.Feed(Concat({corrupted, kBarcodeExample}));
  EXPECT_EQ(DecodeAll(decoder).size(), 1u);
  EXPECT_EQ(decoder.stats().crc_errors, 0u);
  EXPECT_EQ(decoder.stats().bytes_skipped, corrupted.size());
}

TEST(FrameDecoder, LengthOverMaximumIsSkippedAtOnce) {
  // LEN 0x0401 = 1025: rejected without waiting for 1033 bytes.
  FrameDecoder decoder;
  decoder.Feed(Concat({{kStx, 0x04, 0x01, 0x00, 0x10}, kBarcodeExample}));
  const std::vector<Frame> frames = DecodeAll(decoder);
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(decoder.stats().bytes_skipped, 5u);
}

TEST(FrameDecoder, MaximumLengthFrameIsAccepted) {
  const Frame frame{1, FrameType::kPing, std::vector<uint8_t>(kMaxPayloadSize, kStx)};
  const std::vector<Frame> frames = DecodeAll(EncodeFrame(frame));
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0].payload.size(), kMaxPayloadSize);
}

TEST(FrameDecoder, StrayStxJustBeforeFrame) {
  // The stray STX makes the real STX look like the high LEN byte (0x02xx = 512+):
  // the decoder waits for that many bytes, so the frame is found only once the
  // line has been idle and the caller drops the stale partial.
  FrameDecoder decoder;
  decoder.Feed(Concat({{kStx}, kBarcodeExample}));
  EXPECT_FALSE(decoder.Next());
  decoder.DropStalePartial();
  const std::optional<Frame> frame = decoder.Next();
  ASSERT_TRUE(frame);
  EXPECT_EQ(frame->seq, 1);
}

TEST(FrameDecoder, StrayStxWithShortLengthResyncsByItself) {
  // STX 00 followed by the real frame: LEN reads 0x0002, ETX check fails, resync.
  FrameDecoder decoder;
  decoder.Feed(Concat({{kStx, 0x00}, kBarcodeExample}));
  const std::vector<Frame> frames = DecodeAll(decoder);
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0].seq, 1);
}

TEST(FrameDecoder, EveryTruncationPointRecoversOnNextFrame) {
  // A frame cut short at any point, then a complete frame: the complete one must come
  // out once the partial is given up on (idle) or resynced.
  for (std::size_t cut = 1; cut < kBarcodeExample.size(); ++cut) {
    FrameDecoder decoder;
    decoder.Feed(std::span(kBarcodeExample).first(cut));
    decoder.Feed(EncodeFrame(CardFrame(2, "9")));
    std::vector<Frame> frames = DecodeAll(decoder);
    for (int i = 0; i < 64 && frames.empty() && decoder.buffered_bytes() > 0; ++i) {
      decoder.DropStalePartial();
      frames = DecodeAll(decoder);
    }
    ASSERT_EQ(frames.size(), 1u) << "cut at " << cut;
    EXPECT_EQ(frames[0].seq, 2) << "cut at " << cut;
  }
}

TEST(FrameDecoder, EverySingleByteCorruptionIsRejected) {
  for (std::size_t index = 0; index < kBarcodeExample.size(); ++index) {
    std::vector<uint8_t> corrupted = kBarcodeExample;
    corrupted[index] ^= 0x5A;
    FrameDecoder decoder;
    decoder.Feed(corrupted);
    for (const Frame& frame : DecodeAll(decoder)) {
      ADD_FAILURE() << "byte " << index << " corrupted, yet decoded seq " << int{frame.seq};
    }
  }
}

TEST(FrameDecoder, BufferStaysBoundedUnderNoise) {
  FrameDecoder decoder;
  std::vector<uint8_t> noise(4096, 0x55);
  for (int i = 0; i < 100; ++i) {
    decoder.Feed(noise);
    EXPECT_FALSE(decoder.Next());
    EXPECT_EQ(decoder.buffered_bytes(), 0u);
  }
  // Noise made of STX with a short LEN: at most one partial frame is kept.
  std::vector<uint8_t> stx_noise(4096, kStx);
  decoder.Feed(stx_noise);
  EXPECT_FALSE(decoder.Next());
  EXPECT_LT(decoder.buffered_bytes(), kMaxFrameSize);
}

TEST(FrameDecoder, ManyFramesInOneFeed) {
  std::vector<uint8_t> bytes;
  for (int seq = 0; seq < 256; ++seq) {
    const std::vector<uint8_t> frame = EncodeFrame(CardFrame(static_cast<uint8_t>(seq), "123"));
    bytes.insert(bytes.end(), frame.begin(), frame.end());
  }
  const std::vector<Frame> frames = DecodeAll(bytes);
  ASSERT_EQ(frames.size(), 256u);
  for (std::size_t i = 0; i < frames.size(); ++i) EXPECT_EQ(frames[i].seq, i);
}

}  // namespace
}  // namespace loyalty::reader
