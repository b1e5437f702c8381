#include "storage/customer_segments.h"

#include <algorithm>

namespace loyalty::server {

CustomerSegmentChanges::CustomerSegmentChanges(const std::vector<CustomerSegmentRow>& rows,
                                               Timestamp history_end)
    : history_end_(ToUnixSeconds(history_end)) {
  rows_.reserve(rows.size());
  for (const auto& row : rows) rows_.push_back(&row);
  std::stable_sort(rows_.begin(), rows_.end(), [](const auto* a, const auto* b) {
    return a->customer_id < b->customer_id;
  });
}

void CustomerSegmentChanges::Stored(std::int64_t customer_id,
                                    std::optional<std::string_view> segment,
                                    std::optional<std::int64_t> band,
                                    std::int64_t last_visit_at) {
  while (next_ < rows_.size() && rows_[next_]->customer_id < customer_id) ++next_;
  // A customer given twice: the last one given stands, as one UPDATE after another did.
  const CustomerSegmentRow* row = nullptr;
  while (next_ < rows_.size() && rows_[next_]->customer_id == customer_id) row = rows_[next_++];
  if (row == nullptr) return;
  std::optional<std::int64_t> scored;  // the run's band
  if (row->lapse_risk_band) scored = static_cast<std::int64_t>(*row->lapse_risk_band);
  const bool visited_since = scored.value_or(0) > 0 && last_visit_at >= history_end_;
  const std::optional<std::int64_t> wanted =
      visited_since ? std::optional<std::int64_t>(0) : scored;
  // A visit since forces the write, for the risk the features step stored.
  if (!visited_since && segment == row->segment && band == wanted) return;
  writes_.push_back({customer_id, row->segment, scored, visited_since || band != wanted});
}

std::string RunDateOf(Timestamp history_end) { return FormatUtc(history_end).substr(0, 10); }

}  // namespace loyalty::server
