#include "batch/batch_main.h"

#include <unistd.h>

#include <charconv>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "app/config.h"
#include "campaigns/campaign_report.h"
#include "batch/coupon_run.h"
#include "batch/evaluate.h"
#include "batch/history_import.h"
#include "batch/run_lock.h"
#include "loyalty/core/args.h"
#include "loyalty/core/log.h"
#include "loyalty/core/number.h"
#include "storage/open_store.h"
#include "targeting/next_visit_planner.h"

namespace loyalty::server::batch {
namespace {

constexpr char kUsage[] = R"(loyalty-batch: Loyalty POS offline jobs

Usage:
  loyalty-batch evaluate --history H.csv --future F.csv --k 10 --out recs.csv [model options]
      Fits the targeting's next-basket model on H.csv, writes every customer's top k
      products (customer_id,rank,product_id) to --out, and prints one JSON line:
      recall@k, precision@k, ndcg@k and hit_rate@k against each customer's first basket
      in F.csv, for the model, global popularity and personal popularity, over the
      customers found in both files. Progress and bad input lines go to stderr.
  loyalty-batch import --csv FILE --store ID [storage options] [--undated-at TIME]
      Loads another POS's transaction history into the server's store (SQLite or
      PostgreSQL, chosen as loyalty-server chooses it): every basket becomes a purchase
      in store ID, bought at its timestamp, added to its customer's profile (visits,
      spend, first and last visit, categories, products), earning no coupon and
      redeeming none. A card_number column maps each line to that card, its customer
      made on first use as at a till; a customer_id column is the other system's id,
      mapped to one customer of ours for good (without a card, until the chain hands
      one out). Products the catalog lacks are added when the file gives their
      product_name or category; lines of other unknown products are refused. Without
      an amount column, the catalog price times the quantity is charged. Each basket's
      purchase id is derived from its customer and basket_id, so importing a file again
      stores nothing twice. Bad lines go to stderr with their line number and reason,
      with progress; a summary goes to stderr and, as one JSON line, to stdout. Exits 0
      unless nothing could be read or the store failed. docs/import.md has the details.
  loyalty-batch coupons --date YYYY-MM-DD [storage options] [--margin X] [--wait S]
                        [--lock-stale S] [model options]
      The nightly run. Reads every cardholder's purchases before the date's midnight
      (UTC), fits the next-basket model, and for each campaign running that day
      (loyalty-server campaign add) chooses its offers: whom the kind is for (win-back:
      customers past twice their own visit gap; birthday and anniversary: within the
      coupon's life), the products it may discount that each is likely to want, each
      at the depth with the best expected incremental margin, the budget spent on the
      best value for cost. A fixed share of each campaign's customers is held out:
      their offers are recorded, not issued. Treated offers issue coupons the tills
      show at the next card read; an offer that no longer fits its budget when it is
      stored (purchases spent it meanwhile) is left out and counted in the summary.
      A percent-off next_visit campaign's coupons are issued at the purchases from the
      candidates this run keeps, never by the run. Idempotent per date: a second run,
      or a run after one killed half way, stores only what is missing and issues
      nothing twice. Progress with ETA on stderr, a summary on stderr and as one JSON
      line on stdout. One run at a time, whatever the date and the machine: a second
      run refuses (exit 1), naming the running one's host, pid and start, or with
      --wait waits for it; a killed run's lock is taken over once its lease (its own
      --lock-stale) has ended.
  loyalty-batch report [--campaign ID] [--json] [storage options] [--margin X]
      Per campaign: coupons issued and redeemed, the redemption rate, the treated and
      held-out customers' mean sales and margin over their offers' window, and the
      uplift (per customer and in all) with a 95% confidence interval.
  loyalty-batch --help

Input files: CSV with a header; columns by name: customer_id (or card_number),
basket_id, product_id, and optionally timestamp (ISO 8601 with a zone), product_name,
category, quantity (whole number), amount (decimal). Without timestamps a customer's
baskets are in file order. Bad lines are reported with their line number and skipped.

Import options:
  --csv FILE                the history, in the input format above; amounts in
                            the store's currency
  --store ID                the store the baskets were bought in; must exist
                            (loyalty-server store add)
  --undated-at TIME         ISO 8601; a file without a timestamp column has its
                            baskets dated in file order, one second apart, ending
                            at TIME (default: today 00:00 UTC). Give the same TIME
                            to import such a file again without storing it twice
  --config FILE             loyalty-server's configuration (LOYALTY_CONFIG)
  --storage-url URL         sqlite:///path/loyalty.db or postgresql://user@host/db
                            (LOYALTY_STORAGE_URL; default: DATA_DIR/loyalty.db)
  --data-dir DIR            loyalty-server's data directory (LOYALTY_DATA_DIR)

Coupons and report options:
  --date YYYY-MM-DD         the run's date (coupons)
  --margin X                gross margin share assumed for every product, 0-1 (0.3)
  --campaign ID             report one campaign (default: all)
  --wait S                  coupons: wait up to S seconds for a running coupons
                            run to finish instead of refusing at once (0)
  --lock-stale S            coupons: this run's lease on the lock, in seconds
                            (120): it heartbeats every S/4, each heartbeat
                            extending the lease by S; if it is killed, the next
                            run takes the lock over S seconds after its last
                            heartbeat. A later run's own --lock-stale never
                            shortens this run's lease
  --retune                  coupons: tune the model's options tonight even if a
                            run of the last 7 days tuned them (runs reuse those
                            and only calibrate)
  --json                    the report as one JSON line

Evaluate options:
  --currency CODE           currency of the amount column (default USD)
  --threads N               worker threads (default: one per core)
Model options (defaults in parentheses; docs/targeting.md explains each):
  --groups N                TIFU groups of consecutive baskets (3)
  --within-decay X          decay of a basket within its group, 0-1 (0.9)
  --group-decay X           decay of a group, 0-1 (0.7)
  --alpha X                 weight of the customer's own vector against the
                            neighbours', 0-1 (0.7)
  --neighbours N            similar customers averaged (300)
  --prior-baskets X         when > 0, the customer's own weight is n / (n + X)
                            for n baskets instead of --alpha (0)
  --customer-neighbours X   1: search each customer's most similar customers
                            (TIFU-KNN); 0: mean of their products' neighbour
                            vectors, built once per run (0)
  --rhythm-weight X         discount of items not yet due in the customer's rhythm,
                            0-1 (0.5)
  --repeat-weight X         exponent of the product's repeat-purchase rate on the
                            personal score, 0-4 (0.5)
  --cross-sell-weight X     weight of co-purchase (lift) candidates (0.1)
  --category-weight X       weight of category-affinity candidates (0.05)
  --replay-customers N      customers replayed (last basket held out) to tune
                            the options above but --neighbours, and to
                            calibrate probabilities; 0: none (20000)
  --no-tune                 use the options as given; giving any of the tuned
                            ones implies --no-tune
)";

