#include "app/till.h"

#include <algorithm>
#include <fstream>

#include "loyalty/core/log.h"
#include "loyalty/crypto/coupon_token.h"
#include "receipt/receipt_escpos.h"
#include "receipt/receipt_text.h"

namespace loyalty::terminal {
namespace {

bool Unreachable(const Error& error) {
  return error.code == ErrorCode::kUnavailable || error.code == ErrorCode::kTimeout;
}

}  // namespace

Till::Till(TillOptions options, crypto::VerifyKey coupon_key)
    : options_(std::move(options)),
      coupon_key_(std::move(coupon_key)),
      journal_(options_.journal_path),
      server_(options_.server, coupon_key_),
      forwarder_(
          options_.journal_path, options_.server, coupon_key_,
          [this](const std::string& sale_id, UploadOutcome outcome, const api::PurchaseAck* ack,
                 const std::string& error) {
            PostEvent(Uploaded_{sale_id, outcome, ack ? ack->next_visit_coupons.size() : 0, error});
          },
          options_.forwarder, [this](bool reachable) { PostEvent(Reachability_{reachable}); }),
      basket_(Currency::Usd()) {
  status_.cashier_id = options_.cashier_id;
}

Till::~Till() {
  // Every thread that posts to the queue stops before the queue goes, also when Run
  // ended with an exception.
  forwarder_.Stop();
  printer_.reset();
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  ready_.notify_all();
  if (catalog_sync_.joinable()) catalog_sync_.join();
}

Timestamp Till::Now() const { return loyalty::Now(); }

void Till::Post(Command command) { PostEvent(std::move(command)); }

void Till::PostInputClosed() { PostEvent(InputClosed_{}); }

void Till::PostTask(std::function<void()> task) { PostEvent(Task_{std::move(task)}); }

void Till::PostEvent(Event event) {
  {
    std::lock_guard lock(mutex_);
    events_.push_back(std::move(event));
  }
  ready_.notify_all();
}

int Till::Run(TillListener& listener) {
  listener_ = &listener;
  LoadLocalCatalog();
  // One synchronous refresh before the first sale, so the till starts on today's prices
  // when the server is there; later refreshes run in the background.
  if (auto fetched = server_.FetchCatalog(catalog_.version); fetched.ok()) {
    status_.online = true;
    if (!AdoptCatalog(std::move(fetched).value()).ok()) {
      // Out of step (the server's database was restored): take it whole.
      if (auto whole = server_.FetchCatalog(0); whole.ok()) {
        (void)AdoptCatalog(std::move(whole).value());
      }
    }
  } else {
    log::Warn("catalog not refreshed; using the last good copy",
              {{"error", fetched.error().ToString()}, {"version", catalog_.version}});
  }
  journal_.PruneLedger(Now());
  if (!options_.printer_path.empty()) {
    // A printer that is missing now is reported, and the till sells on: the receipt
    // still shows on screen and the sale is journaled either way.
    if (auto printer = ReceiptPrinter::Open(options_.printer_path); printer.ok()) {
      printer_ = std::make_unique<PrintSpool>(
          std::move(printer).value(), [this](const std::string& sale_id, const Error& error) {
            PostEvent(PrintFailed_{sale_id, error});
          });
      status_.printer = "ready";
    } else {
      status_.printer = printer.error().message;
      log::Error("receipt printer unavailable", {{"error", printer.error().ToString()}});
    }
  }

  std::unique_ptr<ReaderDriver> reader;
  if (!options_.reader_path.empty()) {
    ReaderOptions reader_options = options_.reader;
    reader_options.device_path = options_.reader_path;
    reader = std::make_unique<ReaderDriver>(
        reader_options, [this](const CardRead& read) { PostEvent(CardRead_{read}); },
        [this](DeviceState state, const std::string& detail) {
          PostEvent(ReaderState_{state, detail});
        },
        [this](const CardRejection& rejection) { PostEvent(CardRejected_{rejection}); });
    reader->Start();
  }
  forwarder_.Start();
  catalog_sync_ = std::thread([this] { SyncCatalogLoop(); });

  RefreshBacklog();
  listener_->OnReady(status_);
  for (bool running = true; running;) {
    Event event;
    {
      std::unique_lock lock(mutex_);
      ready_.wait(lock, [&] { return !events_.empty(); });
      event = std::move(events_.front());
      events_.pop_front();
    }
    running = Handle(event);
  }
  if (reader) reader->Stop();
  forwarder_.Stop();
  printer_.reset();  // prints what is queued
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  ready_.notify_all();
  catalog_sync_.join();
  return 0;
}

bool Till::Handle(Event& event) {
  if (auto* command = std::get_if<Command>(&event)) return HandleCommand(*command);
  if (std::holds_alternative<InputClosed_>(event)) return false;
  if (auto* task = std::get_if<Task_>(&event)) {
    task->run();
    return true;
  }
  if (auto* card = std::get_if<CardRead_>(&event)) {
    HandleRead(card->read);
  } else if (auto* rejected = std::get_if<CardRejected_>(&event)) {
    listener_->OnError(Error{ErrorCode::kPermissionDenied,
                             std::string(reader::TechnologyName(rejected->rejection.technology)) +
                                 " card refused: " + rejected->rejection.reason,
                             "card"});
  } else if (auto* state = std::get_if<ReaderState_>(&event)) {
    status_.reader_state = DeviceStateName(state->state);
    listener_->OnReaderState(status_.reader_state, state->detail);
  } else if (auto* reachability = std::get_if<Reachability_>(&event)) {
    SetOnline(reachability->reachable);
  } else if (auto* uploaded = std::get_if<Uploaded_>(&event)) {
    SetOnline(true);
    RefreshBacklog();
    listener_->OnUploaded(uploaded->sale_id, uploaded->outcome, uploaded->next_visit_coupons,
                          uploaded->error);
  } else if (auto* failed = std::get_if<PrintFailed_>(&event)) {
    status_.printer = failed->error.message;
    log::Error("receipt did not print", {{"sale_id", failed->sale_id},
                                         {"error", failed->error.ToString()}});
    listener_->OnError(Error{failed->error.code,
                             "receipt did not print: " + failed->error.message, "printer"});
  } else if (auto* fetched = std::get_if<CatalogFetched_>(&event)) {
    SetOnline(true);
    auto changed = AdoptCatalog(std::move(fetched->catalog));
    if (!changed.ok()) {
      log::Warn("catalog changes out of step; the next sync takes it whole",
                {{"error", changed.error().ToString()}});
    } else if (*changed) {
      listener_->OnCatalogUpdated(catalog_.version, catalog_.products.size());
    }
  }
  return true;
}

bool Till::HandleCommand(Command& command) {
  if (auto* scan = std::get_if<ScanCommand>(&command)) {
    Scan(*scan);
  } else if (auto* void_line = std::get_if<VoidCommand>(&command)) {
    Void(void_line->line);
  } else if (auto* card = std::get_if<CardCommand>(&command)) {
    HandleCard(card->number, "keyed", false);
  } else if (auto* coupon = std::get_if<CouponCommand>(&command)) {
    HandleCouponToken(coupon->token);
  } else if (std::holds_alternative<FinishCommand>(command)) {
    FinishSale();
  } else if (std::holds_alternative<CancelCommand>(command)) {
    NewSale();
    listener_->OnCancelled();
  } else if (auto* sign_on = std::get_if<SignOnCommand>(&command)) {
    SignOn(sign_on->cashier_id);
  } else if (std::holds_alternative<StatusCommand>(command)) {
    RefreshBacklog();
    listener_->OnStatus(status_);
  } else if (std::holds_alternative<QuitCommand>(command)) {
    return false;
  }
  return true;
}

void Till::LoadLocalCatalog() {
  if (auto local = journal_.LoadCatalog()) UseCatalog(std::move(*local));
  NewSale();
}

Result<bool> Till::AdoptCatalog(domain::Catalog fetched) {
  auto updated = domain::ApplyCatalogUpdate(catalog_, std::move(fetched));
  if (!updated.ok()) return updated.error();
  if (updated->version == catalog_.version) return false;
  journal_.SaveCatalog(*updated);
  UseCatalog(std::move(updated).value());
  return true;
}

void Till::UseCatalog(domain::Catalog catalog) {
  catalog_ = std::move(catalog);
  by_sku_.clear();
  by_barcode_.clear();
  for (std::size_t i = 0; i < catalog_.products.size(); ++i) {
    by_sku_.emplace(catalog_.products[i].sku, i);
    if (!catalog_.products[i].barcode.empty()) by_barcode_.emplace(catalog_.products[i].barcode, i);
  }
  status_.catalog_version = catalog_.version;
  applied_version_ = catalog_.version;
  status_.products = catalog_.products.size();
  // A sale in progress keeps the prices it was rung up at and its shopper; the next
  // sale gets the new currency if it changed.
  if (basket_.lines().empty() && !basket_.shopper()) basket_ = Basket(catalog_.currency);
}

void Till::SyncCatalogLoop() {
  // Its own connection: a slow server must never hold up the till's thread.
  std::optional<ServerClient> client;
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      if (ready_.wait_for(lock, options_.catalog_sync_interval, [&] { return stopping_; })) return;
    }
    try {
      if (!client) client.emplace(options_.server, coupon_key_);
      auto fetched = client->FetchCatalog(applied_version_.load());
      if (!fetched.ok()) {
        log::Warn("catalog sync failed; selling from the last good copy",
                  {{"error", fetched.error().ToString()}});
        continue;
      }
      if (fetched->version == applied_version_.load()) continue;  // nothing changed
      PostEvent(CatalogFetched_{std::move(fetched).value()});
    } catch (const std::exception& e) {
      log::Error("catalog sync failed", {{"error", e.what()}});
    }
  }
}

