// The nightly run's read: every cardholder's purchase lines before the run date, built
// into the history the segments, features and model use.
#pragma once

#include <cstddef>
#include <functional>

#include "loyalty/core/time.h"
#include "storage/store.h"
#include "targeting/transaction_history.h"

namespace loyalty::server::batch {

struct ReadHistoryResult {
  targeting::TransactionHistory history;
  std::size_t lines = 0;  // lines the store gave, kept or not
};

// The store's scan (Store::ScanPurchaseHistoryKeys) runs on a thread of its own and hands
// its lines over in chunks to the calling thread, which builds the history meanwhile: on
// two cores the rows' decoding and the history's building overlap. `progress` (when set)
// is called on the calling thread with the lines read so far, every few thousand lines.
// An exception of the scan (a broken database) is thrown here, after the thread ended.
// `lines_per_chunk`: a few thousand keep the hand-over's locking negligible. `expected`,
// when known (the night before's counts), is room made beforehand.
struct ExpectedHistory {
  std::size_t lines = 0;
  std::size_t customers = 0;
};
ReadHistoryResult ReadHistory(Store& store, Timestamp before,
                              const std::function<void(std::size_t lines)>& progress = {},
                              std::size_t lines_per_chunk = 4096, ExpectedHistory expected = {});

}  // namespace loyalty::server::batch
