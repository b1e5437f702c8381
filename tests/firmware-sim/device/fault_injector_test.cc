#include "device/fault_injector.h"

#include <gtest/gtest.h>

#include <vector>

namespace loyalty::firmware_sim {
namespace {

const std::vector<uint8_t> kFrame(22, 0x30);

TEST(FaultInjector, PassesFramesThroughWithoutFaults) {
  FaultInjector injector(1);
  EXPECT_EQ(injector.Apply(kFrame, true), kFrame);
}

TEST(FaultInjector, CorruptFlipsOneBitPerDamagedByte) {
  FaultInjector injector(1);
  injector.settings().corrupt = 1;
  const std::vector<uint8_t> out = injector.Apply(kFrame, false);
  ASSERT_EQ(out.size(), kFrame.size());
  for (std::size_t i = 0; i < out.size(); ++i) {
    EXPECT_EQ(__builtin_popcount(static_cast<unsigned>(out[i] ^ kFrame[i])), 1) << i;
  }
  EXPECT_EQ(injector.stats().bytes_corrupted, kFrame.size());
}

TEST(FaultInjector, RatesAreRoughlyAsConfigured) {
  FaultInjector injector(7);
  injector.settings().drop = 0.01;
  injector.settings().corrupt = 0.05;
  std::size_t bytes_out = 0;
  for (int i = 0; i < 2000; ++i) bytes_out += injector.Apply(kFrame, false).size();
  const double total = 2000.0 * static_cast<double>(kFrame.size());
  EXPECT_NEAR(static_cast<double>(injector.stats().bytes_dropped) / total, 0.01, 0.004);
  EXPECT_NEAR(static_cast<double>(injector.stats().bytes_corrupted) / total, 0.05, 0.01);
  EXPECT_EQ(static_cast<double>(bytes_out), total - static_cast<double>(injector.stats().bytes_dropped));
}

TEST(FaultInjector, DuplicatesOnlyEventsAndAddsNoiseBefore) {
  FaultInjector injector(3);
  injector.settings().duplicate = 1;
  EXPECT_EQ(injector.Apply(kFrame, false).size(), kFrame.size());
  EXPECT_EQ(injector.Apply(kFrame, true).size(), 2 * kFrame.size());
  injector.settings() = FaultSettings{};
  injector.settings().noise = 1;
  const std::vector<uint8_t> noisy = injector.Apply(kFrame, true);
  ASSERT_GT(noisy.size(), kFrame.size());
  ASSERT_LE(noisy.size(), kFrame.size() + 8);
  EXPECT_TRUE(std::equal(kFrame.begin(), kFrame.end(), noisy.end() - static_cast<long>(kFrame.size())));
}

TEST(FaultInjector, SameSeedSameDamage) {
  FaultInjector first(42);
  FaultInjector second(42);
  first.settings().corrupt = second.settings().corrupt = 0.3;
  EXPECT_EQ(first.Apply(kFrame, false), second.Apply(kFrame, false));
}

TEST(SetFault, ParsesAndRejects) {
  FaultSettings faults;
  EXPECT_TRUE(SetFault(faults, "corrupt", "0.05").ok());
  EXPECT_TRUE(SetFault(faults, "latency", "20ms").ok());
  EXPECT_TRUE(SetFault(faults, "mute", "on").ok());
  EXPECT_EQ(FormatFaults(faults),
            "corrupt=0.05 drop=0 noise=0 duplicate=0 latency_ms=20 mute=on");
  EXPECT_FALSE(SetFault(faults, "corrupt", "-0.1").ok());
  EXPECT_FALSE(SetFault(faults, "drop", "nan").ok());
  EXPECT_FALSE(SetFault(faults, "latency", "99999").ok());
  EXPECT_FALSE(SetFault(faults, "latency", "-1").ok());
  EXPECT_FALSE(SetFault(faults, "mute", "yes").ok());
  EXPECT_EQ(SetFault(faults, "lightning", "1").error().field, "fault");
}

}  // namespace
}  // namespace loyalty::firmware_sim
