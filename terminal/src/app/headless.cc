#include "app/headless.h"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>
#include <thread>
#include <variant>

#include "checkout/basket.h"
#include "journal/forwarder.h"
#include "journal/journal.h"
#include "loyalty/codec/json_reader.h"
#include "loyalty/core/args.h"
#include "loyalty/core/log.h"
#include "loyalty/crypto/coupon_token.h"
#include "loyalty/reader/nfc_auth.h"
#include "reader/card_identity.h"
#include "reader/reader_driver.h"
#include "receipt/receipt_text.h"
#include "server/server_client.h"

namespace loyalty::terminal {
namespace {

constexpr char kUsage[] =
    R"(loyalty-terminal: the Loyalty POS checkout terminal (headless JSON-lines mode)

Usage:
  loyalty-terminal enroll --server URL --server-ca FILE --code CODE [--name NAME]
                          [--credential FILE]
      exchange the one-time code from 'loyalty-server terminal enroll' for this
      terminal's credential, saved in FILE (mode 0600)
  loyalty-terminal --server URL --server-ca FILE --coupon-key FILE [options]
      sell: commands on stdin, events on stdout (one JSON object a line)

Options (each also read from the environment variable named; flags win):
  --server URL        the server, https://host:port (LOYALTY_SERVER_URL)
  --server-ca FILE    certificate the server's must chain to (LOYALTY_SERVER_CA)
  --coupon-key FILE   the server's coupon public key, to check coupons offline
                      (LOYALTY_COUPON_KEY)
  --credential FILE   this terminal's identity and secret from enrollment
                      (LOYALTY_CREDENTIAL; default var/terminal/credential.json)
  --reader PATH       card reader serial device, e.g. the simulator's link
                      (LOYALTY_READER; default: none, cards keyed in only)
  --journal FILE      sales journal (LOYALTY_JOURNAL; default var/terminal/journal.db)
  --receipts FILE     append each plain-text receipt to FILE (LOYALTY_RECEIPTS)
  --timeout-ms N      how long to wait for the server per call (default 2000)
  --nfc-policy P      NFC cards must prove their key: required (default), preferred
                      (cards that cannot answer still count) or off (LOYALTY_NFC_POLICY)
  --nfc-master-key F  the chain's NFC master key, hex (LOYALTY_NFC_MASTER_KEY); without
                      it no NFC card can authenticate
  --heartbeat-s N     seconds between heartbeats to the server (default 60)

Commands on stdin, one JSON object per line:
  {"cmd":"scan","sku":"1004906","quantity":2}  {"cmd":"card","number":"2000000000015"}
  {"cmd":"coupon","token":"..."}  {"cmd":"finish"}  {"cmd":"cancel"}  {"cmd":"status"}
  {"cmd":"quit"}
)";

struct Options {
  ServerOptions server;
  ForwarderOptions forwarder;
  ReaderOptions reader;
  std::string coupon_key_file;
  std::string reader_path;
  std::string journal_path;
  std::string receipts_path;
};

struct InputLine {
  std::string text;
};
struct InputClosed {};
struct CardEvent {
  CardRead read;
};
struct CardRejected {
  CardRejection rejection;
};
struct ReaderStateEvent {
  DeviceState state;
  std::string detail;
};
using Event = std::variant<InputLine, InputClosed, CardEvent, CardRejected, ReaderStateEvent>;

// Events from the stdin, reader and forwarder threads, handled one at a time.
class EventQueue {
 public:
  void Push(Event event) {
    {
      std::lock_guard lock(mutex_);
      events_.push_back(std::move(event));
    }
    ready_.notify_one();
  }
  Event Pop() {
    std::unique_lock lock(mutex_);
    ready_.wait(lock, [&] { return !events_.empty(); });
    Event event = std::move(events_.front());
    events_.pop_front();
    return event;
  }

 private:
  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<Event> events_;
};

// stdout carries only events, one JSON object a line, from several threads.
class EventWriter {
 public:
  void Emit(const std::string& event, nlohmann::json fields = nlohmann::json::object()) {
    fields["event"] = event;
    std::lock_guard lock(mutex_);
    std::cout << fields.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << std::endl;
  }
  void EmitError(const Error& error) {
    nlohmann::json fields = {{"code", ErrorCodeName(error.code)}, {"message", error.message}};
    if (!error.field.empty()) fields["field"] = error.field;
    Emit("error", std::move(fields));
  }

