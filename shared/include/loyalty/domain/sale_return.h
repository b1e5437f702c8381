// Goods brought back: which purchase they came from, what, and the refund. The server
// nets a return out of the customer's profile and takes back what the purchase earned.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "loyalty/core/money.h"
#include "loyalty/core/time.h"
#include "loyalty/core/uuid.h"

namespace loyalty::domain {

struct ReturnLine {
  std::string sku;
  std::int64_t quantity = 0;      // items brought back
  std::int64_t amount_minor = 0;  // refunded for them
};

struct SaleReturn {
  Uuid id = Uuid::TimeOrdered();  // made at the terminal; the idempotency key
  Uuid original_purchase_id = Uuid::TimeOrdered();
  std::string store_id;
  std::string terminal_id;
  Timestamp occurred_at;
  Currency currency = Currency::Usd();
  std::vector<ReturnLine> lines;
  std::int64_t total_minor = 0;  // the refund: sum of the lines' amounts
};

nlohmann::json SaleReturnToJson(const SaleReturn& sale_return);
// Strict, like PurchaseFromJson: unknown, missing, mistyped and out-of-range fields are
// refused with their path, and the total must be the sum of the lines.
Result<SaleReturn> SaleReturnFromJson(const nlohmann::json& json);

}  // namespace loyalty::domain
