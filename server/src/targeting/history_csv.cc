#include "targeting/history_csv.h"

#include "loyalty/core/card_number.h"
#include "loyalty/core/csv.h"
#include "loyalty/core/number.h"
#include "loyalty/core/time.h"
#include "loyalty/core/utf8.h"
#include "loyalty/domain/catalog.h"
#include "loyalty/domain/purchase.h"

namespace loyalty::server::targeting {
namespace {

constexpr std::size_t kMaxIdLength = 64;  // customer and basket ids from a chain's systems

// The column a line's field comes from, when the header has it.
struct Columns {
  std::size_t customer = 0;
  bool customer_is_card = false;
  std::size_t basket = 0;
  std::size_t product = 0;
  std::optional<std::size_t> timestamp, product_name, category, quantity, amount;
};

Result<Columns> FindColumns(const CsvReader& csv) {
  Columns columns;
  if (const auto customer = csv.Column("customer_id")) {
    columns.customer = *customer;
  } else if (const auto card = csv.Column("card_number")) {
    columns.customer = *card;
    columns.customer_is_card = true;
  } else {
    return InvalidArgument("customer_id",
                           "the CSV header has no column named customer_id or card_number");
  }
  for (const auto& [name, column] :
       {std::pair{"basket_id", &columns.basket}, std::pair{"product_id", &columns.product}}) {
    const auto found = csv.Column(name);
    if (!found) {
      return InvalidArgument(name, "the CSV header has no column named " + std::string(name));
    }
    *column = *found;
  }
  columns.timestamp = csv.Column("timestamp");
  columns.product_name = csv.Column("product_name");
  columns.category = csv.Column("category");
  columns.quantity = csv.Column("quantity");
  columns.amount = csv.Column("amount");
  return columns;
}

// Checks an id-like text field; empty when it is fine, else the reason.
std::string CheckText(std::string_view column, const std::string& text, std::size_t max_length,
                      bool required) {
  if (required && text.empty()) return std::string(column) + ": empty";
  if (text.size() > max_length) {
    return std::string(column) + ": longer than " + std::to_string(max_length) + " characters";
  }
  if (!IsValidUtf8(text)) return std::string(column) + ": not UTF-8 text";
  return {};
}

// Parses the fields of one record; the reason when one is bad.
std::string ParseLine(const Columns& columns, const std::vector<std::string>& fields,
                      const Currency& currency, HistoryCsvLine& line) {
  const std::string& customer = fields[columns.customer];
  if (columns.customer_is_card) {
    const auto card = CardNumber::Parse(customer);
    if (!card.ok()) return "card_number: " + card.error().message;
  } else if (auto problem = CheckText("customer_id", customer, kMaxIdLength, true);
             !problem.empty()) {
    return problem;
  }
  if (auto problem = CheckText("basket_id", fields[columns.basket], kMaxIdLength, true);
      !problem.empty()) {
    return problem;
  }
  if (auto problem = CheckText("product_id", fields[columns.product], domain::kMaxSkuLength, true);
      !problem.empty()) {
    return problem;
  }
  line.customer = customer;
  line.customer_is_card = columns.customer_is_card;
  line.basket = fields[columns.basket];
  line.product = fields[columns.product];
  if (columns.product_name) {
    if (auto problem =
            CheckText("product_name", fields[*columns.product_name], domain::kMaxNameLength, false);
        !problem.empty()) {
      return problem;
    }
    line.product_name = fields[*columns.product_name];
  }
  if (columns.category) {
    if (auto problem =
            CheckText("category", fields[*columns.category], domain::kMaxNameLength, false);
        !problem.empty()) {
      return problem;
    }
    line.category = fields[*columns.category];
  }
  if (columns.timestamp) {
    const std::string& text = fields[*columns.timestamp];
    if (text.empty()) return "timestamp: empty";
    const auto timestamp = ParseIso8601(text);
    if (!timestamp.ok()) return "timestamp: " + timestamp.error().message;
    line.timestamp = ToUnixSeconds(*timestamp);
  }
  if (columns.quantity) {
    const std::string& text = fields[*columns.quantity];
    // Transaction logs carry 0 for voided and adjusted lines; the till never rings up
    // more than kMaxLineQuantity of one item.
    const auto quantity = ParseWholeNumber(text, domain::kMaxLineQuantity);
    if (!quantity) {
      return "quantity: '" + text + "' is not a whole number from 0 to " +
             std::to_string(domain::kMaxLineQuantity);
    }
    line.quantity = static_cast<std::int32_t>(*quantity);
  }
  if (columns.amount) {
    const std::string& text = fields[*columns.amount];
    const auto amount = Money::Parse(text, currency, "amount");
    if (!amount.ok()) return "amount: " + amount.error().message;
    line.amount_minor = amount->minor;
  }
  return {};
}

}  // namespace

Result<HistoryCsvHeader> ForEachHistoryLine(std::istream& input, const Currency& currency,
                                            const HistoryLineHandler& on_line,
                                            const std::function<void(LineProblem)>& on_problem) {
  CsvReader csv(input);
  if (!csv.status().ok()) return csv.status().error();
  auto columns = FindColumns(csv);
  if (!columns.ok()) return columns.error();
  while (auto record = csv.Next()) {
    if (!record->ok()) {
      on_problem({csv.line(), record->error().message});
      continue;
    }
    const auto& fields = record->value();
    if (fields.size() != csv.header().size()) {
      on_problem({csv.line(), "has " + std::to_string(fields.size()) + " fields, the header has " +
                                  std::to_string(csv.header().size())});
      continue;
    }
    HistoryCsvLine line;
    line.line = csv.line();
    if (auto problem = ParseLine(*columns, fields, currency, line); !problem.empty()) {
      on_problem({csv.line(), std::move(problem)});
      continue;
    }
    if (auto problem = on_line(line)) on_problem({csv.line(), std::move(*problem)});
  }
  return HistoryCsvHeader{columns->customer_is_card, columns->timestamp.has_value()};
}

Result<HistoryCsv> ReadHistoryCsv(std::istream& input, const HistoryCsvOptions& options) {
  HistoryCsv result;
  HistoryBuilder builder;
  const auto header = ForEachHistoryLine(
      input, options.currency,
      [&](const HistoryCsvLine& line) -> std::optional<std::string> {
        HistoryBuilder::Line staged;
        staged.customer = line.customer;
        staged.basket = line.basket;
        staged.product = line.product;
        staged.category = line.category.value_or(std::string_view());
        if (line.timestamp) staged.timestamp = *line.timestamp;
        staged.quantity = line.quantity.value_or(staged.quantity);
        staged.amount_minor = line.amount_minor.value_or(0);
        if (auto problem = builder.Add(staged)) return problem;
        ++result.good_lines;
        if (options.on_progress && result.good_lines % options.progress_every == 0) {
          options.on_progress(result.good_lines);
        }
        return std::nullopt;
      },
      [&](LineProblem problem) { result.problems.push_back(std::move(problem)); });
  if (!header.ok()) return header.error();
  result.has_timestamps = header->has_timestamp;
  result.history = builder.Build();
  return result;
}

}  // namespace loyalty::server::targeting
