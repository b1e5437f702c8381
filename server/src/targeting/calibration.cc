#include "targeting/calibration.h"

#include <algorithm>

namespace loyalty::server::targeting {

Calibration Calibration::Fit(std::vector<Observation>& observations) {
  Calibration calibration;
  if (observations.empty()) return calibration;
  std::sort(observations.begin(), observations.end(),
            [](const Observation& a, const Observation& b) { return a.score < b.score; });
  struct Block {
    float low_score;
    double positives;
    double count;
  };
  std::vector<Block> blocks;
  for (std::size_t i = 0; i < observations.size();) {
    // Equal scores must land in one step, or the same score would map to two rates.
    Block block{observations[i].score, 0, 0};
    for (; i < observations.size() && observations[i].score == block.low_score; ++i) {
      block.positives += observations[i].happened ? 1 : 0;
      block.count += 1;
    }
    blocks.push_back(block);
    while (blocks.size() >= 2) {
      Block& last = blocks.back();
      Block& previous = blocks[blocks.size() - 2];
      if (previous.positives / previous.count < last.positives / last.count) break;
      previous.positives += last.positives;
      previous.count += last.count;
      blocks.pop_back();
    }
  }
  for (const Block& block : blocks) {
    calibration.step_low_score_.push_back(block.low_score);
    calibration.step_rate_.push_back(static_cast<float>(block.positives / block.count));
  }
  return calibration;
}

float Calibration::Probability(float score) const {
  if (step_low_score_.empty()) return std::clamp(score, 0.0f, 1.0f);
  const auto above = std::upper_bound(step_low_score_.begin(), step_low_score_.end(), score);
  if (above == step_low_score_.begin()) return step_rate_.front();
  return step_rate_[static_cast<std::size_t>(above - step_low_score_.begin()) - 1];
}

}  // namespace loyalty::server::targeting