int Fail(const Error& error) {
  std::cerr << error.ToString() << "\n";
  return error.code == ErrorCode::kInvalidArgument ? 2 : 1;
}

Result<double> ParseFraction(const Args& args, const std::string& name, double fallback,
                             double max) {
  const auto text = args.Value(name);
  if (!text) return fallback;
  double value = 0;
  const auto [end, error] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (error != std::errc() || end != text->data() + text->size() || !(value >= 0) || value > max) {
    return InvalidArgument("--" + name, "must be a number from 0 to " + std::to_string(max));
  }
  return value;
}

Result<std::uint32_t> ParseCount(const Args& args, const std::string& name, std::uint32_t fallback,
                                 std::int64_t min, std::int64_t max) {
  const auto text = args.Value(name);
  if (!text) return fallback;
  const auto value = ParseWholeNumber(*text, max);
  if (!value || *value < min) {
    return InvalidArgument("--" + name, "must be a whole number from " + std::to_string(min) +
                                            " to " + std::to_string(max));
  }
  return static_cast<std::uint32_t>(*value);
}

Result<targeting::NextBasketOptions> ParseModelOptions(const Args& args);

Result<EvaluateOptions> ParseEvaluateOptions(const Args& args) {
  EvaluateOptions options;
  for (const auto& [name, target] :
       {std::pair{"history", &options.history_path}, std::pair{"future", &options.future_path},
        std::pair{"out", &options.out_path}}) {
    const auto value = args.Value(name);
    if (!value || value->empty()) {
      return InvalidArgument(std::string("--") + name, "is required (see --help)");
    }
    *target = *value;
  }
  const auto k = ParseCount(args, "k", 10, 1, 1000);
  if (!k.ok()) return k.error();
  options.k = *k;
  if (const auto code = args.Value("currency")) {
    auto currency = Currency::FromCode(*code);
    if (!currency.ok()) return InvalidArgument("--currency", currency.error().message);
    options.currency = *currency;
  }
  auto model = ParseModelOptions(args);
  if (!model.ok()) return model.error();
  options.model = *model;
  return options;
}