const domain::Product* Till::FindProduct(const std::string& code) const {
  // A barcode is tried first: an EAN and a short SKU cannot collide in length.
  if (auto it = by_barcode_.find(code); it != by_barcode_.end()) {
    return &catalog_.products[it->second];
  }
  if (auto it = by_sku_.find(code); it != by_sku_.end()) return &catalog_.products[it->second];
  return nullptr;
}

void Till::Scan(const ScanCommand& command) {
  const domain::Product* product = FindProduct(command.code);
  if (product == nullptr) {
    listener_->OnError(NotFound("no product with barcode or SKU " + command.code +
                                " in the catalog"));
    return;
  }
  auto added = command.weight_grams ? basket_.AddWeighed(*product, *command.weight_grams)
                                    : basket_.Add(*product, command.quantity);
  if (!added.ok()) {
    listener_->OnError(added.error());
    return;
  }
  listener_->OnLineAdded(*added + 1, basket_.lines()[*added]);
  EmitCoupons();
}

void Till::Void(std::size_t line) {
  if (line == 0) {
    listener_->OnError(InvalidArgument("line", "lines are numbered from 1"));
    return;
  }
  if (auto voided = basket_.Void(line - 1); !voided.ok()) {
    listener_->OnError(voided.error());
    return;
  }
  listener_->OnLineVoided(line);
  EmitCoupons();
}

