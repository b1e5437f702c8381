#include "batch/progress.h"

#include <algorithm>
#include <cstdio>
#include <string>
#include <syncstream>

namespace loyalty::server::batch {

ProgressMeter::ProgressMeter(std::ostream& out, bool interactive, std::string phase,
                             std::uint64_t total, std::string rate_unit)
    : out_(out),
      interactive_(interactive),
      phase_(std::move(phase)),
      total_(total),
      rate_unit_(std::move(rate_unit)),
      start_(std::chrono::steady_clock::now()),
      last_draw_(start_),
      // A person watches a terminal; a log only needs to show the job is alive and where.
      interval_(interactive ? std::chrono::milliseconds(200) : std::chrono::seconds(5)) {}

void ProgressMeter::Update(std::uint64_t done, std::uint64_t count) {
  const auto now = std::chrono::steady_clock::now();
  if (now - last_draw_ < interval_) return;
  last_draw_ = now;
  Draw(done, count, false);
}

void ProgressMeter::Finish(std::uint64_t done, std::uint64_t count) { Draw(done, count, true); }

void ProgressMeter::Draw(std::uint64_t done, std::uint64_t count, bool final) {
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  const double fraction =
      total_ > 0 ? std::min(1.0, static_cast<double>(done) / static_cast<double>(total_)) : 1.0;
  const double rate = seconds > 0 ? static_cast<double>(count) / seconds : 0;
  char text[200];
  if (final) {
    std::snprintf(text, sizeof text, "%s: 100%%, %llu %s in %.1f s (%.0f %s/s)", phase_.c_str(),
                  static_cast<unsigned long long>(count), rate_unit_.c_str(), seconds, rate,
                  rate_unit_.c_str());
  } else {
    // The ETA assumes the rest goes at the pace so far.
    const double eta = fraction > 0 ? seconds * (1 - fraction) / fraction : 0;
    std::snprintf(text, sizeof text, "%s: %5.1f%%, %llu %s, %.0f %s/s, ETA %.0f s", phase_.c_str(),
                  fraction * 100, static_cast<unsigned long long>(count), rate_unit_.c_str(), rate,
                  rate_unit_.c_str(), eta);
  }
  // Each line goes to the stream whole, through a synchronized stream: the nightly run's
  // features step finishes while the model's meter draws, on the same stream.
  std::string line;
  if (interactive_) {
    // \033[K clears what a longer earlier line left on the right.
    line = '\r' + std::string(text) + "\033[K" + (final ? "\n" : "");
  } else {
    line = std::string(text) + '\n';
  }
  std::osyncstream synced(out_);
  synced << line;
  if (interactive_) synced << std::flush_emit;
}

}  // namespace loyalty::server::batch