// The model's options, shared by evaluate and coupons.
Result<targeting::NextBasketOptions> ParseModelOptions(const Args& args) {
  targeting::NextBasketOptions model;
  struct CountOption {
    const char* name;
    std::uint32_t* target;
    std::int64_t min, max;
  };
  for (const CountOption& option :
       {CountOption{"threads", &model.threads, 1, 256},
        CountOption{"groups", &model.groups, 1, 1000},
        CountOption{"neighbours", &model.neighbours, 0, 100000},
        CountOption{"replay-customers", &model.replay_customers, 0, 10000000}}) {
    auto value = ParseCount(args, option.name, *option.target, option.min, option.max);
    if (!value.ok()) return value.error();
    *option.target = *value;
  }
  struct FractionOption {
    const char* name;
    double* target;
    double max;
  };
  for (const FractionOption& option :
       {FractionOption{"within-decay", &model.within_decay, 1},
        FractionOption{"group-decay", &model.group_decay, 1},
        FractionOption{"alpha", &model.alpha, 1},
        FractionOption{"prior-baskets", &model.prior_baskets, 100000},
        FractionOption{"customer-neighbours", &model.customer_neighbours, 1},
        FractionOption{"rhythm-weight", &model.rhythm_weight, 1},
        FractionOption{"repeat-weight", &model.repeat_weight, 4},
        FractionOption{"cross-sell-weight", &model.cross_sell_weight, 100},
        FractionOption{"category-weight", &model.category_weight, 100}}) {
    auto value = ParseFraction(args, option.name, *option.target, option.max);
    if (!value.ok()) return value.error();
    *option.target = *value;
  }
  // Values a person chose are not to be overridden by the tuning.
  model.tune = !args.Flag("no-tune");
  for (const char* tuned : {"groups", "within-decay", "group-decay", "alpha", "prior-baskets",
                            "customer-neighbours", "rhythm-weight", "repeat-weight",
                            "cross-sell-weight", "category-weight"}) {
    if (args.Value(tuned)) model.tune = false;
  }
  return model;
}

// The server's store, opened as loyalty-server opens it. The batch plans no coupons at
// purchases (Store::RecordHistoricalPurchaseAsync) and signs none (coupon tokens are
// signed when a till reads them), so a key of its own, never stored, spares it the
// server's key file.
struct BatchStore {
  crypto::SigningKey signing_key = crypto::SigningKey::Generate();
  TopCategoryPlanner planner;
  std::unique_ptr<Store> store;
  std::string description;
};

Result<std::unique_ptr<BatchStore>> OpenBatchStore(const Config& config) {
  auto opened = std::make_unique<BatchStore>();
  StoreOptions store_options;
  store_options.writer.max_batch = config.storage.group_commit_max_batch;
  store_options.writer.max_delay =
      std::chrono::microseconds(config.storage.group_commit_max_delay_us);
  // Everything the batch writes a rerun writes again (WriterOptions::sync_every_commit).
  store_options.writer.sync_every_commit = false;
  auto url = ParseStoreUrl(config.StoreDatabaseUrl(), "storage.url");
  if (!url.ok()) return url.error();
  opened->description = url->Describe();
  opened->store = OpenStore(*url, opened->planner, opened->signing_key, std::move(store_options));
  return opened;
}

int Import(const Args& args) {
  const auto csv_path = args.Value("csv");
  if (!csv_path || csv_path->empty()) {
    return Fail(InvalidArgument("--csv", "is required (see --help)"));
  }
  const auto store_id = args.Value("store");
  if (!store_id || store_id->empty()) {
    return Fail(InvalidArgument("--store", "is required (see --help)"));
  }
  auto config = LoadConfig(args);
  if (!config.ok()) return Fail(config.error());
  ImportOptions options;
  options.store_id = *store_id;
  if (const auto text = args.Value("undated-at")) {
    auto undated_at = ParseIso8601(*text, "--undated-at");
    if (!undated_at.ok()) return Fail(undated_at.error());
    options.undated_at = *undated_at;
  } else {
    options.undated_at = std::chrono::floor<std::chrono::days>(Now());
  }
  std::ifstream input(*csv_path, std::ios::binary);
  if (!input) return Fail(InvalidArgument("--csv", "cannot open " + *csv_path));
  std::error_code size_error;
  const auto size = std::filesystem::file_size(*csv_path, size_error);
  options.input_bytes = size_error ? 0 : size;  // a pipe has none
  options.interactive = ::isatty(STDERR_FILENO) == 1;

  try {
    auto opened = OpenBatchStore(*config);
    if (!opened.ok()) return Fail(opened.error());
    const auto& store = (*opened)->store;
    log::Info("importing", {{"csv", *csv_path},
                            {"storage", (*opened)->description},
                            {"sync_every_commit", store->SyncsEveryCommit()},
                            {"store_id", *store_id}});
    const auto summary = ImportHistory(
        *store, input, options,
        [interactive = options.interactive](const targeting::LineProblem& problem) {
          // Over the progress line being redrawn, which then draws itself again below.
          if (interactive) std::cerr << "\r\033[K";
          std::cerr << "line " << problem.line << ": " << problem.reason << "\n";
        },
        std::cerr);
    if (!summary.ok()) return Fail(summary.error());
    std::cerr << "import: " << summary->lines << " lines read, " << summary->bad_lines << " bad; "
              << summary->baskets << " baskets: " << summary->stored << " stored, "
              << summary->already_present << " already present, " << summary->refused
              << " refused; " << summary->customers_created << " customers and "
              << summary->products_created << " products created\n";
    std::cout << nlohmann::json{{"lines", summary->lines},
                                {"bad_lines", summary->bad_lines},
                                {"baskets", summary->baskets},
                                {"stored", summary->stored},
                                {"already_present", summary->already_present},
                                {"refused", summary->refused},
                                {"customers_created", summary->customers_created},
                                {"products_created", summary->products_created}}
                     .dump()
              << std::endl;
    // Lines there were, and not one of them good: the file is not what it claims.
    return summary->lines > 0 && summary->baskets == 0 ? 1 : 0;
  } catch (const std::exception& e) {
    log::Error("fatal", {{"error", e.what()}});
    return 1;
  }
}

