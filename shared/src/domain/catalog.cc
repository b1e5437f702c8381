#include "loyalty/domain/catalog.h"

#include <map>

namespace loyalty::domain {

const char* SoldByName(SoldBy sold_by) { return sold_by == SoldBy::kWeight ? "kg" : "each"; }

Result<SoldBy> ParseSoldBy(const std::string& text, const std::string& field) {
  if (text == "each") return SoldBy::kEach;
  if (text == "kg") return SoldBy::kWeight;
  return InvalidArgument(field, "must be each or kg, not '" + text + "'");
}

bool IsValidGtin(const std::string& digits) {
  if (digits.size() != 8 && digits.size() != 12 && digits.size() != 13) return false;
  int sum = 0;
  // Weights 3,1,3,... from the digit left of the check digit.
  for (std::size_t i = 0; i + 1 < digits.size(); ++i) {
    const char c = digits[digits.size() - 2 - i];
    if (c < '0' || c > '9') return false;
    sum += (c - '0') * (i % 2 == 0 ? 3 : 1);
  }
  const char check = digits.back();
  return check >= '0' && check <= '9' && (10 - sum % 10) % 10 == check - '0';
}

nlohmann::json ProductToJson(const Product& product) {
  return {{"sku", product.sku},
          {"name", product.name},
          {"department", product.department},
          {"category", product.category},
          {"product_type", product.product_type},
          {"brand", product.brand},
          {"package_size", product.package_size},
          {"price", product.price_minor},
          {"couponable", product.couponable},
          {"tax_rate_bp", product.tax_rate_bp},
          {"barcode", product.barcode},
          {"sold_by", SoldByName(product.sold_by)}};
}

Product ProductFromJson(codec::ObjectReader& reader) {
  Product product;
  product.sku = reader.RequiredString("sku", kMaxSkuLength);
  product.name = reader.RequiredString("name", kMaxNameLength);
  product.department = reader.RequiredString("department", kMaxNameLength, true);
  product.category = reader.RequiredString("category", kMaxNameLength, true);
  product.product_type = reader.RequiredString("product_type", kMaxNameLength, true);
  product.brand = reader.RequiredString("brand", kMaxNameLength, true);
  product.package_size = reader.RequiredString("package_size", kMaxNameLength, true);
  product.price_minor = reader.RequiredInt("price", 0, kMaxUnitPriceMinor);
  product.couponable = reader.RequiredBool("couponable");
  product.tax_rate_bp = reader.RequiredInt("tax_rate_bp", 0, kMaxTaxRateBp);
  product.barcode = reader.RequiredString("barcode", 13, true);
  if (!product.barcode.empty() && !IsValidGtin(product.barcode)) {
    reader.errors().Add(reader.PathOf("barcode"), "is not a GTIN-8, -12 or -13 with a correct check digit");
  }
  const std::string sold_by = reader.RequiredString("sold_by", 4);
  if (auto parsed = ParseSoldBy(sold_by, reader.PathOf("sold_by")); parsed.ok()) {
    product.sold_by = *parsed;
  } else if (!sold_by.empty()) {
    reader.errors().Add(parsed.error());
  }
  return product;
}

nlohmann::json CatalogToJson(const Catalog& catalog) {
  nlohmann::json products = nlohmann::json::array();
  for (const auto& product : catalog.products) products.push_back(ProductToJson(product));
  return {{"version", catalog.version},
          {"since", catalog.since},
          {"currency", catalog.currency.code()},
          {"products", std::move(products)}};
}

Result<Catalog> CatalogFromJson(const nlohmann::json& json) {
  codec::FieldErrors errors;
  codec::ObjectReader reader(json, "", errors);
  Catalog catalog;
  catalog.version = reader.RequiredInt("version", 0, INT64_MAX);
  catalog.since = reader.RequiredInt("since", 0, INT64_MAX);
  const auto currency = Currency::FromCode(reader.RequiredString("currency", 3));
  if (!currency.ok()) {
    errors.Add(currency.error());
  } else {
    catalog.currency = *currency;
  }
  reader.ForEachObject("products", 0, 1'000'000, [&](codec::ObjectReader& item, std::size_t) {
    catalog.products.push_back(ProductFromJson(item));
  });
  reader.Finish();
  if (!errors.ok()) return errors.error();
  return catalog;
}

Result<Catalog> CatalogFromJsonText(std::string_view text) {
  codec::FieldErrors errors;
  std::vector<Product> products;
  std::string top_key;           // the top-level key being parsed
  bool products_seen = false;    // a second "products" array would add to the first
  std::size_t element = 0;       // index in the products array, objects or not
  bool too_deep = false;
  // The parser calls back at every key, value and object end. An element of the top-level
  // "products" array (depth 2) is decoded when it ends and dropped from the tree, so the
  // whole catalog is never held as JSON.
  const nlohmann::json::parser_callback_t take_products =
      [&](int depth, nlohmann::json::parse_event_t event, nlohmann::json& parsed) {
        using Event = nlohmann::json::parse_event_t;
        if (depth > 3) too_deep = true;
        if (too_deep) return false;
        if (event == Event::key && depth == 1) {
          top_key = parsed.get<std::string>();
          if (top_key == "products") {
            if (products_seen) errors.Add("products", "appears twice");
            products_seen = true;
          }
          return true;
        }
        if (depth != 2 || top_key != "products") return true;
        const std::string path = "products[" + std::to_string(element) + "]";
        if (event == Event::value) {  // a scalar where a product should be
          errors.Add(path, "must be an object");
          ++element;
          return false;
        }
        if (event != Event::object_end && event != Event::array_end) return true;
        if (event == Event::array_end) {
          errors.Add(path, "must be an object");
        } else if (products.size() >= 1'000'000) {
          errors.Add("products", "more than 1000000 products");
        } else {
          codec::ObjectReader item(parsed, path, errors);
          products.push_back(ProductFromJson(item));
          item.Finish();
        }
        ++element;
        return false;
      };
  nlohmann::json root = nlohmann::json::parse(text, take_products, /*allow_exceptions=*/false);
  if (too_deep) return InvalidArgument("body", "catalog JSON nested deeper than a catalog is");
  if (root.is_discarded()) return InvalidArgument("body", "not valid JSON");
  if (!errors.ok()) return errors.error();
  auto catalog = CatalogFromJson(root);  // the envelope; its products array is now empty
  if (!catalog.ok()) return catalog;
  catalog->products = std::move(products);
  return catalog;
}

Result<Catalog> ApplyCatalogUpdate(Catalog base, Catalog update) {
  if (update.since == 0) return update;
  if (update.since != base.version) {
    return Conflict("catalog changes since version " + std::to_string(update.since) +
                    " cannot apply to version " + std::to_string(base.version));
  }
  std::map<std::string, std::size_t> index;
  for (std::size_t i = 0; i < base.products.size(); ++i) index[base.products[i].sku] = i;
  for (auto& product : update.products) {
    if (auto it = index.find(product.sku); it != index.end()) {
      base.products[it->second] = std::move(product);
    } else {
      index[product.sku] = base.products.size();
      base.products.push_back(std::move(product));
    }
  }
  base.version = update.version;
  base.currency = update.currency;
  return base;
}

}  // namespace loyalty::domain
