#include "loyalty/domain/sale_return.h"

#include "loyalty/codec/json_reader.h"
#include "loyalty/domain/purchase.h"

namespace loyalty::domain {

nlohmann::json SaleReturnToJson(const SaleReturn& sale_return) {
  nlohmann::json lines = nlohmann::json::array();
  for (const auto& line : sale_return.lines) {
    lines.push_back({{"sku", line.sku}, {"quantity", line.quantity}, {"amount", line.amount_minor}});
  }
  return {{"id", sale_return.id.str()},
          {"original_purchase_id", sale_return.original_purchase_id.str()},
          {"store_id", sale_return.store_id},
          {"terminal_id", sale_return.terminal_id},
          {"occurred_at", FormatUtc(sale_return.occurred_at)},
          {"currency", sale_return.currency.code()},
          {"lines", std::move(lines)},
          {"total", sale_return.total_minor}};
}

Result<SaleReturn> SaleReturnFromJson(const nlohmann::json& json) {
  codec::FieldErrors errors;
  codec::ObjectReader reader(json, "", errors);
  SaleReturn sale_return;
  errors.Take(Uuid::Parse(reader.RequiredString("id", 36), "id"), sale_return.id);
  errors.Take(Uuid::Parse(reader.RequiredString("original_purchase_id", 36), "original_purchase_id"),
              sale_return.original_purchase_id);
  sale_return.store_id = reader.RequiredString("store_id", 32);
  sale_return.terminal_id = reader.RequiredString("terminal_id", 64);
  errors.Take(ParseIso8601(reader.RequiredString("occurred_at", 40), "occurred_at"),
              sale_return.occurred_at);
  errors.Take(Currency::FromCode(reader.RequiredString("currency", 3)), sale_return.currency);
  reader.ForEachObject("lines", 1, kMaxPurchaseLines, [&](codec::ObjectReader& item, std::size_t) {
    ReturnLine line;
    line.sku = item.RequiredString("sku", kMaxSkuLength);
    line.quantity = item.RequiredInt("quantity", 1, kMaxLineQuantity);
    line.amount_minor = item.RequiredInt("amount", 0, kMaxLineQuantity * kMaxUnitPriceMinor);
    sale_return.lines.push_back(std::move(line));
  });
  sale_return.total_minor = reader.RequiredInt("total", 0, kMaxMinorUnits);
  reader.Finish();
  if (!errors.ok()) return errors.error();
  std::int64_t sum = 0;
  for (const auto& line : sale_return.lines) sum += line.amount_minor;
  if (sum != sale_return.total_minor) {
    return InvalidArgument("total", "is " + std::to_string(sale_return.total_minor) +
                                        " but the lines come to " + std::to_string(sum));
  }
  return sale_return;
}

}  // namespace loyalty::domain
