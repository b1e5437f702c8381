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

// The store's lines (Store::ScanPurchaseHistoryKeyRanges) are read by two threads, each
// taking every other stripe of `purchases_per_stripe` purchase sequences, and handed over
// in chunks to the calling thread, which builds the history meanwhile, stripe after
// stripe: it gets them in the order of one scan (Store::ScanPurchaseHistoryKeys), so the
// history is the same, while the rows' decoding runs on two threads beside its building.
// `progress` (when set) is called on the calling thread with the lines read so far, every
// few thousand lines. An exception of a scan (a broken database) is thrown here, after
// the threads ended. `lines_per_chunk`: a few thousand keep the hand-over's locking
// negligible; a stripe's lines should fit in a scanner's chunks in flight (8), so that
// the scanner of the next stripe never waits for the builder. `expected`, when known
// (the night before's counts), is room made beforehand.
struct ExpectedHistory {
  std::size_t lines = 0;
  std::size_t customers = 0;
};
ReadHistoryResult ReadHistory(Store& store, Timestamp before,
                              const std::function<void(std::size_t lines)>& progress = {},
                              std::size_t lines_per_chunk = 4096, ExpectedHistory expected = {},
                              std::int64_t purchases_per_stripe = 4096);

}  // namespace loyalty::server::batch
