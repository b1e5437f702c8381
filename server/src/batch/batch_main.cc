#include "batch/batch_main.h"

#include <charconv>
#include <iostream>

#include "batch/evaluate.h"
#include "loyalty/core/args.h"
#include "loyalty/core/log.h"
#include "loyalty/core/number.h"

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
  loyalty-batch --help

Input files: CSV with a header; columns by name: customer_id (or card_number),
basket_id, product_id, and optionally timestamp (ISO 8601 with a zone), product_name,
category, quantity (whole number), amount (decimal). Without timestamps a customer's
baskets are in file order. Bad lines are reported with their line number and skipped.

Options:
  --currency CODE           currency of the amount column (default USD)
  --threads N               worker threads (default: one per core)
Model options (defaults in parentheses; docs/targeting.md explains each):
  --groups N                TIFU groups of consecutive baskets (3)
  --within-decay X          decay of a basket within its group, 0-1 (0.9)
  --group-decay X           decay of a group, 0-1 (0.7)
  --alpha X                 weight of the customer's own vector against the
                            neighbours', 0-1 (0.7)
  --neighbours N            similar customers averaged (300)
  --rhythm-weight X         discount of items not yet due in the customer's rhythm,
                            0-1 (0.5)
  --repeat-weight X         exponent of the product's repeat-purchase rate on the
                            personal score, 0-4 (0.5)
  --cross-sell-weight X     weight of co-purchase (lift) candidates (0.1)
  --category-weight X       weight of category-affinity candidates (0.05)
  --replay-customers N      customers replayed (last basket held out) to tune
                            --within-decay, --group-decay and --alpha and to
                            calibrate probabilities; 0: none (20000)
  --no-tune                 use those three as given; giving any of them implies
                            --no-tune
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
  targeting::NextBasketOptions& model = options.model;
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
        FractionOption{"rhythm-weight", &model.rhythm_weight, 1},
        FractionOption{"repeat-weight", &model.repeat_weight, 4},
        FractionOption{"cross-sell-weight", &model.cross_sell_weight, 100},
        FractionOption{"category-weight", &model.category_weight, 100}}) {
    auto value = ParseFraction(args, option.name, *option.target, option.max);
    if (!value.ok()) return value.error();
    *option.target = *value;
  }
  // Values a person chose are not to be overridden by the tuning.
  model.tune = !args.Flag("no-tune") && !args.Value("within-decay") && !args.Value("group-decay") &&
               !args.Value("alpha");
  return options;
}

}  // namespace

int BatchMain(int argc, char** argv) {
  log::SetProgram("batch");
  std::vector<std::string> arguments(argv + 1, argv + argc);
  auto args =
      Args::Parse(arguments,
                  {"history", "future", "k", "out", "currency", "threads", "groups", "within-decay",
                   "group-decay", "neighbours", "alpha", "rhythm-weight", "repeat-weight",
                   "cross-sell-weight", "category-weight", "replay-customers"},
                  {"help", "no-tune"});
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
  if (command.empty()) {
    std::cerr << "no command given (see --help)\n";
  } else {
    std::cerr << "unknown command '" << command.front() << "' (see --help)\n";
  }
  return 2;
}

}  // namespace loyalty::server::batch