 private:
  std::mutex mutex_;
};

nlohmann::json CouponBrief(const domain::Coupon& coupon) {
  return {{"id", coupon.id.str()},
          {"title", coupon.title},
          {"expires_at", FormatUtc(coupon.expires_at)}};
}

class Terminal {
 public:
  Terminal(Options options, crypto::VerifyKey coupon_key)
      : options_(std::move(options)),
        coupon_key_(std::move(coupon_key)),
        journal_(options_.journal_path),
        server_(options_.server, coupon_key_),
        basket_(Currency::Usd()),
        forwarder_(
            options_.journal_path, options_.server, coupon_key_,
            [this](const std::string& sale_id, UploadOutcome outcome, const api::PurchaseAck* ack,
                   const std::string& error) { OnUploaded(sale_id, outcome, ack, error); },
            options_.forwarder) {}

  int Run() {
    LoadCatalog();
    std::unique_ptr<ReaderDriver> reader;
    if (!options_.reader_path.empty()) {
      ReaderOptions reader_options = options_.reader;
      reader_options.device_path = options_.reader_path;
      reader = std::make_unique<ReaderDriver>(
          reader_options, [this](const CardRead& read) { queue_.Push(CardEvent{read}); },
          [this](DeviceState state, const std::string& detail) {
            queue_.Push(ReaderStateEvent{state, detail});
          },
          [this](const CardRejection& rejection) { queue_.Push(CardRejected{rejection}); });
      reader->Start();
    }
    forwarder_.Start();
    // stdin is read on its own thread so card reads are handled while no command comes.
    std::thread input([this] {
      std::string line;
      while (std::getline(std::cin, line)) queue_.Push(InputLine{line});
      queue_.Push(InputClosed{});
    });
    input.detach();  // a blocked read of stdin cannot be interrupted; exit ends it

    writer_.Emit("ready", {{"store", options_.server.store_id},
                           {"terminal", options_.server.terminal_id},
                           {"catalog_version", catalog_.version},
                           {"products", catalog_.products.size()},
                           {"backlog", journal_.PendingCount()}});
    for (bool running = true; running;) {
      Event event = queue_.Pop();
      if (std::holds_alternative<InputLine>(event)) {
        running = HandleCommand(std::get<InputLine>(event).text);
      } else if (std::holds_alternative<InputClosed>(event)) {
        running = false;
      } else if (auto* card = std::get_if<CardEvent>(&event)) {
        HandleRead(card->read);
      } else if (auto* rejected = std::get_if<CardRejected>(&event)) {
        writer_.EmitError(
            Error{ErrorCode::kPermissionDenied,
                  std::string(reader::TechnologyName(rejected->rejection.technology)) +
                      " card refused: " + rejected->rejection.reason,
                  "card"});
      } else if (auto* state = std::get_if<ReaderStateEvent>(&event)) {
        reader_state_ = DeviceStateName(state->state);
        writer_.Emit("reader", {{"state", reader_state_}, {"detail", state->detail}});
      }
    }
    if (reader) reader->Stop();
    forwarder_.Stop();
    return 0;
  }

 private:
  void LoadCatalog() {
    if (auto local = journal_.LoadCatalog()) catalog_ = std::move(*local);
    // Only what changed since the copy held, when there is one.
    auto fetched = server_.FetchCatalog(catalog_.version);
    if (fetched.ok()) {
      auto updated = domain::ApplyCatalogUpdate(catalog_, std::move(fetched).value());
      if (!updated.ok()) updated = server_.FetchCatalog(0);  // out of step: take it whole
      if (updated.ok() && updated->version != catalog_.version) {
        catalog_ = std::move(updated).value();
        journal_.SaveCatalog(catalog_);
      }
    } else {
      log::Warn("catalog not refreshed; using the last good copy",
                {{"error", fetched.error().ToString()}, {"version", catalog_.version}});
    }
    products_.clear();
    for (std::size_t i = 0; i < catalog_.products.size(); ++i) {
      products_.emplace(catalog_.products[i].sku, i);
    }
    basket_ = Basket(catalog_.currency);
  }

