// Turns a ranking score into a probability: isotonic regression (pool adjacent
// violators) of observed 0/1 outcomes on the score, so the probability never falls as
// the score rises and matches the observed rate where the data is.
#pragma once

#include <cstdint>
#include <vector>

namespace loyalty::server::targeting {

class Calibration {
 public:
  struct Observation {
    float score = 0;
    bool happened = false;
  };

  // Fits to the observations (reordered in place). With none, Probability is the score
  // clamped to [0, 1].
  static Calibration Fit(std::vector<Observation>& observations);

  // The fitted rate of the highest step whose lowest score is <= score; below every step,
  // the lowest step's rate.
  float Probability(float score) const;

  std::size_t steps() const { return step_low_score_.size(); }

 private:
  std::vector<float> step_low_score_;  // ascending
  std::vector<float> step_rate_;       // non-decreasing
};

}  // namespace loyalty::server::targeting
