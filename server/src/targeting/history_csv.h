// Reading purchase history from CSV, as a chain exports its transaction log: the format
// `loyalty-batch evaluate` and `loyalty-batch import` read. Columns by header
// name, in any order: `customer_id` or `card_number`, `basket_id`, `product_id`, and
// optionally `timestamp` (ISO 8601 with a zone), `product_name`, `category`, `quantity`
// (a whole number, 0 to 9,999) and `amount` (decimal in the store's currency). Without a
// timestamp column, a customer's baskets are in file order. `product_name` is for the
// import (ForEachHistoryLine), which keeps names; the history does not.
#pragma once

#include <cstdint>
#include <functional>
#include <istream>
#include <optional>
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

// One good line, checked, for a reader that keeps more than the history does (the
// import keeps names and tells a missing amount from a zero one). The views live until
// the callback returns. An optional is empty when the header has no such column.
struct HistoryCsvLine {
  std::size_t line = 0;       // 1-based, the header being line 1
  std::string_view customer;  // a valid card number's digits when customer_is_card
  bool customer_is_card = false;
  std::string_view basket;
  std::string_view product;
  std::optional<std::string_view> product_name;
  std::optional<std::string_view> category;
  std::optional<std::int64_t> timestamp;  // Unix seconds UTC
  std::optional<std::int32_t> quantity;
  std::optional<std::int64_t> amount_minor;
};

// What the header holds, once it has been read.
struct HistoryCsvHeader {
  bool customer_is_card = false;  // card_number rather than customer_id
  bool has_timestamp = false;
};

// The streaming form of ReadHistoryCsv: calls `on_line` for each good line in file
// order, which may still refuse it by returning the reason, and `on_problem` for each
// bad or refused line. Fails only when the header lacks a required column (before any
// call).
using HistoryLineHandler = std::function<std::optional<std::string>(const HistoryCsvLine&)>;
Result<HistoryCsvHeader> ForEachHistoryLine(std::istream& input, const Currency& currency,
                                            const HistoryLineHandler& on_line,
                                            const std::function<void(LineProblem)>& on_problem);

}  // namespace loyalty::server::targeting
