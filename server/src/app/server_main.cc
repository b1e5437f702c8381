#include "app/server_main.h"

#include <atomic>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <termios.h>
#include <unistd.h>

#include "api/routes.h"
#include "app/campaign_commands.h"
#include "auth/password.h"
#include "app/config.h"
#include "http/listener.h"
#include "http/tls.h"
#include "loyalty/core/args.h"
#include "loyalty/core/log.h"
#include "loyalty/core/number.h"
#include "ops/metrics.h"
#include "storage/catalog_import.h"
#include "storage/open_store.h"
#include "storage/store_migration.h"
#include "targeting/scored_offer_planner.h"

namespace loyalty::server {
namespace {

const std::string kUsage = std::string(R"(loyalty-server: the Loyalty POS central server

Usage:
  loyalty-server [serve] [options]            serve the HTTPS API
  loyalty-server catalog import --csv FILE    add or update products from a CSV file
  loyalty-server store add --id S001 --name NAME [--currency USD]
  loyalty-server terminal enroll --store S001 [--valid-hours 24]
                                              print a one-time enrollment code
  loyalty-server terminal revoke --terminal S001-T01
  loyalty-server terminal list
  loyalty-server customer merge --into ID --from ID
  loyalty-server admin create --email E --name N [--role R] [--stores S1,S2]
      a portal account; the role is admin (default), store_manager or analyst, and a
      store manager sees only --stores. The password is read from
      LOYALTY_ADMIN_PASSWORD, else from stdin (one line, not echoed on a terminal);
      at least 12 characters
                                              two customers found to be one person
)") + kCampaignUsage + R"(  loyalty-server migrate --from sqlite:///path/loyalty.db --to postgresql://user@host/db
                                              copy a SQLite store into an empty
                                              PostgreSQL database and verify every
                                              table by row count and checksum
  loyalty-server --help

Options (flags override environment variables, which override the config file):
  --config FILE      JSON configuration file (LOYALTY_CONFIG); every field is
                     described in docs/configuration.md
  --data-dir DIR     database, TLS files and coupon key (LOYALTY_DATA_DIR;
                     default ./var/server)
  --listen HOST:PORT address to serve on; port 0 picks a free one
                     (LOYALTY_LISTEN; default 127.0.0.1:8443)
  --threads N        I/O threads (LOYALTY_THREADS; default 2)
  --storage-url URL  where the data lives (LOYALTY_STORAGE_URL):
                     sqlite:///path/to/loyalty.db or
                     postgresql://user@host:port/database. Default: the SQLite
                     file DATA_DIR/loyalty.db
  --tls-cert FILE    PEM certificate chain, with --tls-key (LOYALTY_TLS_CERT,
  --tls-key FILE     LOYALTY_TLS_KEY). Default: a self-signed certificate made in
                     DATA_DIR/tls on first start
  --csv FILE         with 'catalog import': the product CSV (columns: sku, name,
                     department, category, product_type, brand, package_size, price,
                     and optional couponable, tax_rate (percent, e.g. 10.25), barcode
                     (GTIN), sold_by (each or kg; kg prices are per kilogram))

Files in DATA_DIR:
  loyalty.db                  SQLite database (WAL), unless --storage-url says otherwise
  tls/server.crt, server.key  the TLS certificate terminals must trust
  coupon-signing.pem          Ed25519 key signing coupons (keep it secret)
  coupon-signing.pem.pub      its public half, installed on every terminal
)";

std::filesystem::path DataPath(const Config& config, const std::string& name) {
  return std::filesystem::path(config.data_dir) / name;
}

// Scored offers of the running next_visit campaigns; the configured coupon when none runs.
ScoredOfferPlanner MakePlanner(const Config& config) {
  ScoredOfferOptions options;
  options.fallback.percent_off = config.next_visit.percent_off;
  options.fallback.max_discount_minor = config.next_visit.max_discount_minor;
  options.fallback.valid_for = std::chrono::days(config.next_visit.valid_days);
  options.fallback.max_live_coupons = static_cast<std::size_t>(config.next_visit.max_live_coupons);
  return ScoredOfferPlanner(options);
}

Result<std::pair<std::string, std::uint16_t>> ParseListen(const std::string& listen) {
  const auto colon = listen.rfind(':');
  if (colon == std::string::npos) return InvalidArgument("--listen", "expected HOST:PORT");
  std::string host = listen.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  const auto port = ParseWholeNumber(listen.substr(colon + 1), 65535);
  if (!port) return InvalidArgument("--listen", "port must be a number from 0 to 65535");
  return std::pair{host, static_cast<std::uint16_t>(*port)};
}

int Serve(const Config& config) {
  auto listen = ParseListen(config.listen);
  if (!listen.ok()) {
    std::cerr << listen.error().ToString() << "\n";
    return 2;
  }
  const http::CertificatePaths certificate =
      config.tls.certificate.empty()
          ? http::EnsureSelfSignedCertificate(config.data_dir)
          : http::CertificatePaths{config.tls.certificate, config.tls.private_key};
  auto ssl_context = http::MakeServerContext(certificate);

  ops::Registry metrics;
  auto& batch_sizes = metrics.GetHistogram("loyalty_storage_commit_batch_size",
                                           "Purchases and other writes per group commit",
                                           {1, 2, 4, 8, 16, 32, 64, 128, 256});
  auto& commit_seconds =
      metrics.GetHistogram("loyalty_storage_commit_duration_seconds",
                           "Time to run and commit one write batch", ops::LatencyBuckets());
  const auto signing_key =
      crypto::SigningKey::LoadOrCreate(DataPath(config, "coupon-signing.pem").string());
  const ScoredOfferPlanner planner = MakePlanner(config);
  StoreOptions store_options;
  store_options.writer.max_batch = config.storage.group_commit_max_batch;
  store_options.writer.max_delay =
      std::chrono::microseconds(config.storage.group_commit_max_delay_us);
  // Answers are built on the I/O threads, so the writer goes straight on to the next
  // commit. The I/O context exists only once the server does; until then, inline.
  std::atomic<boost::asio::io_context*> io_for_completions{nullptr};
  store_options.writer.completion_executor =
      [&io_for_completions](std::function<void()> completion) {
        if (auto* io = io_for_completions.load()) {
          boost::asio::post(*io, std::move(completion));
        } else {
          completion();
        }
      };
  store_options.observer = [&](std::size_t jobs, std::chrono::nanoseconds elapsed) {
    batch_sizes.Observe(static_cast<double>(jobs));
    commit_seconds.Observe(std::chrono::duration<double>(elapsed).count());
  };
  const StoreUrl store_url = *ParseStoreUrl(config.StoreDatabaseUrl(), "storage.url");
  const std::unique_ptr<Store> store_owner =
      OpenStore(store_url, planner, signing_key, std::move(store_options));
  Store& store = *store_owner;

  http::Router router;
  auth::LoginThrottle login_throttle;
  const PortalFiles portal_files = PortalFiles::Load(config.PortalStaticDir());
  AddAllRoutes(
      router, store, signing_key.verify_key(), metrics, login_throttle,
      [&store, &metrics] {
        metrics.GetGauge("loyalty_storage_writer_queue_depth", "Writes waiting for the writer")
            .Set(static_cast<double>(store.writer_stats().queue_depth));
      },
      portal_files);

  http::ServerOptions options;
  options.address = listen->first;
  options.port = listen->second;
  options.threads = config.threads;
  options.body_limit = config.http.body_limit_bytes;
  options.handshake_timeout = std::chrono::seconds(config.http.handshake_timeout_seconds);
  options.request_timeout = std::chrono::seconds(config.http.request_timeout_seconds);
  options.idle_timeout = std::chrono::seconds(config.http.idle_timeout_seconds);
  options.drain_timeout = std::chrono::seconds(config.http.drain_timeout_seconds);
  options.on_request = [&metrics](const std::string& method, const std::string& route,
                                  unsigned status, double seconds) {
    metrics
        .GetCounter("loyalty_http_requests_total", "HTTP requests answered, by route and status",
                    {{"method", method}, {"route", route}, {"status", std::to_string(status)}})
        .Add();
    metrics
        .GetHistogram("loyalty_http_request_duration_seconds",
                      "Time from a whole request read to its answer", ops::LatencyBuckets(),
                      {{"route", route}})
        .Observe(seconds);
  };
  http::HttpsServer server(options, ssl_context, router);
  io_for_completions = &server.io_context();

  boost::asio::signal_set signals(server.io_context(), SIGINT, SIGTERM);
  signals.async_wait([&server](const boost::system::error_code& ec, int signal) {
    if (ec) return;
    log::Info("draining: no new connections, finishing requests in flight", {{"signal", signal}});
    server.Drain();
  });

  const bool ipv6 = options.address.find(':') != std::string::npos;
  const std::string url = "https://" + (ipv6 ? "[" + options.address + "]" : options.address) +
                          ":" + std::to_string(server.port());
  log::Info("listening",
            {{"url", url},
             {"data_dir", config.data_dir},
             {"storage", store_url.Describe()},
             {"portal", url + "/portal/"},
             {"tls_certificate", certificate.certificate},
             {"coupon_public_key", DataPath(config, "coupon-signing.pem.pub").string()},
             {"coupon_key_id", signing_key.verify_key().key_id()}});
  server.Run();
  // Writes still queued (heartbeats, or requests cut off by a drain timeout) finish now,
  // while the I/O context their answers are posted to still exists; the answers are
  // dropped with it.
  store.Flush();
  io_for_completions = nullptr;
  log::Info("stopped", {{"purchases_committed_batches", store.writer_stats().batches}});
  return 0;
}

// The admin commands open the same database the server may be serving from: SQLite's
// locking and busy timeout, and PostgreSQL's row locks, make that safe.
struct AdminStore {
  explicit AdminStore(const Config& config)
      : signing_key(
            crypto::SigningKey::LoadOrCreate(DataPath(config, "coupon-signing.pem").string())),
        planner(MakePlanner(config)),
        owner(OpenStore(*ParseStoreUrl(config.StoreDatabaseUrl(), "storage.url"), planner,
                        signing_key)),
        store(*owner) {}
  crypto::SigningKey signing_key;
  ScoredOfferPlanner planner;
  std::unique_ptr<Store> owner;
  Store& store;
};

int Fail(const Error& error) {
  std::cerr << error.ToString() << "\n";
  return error.code == ErrorCode::kInvalidArgument ? 2 : 1;
}

int StoreAdd(const Args& args, const Config& config) {
  const auto id = args.Value("id");
  const auto name = args.Value("name");
  if (!id || !name) return Fail(InvalidArgument("--id", "store add needs --id and --name"));
  AdminStore admin(config);
  const Status status =
      admin.store.AddStore({*id, *name, args.ValueOr("currency", nullptr, "USD")});
  if (!status.ok()) return Fail(status.error());
  std::cout << "store " << *id << " added\n";
  return 0;
}

int TerminalEnroll(const Args& args, const Config& config) {
  const auto store_id = args.Value("store");
  if (!store_id) return Fail(InvalidArgument("--store", "terminal enroll needs --store ID"));
  const std::string hours_text = args.ValueOr("valid-hours", nullptr, "24");
  const int hours = std::atoi(hours_text.c_str());
  if (hours < 1 || hours > 24 * 30) {
    return Fail(InvalidArgument("--valid-hours", "must be from 1 to 720"));
  }
  AdminStore admin(config);
  auto code = admin.store.CreateEnrollmentCode(*store_id, std::chrono::hours(hours), Now());
  if (!code.ok()) return Fail(code.error());
  // The code alone on stdout, so scripts can take it; the explanation on stderr.
  std::cerr << "One-time enrollment code for a terminal of store " << *store_id << ", valid "
            << hours << " h. On the terminal run: loyalty-terminal enroll --code CODE ...\n";
  std::cout << *code << "\n";
  return 0;
}

int TerminalRevoke(const Args& args, const Config& config) {
  const auto terminal = args.Value("terminal");
  if (!terminal) return Fail(InvalidArgument("--terminal", "terminal revoke needs --terminal ID"));
  AdminStore admin(config);
  if (auto status = admin.store.RevokeTerminal(*terminal, Now()); !status.ok()) {
    return Fail(status.error());
  }
  std::cout << "terminal " << *terminal << " revoked: its credential is refused from now on\n";
  return 0;
}

int TerminalList(const Config& config) {
  AdminStore admin(config);
  std::cout << "terminal      store  status   last seen             backlog  name\n";
  for (const auto& terminal : admin.store.ListTerminals()) {
    std::string id = terminal.identity.terminal_id;
    id.resize(std::max<std::size_t>(id.size(), 13), ' ');
    std::string store = terminal.identity.store_id;
    store.resize(std::max<std::size_t>(store.size(), 6), ' ');
    std::string status = terminal.status;
    status.resize(8, ' ');
    std::string seen = terminal.last_seen_at ? FormatUtc(*terminal.last_seen_at) : "never";
    seen.resize(std::max<std::size_t>(seen.size(), 21), ' ');
    std::string backlog = terminal.backlog ? std::to_string(*terminal.backlog) : "-";
    backlog.resize(std::max<std::size_t>(backlog.size(), 8), ' ');
    std::cout << id << " " << store << " " << status << " " << seen << " " << backlog << " "
              << terminal.name << "\n";
  }
  return 0;
}

int CustomerMerge(const Args& args, const Config& config) {
  const auto into = args.Value("into");
  const auto from = args.Value("from");
  const auto number = [](const std::optional<std::string>& text) -> std::optional<std::int64_t> {
    return text ? ParseWholeNumber(*text, INT64_MAX) : std::nullopt;
  };
  if (!number(into) || !number(from)) {
    return Fail(InvalidArgument("--into", "customer merge needs --into ID and --from ID"));
  }
  AdminStore admin(config);
  if (auto merged = admin.store.MergeCustomers(*number(into), *number(from), Now()); !merged.ok()) {
    return Fail(merged.error());
  }
  std::cout << "customer " << *from << " merged into " << *into
            << ": cards, purchases, coupons and profile moved\n";
  return 0;
}

int Migrate(const Args& args) {
  const auto from = args.Value("from");
  const auto to = args.Value("to");
  if (!from || !to) {
    return Fail(InvalidArgument("--from",
                                "migrate needs --from sqlite:///PATH and --to "
                                "postgresql://USER@HOST/DATABASE"));
  }
  auto source = ParseStoreUrl(*from, "--from");
  if (!source.ok()) return Fail(source.error());
  if (source->engine != StoreUrl::Engine::kSqlite) {
    return Fail(InvalidArgument("--from", "migrate copies from SQLite: sqlite:///PATH"));
  }
  auto target = ParseStoreUrl(*to, "--to");
  if (!target.ok()) return Fail(target.error());
  if (target->engine != StoreUrl::Engine::kPostgres) {
    return Fail(InvalidArgument("--to", "migrate copies into PostgreSQL: postgresql://..."));
  }
  std::cerr << "copying " << source->Describe() << " into " << target->Describe() << "\n";
  auto report = MigrateSqliteToPostgres(source->location, target->location);
  if (!report.ok()) return Fail(report.error());
  // One line per table: what was read, what arrived, and whether they agree.
  for (const auto& table : report->tables) {
    std::cout << (table.matches() ? "ok       " : "MISMATCH ") << table.table << ": "
              << table.source_rows << " rows, sha256 " << table.source_sha256.substr(0, 16);
    if (!table.matches()) {
      std::cout << " in SQLite but " << table.target_rows << " rows, sha256 "
                << table.target_sha256.substr(0, 16) << " in PostgreSQL";
    }
    std::cout << "\n";
  }
  if (!report->ok()) {
    std::cerr << "migrate: the copy differs from the source; do not switch to it\n";
    return 1;
  }
  std::cout << "every table copied and verified; serve from it with --storage-url "
            << target->Describe() << "\n";
  return 0;
}

int ImportCatalog(const Args& args, const Config& config) {
  const auto csv_path = args.Value("csv");
  if (!csv_path) {
    std::cerr << "catalog import needs --csv FILE\n";
    return 2;
  }
  std::ifstream input(*csv_path, std::ios::binary);
  if (!input) {
    std::cerr << "cannot open " << *csv_path << "\n";
    return 2;
  }
  AdminStore admin(config);
  Store& store = admin.store;
  auto catalog = store.LoadCatalog();
  auto rows = ReadCatalogCsv(input, catalog.currency);
  if (!rows.ok()) {
    std::cerr << *csv_path << ": " << rows.error().ToString() << "\n";
    return 1;
  }
  for (const auto& line : rows->rejected) std::cerr << *csv_path << ": " << line << "\n";
  auto imported = store.ImportProducts(rows->products);
  if (!imported.ok()) {
    std::cerr << imported.error().ToString() << "\n";
    return 1;
  }
  std::cout << "read " << rows->products.size() + rows->rejected.size()
            << " rows: " << imported->changed << " products added or changed, "
            << rows->rejected.size() << " rejected; catalog version " << imported->version << "\n";
  return rows->rejected.empty() ? 0 : 1;
}

// One line from stdin without echoing it when stdin is a terminal.
std::string ReadPassword() {
  termios saved{};
  const bool tty = isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &saved) == 0;
  if (tty) {
    std::cerr << "password: " << std::flush;
    termios quiet = saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
  }
  std::string password;
  std::getline(std::cin, password);
  if (tty) {
    tcsetattr(STDIN_FILENO, TCSANOW, &saved);
    std::cerr << "\n";
  }
  return password;
}

int AdminCreate(const Args& args, const Config& config) {
  const auto email = args.Value("email");
  const auto name = args.Value("name");
  if (!email || !name) return Fail(InvalidArgument("--email", "admin create needs --email and --name"));
  if (email->find('@') == std::string::npos || email->size() > 254) {
    return Fail(InvalidArgument("--email", "'" + *email + "' is not an e-mail address"));
  }
  auto role = ParsePortalRole(args.ValueOr("role", nullptr, "admin"));
  if (!role.ok()) return Fail(Error{ErrorCode::kInvalidArgument, role.error().message, "--role"});
  std::vector<std::string> stores;
  std::istringstream list(args.ValueOr("stores", nullptr, ""));
  for (std::string store; std::getline(list, store, ',');) {
    if (!store.empty()) stores.push_back(store);
  }
  if (*role == PortalRole::kStoreManager && stores.empty()) {
    return Fail(InvalidArgument("--stores", "a store manager needs the stores they manage"));
  }
  const char* from_environment = std::getenv("LOYALTY_ADMIN_PASSWORD");
  const std::string password = from_environment ? from_environment : ReadPassword();
  if (auto checked = auth::CheckNewPassword(password); !checked.ok()) return Fail(checked.error());
  auto hash = auth::HashPassword(password);
  if (!hash.ok()) return Fail(hash.error());
  AdminStore admin(config);
  auto user = admin.store.CreatePortalUser({*email, *name, *role, *hash, stores}, Now());
  if (!user.ok()) return Fail(user.error());
  AuditStoredAction(admin.store, {Now(),
                                  std::nullopt,
                                  "portal_user.create",
                                  "portal_user:" + std::to_string(user->id),
                                  {{"email", user->email}, {"role", PortalRoleName(user->role)}},
                                  "command line"});
  std::cout << "portal account " << user->id << " (" << user->email << ", "
            << PortalRoleName(user->role) << ") created\n";
  return 0;
}

}  // namespace

