// The nightly run's write of segments and lapse-risk bands (Store::SetCustomerSegments),
// the part both engines share: which customers' rows change. Each engine reads what
// customers hold in one pass in id order, and writes back only the rows found here, where
// it used to send every customer an UPDATE that most of them did not need.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "storage/store.h"

namespace loyalty::server {

// One row to write. `band` is the run's band as customers.lapse_risk_band holds it
// (empty: NULL). A customer the run found at risk who visited after the run's history
// ended gets "low" instead, and their stored risk (written by the run's features step,
// from the same history) 0, as the visit itself would have made them (migration 0026):
// the write's statements decide that as they write, since a visit may come after the read.
struct CustomerSegmentWrite {
  std::int64_t customer_id = 0;
  std::string segment;
  std::optional<std::int64_t> band;
  // False when the row holds the band already (and no visit since calls for "low"): the
  // segment alone changes, and SQLite, given no band to set, leaves the band's partial
  // indexes alone (setting a column moves its index entries, changed or not).
  bool band_changes = true;
};

// The run date whose history ends at `history_end` (its UTC midnight): the features'
// run_date the run wrote, which a write of an older night's run must not go past.
std::string RunDateOf(Timestamp history_end);

// The statement both engines scan with: every customer not erased, in id order, with
// what the run may change and the last visit it depends on.
inline constexpr char kStoredSegmentsSql[] =
    "SELECT id, segment, lapse_risk_band, COALESCE(last_visit_at, 0) FROM customers"
    " WHERE erased_at IS NULL ORDER BY id";

class CustomerSegmentChanges {
 public:
  CustomerSegmentChanges(const std::vector<CustomerSegmentRow>& rows, Timestamp history_end);

  // Each row of kStoredSegmentsSql, in its order.
  void Stored(std::int64_t customer_id, std::optional<std::string_view> segment,
              std::optional<std::int64_t> band, std::int64_t last_visit_at);

  const std::vector<CustomerSegmentWrite>& writes() const { return writes_; }

 private:
  std::vector<const CustomerSegmentRow*> rows_;  // by customer id
  std::size_t next_ = 0;
  std::int64_t history_end_ = 0;
  std::vector<CustomerSegmentWrite> writes_;
};

}  // namespace loyalty::server