// A read from the reader: a loyalty card by any technology, or a coupon from the QR
// code of an old receipt. Anything else (a payment card swiped by mistake) is refused;
// IdentifyCard's messages never hold more than the first 6 and last 4 digits.
void Till::HandleRead(const CardRead& read) {
  auto identity = IdentifyCard(read);
  if (!identity.ok()) {
    listener_->OnError(identity.error());
    return;
  }
  if (identity->kind == CardIdentity::Kind::kCouponToken) {
    HandleCouponToken(identity->coupon_token);
    return;
  }
  HandleCard(identity->card_number->digits(), reader::TechnologyName(identity->technology),
             identity->nfc_authenticated);
}

void Till::HandleCard(const std::string& data, const std::string& source, bool nfc_authenticated) {
  auto card = CardNumber::Parse(data);
  if (!card.ok()) {
    // Never echo what was read: a payment card swiped by mistake must not reach a log.
    listener_->OnError(Error{ErrorCode::kInvalidArgument,
                             "not a loyalty card (" + card.error().message + ")", "card"});
    return;
  }
  Shopper shopper{*card, std::nullopt, {}, true, {}};
  auto lookup = server_.LookupCard(*card);
  if (lookup.ok()) {
    shopper.customer = lookup->customer;
    for (auto& issued : lookup->coupons) shopper.coupons.push_back(std::move(issued.coupon));
  } else if (Unreachable(lookup.error())) {
    shopper.online = false;  // sell on; the purchase still earns points when it uploads
  } else {
    listener_->OnError(lookup.error());
    return;
  }
  SetOnline(shopper.online);
  // The server lists a coupon until it hears of the sale that spent it; this till's
  // ledger knows at once.
  shopper.spent_here = journal_.SpentCoupons(shopper.coupons);
  basket_.SetShopper(std::move(shopper));
  listener_->OnShopper(*basket_.shopper(), source, nfc_authenticated);
  EmitCoupons();
}

// A coupon scanned from a receipt: it must belong to the shopper whose card was read.
// Offline its signature and this till's ledger are all there is to go on; online it
// must also be among the live coupons the card lookup returned.
void Till::HandleCouponToken(const std::string& token) {
  auto coupon = crypto::VerifyCouponToken(token, coupon_key_);
  if (!coupon.ok()) {
    listener_->OnError(Error{ErrorCode::kInvalidArgument,
                             "receipt coupon refused: " + coupon.error().message, "coupon"});
    return;
  }
  if (!basket_.shopper()) {
    listener_->OnError(InvalidArgument("coupon", "scan the loyalty card before its coupons"));
    return;
  }
  Shopper shopper = *basket_.shopper();
  const bool bound = shopper.customer ? coupon->customer_id == shopper.customer->id
                                      : coupon->card_number == shopper.card.digits();
  if (!bound) {
    listener_->OnError(InvalidArgument("coupon", "this coupon belongs to another shopper"));
    return;
  }
  const bool known =
      std::any_of(shopper.coupons.begin(), shopper.coupons.end(),
                  [&](const domain::Coupon& held) { return held.id == coupon->id; });
  if (!known && shopper.online) {
    // Online, the card lookup listed every live coupon of this shopper: one missing
    // from it has been used, voided or has run out, however genuine its signature.
    listener_->OnError(
        InvalidArgument("coupon", "this coupon was used already or is no longer valid"));
    return;
  }
  if (!known) {
    shopper.coupons.push_back(*coupon);
    for (auto& [id, at] : journal_.SpentCoupons({*coupon})) shopper.spent_here[id] = at;
  }
  basket_.SetShopper(std::move(shopper));
  EmitCoupons();
}

