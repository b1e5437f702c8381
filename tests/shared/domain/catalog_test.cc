#include "loyalty/domain/catalog.h"

#include <gtest/gtest.h>

namespace loyalty::domain {
namespace {

using nlohmann::json;

Catalog SampleCatalog() {
  Catalog catalog;
  catalog.version = 7;
  catalog.currency = Currency::FromCode("EUR").value();
  catalog.products.push_back(
      {"1001", "Whole milk 1l", "GROCERY", "DAIRY", "MILK", "Farm", "1 L", 129, true});
  catalog.products.push_back(
      {"2002", "Cigarettes", "TOBACCO", "TOBACCO", "", "", "20 PC", 850, false});
  return catalog;
}

void ExpectRefused(const json& body, const std::string& field) {
  auto catalog = CatalogFromJson(body);
  ASSERT_FALSE(catalog.ok()) << "accepted: " << body.dump();
  EXPECT_EQ(catalog.error().field, field) << catalog.error().ToString();
}

TEST(Catalog, RoundTripsThroughJson) {
  const json body = CatalogToJson(SampleCatalog());
  auto catalog = CatalogFromJson(body);
  ASSERT_TRUE(catalog.ok()) << catalog.error().ToString();
  EXPECT_EQ(catalog->version, 7);
  EXPECT_EQ(catalog->currency.code(), "EUR");
  ASSERT_EQ(catalog->products.size(), 2u);
  EXPECT_EQ(catalog->products[0].name, "Whole milk 1l");
  EXPECT_EQ(catalog->products[0].price_minor, 129);
  EXPECT_TRUE(catalog->products[0].couponable);
  EXPECT_FALSE(catalog->products[1].couponable);
  EXPECT_EQ(CatalogToJson(*catalog), body);
}

TEST(Catalog, AcceptsAnEmptyCatalog) {
  Catalog empty;
  auto catalog = CatalogFromJson(CatalogToJson(empty));
  ASSERT_TRUE(catalog.ok());
  EXPECT_TRUE(catalog->products.empty());
}

TEST(Catalog, RefusesBadProducts) {
  json body = CatalogToJson(SampleCatalog());
  body["products"][1].erase("couponable");
  ExpectRefused(body, "products[1].couponable");
  body = CatalogToJson(SampleCatalog());
  body["products"][0]["price"] = -1;
  ExpectRefused(body, "products[0].price");
  body = CatalogToJson(SampleCatalog());
  body["products"][0]["sku"] = "";
  ExpectRefused(body, "products[0].sku");
  body = CatalogToJson(SampleCatalog());
  body["products"][0]["sku"] = std::string(kMaxSkuLength + 1, '1');
  ExpectRefused(body, "products[0].sku");
  body = CatalogToJson(SampleCatalog());
  body["products"][0]["couponable"] = 1;
  ExpectRefused(body, "products[0].couponable");
  body = CatalogToJson(SampleCatalog());
  body["products"][0]["vat"] = 20;
  ExpectRefused(body, "products[0].vat");
}

TEST(Catalog, RefusesBadHeaderFields) {
  json body = CatalogToJson(SampleCatalog());
  body["currency"] = "EURO";
  ExpectRefused(body, "currency");
  body = CatalogToJson(SampleCatalog());
  body["version"] = -1;
  ExpectRefused(body, "version");
  body = CatalogToJson(SampleCatalog());
  body.erase("products");
  ExpectRefused(body, "products");
}

}  // namespace
}  // namespace loyalty::domain
