// Reading purchase history from CSV, as a chain exports its transaction log: the format
// `loyalty-batch evaluate` reads now and the history import will read. Columns by header
// name, in any order: `customer_id` or `card_number`, `basket_id`, `product_id`, and
// optionally `timestamp` (ISO 8601 with a zone), `product_name`, `category`, `quantity`
// (a whole number, 0 to 9,999) and `amount` (decimal in the store's currency). Without a
// timestamp column, a customer's baskets are in file order. `product_name` is for the
// import, which keeps names; the history does not.
#pragma once

#include <cstdint>
#include <functional>
#include <istream>
#include <string>
#include <vector>

#include "loyalty/core/money.h"
#include "loyalty/core/result.h"
#include "targeting/transaction_history.h"

namespace loyalty::server::targeting {

struct HistoryCsvOptions {
  Currency currency = Currency::Usd();  // of the amount column
  // Called every `progress_every` good lines with the count so far, for long files.
  std::function<void(std::size_t lines)> on_progress;
  std::size_t progress_every = 1'000'000;
};

struct LineProblem {
  std::size_t line = 0;  // 1-based line number in the file, the header being line 1
  std::string reason;    // names the column: "quantity: '-1' is not a whole number..."
};

struct HistoryCsv {
  TransactionHistory history;  // built from the good lines
  std::size_t good_lines = 0;
  std::vector<LineProblem> problems;  // one per bad line, in file order
  bool has_timestamps = false;
};

// Reads every line; each bad line is reported and the good ones are kept. Fails as a
// whole only when the header lacks a required column.
Result<HistoryCsv> ReadHistoryCsv(std::istream& input, const HistoryCsvOptions& options = {});

}  // namespace loyalty::server::targeting