Result<RunLockOptions> ParseLockOptions(const Args& args) {
  RunLockOptions options;
  const auto wait = ParseCount(args, "wait", 0, 0, 86'400);
  if (!wait.ok()) return wait.error();
  options.wait = std::chrono::seconds(*wait);
  const auto lease = ParseCount(
      args, "lock-stale",
      static_cast<std::uint32_t>(std::chrono::duration_cast<std::chrono::seconds>(options.lease).count()),
      1, 86'400);
  if (!lease.ok()) return lease.error();
  options.lease = std::chrono::seconds(*lease);
  return options;
}

int Coupons(const Args& args) {
  CouponRunOptions options;
  const auto date = args.Value("date");
  if (!date || date->empty()) return Fail(InvalidArgument("--date", "is required (see --help)"));
  options.run_date = *date;
  if (auto run_at = ParseRunDate(*date); !run_at.ok()) return Fail(run_at.error());
  auto model = ParseModelOptions(args);
  if (!model.ok()) return Fail(model.error());
  options.model = *model;
  options.retune = args.Flag("retune");
  auto margin = ParseFraction(args, "margin", options.campaigns.default_margin_rate, 1);
  if (!margin.ok()) return Fail(margin.error());
  options.campaigns.default_margin_rate = *margin;
  options.interactive = ::isatty(STDERR_FILENO) == 1;
  const auto lock_options = ParseLockOptions(args);
  if (!lock_options.ok()) return Fail(lock_options.error());
  auto config = LoadConfig(args);
  if (!config.ok()) return Fail(config.error());
  try {
    auto opened = OpenBatchStore(*config);
    if (!opened.ok()) return Fail(opened.error());
    log::Info("coupons", {{"date", *date},
                          {"storage", (*opened)->description},
                          {"sync_every_commit", (*opened)->store->SyncsEveryCommit()}});
    auto lock = RunLock::Acquire(*(*opened)->store, "coupons", "coupons --date " + *date,
                                 *lock_options, std::cerr);
    if (!lock.ok()) return Fail(lock.error());
    options.still_held = [&lock] { return (*lock)->StillHeld(); };
    auto summary = RunCoupons(*(*opened)->store, options, std::cerr);
    if (!summary.ok()) return Fail(summary.error());
    if (summary->contains("already_run")) {
      std::cerr << "coupons " << *date << ": already run, finished "
                << (*summary)["already_run"].get<std::string>()
                << "; nothing planned or issued (its summary follows)\n";
    } else {
      std::cerr << "coupons " << *date << ": " << (*summary)["customers"] << " customers, "
                << (*summary)["lines"] << " lines";
      if (const auto dropped = summary->value("replaced_candidates_dropped", std::int64_t{0});
          dropped > 0) {
        std::cerr << "; " << dropped << " rows of next-visit candidates an earlier night replaced"
                  << " deleted";
      }
      std::cerr << "\n";
    }
    if (summary->contains("segments")) {
      std::cerr << "  segments:";
      const char* separator = " ";
      for (const auto& [name, customers] : (*summary)["segments"].items()) {
        std::cerr << separator << name << " " << customers;
        separator = ", ";
      }
      std::cerr << "\n";
    }
    for (const auto& campaign : (*summary)["campaigns"]) {
      std::cerr << "  " << campaign["campaign"].get<std::string>() << ": ";
      if (campaign.contains("skipped")) {
        std::cerr << "skipped, " << campaign["skipped"].get<std::string>() << "\n";
        continue;
      }
      if (campaign.value("issued_by", "") == "purchases") {
        std::cerr << campaign["eligible"]
                  << " eligible; its coupons are issued at the purchases, from the candidates"
                     " this run kept\n";
        continue;
      }
      std::cerr << campaign["eligible"] << " eligible, " << campaign["treated"] << " offers, "
                << campaign["control"] << " held out; " << campaign["coupons_issued"]
                << " coupons issued now, " << campaign["already_present"]
                << " offers already stored";
      // Spent meanwhile by purchases or another writer: planned, not stored.
      // (A summary kept by an older version has no such counts.)
      if (campaign.value("over_budget", 0) + campaign.value("over_cap", 0) > 0) {
        std::cerr << "; not stored, spent meanwhile: " << campaign["over_budget"]
                  << " over the budget, " << campaign["over_cap"] << " over a customer's cap";
      }
      std::cerr << "\n";
    }
    std::cout << summary->dump() << std::endl;
    return 0;
  } catch (const std::exception& e) {
    log::Error("fatal", {{"error", e.what()}});
    return 1;
  }
}

int Report(const Args& args) {
  auto margin = ParseFraction(args, "margin", targeting::CampaignRunOptions{}.default_margin_rate, 1);
  if (!margin.ok()) return Fail(margin.error());
  auto config = LoadConfig(args);
  if (!config.ok()) return Fail(config.error());
  try {
    auto opened = OpenBatchStore(*config);
    if (!opened.ok()) return Fail(opened.error());
    Store& store = *(*opened)->store;
    std::vector<domain::Campaign> campaigns;
    if (const auto id = args.Value("campaign")) {
      auto found = store.GetCampaign(*id);
      if (!found.ok()) return Fail(found.error());
      campaigns.push_back(found->campaign);
    } else {
      for (auto& stored : store.ListCampaigns(std::nullopt)) campaigns.push_back(stored.campaign);
    }
    nlohmann::json report = nlohmann::json::array();
    for (const auto& campaign : campaigns) {
      report.push_back(ReportCampaign(store, campaign, *margin));
    }
    if (args.Flag("json")) {
      std::cout << nlohmann::json{{"campaigns", report}}.dump() << std::endl;
    } else {
      PrintReport(std::cout, report);
    }
    return 0;
  } catch (const std::exception& e) {
    log::Error("fatal", {{"error", e.what()}});
    return 1;
  }
}

}  // namespace

int BatchMain(int argc, char** argv) {
  log::SetProgram("batch");
  std::vector<std::string> arguments(argv + 1, argv + argc);
  auto args = Args::Parse(arguments,
                          {"history",
                           "future",
                           "k",
                           "out",
                           "currency",
                           "threads",
                           "groups",
                           "within-decay",
                           "group-decay",
                           "neighbours",
                           "alpha",
                           "prior-baskets",
                           "customer-neighbours",
                           "rhythm-weight",
                           "repeat-weight",
                           "cross-sell-weight",
                           "category-weight",
                           "replay-customers",
                           "csv",
                           "store",
                           "undated-at",
                           "config",
                           "storage-url",
                           "data-dir",
                           "date",
                           "margin",
                           "campaign",
                           "wait",
                           "lock-stale"},
                          {"help", "no-tune", "retune", "json"});
  if (!args.ok()) return Fail(args.error());
  if (args->Flag("help")) {
    std::cout << kUsage;
    return 0;
  }
  const auto& command = args->positional();
  if (command == std::vector<std::string>{"evaluate"}) {
    auto options = ParseEvaluateOptions(*args);
    if (!options.ok()) return Fail(options.error());
    try {
      auto report = Evaluate(*options);
      if (!report.ok()) return Fail(report.error());
      std::cout << report->dump() << std::endl;
      return 0;
    } catch (const std::exception& e) {
      log::Error("fatal", {{"error", e.what()}});
      return 1;
    }
  }
  if (command == std::vector<std::string>{"import"}) return Import(*args);
  if (command == std::vector<std::string>{"coupons"}) return Coupons(*args);
  if (command == std::vector<std::string>{"report"}) return Report(*args);
  if (command.empty()) {
    std::cerr << "no command given (see --help)\n";
  } else {
    std::cerr << "unknown command '" << command.front() << "' (see --help)\n";
  }
  return 2;
}

}  // namespace loyalty::server::batch
