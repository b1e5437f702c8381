// Customer segments: the RFM-style groups the nightly batch sorts customers into by how
// recently, how often and how much they buy. A campaign may aim at one of them; the
// names are the ones stored, sent over the API and shown in the portal.
#pragma once

#include <array>
#include <string>

#include "loyalty/core/result.h"

namespace loyalty::domain {

enum class Segment {
  kChampions,           // bought recently, often, and spend the most
  kLoyal,               // buy often, spend well
  kPotentialLoyalists,  // recent customers with more than one visit
  kNew,                 // first visit lately
  kAtRisk,              // spent well and often, but not lately
  kCantLose,            // were among the best, and are slipping away
  kHibernating,         // low spend, long ago
  kLost,                // lowest recency, frequency and spend
};

inline constexpr std::array<Segment, 8> kSegments = {
    Segment::kChampions, Segment::kLoyal,    Segment::kPotentialLoyalists, Segment::kNew,
    Segment::kAtRisk,    Segment::kCantLose, Segment::kHibernating,        Segment::kLost};

// "champions", "loyal", "potential_loyalists", "new", "at_risk", "cant_lose",
// "hibernating", "lost".
const char* SegmentName(Segment segment);
// For people: "Champions", "Potential loyalists", "Can't lose", ...
const char* SegmentLabel(Segment segment);
// kInvalidArgument naming `field` and listing the names for anything else.
Result<Segment> ParseSegment(const std::string& text, const std::string& field);

}  // namespace loyalty::domain
