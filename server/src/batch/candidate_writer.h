// The nightly run's next_visit candidates, stored while the plan is still making them:
// the plan hands out each few thousand customers' (targeting::CandidateStream, in the
// order of the table's key) and a thread of this writer packs them, a row per customer
// and campaign, and gives the store a transaction of them at a time. Stored after the
// plan, a million customers' candidates were three seconds at the end of the night with
// one processor idle (docs/benchmarks.md, "Candidates stored while the plan runs").
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "batch/coupon_run.h"
#include "batch/customers_by_store_id.h"
#include "loyalty/core/result.h"
#include "storage/store.h"
#include "targeting/campaign_offers.h"
#include "targeting/transaction_history.h"

namespace loyalty::server::batch {

class CandidateWriter {
 public:
  // `customers`: the history's store ids, which the rows are keyed by.
  // `product_parts[p]`: product p's part of a packed line (PackedProductPart). Writes
  // ask `options.still_held` first, and go in transactions of at least
  // `options.candidate_write_batch` candidates.
  CandidateWriter(Store& store, const CouponRunOptions& options,
                  const targeting::TransactionHistory& history, const CustomersByStoreId& customers,
                  std::vector<std::string> product_parts,
                  const std::vector<domain::Campaign>& campaigns);
  CandidateWriter(const CandidateWriter&) = delete;
  CandidateWriter& operator=(const CandidateWriter&) = delete;
  // Stops at the next customer and waits (a run that failed before Finish).
  ~CandidateWriter();

  // The plan's side: copies the candidates (all of each customer's) and returns.
  void Take(std::span<const targeting::KeptCandidate> candidates);

  // After the last Take: writes the rest and waits for it. The first failure of any
  // write (the lock lost, a broken store), after which nothing more was written.
  Status Finish();

 private:
  void Run();
  // Into batch_, a row per customer and campaign.
  void Pack(const std::vector<targeting::KeptCandidate>& candidates);

  Store& store_;
  const CouponRunOptions& options_;
  const targeting::TransactionHistory& history_;
  const CustomersByStoreId& customers_;
  const std::vector<std::string> product_parts_;
  const std::vector<domain::Campaign>& campaigns_;

  std::mutex mutex_;
  std::condition_variable taken_;
  std::deque<std::vector<targeting::KeptCandidate>> queue_;
  bool closed_ = false;
  bool stopping_ = false;

  // The thread's own.
  std::vector<PackedCandidateRow> batch_;
  std::size_t batch_candidates_ = 0;
  Status outcome_;
  std::thread thread_;
};

}  // namespace loyalty::server::batch
