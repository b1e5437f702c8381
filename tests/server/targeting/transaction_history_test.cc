// The history built from a store's keyed scan (HistoryBuilder::AddStored) is the one the
// string-keyed lines of the same purchases build (HistoryBuilder::Add).
#include "targeting/transaction_history.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace loyalty::server::targeting {
namespace {

struct Sale {
  std::int64_t customer;
  std::int64_t seq;
  std::string sku;
  std::string category;
  std::int64_t at;
  std::int32_t quantity;
};

void ExpectSameHistory(const TransactionHistory& a, const TransactionHistory& b) {
  ASSERT_EQ(a.customer_count(), b.customer_count());
  for (std::uint32_t c = 0; c < a.customer_count(); ++c) {
    EXPECT_EQ(a.customers.Name(c), b.customers.Name(c));
  }
  ASSERT_EQ(a.product_count(), b.product_count());
  for (std::uint32_t p = 0; p < a.product_count(); ++p) {
    EXPECT_EQ(a.products.Name(p), b.products.Name(p));
  }
  ASSERT_EQ(a.categories.size(), b.categories.size());
  EXPECT_EQ(a.product_category, b.product_category);
  EXPECT_EQ(a.customer_basket_begin, b.customer_basket_begin);
  EXPECT_EQ(a.basket_line_begin, b.basket_line_begin);
  EXPECT_EQ(a.basket_time, b.basket_time);
  EXPECT_EQ(a.line_product, b.line_product);
  EXPECT_EQ(a.line_quantity, b.line_quantity);
  EXPECT_EQ(a.line_amount_minor, b.line_amount_minor);
}

TEST(TransactionHistoryTest, AStoresKeyedScanBuildsTheSameHistoryAsItsLinesByName) {
  // Purchases in the order stored: customers interleaved, one bought out of time order,
  // a product without a category, then the same product under another category (dropped
  // by both, the first one seen stands), and a purchase whose only kept line is its second.
  const std::vector<Sale> sales = {
      {42, 1, "milk", "DAIRY", 1'000, 2},   {42, 1, "bread", "BAKERY", 1'000, 1},
      {7, 2, "milk", "DAIRY", 1'100, 1},    {7, 2, "loose", "", 1'100, 3},
      {42, 5, "eggs", "DAIRY", 900, 1},     {42, 5, "milk", "DAIRY", 900, 1},
      {7, 6, "milk", "SNACKS", 2'000, 1},   {7, 6, "bread", "BAKERY", 2'000, 2},
      {99, 8, "bread", "", 3'000, 1},       {42, 9, "loose", "PRODUCE", 3'100, 1},
  };
  HistoryBuilder by_name, by_key;
  std::size_t refused = 0, dropped = 0;
  for (const Sale& sale : sales) {
    const std::string customer = std::to_string(sale.customer);
    const std::string basket = "basket-" + std::to_string(sale.seq);
    HistoryBuilder::Line line;
    line.customer = customer;
    line.basket = basket;
    line.product = sale.sku;
    line.category = sale.category;
    line.timestamp = sale.at;
    line.quantity = sale.quantity;
    line.amount_minor = 100 * sale.quantity;
    if (by_name.Add(line)) ++refused;

    HistoryBuilder::StoredLine stored;
    stored.customer_id = sale.customer;
    stored.purchase_seq = sale.seq;
    stored.product = sale.sku;
    stored.category = sale.category;
    stored.timestamp = sale.at;
    stored.quantity = sale.quantity;
    stored.amount_minor = 100 * sale.quantity;
    if (!by_key.AddStored(stored)) ++dropped;
  }
  EXPECT_EQ(refused, 1u);
  EXPECT_EQ(dropped, 1u);
  const TransactionHistory a = by_name.Build();
  const TransactionHistory b = by_key.Build();
  ExpectSameHistory(a, b);
  EXPECT_EQ(b.customer_count(), 3u);
  EXPECT_EQ(b.basket_count(), 6u);
  // Customer 42's baskets by time: seq 5 (900) before seq 1 (1,000).
  EXPECT_EQ(b.basket_time[0], 900);
  // "loose" took PRODUCE at its first line with a category.
  EXPECT_EQ(b.categories.Name(b.product_category[*b.products.Find("loose")]), "PRODUCE");
}

}  // namespace
}  // namespace loyalty::server::targeting
