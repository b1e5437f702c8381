#include "batch/candidate_writer.h"

#include <utility>

#include "batch/write_behind.h"
#include "storage/packed_candidates.h"

namespace loyalty::server::batch {
namespace {

// The baskets of one customer a product was in: how many, the first and the last.
struct BasketsWith {
  std::uint32_t count = 0, first = 0, last = 0;
};

// Mean visits between the customer's purchases of each of `products`, into `gaps`; 0 for
// a product bought at fewer than two of their visits (no rhythm to go by). `seen` is
// scratch, kept by the caller so that a million customers cost no allocation each.
void GapVisits(const targeting::TransactionHistory& history, std::uint32_t customer,
               const std::vector<std::uint32_t>& products, std::vector<double>& gaps,
               std::vector<BasketsWith>& seen) {
  seen.assign(products.size(), BasketsWith{});
  const std::uint32_t begin = history.customer_basket_begin[customer];
  const std::uint32_t end = history.customer_basket_begin[customer + 1];
  for (std::uint32_t basket = begin; basket < end; ++basket) {
    for (std::size_t i = 0; i < products.size(); ++i) {
      bool in_basket = false;
      for (std::uint32_t line = history.basket_line_begin[basket];
           line < history.basket_line_begin[basket + 1] && !in_basket; ++line) {
        in_basket = history.line_product[line] == products[i];
      }
      if (!in_basket) continue;
      auto& [count, first, last] = seen[i];
      if (count++ == 0) first = basket;
      last = basket;
    }
  }
  gaps.assign(products.size(), 0);
  for (std::size_t i = 0; i < products.size(); ++i) {
    const auto [count, first, last] = seen[i];
    if (count >= 2) gaps[i] = static_cast<double>(last - first) / (count - 1);
  }
}

}  // namespace

CandidateWriter::CandidateWriter(Store& store, const CouponRunOptions& options,
                                 const targeting::TransactionHistory& history,
                                 const CustomersByStoreId& customers,
                                 std::vector<std::string> product_parts,
                                 const std::vector<domain::Campaign>& campaigns)
    : store_(store),
      options_(options),
      history_(history),
      customers_(customers),
      product_parts_(std::move(product_parts)),
      campaigns_(campaigns),
      thread_([this] { Run(); }) {}

CandidateWriter::~CandidateWriter() {
  if (!thread_.joinable()) return;
  {
    const std::lock_guard lock(mutex_);
    closed_ = true;
    stopping_ = true;
  }
  taken_.notify_all();
  thread_.join();
}

void CandidateWriter::Take(std::span<const targeting::KeptCandidate> candidates) {
  if (candidates.empty()) return;
  {
    const std::lock_guard lock(mutex_);
    queue_.emplace_back(candidates.begin(), candidates.end());
  }
  taken_.notify_all();
}

Status CandidateWriter::Finish() {
  {
    const std::lock_guard lock(mutex_);
    closed_ = true;
  }
  taken_.notify_all();
  thread_.join();
  return outcome_;
}

void CandidateWriter::Run() {
  WriteBehind writes;  // the store writes a batch while the next is packed
  const auto write = [&]() -> Status {
    // A run that lost its lock must not write beside the run that took it over: the
    // lock is checked right before the write it allows, so after the last one ended.
    if (auto written = writes.Finish(); !written.ok()) return written;
    if (options_.still_held) {
      if (auto held = options_.still_held(); !held.ok()) return held;
    }
    writes.Start(
        [this, rows = std::move(batch_)] { return store_.RecordNextVisitCandidates(rows); });
    batch_ = {};
    batch_candidates_ = 0;
    return Status();
  };
  // An exception here would end the process: it becomes the run's error, as on the main
  // thread.
  try {
    bool stopped = false;
    for (;;) {
      std::vector<targeting::KeptCandidate> candidates;
      {
        std::unique_lock lock(mutex_);
        taken_.wait(lock, [&] { return !queue_.empty() || closed_; });
        if (stopping_) {
          stopped = true;
          break;
        }
        if (queue_.empty()) break;  // closed, and all written
        candidates = std::move(queue_.front());
        queue_.pop_front();
      }
      if (!outcome_.ok()) continue;  // the plan goes on; what it hands out is dropped
      Pack(candidates);
      if (batch_candidates_ >= options_.candidate_write_batch) outcome_ = write();
    }
    if (outcome_.ok() && !batch_.empty() && !stopped) outcome_ = write();
    if (auto written = writes.Finish(); outcome_.ok()) outcome_ = std::move(written);
  } catch (const std::exception& e) {
    if (outcome_.ok()) outcome_ = Internal(std::string("storing the candidates: ") + e.what());
  }
}

void CandidateWriter::Pack(const std::vector<targeting::KeptCandidate>& candidates) {
  std::vector<std::uint32_t> products;
  std::vector<double> gaps;
  std::vector<BasketsWith> seen;
  std::string lines;
  for (std::size_t first = 0; first < candidates.size();) {
    // One customer's candidates, every campaign's: their rhythm read once for all of them.
    const std::uint32_t customer = candidates[first].customer;
    std::size_t end = first;
    products.clear();
    for (; end < candidates.size() && candidates[end].customer == customer; ++end) {
      products.push_back(candidates[end].product);
    }
    GapVisits(history_, customer, products, gaps, seen);
    const std::int64_t customer_id = customers_.StoreId(customer);
    for (std::size_t from = first; from < end;) {
      const std::uint32_t campaign = candidates[from].campaign;
      lines.clear();
      std::size_t j = from;
      for (; j < end && candidates[j].campaign == campaign; ++j) {
        lines += product_parts_[candidates[j].product];
        AppendPackedChances(lines, candidates[j].probability, gaps[j - first]);
      }
      batch_.push_back(
          {campaigns_[campaign].id, options_.run_date, customer_id, PackedValue(j - from, lines)});
      batch_candidates_ += j - from;
      from = j;
    }
    first = end;
  }
}

}  // namespace loyalty::server::batch
