#include "loyalty/domain/catalog.h"

#include <gtest/gtest.h>

namespace loyalty::domain {
namespace {

using nlohmann::json;

Catalog SampleCatalog() {
  Catalog catalog;
  catalog.version = 7;
  catalog.currency = Currency::FromCode("EUR").value();
  catalog.products.push_back({"1001", "Whole milk 1l", "GROCERY", "DAIRY", "MILK", "Farm", "1 L",
                              129, true, 225, "4006381333931", SoldBy::kEach});
  catalog.products.push_back(
      {"2002", "Cigarettes", "TOBACCO", "TOBACCO", "", "", "20 PC", 850, false, 1025, "", SoldBy::kEach});
  catalog.products.push_back({"4011", "Bananas", "PRODUCE", "FRUIT", "BANANAS", "", "", 199, true,
                              225, "", SoldBy::kWeight});
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
  ASSERT_EQ(catalog->products.size(), 3u);
  EXPECT_EQ(catalog->products[0].tax_rate_bp, 225);
  EXPECT_EQ(catalog->products[0].barcode, "4006381333931");
  EXPECT_EQ(catalog->products[2].sold_by, SoldBy::kWeight);
  EXPECT_EQ(catalog->products[0].name, "Whole milk 1l");
  EXPECT_EQ(catalog->products[0].price_minor, 129);
  EXPECT_TRUE(catalog->products[0].couponable);
  EXPECT_FALSE(catalog->products[1].couponable);
  EXPECT_EQ(CatalogToJson(*catalog), body);
}

TEST(Catalog, DecodesFromTextOneProductAtATimeAsStrictlyAsFromATree) {
  const json body = CatalogToJson(SampleCatalog());
  auto catalog = CatalogFromJsonText(body.dump());
  ASSERT_TRUE(catalog.ok()) << catalog.error().ToString();
  EXPECT_EQ(CatalogToJson(*catalog), body);

  json bad = body;
  bad["products"][2]["price"] = -1;
  auto refused = CatalogFromJsonText(bad.dump());
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().field, "products[2].price");
  bad = body;
  bad["products"][0]["colour"] = "red";
  EXPECT_EQ(CatalogFromJsonText(bad.dump()).error().field, "products[0].colour");
  bad = body;
  bad["extra"] = 1;
  EXPECT_EQ(CatalogFromJsonText(bad.dump()).error().field, "extra");
  EXPECT_FALSE(CatalogFromJsonText("{\"version\": 1,").ok());
  // Only elements of the top-level products array are products, counted whatever
  // their type, and the array comes once.
  bad = body;
  bad["products"] = json::array({1, body["products"][0], body["products"][1]});
  EXPECT_EQ(CatalogFromJsonText(bad.dump()).error().field, "products[0]");
  bad = body;
  bad["products"][1] = json::array();
  EXPECT_EQ(CatalogFromJsonText(bad.dump()).error().field, "products[1]");
  bad = body;
  bad["products"][1]["price"] = "cheap";
  EXPECT_EQ(CatalogFromJsonText(bad.dump()).error().field, "products[1].price");
  std::string twice = body.dump();
  twice.insert(twice.size() - 1, ",\"products\":[]");
  EXPECT_EQ(CatalogFromJsonText(twice).error().field, "products");
  bad = body;
  bad["extra"] = json::array({body["products"][0]});  // a product outside "products"
  EXPECT_EQ(CatalogFromJsonText(bad.dump()).error().field, "extra");
  EXPECT_FALSE(CatalogFromJsonText(R"({"version":1,"since":0,"currency":"USD","products":[{"a":[[[[1]]]]}]})").ok());
}

TEST(Catalog, AcceptsAnEmptyCatalog) {
  Catalog empty;
  auto catalog = CatalogFromJson(CatalogToJson(empty));
  ASSERT_TRUE(catalog.ok());
  EXPECT_TRUE(catalog->products.empty());
}

TEST(Catalog, RefusesBadTaxRatesBarcodesAndSaleUnits) {
  json body = CatalogToJson(SampleCatalog());
  body["products"][0]["tax_rate_bp"] = 10'001;
  ExpectRefused(body, "products[0].tax_rate_bp");
  body = CatalogToJson(SampleCatalog());
  body["products"][0]["barcode"] = "4006381333932";  // check digit off by one
  ExpectRefused(body, "products[0].barcode");
  body = CatalogToJson(SampleCatalog());
  body["products"][0]["sold_by"] = "lb";
  ExpectRefused(body, "products[0].sold_by");
}

TEST(Gtin, ChecksLengthAndCheckDigit) {
  EXPECT_TRUE(IsValidGtin("4006381333931"));   // EAN-13
  EXPECT_TRUE(IsValidGtin("036000291452"));    // UPC-A
  EXPECT_TRUE(IsValidGtin("96385074"));        // EAN-8
  EXPECT_FALSE(IsValidGtin("036000291453"));
  EXPECT_FALSE(IsValidGtin("40063813339"));
  EXPECT_FALSE(IsValidGtin("40063813339a1"));
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