  bool HandleCommand(const std::string& text) {
    if (text.find_first_not_of(" \t\r") == std::string::npos) return true;
    auto json = codec::ParseJson(text, 4);
    if (!json.ok()) {
      writer_.EmitError(json.error());
      return true;
    }
    codec::FieldErrors errors;
    codec::ObjectReader command(*json, "", errors);
    const std::string name = command.RequiredString("cmd", 16);
    if (!errors.ok()) {
      writer_.EmitError(errors.error());
      return true;
    }
    if (name == "scan") {
      const std::string sku = command.RequiredString("sku", domain::kMaxSkuLength);
      const std::int64_t quantity =
          command.OptionalInt("quantity", 1, domain::kMaxLineQuantity).value_or(1);
      command.Finish();
      if (errors.ok()) Scan(sku, quantity);
    } else if (name == "card") {
      const std::string number = command.RequiredString("number", 32);
      command.Finish();
      if (errors.ok()) HandleCard(number, "keyed");
    } else if (name == "coupon") {
      // A receipt's QR code keyed or scanned by a hand scanner outside the card reader.
      const std::string token = command.RequiredString("token", crypto::kMaxCouponTokenLength);
      command.Finish();
      if (errors.ok()) HandleCouponToken(token);
    } else if (name == "finish" || name == "cancel" || name == "status" || name == "quit") {
      command.Finish();
      if (errors.ok()) {
        if (name == "finish") FinishSale();
        if (name == "cancel") CancelSale();
        if (name == "status") Status();
        if (name == "quit") return false;
      }
    } else {
      errors.Add("cmd",
                 "unknown command '" + name + "' (scan, card, finish, cancel, status, quit)");
    }
    if (!errors.ok()) writer_.EmitError(errors.error());
    return true;
  }

  void Scan(const std::string& sku, std::int64_t quantity) {
    const auto it = products_.find(sku);
    if (it == products_.end()) {
      writer_.EmitError(NotFound("no product with sku " + sku + " in the catalog"));
      return;
    }
    const domain::Product& product = catalog_.products[it->second];
    auto added = basket_.Add(product, quantity);
    if (!added.ok()) {
      writer_.EmitError(added.error());
      return;
    }
    const auto coupons = basket_.Coupons(Now());
    writer_.Emit("line_added", {{"line", *added + 1},
                                {"sku", product.sku},
                                {"name", product.name},
                                {"quantity", quantity},
                                {"amount", product.price_minor * quantity},
                                {"total", basket_.ComputeTotals(coupons).total_minor}});
    if (basket_.shopper()) EmitCoupons(coupons);
  }

  // A read from the reader: a loyalty card by any technology, or a coupon from the QR
  // code of an old receipt. Anything else (a payment card swiped by mistake) is refused;
  // IdentifyCard's messages never hold more than the first 6 and last 4 digits.
  void HandleRead(const CardRead& read) {
    auto identity = IdentifyCard(read);
    if (!identity.ok()) {
      writer_.EmitError(identity.error());
      return;
    }
    if (identity->kind == CardIdentity::Kind::kCouponToken) {
      HandleCouponToken(identity->coupon_token);
      return;
    }
    HandleCard(identity->card_number->digits(), reader::TechnologyName(identity->technology),
               identity->nfc_authenticated);
  }

  // A coupon scanned from a receipt: it must belong to the shopper whose card was read.
  // Offline its signature is all there is to go on; online it must also be among the
  // live coupons the card lookup returned.
  void HandleCouponToken(const std::string& token) {
    auto coupon = crypto::VerifyCouponToken(token, coupon_key_);
    if (!coupon.ok()) {
      writer_.EmitError(Error{ErrorCode::kInvalidArgument,
                              "receipt coupon refused: " + coupon.error().message, "coupon"});
      return;
    }
    if (!basket_.shopper()) {
      writer_.EmitError(InvalidArgument("coupon", "scan the loyalty card before its coupons"));
      return;
    }
    Shopper shopper = *basket_.shopper();
    const bool bound = shopper.customer ? coupon->customer_id == shopper.customer->id
                                        : coupon->card_number == shopper.card.digits();
    if (!bound) {
      writer_.EmitError(InvalidArgument("coupon", "this coupon belongs to another shopper"));
      return;
    }
    const bool known =
        std::any_of(shopper.coupons.begin(), shopper.coupons.end(),
                    [&](const domain::Coupon& held) { return held.id == coupon->id; });
    if (!known && shopper.customer) {
      // Online, the card lookup listed every live coupon of this shopper: one missing
      // from it has been used, voided or has run out, however genuine its signature.
      writer_.EmitError(
          InvalidArgument("coupon", "this coupon was used already or is no longer valid"));
      return;
    }
    if (!known) shopper.coupons.push_back(*coupon);  // offline: the signature is what we have
    basket_.SetShopper(std::move(shopper));
    EmitCoupons(basket_.Coupons(Now()));
  }

