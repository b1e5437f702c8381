#include "loyalty/domain/purchase.h"

#include "loyalty/codec/json_reader.h"

namespace loyalty::domain {

std::int64_t LineAmountMinor(std::int64_t quantity, std::int64_t unit_price_minor,
                             std::optional<std::int64_t> weight_grams) {
  if (weight_grams) return MulDivRound(*weight_grams, unit_price_minor, 1000);
  return quantity * unit_price_minor;
}

Result<std::string> ParseCashierId(std::string_view text, const std::string& field) {
  if (text.empty() || text.size() > kMaxCashierIdLength) {
    return InvalidArgument(
        field, "a cashier id has 1 to " + std::to_string(kMaxCashierIdLength) + " characters");
  }
  for (const char c : text) {
    if (c < ' ' || c > '~') {
      return InvalidArgument(field, "a cashier id has only printable characters");
    }
  }
  if (text.front() == ' ' || text.back() == ' ') {
    return InvalidArgument(field, "a cashier id does not start or end with a space");
  }
  return std::string(text);
}

std::int64_t Purchase::SubtotalMinor() const {
  std::int64_t sum = 0;
  for (const auto& line : lines) sum += line.amount_minor;
  return sum;
}

std::int64_t Purchase::DiscountMinor() const {
  std::int64_t sum = 0;
  for (const auto& redemption : redemptions) sum += redemption.discount_minor;
  return sum;
}

nlohmann::json PurchaseToJson(const Purchase& purchase) {
  nlohmann::json lines = nlohmann::json::array();
  for (const auto& line : purchase.lines) {
    nlohmann::json json = {{"sku", line.sku},
                           {"quantity", line.quantity},
                           {"unit_price", line.unit_price_minor},
                           {"amount", line.amount_minor}};
    if (line.weight_grams) json["weight_grams"] = *line.weight_grams;
    lines.push_back(std::move(json));
  }
  nlohmann::json redemptions = nlohmann::json::array();
  for (const auto& redemption : purchase.redemptions) {
    nlohmann::json json = {{"coupon_id", redemption.coupon_id.str()},
                           {"discount", redemption.discount_minor}};
    if (redemption.verified_offline) json["verified_offline"] = true;
    redemptions.push_back(std::move(json));
  }
  nlohmann::json json = {
      {"id", purchase.id.str()},
      {"store_id", purchase.store_id},
      {"terminal_id", purchase.terminal_id},
      {"card_number", purchase.card ? nlohmann::json(purchase.card->digits()) : nullptr},
      {"occurred_at", FormatUtc(purchase.occurred_at)},
      {"currency", purchase.currency.code()},
      {"lines", std::move(lines)},
      {"redemptions", std::move(redemptions)},
      {"total", purchase.total_minor}};
  // Left out rather than null when unknown, so a sale without one hashes as it did
  // before sign-on existed and a replay from an old journal still matches.
  if (purchase.cashier_id) json["cashier_id"] = *purchase.cashier_id;
  return json;
}

Result<Purchase> PurchaseFromJson(const nlohmann::json& json) {
  codec::FieldErrors errors;
  codec::ObjectReader reader(json, "", errors);
  Purchase purchase;

  errors.Take(Uuid::Parse(reader.RequiredString("id", 36), "id"), purchase.id);
  purchase.store_id = reader.RequiredString("store_id", 32);
  purchase.terminal_id = reader.RequiredString("terminal_id", 64);
  // Read with room to spare so an over-long id gets the cashier id's own message.
  if (auto cashier = reader.OptionalString("cashier_id", 4 * kMaxCashierIdLength)) {
    auto parsed = ParseCashierId(*cashier, "cashier_id");
    if (parsed.ok()) {
      purchase.cashier_id = std::move(parsed).value();
    } else {
      errors.Add(parsed.error());
    }
  }
  if (auto card = reader.OptionalString("card_number", 13)) {
    auto parsed = CardNumber::Parse(*card, "card_number");
    if (parsed.ok()) {
      purchase.card = *parsed;
    } else {
      errors.Add(parsed.error());
    }
  }
  errors.Take(ParseIso8601(reader.RequiredString("occurred_at", 40), "occurred_at"),
       purchase.occurred_at);
  errors.Take(Currency::FromCode(reader.RequiredString("currency", 3)), purchase.currency);

  reader.ForEachObject("lines", 1, kMaxPurchaseLines, [&](codec::ObjectReader& item, std::size_t) {
    PurchaseLine line;
    line.sku = item.RequiredString("sku", kMaxSkuLength);
    line.quantity = item.RequiredInt("quantity", 1, kMaxLineQuantity);
    line.unit_price_minor = item.RequiredInt("unit_price", 0, kMaxUnitPriceMinor);
    line.weight_grams = item.OptionalInt("weight_grams", 1, kMaxLineWeightGrams);
    line.amount_minor = item.RequiredInt("amount", 0, kMaxLineQuantity * kMaxUnitPriceMinor);
    if (errors.ok() && line.weight_grams && line.quantity != 1) {
      errors.Add(item.PathOf("quantity"), "must be 1 for a weighed line");
    }
    const std::int64_t expected =
        LineAmountMinor(line.quantity, line.unit_price_minor, line.weight_grams);
    if (errors.ok() && line.amount_minor != expected) {
      errors.Add(item.PathOf("amount"),
                 "is " + std::to_string(line.amount_minor) +
                     (line.weight_grams ? " but weight_grams x unit_price / 1000 is "
                                        : " but quantity x unit_price is ") +
                     std::to_string(expected));
    }
    purchase.lines.push_back(std::move(line));
  });

  reader.ForEachObject("redemptions", 0, kMaxPurchaseLines,
                       [&](codec::ObjectReader& item, std::size_t) {
                         Redemption redemption;
                         errors.Take(Uuid::Parse(item.RequiredString("coupon_id", 36),
                                          item.PathOf("coupon_id")),
                              redemption.coupon_id);
                         redemption.discount_minor = item.RequiredInt("discount", 1, kMaxMinorUnits);
                         if (auto offline = item.OptionalBool("verified_offline")) {
                           redemption.verified_offline = *offline;
                         }
                         purchase.redemptions.push_back(redemption);
                       });

  purchase.total_minor = reader.RequiredInt("total", 0, kMaxMinorUnits);
  reader.Finish();
  if (!errors.ok()) return errors.error();

  for (std::size_t i = 0; i < purchase.redemptions.size(); ++i) {
    for (std::size_t j = 0; j < i; ++j) {
      if (purchase.redemptions[i].coupon_id == purchase.redemptions[j].coupon_id) {
        return InvalidArgument("redemptions[" + std::to_string(i) + "].coupon_id",
                               "the same coupon is redeemed twice in one purchase");
      }
    }
  }
  const std::int64_t subtotal = purchase.SubtotalMinor();
  const std::int64_t discount = purchase.DiscountMinor();
  if (discount > subtotal) {
    return InvalidArgument("redemptions", "discounts (" + std::to_string(discount) +
                                              ") exceed the lines' amounts (" +
                                              std::to_string(subtotal) + ")");
  }
  if (purchase.total_minor != subtotal - discount) {
    return InvalidArgument("total", "is " + std::to_string(purchase.total_minor) +
                                        " but lines less discounts come to " +
                                        std::to_string(subtotal - discount));
  }
  return purchase;
}

}  // namespace loyalty::domain