int ServerMain(int argc, char** argv) {
  log::SetProgram("server");
  std::vector<std::string> arguments(argv + 1, argv + argc);
  auto args = Args::Parse(
      arguments,
      {"config", "data-dir", "listen", "threads", "tls-cert", "tls-key", "storage-url", "csv", "id",
       "name", "currency", "store", "valid-hours", "terminal", "into", "from", "to", "email",
       "role", "stores", "file"},
      {"help", "running"});
  if (!args.ok()) {
    std::cerr << args.error().ToString() << "\n";
    return 2;
  }
  if (args->Flag("help")) {
    std::cout << kUsage;
    return 0;
  }
  const auto& command = args->positional();
  auto config = LoadConfig(*args);
  if (!config.ok()) {
    std::cerr << "configuration: " << config.error().ToString() << "\n";
    return 2;
  }
  log::SetMinLevel(config->log_level == "debug"   ? log::Level::kDebug
                   : config->log_level == "warn"  ? log::Level::kWarn
                   : config->log_level == "error" ? log::Level::kError
                                                  : log::Level::kInfo);
  try {
    std::filesystem::create_directories(config->data_dir);
    if (command.empty() || command == std::vector<std::string>{"serve"}) return Serve(*config);
    if (command == std::vector<std::string>{"catalog", "import"}) {
      return ImportCatalog(*args, *config);
    }
    if (command == std::vector<std::string>{"store", "add"}) return StoreAdd(*args, *config);
    if (command == std::vector<std::string>{"terminal", "enroll"}) {
      return TerminalEnroll(*args, *config);
    }
    if (command == std::vector<std::string>{"terminal", "revoke"}) {
      return TerminalRevoke(*args, *config);
    }
    if (command == std::vector<std::string>{"terminal", "list"}) return TerminalList(*config);
    if (command == std::vector<std::string>{"customer", "merge"}) {
      return CustomerMerge(*args, *config);
    }
    if (command == std::vector<std::string>{"admin", "create"}) return AdminCreate(*args, *config);
    if (command.front() == "campaign") {
      AdminStore admin(*config);
      return RunCampaignCommand(command, *args, admin.store, std::cout, std::cerr);
    }
    if (command == std::vector<std::string>{"migrate"}) return Migrate(*args);
    std::cerr << "unknown command '" << command.front() << "' (see --help)\n";
    return 2;
  } catch (const std::exception& e) {
    log::Error("fatal", {{"error", e.what()}});
    return 1;
  }
}

}  // namespace loyalty::server
