// Damages the reader's output the way a noisy or failing serial line would, so the
// terminal's driver can be tested against it. Seeded, so a run can be repeated.
#pragma once

#include <chrono>
#include <cstdint>
#include <random>
#include <span>
#include <string>
#include <vector>

#include "loyalty/core/result.h"

namespace loyalty::firmware_sim {

struct FaultSettings {
  double corrupt = 0;    // per byte: probability that one random bit of it is flipped
  double drop = 0;       // per byte: probability that it never reaches the line
  double noise = 0;      // per frame: probability of 1..8 random bytes sent before it
  double duplicate = 0;  // per event frame: probability that it is sent twice
  std::chrono::milliseconds latency{0};  // delay added before every frame leaves
  bool mute = false;  // the device stops answering: ignores the host and sends nothing

  bool operator==(const FaultSettings&) const = default;
};

// "corrupt=0.05 drop=0.01 noise=0 duplicate=0 latency_ms=0 mute=off"
std::string FormatFaults(const FaultSettings& faults);

// Applies `name value` to `faults`: corrupt|drop|noise|duplicate take a probability
// 0..1, latency a duration in ms (0..10000, "20" or "20ms"), mute on|off. Fails with
// kInvalidArgument naming the fault or the value at fault.
Status SetFault(FaultSettings& faults, std::string_view name, std::string_view value);

// Not thread-safe; one owner.
class FaultInjector {
 public:
  struct Stats {
    uint64_t bytes_corrupted = 0;
    uint64_t bytes_dropped = 0;
    uint64_t noise_bytes = 0;
    uint64_t frames_duplicated = 0;
  };

  explicit FaultInjector(uint64_t seed) : random_(seed) {}

  FaultSettings& settings() { return settings_; }
  const FaultSettings& settings() const { return settings_; }

  // The bytes to put on the line for one encoded frame: the frame itself when no fault
  // is set, otherwise damaged per settings(). `is_event` enables `duplicate`.
  std::vector<uint8_t> Apply(std::span<const uint8_t> frame, bool is_event);

  const Stats& stats() const { return stats_; }

 private:
  bool Chance(double probability);
  void Damage(std::span<const uint8_t> frame, std::vector<uint8_t>& out);

  std::mt19937_64 random_;
  FaultSettings settings_;
  Stats stats_;
};

}  // namespace loyalty::firmware_sim
