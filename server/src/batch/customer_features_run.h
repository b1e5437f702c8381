// The nightly run's customer features step: every customer's cadence, lapse risk and
// category affinities (targeting/customer_features.h) computed from the history the run
// already holds, and stored for the portal (Store::WriteCustomerFeatures), replacing the
// rows of other run dates.
#pragma once

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "batch/customers_by_store_id.h"
#include "loyalty/core/result.h"
#include "storage/store.h"
#include "targeting/transaction_history.h"

namespace loyalty::server::batch {

// Computes and stores the features as of `run_at` (Unix seconds, the midnight of
// `run_date`), `rows_per_write` customers a transaction, asking `still_held` (when set)
// before each. Returns the summary: customers stored, how many in each lapse-risk band,
// and the population's usual gap in days. `bands`, when given, receives each history
// customer's band (by history customer id; empty for a customer with no visit to judge),
// which the run writes on the customers' rows with their segments. `customers` indexes
// `history`; the rows are written in its order, the table's key.
Result<nlohmann::json> RefreshCustomerFeatures(
    Store& store, const targeting::TransactionHistory& history, const CustomersByStoreId& customers,
    std::int64_t run_at, const std::string& run_date, const std::function<Status()>& still_held,
    std::vector<std::optional<LapseRiskBand>>* bands = nullptr,
    std::size_t rows_per_write = 20'000);

}  // namespace loyalty::server::batch
