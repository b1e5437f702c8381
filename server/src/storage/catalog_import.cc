#include "storage/catalog_import.h"

#include <array>
#include <map>
#include <set>

#include "loyalty/core/csv.h"
#include "loyalty/core/utf8.h"

namespace loyalty::server {
namespace {

Result<std::int64_t> ParseTaxRate(const std::string& text) {
  // Parsed as money in a two-decimal currency: "10.25" is 1025 basis points.
  auto rate = Money::Parse(text.empty() ? "0" : text, Currency::Usd(), "tax_rate");
  if (!rate.ok()) return InvalidArgument("tax_rate", "'" + text + "' is not a percentage like 8.25");
  if (rate->minor < 0 || rate->minor > domain::kMaxTaxRateBp) {
    return InvalidArgument("tax_rate", "must be between 0 and 100 percent, not " + text);
  }
  return rate->minor;
}

}  // namespace

Result<CatalogCsv> ReadCatalogCsv(std::istream& input, const Currency& currency) {
  CsvReader csv(input);
  if (!csv.status().ok()) return csv.status().error();
  static constexpr std::array<const char*, 8> kRequired = {
      "sku", "name", "department", "category", "product_type", "brand", "package_size", "price"};
  std::array<std::size_t, kRequired.size()> column{};
  for (std::size_t i = 0; i < kRequired.size(); ++i) {
    const auto found = csv.Column(kRequired[i]);
    if (!found)
      return InvalidArgument(kRequired[i],
                             "the CSV header has no column named " + std::string(kRequired[i]));
    column[i] = *found;
  }
  // Optional columns; without them a product is couponable, untaxed, sold each and
  // keyed in by SKU.
  const auto couponable_column = csv.Column("couponable");
  const auto tax_rate_column = csv.Column("tax_rate");
  const auto barcode_column = csv.Column("barcode");
  const auto sold_by_column = csv.Column("sold_by");
  std::map<std::string, std::string> sku_by_barcode;

  CatalogCsv result;
  std::set<std::string> seen;
  while (auto record = csv.Next()) {
    const std::string where = "line " + std::to_string(csv.line()) + ": ";
    if (!record->ok()) {
      result.rejected.push_back(where + record->error().message);
      continue;
    }
    const auto& fields = record->value();
    if (fields.size() != csv.header().size()) {
      result.rejected.push_back(where + "has " + std::to_string(fields.size()) +
                                " fields, the header has " + std::to_string(csv.header().size()));
      continue;
    }
    domain::Product product;
    std::string* text_fields[] = {&product.sku,         &product.name,         &product.department,
                                  &product.category,    &product.product_type, &product.brand,
                                  &product.package_size};
    std::string problem;
    for (std::size_t i = 0; i < 7 && problem.empty(); ++i) {
      *text_fields[i] = fields[column[i]];
      const std::size_t limit = i == 0 ? domain::kMaxSkuLength : domain::kMaxNameLength;
      if (text_fields[i]->size() > limit) {
        problem = std::string(kRequired[i]) + ": longer than " + std::to_string(limit);
      }
    }
    for (std::size_t i = 0; i < 7 && problem.empty(); ++i) {
      if (!IsValidUtf8(*text_fields[i])) {
        problem = std::string(kRequired[i]) + ": not UTF-8 text (save the file as UTF-8)";
      }
    }
    if (problem.empty() && product.sku.empty()) problem = "sku: empty";
    if (problem.empty() && product.name.empty()) problem = "name: empty";
    if (problem.empty()) {
      auto price = Money::Parse(fields[column[7]], currency, "price");
      if (!price.ok()) {
        problem = "price: " + price.error().message;
      } else if (price->minor < 0) {
        problem = "price: must not be negative";
      } else if (price->minor > domain::kMaxUnitPriceMinor) {
        problem = "price: above the highest item price, " +
                  FormatMinor(domain::kMaxUnitPriceMinor, currency);
      } else {
        product.price_minor = price->minor;
      }
    }
    if (problem.empty() && couponable_column) {
      const std::string& flag = fields[*couponable_column];
      if (flag == "1" || flag == "true" || flag.empty()) {
        product.couponable = true;
      } else if (flag == "0" || flag == "false") {
        product.couponable = false;
      } else {
        problem = "couponable: must be 1, 0, true or false";
      }
    }
    if (problem.empty() && tax_rate_column) {
      // A percentage with up to two decimals, as tax authorities publish them: "10.25".
      auto rate = ParseTaxRate(fields[*tax_rate_column]);
      if (!rate.ok()) {
        problem = "tax_rate: " + rate.error().message;
      } else {
        product.tax_rate_bp = *rate;
      }
    }
    if (problem.empty() && barcode_column) {
      product.barcode = fields[*barcode_column];
      if (!product.barcode.empty() && !domain::IsValidGtin(product.barcode)) {
        problem = "barcode: " + product.barcode +
                  " is not a GTIN-8, -12 or -13 with a correct check digit";
      } else if (!product.barcode.empty()) {
        const auto [it, added] = sku_by_barcode.emplace(product.barcode, product.sku);
        if (!added) problem = "barcode: " + product.barcode + " is also on sku " + it->second;
      }
    }
    if (problem.empty() && sold_by_column) {
      const std::string& text = fields[*sold_by_column];
      auto sold_by = text.empty() ? Result<domain::SoldBy>(domain::SoldBy::kEach)
                                  : domain::ParseSoldBy(text, "sold_by");
      if (!sold_by.ok()) {
        problem = "sold_by: " + sold_by.error().message;
      } else {
        product.sold_by = *sold_by;
      }
    }
    if (problem.empty() && !seen.insert(product.sku).second) {
      problem = "sku: " + product.sku + " appears twice";
    }
    if (!problem.empty()) {
      result.rejected.push_back(where + problem);
      continue;
    }
    result.products.push_back(std::move(product));
  }
  return result;
}

}  // namespace loyalty::server
