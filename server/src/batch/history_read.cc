#include "batch/history_read.h"

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <exception>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace loyalty::server::batch {
namespace {

// A few chunks in flight let the scan run ahead while the builder catches up, in a few
// megabytes.
constexpr std::size_t kChunksInFlight = 8;

// Lines copied out of the scan's rows: the SKU and the category live in `text` (a row's
// views are valid during the scan's call only).
struct Chunk {
  struct Line {
    std::int64_t customer_id;
    std::int64_t purchase_seq;
    std::int64_t occurred_at;
    std::int64_t quantity;
    std::int64_t amount_minor;
    std::uint32_t sku_at, sku_size, category_at, category_size;
  };
  std::vector<Line> lines;
  std::string text;
  bool ends_stripe = false;  // the last of its stripe's chunks (it may hold no line)
};

// Full chunks from the scan to the builder, and empty ones back, so that chunks are
// reused rather than allocated.
class ChunkQueue {
 public:
  explicit ChunkQueue(std::size_t lines_per_chunk) {
    for (std::size_t i = 0; i < kChunksInFlight; ++i) {
      auto chunk = std::make_unique<Chunk>();
      chunk->lines.reserve(lines_per_chunk);
      empty_.push_back(std::move(chunk));
    }
  }

  // The scan's side. Null once the builder gave up: the scan then runs out unread.
  std::unique_ptr<Chunk> TakeEmpty() {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return !empty_.empty() || cancelled_; });
    if (cancelled_) return nullptr;
    auto chunk = std::move(empty_.front());
    empty_.pop_front();
    return chunk;
  }
  void PushFull(std::unique_ptr<Chunk> chunk) {
    {
      std::lock_guard lock(mutex_);
      full_.push_back(std::move(chunk));
    }
    changed_.notify_all();
  }
  void Close(std::exception_ptr error) {
    {
      std::lock_guard lock(mutex_);
      closed_ = true;
      error_ = std::move(error);
    }
    changed_.notify_all();
  }

  // The builder's side. Null at the end of the scan (ended well or not: Error()).
  std::unique_ptr<Chunk> TakeFull() {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return !full_.empty() || closed_; });
    if (full_.empty()) return nullptr;
    auto chunk = std::move(full_.front());
    full_.pop_front();
    return chunk;
  }
  void GiveBack(std::unique_ptr<Chunk> chunk) {
    chunk->lines.clear();
    chunk->text.clear();
    chunk->ends_stripe = false;
    {
      std::lock_guard lock(mutex_);
      empty_.push_back(std::move(chunk));
    }
    changed_.notify_all();
  }
  void Cancel() {
    {
      std::lock_guard lock(mutex_);
      cancelled_ = true;
    }
    changed_.notify_all();
  }
  std::exception_ptr Error() {
    std::lock_guard lock(mutex_);
    return error_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<std::unique_ptr<Chunk>> full_, empty_;
  bool closed_ = false;
  bool cancelled_ = false;
  std::exception_ptr error_;
};

// Scanner `scanner` of `scanners` reads every scanners-th stripe from its own, the
// stripes' ends marked, into its queue.
void Scan(Store& store, Timestamp before, std::size_t lines_per_chunk,
          const std::vector<Store::PurchaseSeqRange>& stripes, ChunkQueue& queue) {
  try {
    std::unique_ptr<Chunk> chunk = queue.TakeEmpty();
    store.ScanPurchaseHistoryKeyRanges(
        before, stripes,
        [&](const HistoryKeyLine& row) {
          if (!chunk) return;
          const auto sku_at = static_cast<std::uint32_t>(chunk->text.size());
          chunk->text.append(row.sku);
          const auto category_at = static_cast<std::uint32_t>(chunk->text.size());
          chunk->text.append(row.category);
          chunk->lines.push_back({row.customer_id, row.purchase_seq, row.occurred_at, row.quantity,
                                  row.amount_minor, sku_at,
                                  static_cast<std::uint32_t>(row.sku.size()), category_at,
                                  static_cast<std::uint32_t>(row.category.size())});
          if (chunk->lines.size() >= lines_per_chunk) {
            queue.PushFull(std::move(chunk));
            chunk = queue.TakeEmpty();
          }
        },
        [&] {
          if (!chunk) return;
          chunk->ends_stripe = true;
          queue.PushFull(std::move(chunk));
          chunk = queue.TakeEmpty();
        });
    queue.Close(nullptr);
  } catch (...) {
    queue.Close(std::current_exception());
  }
}

}  // namespace

