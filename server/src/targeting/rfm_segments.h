// RFM segments: every customer seen in the last year scored 1-5 on recency (days since
// the last visit), frequency (visits in the year) and monetary value (spend in the year),
// each against the others seen in the year by mid-rank quintile, then placed in one of the eight
// segments of loyalty/domain/segment.h by a fixed grid on recency and frequency, with
// spend separating the best from the merely frequent. Scores are relative: a "champion"
// is among the chain's best this month, whatever the chain's absolute figures are.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "loyalty/domain/segment.h"
#include "targeting/transaction_history.h"

namespace loyalty::server::targeting {

struct RfmOptions {
  std::int64_t window_days = 365;  // frequency and spend count this far back
  std::int64_t new_days = 30;      // a first visit this recent makes a customer "new"
};

struct RfmScores {
  std::uint8_t recency = 1;  // 5: among the most recent fifth
  std::uint8_t frequency = 1;
  std::uint8_t monetary = 1;
};

struct CustomerRfm {
  std::vector<RfmScores> scores;              // by history customer id
  std::vector<domain::Segment> segments;      // by history customer id
  std::array<std::int64_t, 8> per_segment{};  // customers in each, in kSegments order
};

// The segment for a customer's scores; `is_new` when their first visit was recent.
domain::Segment SegmentFor(RfmScores scores, bool is_new);

// Scores and segments every customer of `history` (cut at `run_at`, Unix seconds UTC).
// Customers with no visit in the window score 1, 1, 1: lost (or new, for a first visit
// in the window's last days, which cannot happen with the defaults).
CustomerRfm ComputeRfm(const TransactionHistory& history, std::int64_t run_at,
                       const RfmOptions& options = {});

}  // namespace loyalty::server::targeting
