#include "app/terminal_main.h"

#include <signal.h>
#include <unistd.h>

#include <filesystem>
#include <iostream>
#include <set>
#include <sstream>

#include "app/headless.h"
#include "app/screen.h"
#include "app/till.h"
#include "loyalty/core/args.h"
#include "loyalty/core/log.h"
#include "loyalty/core/number.h"
#include "loyalty/reader/nfc_auth.h"

namespace loyalty::terminal {
namespace {

constexpr char kUsage[] =
    R"(loyalty-terminal: the Loyalty POS checkout terminal

Usage:
  loyalty-terminal enroll --server URL --server-ca FILE --code CODE [--name NAME]
                          [--credential FILE]
      exchange the one-time code from 'loyalty-server terminal enroll' for this
      terminal's credential, saved in FILE (mode 0600)
  loyalty-terminal --server URL --server-ca FILE --coupon-key FILE [options]
      sell: on the cashier screen when run in a terminal, else headless (commands
      on stdin, events on stdout, one JSON object a line)

Options (each also read from the environment variable named, and from the config
file; flags win over the environment, the environment over the file):
  --config FILE       JSON object of these options by name (LOYALTY_TERMINAL_CONFIG),
                      e.g. {"server": "https://10.0.0.5:8443", "timeout-ms": 1500}
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
  --ui MODE           screen (the cashier's full-screen UI) or headless (JSON lines);
                      default: screen when stdin and stdout are a terminal (LOYALTY_UI).
                      The screen owns the terminal: when stderr is the terminal as
                      well, logs go to terminal.log beside the journal meanwhile
  --cashier ID        the cashier signed on at start, e.g. C042 (LOYALTY_CASHIER; 1 to 32
                      printable characters; default: nobody until one signs on)
  --store-name TEXT   receipt header (LOYALTY_STORE_NAME; default "Store <id>")
  --store-address T   receipt header lines, separated by ';' (LOYALTY_STORE_ADDRESS)
  --printer PATH      ESC/POS receipt printer device or file (LOYALTY_PRINTER)
  --receipt-wait-ms N how long a receipt waits for next-visit coupons (default 1500)
  --catalog-sync-s N  seconds between catalog syncs (default 300)
  --retry-max-s N     longest wait between upload retries while the server is down
                      (default 30; retries back off from 0.25 s with jitter)

Cashier screen keys (type or scan, then Enter; ? on the screen lists them):
  1004906  scan a barcode or SKU     3*1004906  three of it    s:AB-12  a code with letters
  F2 w755*161354  weighed, 755 g     F3 c:2000000000015  key in a card
  F4 t:<code>  a receipt coupon      F5 v:2  void line 2       F8 x  cancel the sale
  F6 o:C042  cashier C042 signs on (between sales)
  F10 f  finish the sale                                      ^Q q  quit

Headless commands on stdin, one JSON object per line:
  {"cmd":"scan","code":"1004906","quantity":2}  (code: barcode or SKU)
  {"cmd":"scan","code":"161354","weight_grams":755}  {"cmd":"void","line":2}
  {"cmd":"card","number":"2000000000015"}  {"cmd":"coupon","token":"..."}
  {"cmd":"cashier","cashier_id":"C042"}  (sign on, between sales)
  {"cmd":"finish"}  {"cmd":"cancel"}  {"cmd":"status"}  {"cmd":"quit"}
)";

// A whole-number flag within [min, max]; prints what is wrong and returns nullopt.
std::optional<std::int64_t> NumberOption(const Args& args, const std::string& name,
                                         const std::string& fallback, std::int64_t min,
                                         std::int64_t max) {
  const std::string text = args.ValueOr(name, nullptr, fallback);
  const auto value = ParseWholeNumber(text, max);
  if (!value || *value < min) {
    std::cerr << "--" << name << " must be a whole number between " << min << " and " << max
              << ", not '" << text << "'\n";
    return std::nullopt;
  }
  return value;
}

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
  // Settings a config file may hold: everything but the one-shot enrollment values.
  const std::set<std::string> settings = {
      "server", "server-ca", "coupon-key", "reader", "journal", "credential", "receipts",
      "timeout-ms", "heartbeat-s", "nfc-policy", "nfc-master-key", "ui", "store-name",
      "store-address", "cashier", "printer", "receipt-wait-ms", "catalog-sync-s", "retry-max-s"};
  std::set<std::string> value_options = settings;
  value_options.insert({"code", "name", "config"});
  auto args = Args::Parse(arguments, value_options, {"help"});
  if (!args.ok()) {
    std::cerr << args.error().ToString() << "\n";
    return 2;
  }
  if (const auto config = args->ValueOr("config", "LOYALTY_TERMINAL_CONFIG", "");
      !config.empty()) {
    if (auto loaded = args->LoadConfigFile(config, settings); !loaded.ok()) {
      std::cerr << loaded.error().message << "\n";
      return 2;
    }
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
  TillOptions options;
  options.server.url = args->ValueOr("server", "LOYALTY_SERVER_URL", "");
  options.server.ca_file = args->ValueOr("server-ca", "LOYALTY_SERVER_CA", "");
  std::string coupon_key_file = args->ValueOr("coupon-key", "LOYALTY_COUPON_KEY", "");
  options.reader_path = args->ValueOr("reader", "LOYALTY_READER", "");
  options.journal_path = args->ValueOr("journal", "LOYALTY_JOURNAL", "var/terminal/journal.db");
  options.receipts_path = args->ValueOr("receipts", "LOYALTY_RECEIPTS", "");
  options.printer_path = args->ValueOr("printer", "LOYALTY_PRINTER", "");
  const auto timeout_ms = NumberOption(*args, "timeout-ms", "2000", 100, 60'000);
  const auto heartbeat_s = NumberOption(*args, "heartbeat-s", "60", 1, 3600);
  const auto receipt_wait_ms = NumberOption(*args, "receipt-wait-ms", "1500", 0, 60'000);
  const auto catalog_sync_s = NumberOption(*args, "catalog-sync-s", "300", 1, 86'400);
  const auto retry_max_s = NumberOption(*args, "retry-max-s", "30", 1, 3600);
  if (!timeout_ms || !heartbeat_s || !receipt_wait_ms || !catalog_sync_s || !retry_max_s) {
    return 2;
  }
  options.forwarder.backoff_max = std::chrono::seconds(*retry_max_s);
  options.server.timeout = std::chrono::milliseconds(*timeout_ms);
  options.forwarder.heartbeat_interval = std::chrono::seconds(*heartbeat_s);
  options.receipt_coupon_wait = std::chrono::milliseconds(*receipt_wait_ms);
  options.catalog_sync_interval = std::chrono::seconds(*catalog_sync_s);
  const std::string ui = args->ValueOr(
      "ui", "LOYALTY_UI", isatty(STDIN_FILENO) && isatty(STDOUT_FILENO) ? "screen" : "headless");
  if (ui != "screen" && ui != "headless") {
    std::cerr << "--ui must be screen or headless, not '" << ui << "'\n";
    return 2;
  }
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
                                    std::pair{&coupon_key_file, "--coupon-key"}}) {
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
  if (const auto cashier = args->ValueOr("cashier", "LOYALTY_CASHIER", ""); !cashier.empty()) {
    auto id = domain::ParseCashierId(cashier, "cashier");
    if (!id.ok()) {
      std::cerr << "--cashier: " << id.error().message << "\n";
      return 2;
    }
    options.cashier_id = std::move(id).value();
  }
  options.store_name = args->ValueOr("store-name", "LOYALTY_STORE_NAME",
                                     "Store " + options.server.store_id);
  std::istringstream address(args->ValueOr("store-address", "LOYALTY_STORE_ADDRESS", ""));
  for (std::string line; std::getline(address, line, ';');) {
    const auto first = line.find_first_not_of(' ');
    if (first != std::string::npos) options.store_address.push_back(line.substr(first));
  }
  auto coupon_key = crypto::VerifyKey::LoadFile(coupon_key_file);
  if (!coupon_key.ok()) {
    std::cerr << coupon_key.error().ToString() << "\n";
    return 2;
  }
  try {
    const auto journal_dir = std::filesystem::path(options.journal_path).parent_path();
    if (!journal_dir.empty()) std::filesystem::create_directories(journal_dir);
    Till till(std::move(options), std::move(coupon_key).value());
    return ui == "screen" ? RunScreen(till) : RunHeadless(till);
  } catch (const std::exception& e) {
    log::Error("fatal", {{"error", e.what()}});
    return 1;
  }
}

}  // namespace loyalty::terminal
