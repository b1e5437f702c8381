// `loyalty-batch import`: loads another POS's transaction history into the store, the
// migration path to this system. Reads the import CSV (targeting/history_csv.h), adds
// the products it names that the catalog lacks, maps the other system's customers to
// ours, and records every basket as a historical purchase: stored once, counted in the
// profile at its own time, earning no coupon.
#pragma once

#include <cstdint>
#include <functional>
#include <istream>
#include <optional>
#include <string>

#include "loyalty/core/result.h"
#include "loyalty/core/time.h"
#include "storage/store.h"
#include "targeting/history_csv.h"

namespace loyalty::server::batch {

struct ImportOptions {
  std::string store_id;  // where the baskets were bought; must exist
  // What an undated basket (a file without a timestamp column) is dated: the i-th of n
  // baskets at undated_at - (n - i) seconds, so their order survives in the profile.
  // Dates are part of a purchase, so re-importing such a file stores nothing twice
  // only with the same undated_at.
  Timestamp undated_at;
  std::size_t max_in_flight = 4096;  // purchases queued in the store at a time
  std::size_t input_bytes = 0;       // the file's size, for progress; 0: unknown
  bool interactive = false;          // stderr is a terminal: progress redrawn in place
};

struct ImportSummary {
  std::size_t lines = 0;            // data lines read, the header not counted
  std::size_t bad_lines = 0;        // reported, not imported
  std::size_t baskets = 0;          // baskets with at least one good line
  std::size_t stored = 0;           // purchases stored by this run
  std::size_t already_present = 0;  // stored by an earlier run
  std::size_t refused = 0;          // baskets the store refused (reported)
  std::size_t customers_created = 0;
  std::size_t products_created = 0;
};

// Every bad line goes to `problems` (its line number and reason), progress to
// `progress_out`. Fails only when nothing can be read (no header, a required column
// missing), the store does not exist, or the store fails as a whole.
Result<ImportSummary> ImportHistory(
    Store& store, std::istream& input, const ImportOptions& options,
    const std::function<void(const targeting::LineProblem&)>& problems, std::ostream& progress_out);

}  // namespace loyalty::server::batch