  void HandleCard(const std::string& data, const std::string& source,
                  bool nfc_authenticated = false) {
    auto card = CardNumber::Parse(data);
    if (!card.ok()) {
      // Never echo what was read: a payment card swiped by mistake must not reach a log.
      writer_.EmitError(Error{ErrorCode::kInvalidArgument,
                              "not a loyalty card (" + card.error().message + ")", "card"});
      return;
    }
    Shopper shopper{*card, std::nullopt, {}, true, {}};
    auto lookup = server_.LookupCard(*card);
    bool online = true;
    if (lookup.ok()) {
      shopper.customer = lookup->customer;
      for (auto& issued : lookup->coupons) shopper.coupons.push_back(std::move(issued.coupon));
    } else if (lookup.error().code == ErrorCode::kUnavailable ||
               lookup.error().code == ErrorCode::kTimeout) {
      online = false;  // sell on; the purchase still earns points when it uploads
      shopper.online = false;
    } else {
      writer_.EmitError(lookup.error());
      return;
    }
    basket_.SetShopper(std::move(shopper));
    nlohmann::json coupons = nlohmann::json::array();
    for (const auto& coupon : basket_.shopper()->coupons) coupons.push_back(CouponBrief(coupon));
    nlohmann::json event = {{"card", card->Masked()},
                            {"source", source},
                            {"nfc_authenticated", nfc_authenticated},
                            {"online", online},
                            {"customer_id", nullptr},
                            {"coupons", std::move(coupons)}};
    if (basket_.shopper()->customer) {
      event["customer_id"] = basket_.shopper()->customer->id;
      event["visits"] = basket_.shopper()->customer->visits;
    }
    writer_.Emit("card", std::move(event));
    EmitCoupons(basket_.Coupons(Now()));
  }

  void EmitCoupons(const CouponOutcome& outcome) {
    nlohmann::json applied = nlohmann::json::array();
    for (const auto& coupon : outcome.applied) {
      auto brief = CouponBrief(coupon.coupon);
      brief["discount"] = coupon.discount_minor;
      applied.push_back(std::move(brief));
    }
    nlohmann::json not_applied = nlohmann::json::array();
    for (const auto& coupon : outcome.not_applied) {
      auto brief = CouponBrief(coupon.coupon);
      brief["reason"] = coupon.reason;
      not_applied.push_back(std::move(brief));
    }
    writer_.Emit("coupons", {{"applied", std::move(applied)},
                             {"not_applied", std::move(not_applied)},
                             {"total", basket_.ComputeTotals(outcome).total_minor}});
  }

