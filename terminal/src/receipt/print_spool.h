// Prints receipts on their own thread, in order, so a printer that stalls (paper out,
// cover open) never holds up the till: the sale is journaled and the next one can start
// while the receipt waits for the printer.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "receipt/receipt_printer.h"

namespace loyalty::terminal {

class PrintSpool {
 public:
  // Called on the spool's thread when a receipt fails to print, with the sale's id.
  using ErrorListener = std::function<void(const std::string& sale_id, const Error& error)>;

  PrintSpool(ReceiptPrinter printer, ErrorListener on_error);
  ~PrintSpool();  // prints what is queued, then joins

  void Submit(std::string sale_id, std::string bytes);
  std::size_t Queued();

 private:
  void Run();

  ReceiptPrinter printer_;
  ErrorListener on_error_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<std::pair<std::string, std::string>> queue_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace loyalty::terminal
