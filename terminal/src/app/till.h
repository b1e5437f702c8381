// The till: one sale at a time, driven by commands from a front end (the cashier screen
// or the headless JSON-lines mode) and by the card reader, the uploader and the catalog
// sync. Everything happens on the thread that calls Run(), one event at a time, so the
// basket needs no locks; the other threads only Post() to it. Front ends hear what
// happened through TillListener, on that same thread, and may read the till's state
// from inside a callback.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <variant>

#include "checkout/basket.h"
#include "journal/forwarder.h"
#include "journal/journal.h"
#include "reader/card_identity.h"
#include "reader/reader_driver.h"
#include "receipt/print_spool.h"
#include "receipt/receipt.h"
#include "server/server_client.h"

namespace loyalty::terminal {

struct TillOptions {
  ServerOptions server;
  ForwarderOptions forwarder;
  ReaderOptions reader;
  std::string reader_path;   // empty: no card reader, cards keyed in only
  std::string journal_path;
  std::string receipts_path;  // append each plain-text receipt here; empty: none
  std::string printer_path;   // ESC/POS receipt printer device or file; empty: none
  std::string store_name;
  std::vector<std::string> store_address;
  // The cashier signed on when the till starts (checked with domain::ParseCashierId);
  // none until someone signs on with a SignOnCommand.
  std::optional<std::string> cashier_id;
  // How long a sale waits for the server's next-visit coupons before printing without.
  std::chrono::milliseconds receipt_coupon_wait{1500};
  std::chrono::seconds catalog_sync_interval{300};
};

// Commands a front end posts. Line numbers are 1-based, as the screen shows them.
struct ScanCommand {
  std::string code;  // barcode (GTIN) or SKU
  std::int64_t quantity = 1;
  std::optional<std::int64_t> weight_grams;  // from the scale, for goods sold by weight
};
struct VoidCommand {
  std::size_t line = 0;
};
struct CardCommand {
  std::string number;  // keyed in
};
struct CouponCommand {
  std::string token;  // the QR code of a receipt coupon, from a hand scanner
};
struct FinishCommand {};
struct CancelCommand {};
struct StatusCommand {};
// The cashier taking over the till; refused while a sale is open. Each sale carries the
// cashier signed on when it finishes.
struct SignOnCommand {
  std::string cashier_id;  // "C042": 1 to 32 printable characters
};
struct QuitCommand {};
using Command = std::variant<ScanCommand, VoidCommand, CardCommand, CouponCommand, FinishCommand,
                             CancelCommand, StatusCommand, QuitCommand, SignOnCommand>;

// What the status bar shows.
struct TillStatus {
  bool online = false;  // the last call to the server got through
  std::string reader_state = "closed";
  std::int64_t backlog = 0;  // journaled sales not yet acknowledged by the server
  std::int64_t catalog_version = 0;
  std::size_t products = 0;
  std::string printer = "none";  // none, ready, or the last error
  std::optional<std::string> cashier_id;  // who is signed on; none: nobody
};

struct FinishedSale {
  domain::Purchase purchase;
  Receipt receipt;
  std::string receipt_text;
  CouponOutcome coupons;
};

class TillListener {
 public:
  virtual ~TillListener() = default;
  virtual void OnReady(const TillStatus& status) = 0;
  virtual void OnLineAdded(std::size_t line, const BasketLine& added) = 0;
  virtual void OnLineVoided(std::size_t line) = 0;
  // A card was read and looked up (or not, offline).
  virtual void OnShopper(const Shopper& shopper, const std::string& source,
                         bool nfc_authenticated) = 0;
  // The coupons and totals changed: after a card, a coupon, a scan or a void.
  virtual void OnCoupons(const CouponOutcome& outcome, const Totals& totals) = 0;
  virtual void OnSaleFinished(const FinishedSale& sale) = 0;
  virtual void OnCancelled() = 0;
  virtual void OnStatus(const TillStatus& status) = 0;
  virtual void OnReaderState(const std::string& state, const std::string& detail) = 0;
  virtual void OnUploaded(const std::string& sale_id, UploadOutcome outcome,
                          std::size_t next_visit_coupons, const std::string& error) = 0;
  virtual void OnCatalogUpdated(std::int64_t version, std::size_t products) = 0;
  // The server became reachable again, or stopped being: status().online changed.
  virtual void OnConnectivity(bool online) = 0;
  virtual void OnError(const Error& error) = 0;
};

class Till {
 public:
  Till(TillOptions options, crypto::VerifyKey coupon_key);
  ~Till();