  void FinishSale() {
    if (basket_.empty()) {
      writer_.EmitError(InvalidArgument("cmd", "nothing to finish: the basket is empty"));
      return;
    }
    const Timestamp now = Now();
    const domain::Purchase purchase =
        basket_.Finish(options_.server.store_id, options_.server.terminal_id, now);
    // The same strict check the server applies: a sale that would be refused there is a
    // bug here, and must not reach the journal.
    auto checked = domain::PurchaseFromJson(domain::PurchaseToJson(purchase));
    if (!checked.ok()) {
      writer_.EmitError(Internal("sale fails validation: " + checked.error().ToString()));
      return;
    }
    journal_.Append(purchase);  // durable before the receipt: the sale is now safe
    forwarder_.Wake();

    const CouponOutcome coupons = basket_.Coupons(now);
    Receipt receipt;
    receipt.store_id = options_.server.store_id;
    receipt.terminal_id = options_.server.terminal_id;
    receipt.sale_id = purchase.id.str();
    receipt.finished_at = now;
    receipt.currency = basket_.currency();
    receipt.lines = basket_.lines();
    receipt.applied_coupons = coupons.applied;
    receipt.totals = basket_.ComputeTotals(coupons);
    if (basket_.shopper()) {
      receipt.card = basket_.shopper()->card;
      receipt.customer = basket_.shopper()->customer;
      // A short wait lets the next-visit coupons print on this receipt; past it the
      // sale goes on and the coupons reach the shopper's card when the upload lands.
      if (auto ack = forwarder_.WaitForAck(purchase.id.str(), options_.server.timeout)) {
        receipt.next_visit_coupons = ack->next_visit_coupons;
      }
    }
    const std::string text = RenderReceiptText(receipt);
    if (!options_.receipts_path.empty()) {
      std::ofstream(options_.receipts_path, std::ios::app) << text << "\n\n";
    }
    nlohmann::json next = nlohmann::json::array();
    if (receipt.next_visit_coupons) {
      for (const auto& issued : *receipt.next_visit_coupons) {
        auto brief = CouponBrief(issued.coupon);
        brief["token"] = issued.token;
        next.push_back(std::move(brief));
      }
    }
    writer_.Emit("sale_finished", {{"sale_id", purchase.id.str()},
                                   {"subtotal", receipt.totals.subtotal_minor},
                                   {"discount", receipt.totals.discount_minor},
                                   {"total", receipt.totals.total_minor},
                                   {"coupons_redeemed", coupons.applied.size()},
                                   {"next_visit_coupons", std::move(next)},
                                   {"receipt", text}});
    basket_ = Basket(catalog_.currency);
  }

  void CancelSale() {
    basket_ = Basket(catalog_.currency);
    writer_.Emit("cancelled");
  }

  void Status() {
    writer_.Emit("status", {{"reader", reader_state_},
                            {"backlog", journal_.PendingCount()},
                            {"catalog_version", catalog_.version},
                            {"lines", basket_.lines().size()}});
  }

  void OnUploaded(const std::string& sale_id, UploadOutcome outcome, const api::PurchaseAck* ack,
                  const std::string& error) {
    if (outcome == UploadOutcome::kUploaded) {
      writer_.Emit("uploaded",
                   {{"sale_id", sale_id}, {"next_visit_coupons", ack->next_visit_coupons.size()}});
    } else {
      writer_.Emit("upload_rejected", {{"sale_id", sale_id}, {"error", error}});
    }
  }

