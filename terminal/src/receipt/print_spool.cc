#include "receipt/print_spool.h"

namespace loyalty::terminal {

PrintSpool::PrintSpool(ReceiptPrinter printer, ErrorListener on_error)
    : printer_(std::move(printer)), on_error_(std::move(on_error)), thread_([this] { Run(); }) {}

PrintSpool::~PrintSpool() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  changed_.notify_all();
  thread_.join();
}

void PrintSpool::Submit(std::string sale_id, std::string bytes) {
  {
    std::lock_guard lock(mutex_);
    queue_.emplace_back(std::move(sale_id), std::move(bytes));
  }
  changed_.notify_all();
}

std::size_t PrintSpool::Queued() {
  std::lock_guard lock(mutex_);
  return queue_.size();
}

void PrintSpool::Run() {
  for (;;) {
    std::pair<std::string, std::string> job;
    {
      std::unique_lock lock(mutex_);
      changed_.wait(lock, [&] { return stop_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and everything printed
      job = std::move(queue_.front());
      queue_.pop_front();
    }
    if (auto printed = printer_.Print(job.second); !printed.ok()) {
      on_error_(job.first, printed.error());
    }
  }
}

}  // namespace loyalty::terminal
