#include "loyalty/domain/catalog.h"

#include <map>

namespace loyalty::domain {

nlohmann::json ProductToJson(const Product& product) {
  return {{"sku", product.sku},
          {"name", product.name},
          {"department", product.department},
          {"category", product.category},
          {"product_type", product.product_type},
          {"brand", product.brand},
          {"package_size", product.package_size},
          {"price", product.price_minor},
          {"couponable", product.couponable}};
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
