#include "targeting/history_csv.h"

#include <gtest/gtest.h>

#include <sstream>

namespace loyalty::server::targeting {
namespace {

HistoryCsv Read(const std::string& text) {
  std::istringstream input(text);
  auto csv = ReadHistoryCsv(input);
  EXPECT_TRUE(csv.ok()) << csv.error().ToString();
  return std::move(csv).value();
}

// The product names of a customer's baskets, oldest first.
std::vector<std::vector<std::string>> Baskets(const TransactionHistory& history,
                                              const std::string& customer) {
  std::vector<std::vector<std::string>> baskets;
  const std::uint32_t id = history.customers.Find(customer).value();
  for (std::uint32_t b = history.customer_basket_begin[id];
       b < history.customer_basket_begin[id + 1]; ++b) {
    baskets.emplace_back();
    for (const std::uint32_t product : history.ProductsIn(b)) {
      baskets.back().emplace_back(history.products.Name(product));
    }
  }
  return baskets;
}

TEST(HistoryCsv, ReadsGoodLinesAndOrdersBasketsByTime) {
  const auto csv = Read(
      "customer_id,basket_id,product_id,timestamp,product_name,category,quantity,amount\n"
      "c1,b2,milk,2017-01-08T10:00:00Z,Milk 1l,DAIRY,2,1.98\n"
      "c1,b1,bread,2017-01-01T10:00:00Z,Loaf,BAKERY,1,2.50\n"
      "c2,b3,milk,2017-01-02T09:00:00-05:00,Milk 1l,DAIRY,1,0.99\n"
      "c1,b2,eggs,2017-01-08T10:00:00Z,Eggs,DAIRY,1,3\n");
  EXPECT_TRUE(csv.problems.empty());
  EXPECT_EQ(csv.good_lines, 4u);
  EXPECT_TRUE(csv.has_timestamps);
  const TransactionHistory& history = csv.history;
  EXPECT_EQ(history.customer_count(), 2u);
  EXPECT_EQ(history.product_count(), 3u);
  EXPECT_EQ(history.basket_count(), 3u);
  // b1 is earlier although it comes later in the file; b2's lines stay in file order
  // although another basket's line sits between them.
  EXPECT_EQ(Baskets(history, "c1"),
            (std::vector<std::vector<std::string>>{{"bread"}, {"milk", "eggs"}}));
  const std::uint32_t c2 = history.customers.Find("c2").value();
  const std::uint32_t b3 = history.customer_basket_begin[c2];
  EXPECT_EQ(history.basket_time[b3], 1483365600);  // 14:00 UTC
  const std::uint32_t milk = history.products.Find("milk").value();
  EXPECT_EQ(history.categories.Name(history.product_category[milk]), "DAIRY");
  const std::uint32_t c1_second = history.customer_basket_begin[0] + 1;
  const std::uint32_t first_line = history.basket_line_begin[c1_second];
  EXPECT_EQ(history.LineQuantity(c1_second, first_line), 2);
  EXPECT_EQ(history.LineAmountMinor(c1_second, first_line), 198);
  EXPECT_EQ(history.LineAmountMinor(c1_second, first_line + 1), 300);
  EXPECT_EQ(history.basket_amount_minor[c1_second], 498);
}

TEST(HistoryCsv, ReportsEveryBadLineWithItsNumberAndKeepsTheGoodOnes) {
  const auto csv = Read(
      "customer_id,basket_id,product_id,timestamp,quantity,amount\n"  // line 1
      "c1,b1,milk,2017-01-01T10:00:00Z,1,1.00\n"                      // 2 good
      "c1,b1,bread\n"                                                 // 3 fields
      "c1,b2,milk,2017-01-02 10:00:00,1,1.00\n"                       // 4 no zone
      "c1,b2,milk,2017-01-02T10:00:00Z,-1,1.00\n"                     // 5 quantity
      "c1,b2,milk,2017-01-02T10:00:00Z,2.5,1.00\n"                    // 6 quantity
      "c1,b2,milk,2017-01-02T10:00:00Z,1,1.005\n"                     // 7 amount
      "c1,b2,,2017-01-02T10:00:00Z,1,1.00\n"                          // 8 product
      "c2,b1,milk,2017-01-01T10:00:00Z,1,1.00\n"                      // 9 other's basket
      "c1,b1,eggs,2017-01-05T10:00:00Z,1,1.00\n"                      // 10 time differs
      "c1,b2,eggs,2017-01-02T10:00:00Z,1,1.00\n"                      // 11 good
      "c1,b3,\"eggs,2017-01-05T10:00:00Z,1,1.00\n");                  // 12 open quote
  EXPECT_EQ(csv.good_lines, 2u);
  std::vector<std::size_t> lines;
  for (const auto& problem : csv.problems) lines.push_back(problem.line);
  ASSERT_EQ(lines, (std::vector<std::size_t>{3, 4, 5, 6, 7, 8, 9, 10, 12}));
  const auto reason = [&](std::size_t index) { return csv.problems[index].reason; };
  EXPECT_EQ(reason(0), "has 3 fields, the header has 6");
  EXPECT_TRUE(reason(1).starts_with("timestamp: ")) << reason(1);
  EXPECT_EQ(reason(2), "quantity: '-1' is not a whole number from 0 to 9999");
  EXPECT_EQ(reason(3), "quantity: '2.5' is not a whole number from 0 to 9999");
  EXPECT_TRUE(reason(4).starts_with("amount: ")) << reason(4);
  EXPECT_EQ(reason(5), "product_id: empty");
  EXPECT_EQ(reason(6), "basket_id: basket b1 belongs to customer c1");
  EXPECT_EQ(reason(7), "timestamp: differs from the time of basket b1 on its first line");
  EXPECT_FALSE(reason(8).empty());
  EXPECT_EQ(Baskets(csv.history, "c1"),
            (std::vector<std::vector<std::string>>{{"milk"}, {"eggs"}}));
}

TEST(HistoryCsv, ReportsEmptyFieldsThatMustHaveAValue) {
  const auto csv = Read(
      "customer_id,basket_id,product_id,timestamp,quantity,amount\n"
      "c1,b4,eggs,2017-01-06T10:00:00Z,,\n"      // 2 empty quantity
      ",b5,eggs,2017-01-06T10:00:00Z,1,1.00\n"   // 3 customer
      "c1,b6,eggs,,1,1.00\n"                     // 4 timestamp
      "c1,b7,eggs,2017-01-06T10:00:00Z,1,\n"     // 5 empty amount
      "c1,b8,eggs,2017-01-07T10:00:00Z,0,0\n");  // 6 good: a voided line
  ASSERT_EQ(csv.problems.size(), 4u);
  EXPECT_EQ(csv.problems[0].line, 2u);
  EXPECT_EQ(csv.problems[0].reason, "quantity: '' is not a whole number from 0 to 9999");
  EXPECT_EQ(csv.problems[1].line, 3u);
  EXPECT_EQ(csv.problems[1].reason, "customer_id: empty");
  EXPECT_EQ(csv.problems[2].line, 4u);
  EXPECT_EQ(csv.problems[2].reason, "timestamp: empty");
  EXPECT_EQ(csv.problems[3].line, 5u);
  EXPECT_TRUE(csv.problems[3].reason.starts_with("amount: ")) << csv.problems[3].reason;
  EXPECT_EQ(csv.good_lines, 1u);
}

TEST(HistoryCsv, WithoutTimestampsKeepsBasketsInFileOrder) {
  const auto csv = Read(
      "customer_id,basket_id,product_id\n"
      "c1,z9,milk\n"
      "c2,a1,milk\n"
      "c1,a2,bread\n"
      "c1,z9,eggs\n");
  EXPECT_FALSE(csv.has_timestamps);
  EXPECT_TRUE(csv.problems.empty());
  // z9 first: it appears first, whatever its id sorts as.
  EXPECT_EQ(Baskets(csv.history, "c1"),
            (std::vector<std::vector<std::string>>{{"milk", "eggs"}, {"bread"}}));
  EXPECT_EQ(csv.history.basket_time[0], kNoTimestamp);
  const std::uint32_t first_line = csv.history.basket_line_begin[0];
  EXPECT_EQ(csv.history.LineQuantity(0, first_line), 1);
  EXPECT_EQ(csv.history.LineAmountMinor(0, first_line), 0);
}

TEST(HistoryCsv, TakesCardNumbersAsCustomersAndChecksThem) {
  const auto csv = Read(
      "card_number,basket_id,product_id\n"
      "2000000000015,b1,milk\n"
      "2000000000016,b2,milk\n"    // wrong check digit
      "4111111111111,b3,milk\n");  // not a loyalty card
  EXPECT_EQ(csv.good_lines, 1u);
  EXPECT_TRUE(csv.history.customers.Find("2000000000015").has_value());
  ASSERT_EQ(csv.problems.size(), 2u);
  EXPECT_EQ(csv.problems[0].line, 3u);
  EXPECT_TRUE(csv.problems[0].reason.starts_with("card_number: ")) << csv.problems[0].reason;
  EXPECT_EQ(csv.problems[1].line, 4u);
}

TEST(HistoryCsv, PrefersCustomerIdWhenBothColumnsArePresent) {
  const auto csv = Read(
      "card_number,customer_id,basket_id,product_id\n"
      "not-a-card,c1,b1,milk\n");
  EXPECT_TRUE(csv.problems.empty());
  EXPECT_TRUE(csv.history.customers.Find("c1").has_value());
}

TEST(HistoryCsv, RefusesAHeaderWithoutARequiredColumn) {
  for (const auto& [header, missing] : {std::pair{"basket_id,product_id\n", "customer_id"},
                                        std::pair{"customer_id,product_id\n", "basket_id"},
                                        std::pair{"customer_id,basket_id,sku\n", "product_id"}}) {
    std::istringstream input(header);
    const auto csv = ReadHistoryCsv(input);
    ASSERT_FALSE(csv.ok()) << header;
    EXPECT_EQ(csv.error().field, missing);
  }
  std::istringstream empty("");
  EXPECT_FALSE(ReadHistoryCsv(empty).ok());
}

TEST(HistoryCsv, ChecksProductNamesThoughItDoesNotKeepThem) {
  const auto csv = Read(
      "customer_id,basket_id,product_id,product_name\n"
      "c1,b1,milk,Milk 1l\n"
      "c1,b1,tea,Te\xE9\n"  // Latin-1, not UTF-8
      "c1,b1,jam," +
      std::string(201, 'j') + "\n");
  EXPECT_EQ(csv.good_lines, 1u);
  ASSERT_EQ(csv.problems.size(), 2u);
  EXPECT_EQ(csv.problems[0].reason, "product_name: not UTF-8 text");
  EXPECT_EQ(csv.problems[1].reason, "product_name: longer than 200 characters");
}

TEST(HistoryCsv, RefusesAProductFiledUnderTwoCategories) {
  const auto csv = Read(
      "customer_id,basket_id,product_id,category\n"
      "c1,b1,milk,DAIRY\n"
      "c1,b2,milk,\n"  // unknown here: fine
      "c1,b3,milk,BAKERY\n");
  ASSERT_EQ(csv.problems.size(), 1u);
  EXPECT_EQ(csv.problems[0].line, 4u);
  EXPECT_EQ(csv.problems[0].reason,
            "category: product milk is in category DAIRY on an earlier line");
}

TEST(HistoryCsv, ReportsProgressEveryGivenNumberOfLines) {
  std::istringstream input("customer_id,basket_id,product_id\nc,b1,p\nc,b2,p\nc,b3,p\nc,b4,p\n");
  HistoryCsvOptions options;
  options.progress_every = 2;
  std::vector<std::size_t> reported;
  options.on_progress = [&](std::size_t lines) { reported.push_back(lines); };
  ASSERT_TRUE(ReadHistoryCsv(input, options).ok());
  EXPECT_EQ(reported, (std::vector<std::size_t>{2, 4}));
}

}  // namespace
}  // namespace loyalty::server::targeting