  Options options_;
  crypto::VerifyKey coupon_key_;
  Journal journal_;
  ServerClient server_;
  domain::Catalog catalog_;
  std::unordered_map<std::string, std::size_t> products_;
  Basket basket_;
  EventQueue queue_;
  EventWriter writer_;
  Forwarder forwarder_;
  std::string reader_state_ = "closed";
};

int Enroll(const Args& args) {
  ServerOptions server;
  server.url = args.ValueOr("server", "LOYALTY_SERVER_URL", "");
  server.ca_file = args.ValueOr("server-ca", "LOYALTY_SERVER_CA", "");
  const std::string code = args.ValueOr("code", nullptr, "");
  const std::string path =
      args.ValueOr("credential", "LOYALTY_CREDENTIAL", "var/terminal/credential.json");
  if (server.url.empty() || server.ca_file.empty() || code.empty()) {
    std::cerr << "enroll needs --server, --server-ca and --code (see --help)\n";
    return 2;
  }
  char host[256] = "till";
  gethostname(host, sizeof host - 1);
  const std::string name = args.ValueOr("name", nullptr, host);
  try {
    const auto parent = std::filesystem::path(path).parent_path();
    if (!parent.empty()) std::filesystem::create_directories(parent);
    // Enrollment needs no coupon key: nothing it receives is a coupon.
    auto unused_key = crypto::SigningKey::Generate();
    ServerClient client(server, unused_key.verify_key());
    auto credential = client.Enroll(code, name);
    if (!credential.ok()) {
      std::cerr << "enrollment failed: " << credential.error().ToString() << "\n";
      return 1;
    }
    if (auto saved = SaveCredential(path, *credential); !saved.ok()) {
      std::cerr << saved.error().ToString() << "\n";
      return 1;
    }
    std::cout << "enrolled as terminal " << credential->terminal_id << " of store "
              << credential->store_id << "; credential saved in " << path << "\n";
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "enrollment failed: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace

int TerminalMain(int argc, char** argv) {
  log::SetProgram("terminal");
  // A server that closes the connection mid-write must not kill the till.
  signal(SIGPIPE, SIG_IGN);
  std::vector<std::string> arguments(argv + 1, argv + argc);
  auto args = Args::Parse(
      arguments,
      {"server", "server-ca", "coupon-key", "reader", "journal", "credential", "receipts",
       "timeout-ms", "heartbeat-s", "code", "name", "nfc-policy", "nfc-master-key"},
      {"help"});
  if (!args.ok()) {
    std::cerr << args.error().ToString() << "\n";
    return 2;
  }
  if (args->Flag("help")) {
    std::cout << kUsage;
    return 0;
  }
  if (args->positional() == std::vector<std::string>{"enroll"}) return Enroll(*args);
  if (!args->positional().empty()) {
    std::cerr << "unknown command '" << args->positional().front() << "' (see --help)\n";
    return 2;
  }
  Options options;
  options.server.url = args->ValueOr("server", "LOYALTY_SERVER_URL", "");
  options.server.ca_file = args->ValueOr("server-ca", "LOYALTY_SERVER_CA", "");
  options.coupon_key_file = args->ValueOr("coupon-key", "LOYALTY_COUPON_KEY", "");
  options.reader_path = args->ValueOr("reader", "LOYALTY_READER", "");
  options.journal_path = args->ValueOr("journal", "LOYALTY_JOURNAL", "var/terminal/journal.db");
  options.receipts_path = args->ValueOr("receipts", "LOYALTY_RECEIPTS", "");
  const int timeout_ms = std::atoi(args->ValueOr("timeout-ms", nullptr, "2000").c_str());
  if (timeout_ms < 100 || timeout_ms > 60'000) {
    std::cerr << "--timeout-ms must be between 100 and 60000\n";
    return 2;
  }
  options.server.timeout = std::chrono::milliseconds(timeout_ms);
  const int heartbeat_s = std::atoi(args->ValueOr("heartbeat-s", nullptr, "60").c_str());
  if (heartbeat_s < 1 || heartbeat_s > 3600) {
    std::cerr << "--heartbeat-s must be between 1 and 3600\n";
    return 2;
  }
  options.forwarder.heartbeat_interval = std::chrono::seconds(heartbeat_s);
  auto policy = ParseNfcAuthPolicy(args->ValueOr("nfc-policy", "LOYALTY_NFC_POLICY", "required"));
  if (!policy.ok()) {
    std::cerr << policy.error().ToString() << "\n";
    return 2;
  }
  options.reader.nfc_auth = *policy;
  if (const auto key_file = args->ValueOr("nfc-master-key", "LOYALTY_NFC_MASTER_KEY", "");
      !key_file.empty()) {
    auto key = reader::LoadNfcMasterKey(key_file);
    if (!key.ok()) {
      std::cerr << key.error().ToString() << "\n";
      return 2;
    }
    options.reader.nfc_master_key = std::move(key).value();
  }
  for (const auto& [value, name] : {std::pair{&options.server.url, "--server"},
                                    std::pair{&options.server.ca_file, "--server-ca"},
                                    std::pair{&options.coupon_key_file, "--coupon-key"}}) {
    if (value->empty()) {
      std::cerr << name << " is required (see --help)\n";
      return 2;
    }
  }
  if (auto url = net::ParseHttpsUrl(options.server.url); !url.ok()) {
    std::cerr << url.error().ToString() << "\n";
    return 2;
  }
  auto credential = LoadCredential(
      args->ValueOr("credential", "LOYALTY_CREDENTIAL", "var/terminal/credential.json"));
  if (!credential.ok()) {
    std::cerr << credential.error().ToString() << "\n";
    return 2;
  }
  options.server.terminal_id = credential->terminal_id;
  options.server.store_id = credential->store_id;
  options.server.credential = credential->credential;
  auto coupon_key = crypto::VerifyKey::LoadFile(options.coupon_key_file);
  if (!coupon_key.ok()) {
    std::cerr << coupon_key.error().ToString() << "\n";
    return 2;
  }
  try {
    const auto journal_dir = std::filesystem::path(options.journal_path).parent_path();
    if (!journal_dir.empty()) std::filesystem::create_directories(journal_dir);
    Terminal terminal(std::move(options), std::move(coupon_key).value());
    return terminal.Run();
  } catch (const std::exception& e) {
    log::Error("fatal", {{"error", e.what()}});
    return 1;
  }
}

}  // namespace loyalty::terminal
