#include "storage/catalog_import.h"

#include <sstream>
#include <string>

#include <gtest/gtest.h>

namespace loyalty::server {
namespace {

constexpr char kHeader[] = "sku,name,department,category,product_type,brand,package_size,price\n";

Result<CatalogCsv> Read(const std::string& text, const Currency& currency = Currency::Usd()) {
  std::istringstream input(text);
  return ReadCatalogCsv(input, currency);
}

TEST(ReadCatalogCsv, LoadsGoodRows) {
  auto csv = Read(std::string(kHeader) +
                  "1001,Whole milk,GROCERY,DAIRY,MILK,Farm,1 L,1.29\n"
                  "1002,\"Cheddar, mature\",GROCERY,DAIRY,CHEESE,Farm,200 G,4.5\n"
                  "1003,Water,GROCERY,DRINKS,,,,0\n");
  ASSERT_TRUE(csv.ok()) << csv.error().ToString();
  EXPECT_TRUE(csv->rejected.empty());
  ASSERT_EQ(csv->products.size(), 3u);
  const domain::Product& milk = csv->products[0];
  EXPECT_EQ(milk.sku, "1001");
  EXPECT_EQ(milk.name, "Whole milk");
  EXPECT_EQ(milk.department, "GROCERY");
  EXPECT_EQ(milk.category, "DAIRY");
  EXPECT_EQ(milk.product_type, "MILK");
  EXPECT_EQ(milk.brand, "Farm");
  EXPECT_EQ(milk.package_size, "1 L");
  EXPECT_EQ(milk.price_minor, 129);
  EXPECT_TRUE(milk.couponable);
  EXPECT_EQ(csv->products[1].name, "Cheddar, mature");
  EXPECT_EQ(csv->products[1].price_minor, 450);
  EXPECT_EQ(csv->products[2].price_minor, 0);
  EXPECT_EQ(csv->products[2].brand, "");
}

TEST(ReadCatalogCsv, ReadsTaxRatesBarcodesAndWeighedGoods) {
  auto csv = Read(
      "sku,name,department,category,product_type,brand,package_size,price,tax_rate,barcode,"
      "sold_by\n"
      "1001,Milk,GROCERY,DAIRY,MILK,Farm,1 L,1.29,2.25,4006381333931,each\n"
      "4011,Bananas,PRODUCE,FRUIT,BANANAS,,,1.99,2.25,,kg\n"
      "7001,Soap,DRUG GM,SOAP,SOAP,,,3.49,,,\n"
      "7002,Bad rate,DRUG GM,SOAP,SOAP,,,3.49,101,,each\n"
      "7003,Bad rate,DRUG GM,SOAP,SOAP,,,3.49,ten,,each\n"
      "7004,Bad code,DRUG GM,SOAP,SOAP,,,3.49,10.25,4006381333932,each\n"
      "7005,Same code,DRUG GM,SOAP,SOAP,,,3.49,10.25,4006381333931,each\n"
      "7006,Bad unit,DRUG GM,SOAP,SOAP,,,3.49,10.25,,lb\n");
  ASSERT_TRUE(csv.ok()) << csv.error().ToString();
  ASSERT_EQ(csv->products.size(), 3u);
  EXPECT_EQ(csv->products[0].tax_rate_bp, 225);
  EXPECT_EQ(csv->products[0].barcode, "4006381333931");
  EXPECT_EQ(csv->products[0].sold_by, domain::SoldBy::kEach);
  EXPECT_EQ(csv->products[1].sold_by, domain::SoldBy::kWeight);
  EXPECT_EQ(csv->products[2].tax_rate_bp, 0);  // empty: untaxed
  ASSERT_EQ(csv->rejected.size(), 5u);
  EXPECT_EQ(csv->rejected[0], "line 5: tax_rate: must be between 0 and 100 percent, not 101");
  EXPECT_EQ(csv->rejected[1], "line 6: tax_rate: 'ten' is not a percentage like 8.25");
  EXPECT_EQ(csv->rejected[2],
            "line 7: barcode: 4006381333932 is not a GTIN-8, -12 or -13 with a correct check digit");
  EXPECT_EQ(csv->rejected[3], "line 8: barcode: 4006381333931 is also on sku 1001");
  EXPECT_EQ(csv->rejected[4], "line 9: sold_by: must be each or kg, not 'lb'");
}

TEST(ReadCatalogCsv, FindsColumnsByNameInAnyOrder) {
  auto csv = Read(
      "\xEF\xBB\xBFprice,sku,couponable,name,brand,package_size,product_type,category,department\r\n"
      "2.49,2001,0,Cigarettes,Acme,20,TOBACCO,TOBACCO,TOBACCO\r\n"
      "1.00,2002,true,Gum,Acme,1,CANDY,CANDY,GROCERY\r\n"
      "1.00,2003,,Mints,Acme,1,CANDY,CANDY,GROCERY\r\n"
      "1.00,2004,false,Beer,Acme,1,BEER,BEER,ALCOHOL\r\n");
  ASSERT_TRUE(csv.ok()) << csv.error().ToString();
  EXPECT_TRUE(csv->rejected.empty()) << csv->rejected[0];
  ASSERT_EQ(csv->products.size(), 4u);
  EXPECT_EQ(csv->products[0].sku, "2001");
  EXPECT_EQ(csv->products[0].price_minor, 249);
  EXPECT_FALSE(csv->products[0].couponable);
  EXPECT_TRUE(csv->products[1].couponable);
  EXPECT_TRUE(csv->products[2].couponable);
  EXPECT_FALSE(csv->products[3].couponable);
  EXPECT_EQ(csv->products[3].department, "ALCOHOL");
}

TEST(ReadCatalogCsv, ReportsBadRowsWithLineNumbersAndKeepsTheRest) {
  auto csv = Read(std::string(kHeader) +
                  "1001,Milk,GROCERY,DAIRY,MILK,Farm,1 L,1.29\n"      // line 2
                  "1002,Cheese,GROCERY,DAIRY,CHEESE,Farm,1 KG,1,99\n"  // line 3: 9 fields
                  "1003,Butter,GROCERY,DAIRY,BUTTER,Farm,250 G,1.999\n"  // line 4
                  "1004,Cream,GROCERY,DAIRY,CREAM,Farm,1 L,-1.00\n"    // line 5
                  ",Nameless,GROCERY,DAIRY,X,Farm,1,1.00\n"            // line 6
                  "1006,,GROCERY,DAIRY,X,Farm,1,1.00\n"                // line 7
                  "1007,Eggs,GROCERY,DAIRY,EGGS,Farm,12,abc\n"         // line 8
                  "1008,\"Bad\"quote,GROCERY,DAIRY,X,Farm,1,1.00\n"    // line 9
                  "1009,Yogurt,GROCERY,DAIRY,YOGURT,Farm,500 G,0.89\n");  // line 10
  ASSERT_TRUE(csv.ok()) << csv.error().ToString();
  ASSERT_EQ(csv->products.size(), 2u);
  EXPECT_EQ(csv->products[0].sku, "1001");
  EXPECT_EQ(csv->products[1].sku, "1009");
  ASSERT_EQ(csv->rejected.size(), 7u);
  EXPECT_EQ(csv->rejected[0], "line 3: has 9 fields, the header has 8");
  EXPECT_EQ(csv->rejected[1].rfind("line 4: price: ", 0), 0u) << csv->rejected[1];
  EXPECT_NE(csv->rejected[1].find("more than 2 decimals"), std::string::npos) << csv->rejected[1];
  EXPECT_EQ(csv->rejected[2], "line 5: price: must not be negative");
  EXPECT_EQ(csv->rejected[3], "line 6: sku: empty");
  EXPECT_EQ(csv->rejected[4], "line 7: name: empty");
  EXPECT_EQ(csv->rejected[5].rfind("line 8: price: ", 0), 0u) << csv->rejected[5];
  EXPECT_EQ(csv->rejected[6].rfind("line 9: ", 0), 0u) << csv->rejected[6];
}

TEST(ReadCatalogCsv, RejectsAPriceWithAThousandsSeparator) {
  auto csv = Read(std::string(kHeader) + "1001,TV,ELECTRONICS,TV,TV,Brand,1,\"1,299.00\"\n");
  ASSERT_TRUE(csv.ok());
  EXPECT_TRUE(csv->products.empty());
  ASSERT_EQ(csv->rejected.size(), 1u);
  EXPECT_EQ(csv->rejected[0].rfind("line 2: price: ", 0), 0u) << csv->rejected[0];
}

TEST(ReadCatalogCsv, UsesTheCurrencyExponent) {
  auto csv = Read(std::string(kHeader) + "1,Rice,G,RICE,R,B,1,500\n2,Tea,G,TEA,T,B,1,1.5\n",
                  Currency::FromCode("JPY").value());
  ASSERT_TRUE(csv.ok());
  ASSERT_EQ(csv->products.size(), 1u);
  EXPECT_EQ(csv->products[0].price_minor, 500);
  ASSERT_EQ(csv->rejected.size(), 1u);
  EXPECT_EQ(csv->rejected[0].rfind("line 3: price: ", 0), 0u);
}

TEST(ReadCatalogCsv, RejectsADuplicateSku) {
  auto csv = Read(std::string(kHeader) +
                  "1001,Milk,GROCERY,DAIRY,MILK,Farm,1 L,1.29\n"
                  "1002,Cheese,GROCERY,DAIRY,CHEESE,Farm,1 KG,9.99\n"
                  "1001,Milk again,GROCERY,DAIRY,MILK,Farm,1 L,1.39\n");
  ASSERT_TRUE(csv.ok());
  ASSERT_EQ(csv->products.size(), 2u);
  EXPECT_EQ(csv->products[0].name, "Milk");
  ASSERT_EQ(csv->rejected.size(), 1u);
  EXPECT_EQ(csv->rejected[0], "line 4: sku: 1001 appears twice");
}

TEST(ReadCatalogCsv, RejectsBadCouponableAndOverlongFields) {
  auto csv = Read(
      "sku,name,department,category,product_type,brand,package_size,price,couponable\n"
      "1,A,D,C,T,B,P,1.00,yes\n" +
      std::string(domain::kMaxSkuLength + 1, '9') + ",A,D,C,T,B,P,1.00,1\n" + "3," +
      std::string(domain::kMaxNameLength + 1, 'n') + ",D,C,T,B,P,1.00,1\n");
  ASSERT_TRUE(csv.ok());
  EXPECT_TRUE(csv->products.empty());
  ASSERT_EQ(csv->rejected.size(), 3u);
  EXPECT_EQ(csv->rejected[0], "line 2: couponable: must be 1, 0, true or false");
  EXPECT_EQ(csv->rejected[1], "line 3: sku: longer than 32");
  EXPECT_EQ(csv->rejected[2], "line 4: name: longer than 200");
}

TEST(ReadCatalogCsv, FailsWhenARequiredColumnIsMissing) {
  auto csv = Read("sku,name,department,category,product_type,brand,package_size\n1,A,D,C,T,B,P\n");
  ASSERT_FALSE(csv.ok());
  EXPECT_EQ(csv.error().field, "price");
  EXPECT_NE(csv.error().message.find("price"), std::string::npos);

  csv = Read("SKU,name,department,category,product_type,brand,package_size,price\n");
  ASSERT_FALSE(csv.ok());
  EXPECT_EQ(csv.error().field, "sku");
}

TEST(ReadCatalogCsv, FailsOnAnEmptyFile) {
  EXPECT_FALSE(Read("").ok());
}

TEST(ReadCatalogCsv, AcceptsAHeaderWithoutRows) {
  auto csv = Read(kHeader);
  ASSERT_TRUE(csv.ok());
  EXPECT_TRUE(csv->products.empty());
  EXPECT_TRUE(csv->rejected.empty());
}

}  // namespace
}  // namespace loyalty::server