void Till::EmitCoupons() {
  if (!basket_.shopper()) return;
  const CouponOutcome outcome = basket_.Coupons(Now());
  listener_->OnCoupons(outcome, basket_.ComputeTotals(outcome));
}

void Till::FinishSale() {
  if (basket_.empty()) {
    listener_->OnError(InvalidArgument("cmd", "nothing to finish: the basket is empty"));
    return;
  }
  const Timestamp now = Now();
  FinishedSale sale;
  sale.coupons = basket_.Coupons(now);
  sale.purchase =
      basket_.Finish(options_.server.store_id, options_.server.terminal_id, now, sale.coupons);
  sale.purchase.cashier_id = status_.cashier_id;
  // The same strict check the server applies: a sale that would be refused there is a
  // bug here, and must not reach the journal.
  auto checked = domain::PurchaseFromJson(domain::PurchaseToJson(sale.purchase));
  if (!checked.ok()) {
    listener_->OnError(Internal("sale fails validation: " + checked.error().ToString()));
    return;
  }
  std::vector<domain::Coupon> redeemed;
  for (const auto& applied : sale.coupons.applied) redeemed.push_back(applied.coupon);
  try {
    journal_.Append(sale.purchase, redeemed);  // durable before the receipt: the sale is safe
  } catch (const std::exception& e) {
    // Disk full, I/O error: nothing is sold until the journal holds it. The basket stays
    // as it is, so the cashier can finish again once the fault is cleared.
    log::Error("sale not journaled", {{"error", e.what()}});
    listener_->OnError(Error{ErrorCode::kUnavailable,
                             std::string("the sale could not be saved; try finishing again (") +
                                 e.what() + ")",
                             "journal"});
    return;
  }
  forwarder_.Wake();

  Receipt& receipt = sale.receipt;
  receipt.store_id = options_.server.store_id;
  receipt.store_name = options_.store_name;
  receipt.store_address = options_.store_address;
  receipt.terminal_id = options_.server.terminal_id;
  receipt.cashier_id = status_.cashier_id;
  receipt.sale_id = sale.purchase.id.str();
  receipt.finished_at = now;
  receipt.currency = basket_.currency();
  receipt.lines = basket_.lines();
  receipt.applied_coupons = sale.coupons.applied;
  receipt.totals = basket_.ComputeTotals(sale.coupons);
  if (basket_.shopper()) {
    receipt.card = basket_.shopper()->card;
    receipt.customer = basket_.shopper()->customer;
    // A short wait lets the next-visit coupons print on this receipt; past it the sale
    // goes on and the coupons reach the shopper's card when the upload lands. Offline
    // there is nothing to wait for.
    if (status_.online) {
      if (auto ack = forwarder_.WaitForAck(receipt.sale_id, options_.receipt_coupon_wait)) {
        receipt.next_visit_coupons = ack->next_visit_coupons;
      }
    }
  }
  sale.receipt_text = RenderReceiptText(receipt);
  if (printer_) printer_->Submit(receipt.sale_id, RenderReceiptEscPos(receipt));
  if (!options_.receipts_path.empty()) {
    std::ofstream(options_.receipts_path, std::ios::app) << sale.receipt_text << "\n\n";
  }
  listener_->OnSaleFinished(sale);
  NewSale();
}

void Till::SignOn(const std::string& cashier_id) {
  auto parsed = domain::ParseCashierId(cashier_id, "cashier_id");
  if (!parsed.ok()) {
    listener_->OnError(parsed.error());
    return;
  }
  // A sale belongs to one cashier: the one who started it finishes or cancels it.
  if (!basket_.empty()) {
    listener_->OnError(InvalidArgument("cashier_id", "finish or cancel the open sale first"));
    return;
  }
  status_.cashier_id = std::move(parsed).value();
  log::Info("cashier signed on", {{"cashier_id", *status_.cashier_id}});
  RefreshBacklog();
  listener_->OnStatus(status_);
}

void Till::NewSale() { basket_ = Basket(catalog_.currency); }

void Till::RefreshBacklog() { status_.backlog = journal_.PendingCount(); }

void Till::SetOnline(bool online) {
  if (status_.online == online) return;
  status_.online = online;
  RefreshBacklog();
  listener_->OnConnectivity(online);
}

}  // namespace loyalty::terminal