ReadHistoryResult ReadHistory(Store& store, Timestamp before,
                              const std::function<void(std::size_t lines)>& progress,
                              std::size_t lines_per_chunk, ExpectedHistory expected,
                              std::int64_t purchases_per_stripe) {
  // Stripe k goes to scanner k % kScanners, and the builder takes the stripes in order.
  constexpr std::size_t kScanners = 2;
  purchases_per_stripe = std::max<std::int64_t>(1, purchases_per_stripe);
  std::vector<Store::PurchaseSeqRange> stripes[kScanners];
  const std::int64_t end = store.PurchaseSeqEnd();
  for (std::int64_t from = 0, k = 0; from < end; from += purchases_per_stripe, ++k) {
    stripes[static_cast<std::size_t>(k) % kScanners].push_back(
        {from, std::min(end, from + purchases_per_stripe)});
  }
  std::vector<std::unique_ptr<ChunkQueue>> queues;
  std::vector<std::thread> scanners;
  // Whatever leaves this scope, the scanners are told to stop and waited for.
  struct Joiner {
    std::vector<std::unique_ptr<ChunkQueue>>& queues;
    std::vector<std::thread>& threads;
    ~Joiner() {
      for (auto& queue : queues) queue->Cancel();
      for (auto& thread : threads) thread.join();
    }
  } joiner{queues, scanners};
  for (std::size_t s = 0; s < kScanners; ++s) {
    queues.push_back(std::make_unique<ChunkQueue>(lines_per_chunk));
  }
  for (std::size_t s = 0; s < kScanners; ++s) {
    scanners.emplace_back(Scan, std::ref(store), before, lines_per_chunk, std::cref(stripes[s]),
                          std::ref(*queues[s]));
  }

  targeting::HistoryBuilder builder;
  try {
    builder.Reserve(expected.lines, expected.customers);
  } catch (const std::exception&) {
    // More than there is memory for (a summary from another store, say): the read grows
    // as it goes instead.
  }
  ReadHistoryResult result;
  targeting::HistoryBuilder::StoredLine stored;
  std::size_t stripe = 0;
  for (;;) {
    ChunkQueue& queue = *queues[stripe % kScanners];
    std::unique_ptr<Chunk> chunk = queue.TakeFull();
    if (!chunk) {
      // Its scanner ended: after its last stripe, or failing.
      for (auto& each : queues) {
        if (const std::exception_ptr error = each->Error()) std::rethrow_exception(error);
      }
      break;
    }
    const std::string_view text = chunk->text;
    for (const Chunk::Line& line : chunk->lines) {
      stored.customer_id = line.customer_id;
      stored.purchase_seq = line.purchase_seq;
      stored.product = text.substr(line.sku_at, line.sku_size);
      stored.category = text.substr(line.category_at, line.category_size);
      stored.timestamp = line.occurred_at;
      stored.quantity =
          static_cast<std::int32_t>(std::clamp<std::int64_t>(line.quantity, 0, 9'999));
      stored.amount_minor = line.amount_minor;
      // A stored purchase is consistent by construction; a line dropped here would be a
      // product whose category changed between sales, and the first one seen stands.
      (void)builder.AddStored(stored);
    }
    result.lines += chunk->lines.size();
    if (chunk->ends_stripe) ++stripe;
    queue.GiveBack(std::move(chunk));
    builder.ClaimRoom();
    if (progress) progress(result.lines);
  }
  result.history = builder.Build();
  return result;
}

}  // namespace loyalty::server::batch
