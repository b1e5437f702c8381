#include "loyalty/domain/segment.h"

namespace loyalty::domain {

const char* SegmentName(Segment segment) {
  switch (segment) {
    case Segment::kChampions: return "champions";
    case Segment::kLoyal: return "loyal";
    case Segment::kPotentialLoyalists: return "potential_loyalists";
    case Segment::kNew: return "new";
    case Segment::kAtRisk: return "at_risk";
    case Segment::kCantLose: return "cant_lose";
    case Segment::kHibernating: return "hibernating";
    case Segment::kLost: return "lost";
  }
  return "lost";
}

const char* SegmentLabel(Segment segment) {
  switch (segment) {
    case Segment::kChampions: return "Champions";
    case Segment::kLoyal: return "Loyal";
    case Segment::kPotentialLoyalists: return "Potential loyalists";
    case Segment::kNew: return "New";
    case Segment::kAtRisk: return "At risk";
    case Segment::kCantLose: return "Can't lose";
    case Segment::kHibernating: return "Hibernating";
    case Segment::kLost: return "Lost";
  }
  return "Lost";
}

Result<Segment> ParseSegment(const std::string& text, const std::string& field) {
  std::string names;
  for (auto segment : kSegments) {
    if (text == SegmentName(segment)) return segment;
    names += (names.empty() ? "" : ", ") + std::string(SegmentName(segment));
  }
  return InvalidArgument(field, "must be one of " + names + ", not '" + text + "'");
}

}  // namespace loyalty::domain
