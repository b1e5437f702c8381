#include "batch/evaluate.h"

#include <algorithm>
#include <chrono>
#include <fstream>
#include <iostream>

#include "loyalty/core/log.h"
#include "targeting/history_csv.h"
#include "targeting/popularity_baselines.h"
#include "targeting/ranking_metrics.h"

namespace loyalty::server::batch {
namespace {

using targeting::TransactionHistory;

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

Result<targeting::HistoryCsv> ReadFile(const std::string& path, const std::string& option,
                                       const Currency& currency) {
  std::ifstream file(path, std::ios::binary);
  if (!file) return InvalidArgument(option, "cannot open " + path);
  targeting::HistoryCsvOptions csv_options;
  csv_options.currency = currency;
  csv_options.on_progress = [&path](std::size_t lines) {
    log::Info("reading", {{"file", path}, {"lines", lines}});
  };
  auto csv = targeting::ReadHistoryCsv(file, csv_options);
  if (!csv.ok()) {
    Error error = csv.error();
    error.message = path + ": " + error.message;
    return error;
  }
  // Every bad line is reported, as the import will; the good lines still count.
  for (const auto& problem : csv->problems) {
    std::cerr << path << " line " << problem.line << ": " << problem.reason << "\n";
  }
  log::Info("read", {{"file", path},
                     {"good_lines", csv->good_lines},
                     {"bad_lines", csv->problems.size()},
                     {"customers", csv->history.customer_count()},
                     {"baskets", csv->history.basket_count()}});
  return csv;
}

// RFC 4180: a field with a comma, quote or line break goes in quotes, quotes doubled.
void WriteCsvField(std::ostream& out, std::string_view field) {
  if (field.find_first_of(",\"\r\n") == std::string_view::npos) {
    out << field;
    return;
  }
  out << '"';
  for (const char c : field) out << (c == '"' ? "\"\"" : std::string_view(&c, 1));
  out << '"';
}

nlohmann::json MetricsJson(const targeting::RankingMetrics& metrics, std::size_t k) {
  const std::string at = "@" + std::to_string(k);
  return {{"recall" + at, metrics.recall},
          {"precision" + at, metrics.precision},
          {"ndcg" + at, metrics.ndcg},
          {"hit_rate" + at, metrics.hit_rate}};
}

}  // namespace

Result<nlohmann::json> Evaluate(const EvaluateOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  auto history_csv = ReadFile(options.history_path, "--history", options.currency);
  if (!history_csv.ok()) return history_csv.error();
  auto future_csv = ReadFile(options.future_path, "--future", options.currency);
  if (!future_csv.ok()) return future_csv.error();
  const TransactionHistory& history = history_csv->history;
  const TransactionHistory& future = future_csv->history;
  const double read_seconds = SecondsSince(start);

  const auto fit_start = std::chrono::steady_clock::now();
  const auto progress = [](std::string_view phase, std::size_t done, std::size_t total) {
    log::Info("progress", {{"phase", phase}, {"done", done}, {"total", total}});
  };
  const auto model = targeting::NextBasketModel::Fit(history, options.model, progress);
  const double fit_seconds = SecondsSince(fit_start);
  const auto recommend_start = std::chrono::steady_clock::now();
  const auto recommendations = model.RecommendAll(options.k, progress);
  const double recommend_seconds = SecondsSince(recommend_start);

  std::ofstream out(options.out_path, std::ios::binary | std::ios::trunc);
  if (!out) return InvalidArgument("--out", "cannot write " + options.out_path);
  out << "customer_id,rank,product_id\n";
  for (std::uint32_t customer = 0; customer < history.customer_count(); ++customer) {
    for (std::size_t rank = 0; rank < recommendations[customer].size(); ++rank) {
      WriteCsvField(out, history.customers.Name(customer));
      out << ',' << rank + 1 << ',';
      WriteCsvField(out, history.products.Name(recommendations[customer][rank].product));
      out << '\n';
    }
  }
  out.close();
  if (!out) return InvalidArgument("--out", "writing " + options.out_path + " failed");

  const targeting::PopularityBaselines baselines(history);
  const std::vector<std::uint32_t> global = baselines.Global(options.k);
  targeting::RankingMetricsAccumulator model_metrics(options.k), global_metrics(options.k),
      personal_metrics(options.k);
  std::vector<std::uint32_t> ranked, basket;
  for (std::uint32_t future_customer = 0; future_customer < future.customer_count();
       ++future_customer) {
    const auto customer = history.customers.Find(future.customers.Name(future_customer));
    if (!customer || future.BasketsOf(future_customer) == 0) continue;
    // The next basket: the customer's first in the future file, as a set of products.
    const std::uint32_t next_basket = future.customer_basket_begin[future_customer];
    std::vector<std::string_view> names;
    for (const std::uint32_t product : future.ProductsIn(next_basket)) {
      names.push_back(future.products.Name(product));
    }
    std::sort(names.begin(), names.end());
    names.erase(std::unique(names.begin(), names.end()), names.end());
    basket.clear();
    for (const std::string_view name : names) {
      if (const auto product = history.products.Find(name)) basket.push_back(*product);
    }
    ranked.clear();
    for (const auto& scored : recommendations[*customer]) ranked.push_back(scored.product);
    model_metrics.Add(ranked, basket, names.size());
    global_metrics.Add(global, basket, names.size());
    personal_metrics.Add(baselines.Personal(*customer, options.k), basket, names.size());
  }

  const auto model_mean = model_metrics.Mean();
  return nlohmann::json{{"k", options.k},
                        {"customers_evaluated", model_mean.customers},
                        {"history",
                         {{"customers", history.customer_count()},
                          {"baskets", history.basket_count()},
                          {"lines", history_csv->good_lines},
                          {"bad_lines", history_csv->problems.size()}}},
                        {"future",
                         {{"customers", future.customer_count()},
                          {"lines", future_csv->good_lines},
                          {"bad_lines", future_csv->problems.size()}}},
                        {"model", MetricsJson(model_mean, options.k)},
                        {"global_popularity", MetricsJson(global_metrics.Mean(), options.k)},
                        {"personal_popularity", MetricsJson(personal_metrics.Mean(), options.k)},
                        {"model_options",
                         {{"groups", model.options().groups},
                          {"within_decay", model.options().within_decay},
                          {"group_decay", model.options().group_decay},
                          {"alpha", model.options().alpha},
                          {"neighbours", model.options().neighbours},
                          {"prior_baskets", model.options().prior_baskets},
                          {"customer_neighbours", model.options().customer_neighbours},
                          {"rhythm_weight", model.options().rhythm_weight},
                          {"repeat_weight", model.options().repeat_weight},
                          {"cross_sell_weight", model.options().cross_sell_weight},
                          {"category_weight", model.options().category_weight},
                          {"tuned", model.tuned()},
                          {"replay_recall", model.replay_recall()},
                          {"replay_ndcg", model.replay_ndcg()},
                          {"calibration_steps", model.calibration().steps()}}},
                        {"seconds",
                         {{"read", read_seconds},
                          {"fit", fit_seconds},
                          {"recommend", recommend_seconds},
                          {"total", SecondsSince(start)}}}};
}

}  // namespace loyalty::server::batch
