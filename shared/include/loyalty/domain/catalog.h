// Products as the chain sells them. Prices include tax, as shelf labels show them.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "loyalty/core/money.h"
#include "loyalty/core/result.h"
#include "loyalty/codec/json_reader.h"

namespace loyalty::domain {

inline constexpr std::size_t kMaxSkuLength = 32;
inline constexpr std::size_t kMaxNameLength = 200;
// Highest shelf price of one item: 1,000,000.00. The catalog and purchases share it, so
// no product can be sold that the server would refuse.
inline constexpr std::int64_t kMaxUnitPriceMinor = 100'000'000;
// Tax rates in basis points of the net price: 1025 is 10.25%. Above 100% is a typo.
inline constexpr std::int64_t kMaxTaxRateBp = 10'000;

enum class SoldBy {
  kEach,      // counted; price_minor is per item
  kWeight,    // weighed at the till; price_minor is per kilogram
};
const char* SoldByName(SoldBy sold_by);  // "each", "kg"
Result<SoldBy> ParseSoldBy(const std::string& text, const std::string& field);

// A GTIN-8, -12 (UPC-A) or -13 (EAN) with a correct check digit.
bool IsValidGtin(const std::string& digits);

struct Product {
  std::string sku;           // the chain's product id, also on the barcode label
  std::string name;
  std::string department;    // e.g. "GROCERY"
  std::string category;      // e.g. "BREAD"; coupons target categories
  std::string product_type;  // e.g. "BREAD:ITALIAN/FRENCH"
  std::string brand;
  std::string package_size;  // free text as printed, e.g. "22 LB"
  std::int64_t price_minor = 0;  // tax included; per kilogram when sold by weight
  bool couponable = true;    // false for goods the law or the chain excludes from coupons
  std::int64_t tax_rate_bp = 0;  // the sales tax inside price_minor
  std::string barcode;       // GTIN on the package; empty for goods keyed by SKU (PLU)
  SoldBy sold_by = SoldBy::kEach;
};

nlohmann::json ProductToJson(const Product& product);
Product ProductFromJson(codec::ObjectReader& reader);

// The whole catalog as the server sends it to terminals.
struct Catalog {
  std::int64_t version = 0;  // grows with every change on the server
  // 0: the whole catalog. N: only the products added or changed after version N, for
  // a terminal that already holds version N.
  std::int64_t since = 0;
  Currency currency = Currency::Usd();
  std::vector<Product> products;
};

// Applies a catalog of changes (since == base.version) to `base`, or replaces it with a
// whole one. Refuses changes made against another version than the one held.
Result<Catalog> ApplyCatalogUpdate(Catalog base, Catalog update);

nlohmann::json CatalogToJson(const Catalog& catalog);
Result<Catalog> CatalogFromJson(const nlohmann::json& json);
// The same strict decode straight from the text, one product at a time: a whole
// catalog as a JSON tree costs several times the catalog's own memory, and a till's
// heap never gives that back.
Result<Catalog> CatalogFromJsonText(std::string_view text);

}  // namespace loyalty::domain
