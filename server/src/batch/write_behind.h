// One store write at a time on a thread of its own, while the caller prepares the next:
// the nightly run computes its features and candidates on the main thread and the store
// writes them, and each used to wait for the other (at a million customers, three seconds
// of the features step were the rows' preparation alone).
#pragma once

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

  // Waits for the write in flight, then starts `write`, which must own what it writes;
  // when the write waited for failed, returns its error and starts nothing.
  Status Start(std::function<Status()> write) {
    if (auto done = Finish(); !done.ok()) return done;
    pending_ = std::async(std::launch::async, std::move(write));
    return Status();
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
