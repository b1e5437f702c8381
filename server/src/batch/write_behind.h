// One store write at a time on a thread of its own, while the caller prepares the next:
// the nightly run computes its features and candidates on the main thread and the store
// writes them, and each used to wait for the other (at a million customers, three seconds
// of the features step were the rows' preparation alone).
#pragma once

#include <cassert>
#include <functional>
#include <future>
#include <utility>

#include "loyalty/core/result.h"

namespace loyalty::server::batch {

class WriteBehind {
 public:
  WriteBehind() = default;
  WriteBehind(const WriteBehind&) = delete;
  WriteBehind& operator=(const WriteBehind&) = delete;
  ~WriteBehind() {
    if (pending_.valid()) pending_.wait();
  }

  // Starts `write`, which must own what it writes. The write before it must have been
  // waited for (Finish), so that its outcome is seen, and whatever the caller checks
  // before a write (the run's lock) is checked after the last one ended.
  void Start(std::function<Status()> write) {
    assert(!pending_.valid());
    pending_ = std::async(std::launch::async, std::move(write));
  }

  // Waits for the write in flight, if any: its outcome.
  Status Finish() {
    if (!pending_.valid()) return Status();
    return pending_.get();
  }

 private:
  std::future<Status> pending_;
};

}  // namespace loyalty::server::batch
