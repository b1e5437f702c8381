// Paces writes as a real serial line would carry them: on 8N1 each byte takes 10 bit
// times, so N bytes take N * 10 / baud seconds.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>

namespace loyalty::firmware_sim {

// Time the line needs to carry `bytes` at `baud` (8N1: start bit, 8 data bits, stop bit).
inline std::chrono::nanoseconds TransmitTime(std::size_t bytes, int baud) {
  constexpr int64_t kBitsPerByte = 10;
  constexpr int64_t kNanosPerSecond = 1'000'000'000;
  return std::chrono::nanoseconds(static_cast<int64_t>(bytes) * kBitsPerByte * kNanosPerSecond /
                                  baud);
}

// Tracks when the line is free again. Usage: when Ready(now), write up to ChunkSize()
// bytes, then Sent(count, now). Not thread-safe.
class LinePacer {
 public:
  using Clock = std::chrono::steady_clock;

  // Precondition: baud > 0.
  explicit LinePacer(int baud) : baud_(baud) {}

  bool Ready(Clock::time_point now) const { return now >= free_at_; }
  Clock::time_point free_at() const { return free_at_; }

  // Bytes worth about 2 ms of line time, at least 1: small enough that the pacing is
  // smooth, large enough that a fast line is not one syscall per byte.
  std::size_t ChunkSize() const {
    return std::max<std::size_t>(1, static_cast<std::size_t>(baud_) / 10 / 500);
  }

  // The line carries `bytes` starting now, or when it finishes the previous chunk.
  // A late caller does not get the idle time back as a burst: the line never runs
  // faster than its baud rate.
  void Sent(std::size_t bytes, Clock::time_point now) {
    free_at_ = std::max(now, free_at_) + TransmitTime(bytes, baud_);
  }

 private:
  int baud_;
  Clock::time_point free_at_{};
};

}  // namespace loyalty::firmware_sim
