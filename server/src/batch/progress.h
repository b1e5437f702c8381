// Progress of a long job on stderr: on a terminal a line redrawn in place (percentage,
// rate, ETA) a few times a second; otherwise, for logs and pipes, a plain line every few
// seconds. A meter is one thread's; meters on two threads may share a stream, each line
// written whole through a synchronized stream (std::osyncstream), as long as nothing
// else writes to that stream meanwhile (on a terminal one meter may overwrite the
// other's line until its next draw).
#pragma once

#include <chrono>
#include <cstdint>
#include <ostream>
#include <string>

namespace loyalty::server::batch {

class ProgressMeter {
 public:
  // `total` is in the unit of Update's `done` (bytes of a file, baskets); `rate_unit` names
  // what `count` counts ("lines", "baskets"), for the rate shown.
  ProgressMeter(std::ostream& out, bool interactive, std::string phase, std::uint64_t total,
                std::string rate_unit);
  // Cheap enough to call for every item: it draws only when the interval has passed.
  void Update(std::uint64_t done, std::uint64_t count);
  // Draws the final state and ends the line.
  void Finish(std::uint64_t done, std::uint64_t count);

 private:
  void Draw(std::uint64_t done, std::uint64_t count, bool final);

  std::ostream& out_;
  bool interactive_;
  std::string phase_;
  std::uint64_t total_;
  std::string rate_unit_;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_;
  std::chrono::steady_clock::duration interval_;
};

}  // namespace loyalty::server::batch