  // Thread-safe: queues a command for Run's thread.
  void Post(Command command);
  // The front end's input ended (stdin closed): Run returns once the queue is drained.
  void PostInputClosed();
  // Thread-safe: runs `task` on Run's thread between events, for a front end's own work
  // that must share the thread its callbacks run on (the cashier screen reads keys and
  // draws there). Tasks still queued when Run returns never run.
  void PostTask(std::function<void()> task);

  // Loads the catalog, starts the reader, uploader and catalog sync, then handles
  // events until a QuitCommand or the input closes. Returns the exit code.
  int Run(TillListener& listener);

  // State, for front ends to draw from; call on Run's thread (inside a callback).
  const Basket& basket() const { return basket_; }
  const TillStatus& status() const { return status_; }
  const domain::Catalog& catalog() const { return catalog_; }
  const TillOptions& options() const { return options_; }
  Timestamp Now() const;

 private:
  struct CardRead_ {
    CardRead read;
  };
  struct CardRejected_ {
    CardRejection rejection;
  };
  struct ReaderState_ {
    DeviceState state;
    std::string detail;
  };
  struct Uploaded_ {
    std::string sale_id;
    UploadOutcome outcome;
    std::size_t next_visit_coupons;
    std::string error;
  };
  struct CatalogFetched_ {
    domain::Catalog catalog;
  };
  struct Reachability_ {
    bool reachable;
  };
  struct PrintFailed_ {
    std::string sale_id;
    Error error;
  };
  struct InputClosed_ {};
  struct Task_ {
    std::function<void()> run;
  };
  using Event = std::variant<Command, CardRead_, CardRejected_, ReaderState_, Uploaded_,
                             CatalogFetched_, Reachability_, PrintFailed_, InputClosed_,
                             Task_>;

  void PostEvent(Event event);
  bool Handle(Event& event);  // false: stop
  bool HandleCommand(Command& command);

  void LoadLocalCatalog();
  // Applies fetched changes (or a whole catalog) to the copy held, saves the result as
  // the last good copy and sells from it: true when the version moved, an error when the
  // changes were made against another version.
  Result<bool> AdoptCatalog(domain::Catalog fetched);
  void UseCatalog(domain::Catalog catalog);
  void SyncCatalogLoop();
  const domain::Product* FindProduct(const std::string& code) const;

  void Scan(const ScanCommand& command);
  void Void(std::size_t line);
  void HandleRead(const CardRead& read);
  void HandleCard(const std::string& data, const std::string& source, bool nfc_authenticated);
  void HandleCouponToken(const std::string& token);
  void FinishSale();
  void SignOn(const std::string& cashier_id);
  void NewSale();
  void EmitCoupons();
  void RefreshBacklog();
  void SetOnline(bool online);

  TillOptions options_;
  crypto::VerifyKey coupon_key_;
  Journal journal_;
  ServerClient server_;
  Forwarder forwarder_;
  TillListener* listener_ = nullptr;

  domain::Catalog catalog_;
  std::unordered_map<std::string, std::size_t> by_sku_;
  std::unordered_map<std::string, std::size_t> by_barcode_;
  Basket basket_;
  TillStatus status_;

  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<Event> events_;
  bool stopping_ = false;
  std::thread catalog_sync_;
  std::unique_ptr<PrintSpool> printer_;
  std::atomic<std::int64_t> applied_version_{0};  // the catalog the till sells from
};

}  // namespace loyalty::terminal
