// `loyalty-batch evaluate`: the targeting's offline test. Fits the next-basket model on
// a history file, ranks for every customer the products the targeting would coupon at
// the next visit, and scores that ranking, and two baselines, against each customer's
// next basket in a future file.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "loyalty/core/money.h"
#include "loyalty/core/result.h"
#include "targeting/next_basket_model.h"

namespace loyalty::server::batch {

struct EvaluateOptions {
  std::string history_path;  // import-format CSV the model learns from
  std::string future_path;   // import-format CSV; each customer's first basket is the truth
  std::string out_path;      // customer_id,rank,product_id for every history customer
  std::size_t k = 10;
  Currency currency = Currency::Usd();
  targeting::NextBasketOptions model;
};

// The JSON report: customers evaluated (those in both files), and recall@k,
// precision@k, ndcg@k and hit_rate@k for "model", "global_popularity" and
// "personal_popularity"; progress and every bad input line go to stderr. Fails when a
// file cannot be read or lacks a required column, or the output cannot be written.
Result<nlohmann::json> Evaluate(const EvaluateOptions& options);

}  // namespace loyalty::server::batch
