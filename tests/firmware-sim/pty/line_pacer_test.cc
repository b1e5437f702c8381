#include "pty/line_pacer.h"

#include <gtest/gtest.h>

namespace loyalty::firmware_sim {
namespace {

using namespace std::chrono_literals;

TEST(TransmitTime, TenBitsPerByte) {
  EXPECT_EQ(TransmitTime(1, 9600), std::chrono::nanoseconds(1'041'666));
  EXPECT_EQ(TransmitTime(11520, 115200), 1s);
  EXPECT_EQ(TransmitTime(0, 115200), 0ns);
}

TEST(LinePacer, SpacesChunksByLineTime) {
  LinePacer pacer(9600);
  const LinePacer::Clock::time_point start{};
  EXPECT_TRUE(pacer.Ready(start));
  EXPECT_EQ(pacer.ChunkSize(), 1u);
  pacer.Sent(96, start);
  EXPECT_FALSE(pacer.Ready(start + 99ms));
  EXPECT_TRUE(pacer.Ready(start + 100ms));
}

TEST(LinePacer, LateCallerGetsNoBurst) {
  LinePacer pacer(115200);
  const LinePacer::Clock::time_point start{};
  pacer.Sent(1152, start);  // busy until +100 ms
  pacer.Sent(1152, start + 1s);
  EXPECT_EQ(pacer.free_at(), start + 1100ms);
}

TEST(LinePacer, ChunkIsAboutTwoMilliseconds) {
  EXPECT_EQ(LinePacer(115200).ChunkSize(), 23u);
  EXPECT_EQ(LinePacer(1200).ChunkSize(), 1u);
}

}  // namespace
}  // namespace loyalty::firmware_sim
