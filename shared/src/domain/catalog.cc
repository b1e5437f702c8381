#include "loyalty/domain/catalog.h"

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
          {"currency", catalog.currency.code()},
          {"products", std::move(products)}};
}

Result<Catalog> CatalogFromJson(const nlohmann::json& json) {
  codec::FieldErrors errors;
  codec::ObjectReader reader(json, "", errors);
  Catalog catalog;
  catalog.version = reader.RequiredInt("version", 0, INT64_MAX);
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

}  // namespace loyalty::domain
