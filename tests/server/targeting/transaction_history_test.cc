// The history built from a store's keyed scan (HistoryBuilder::AddStored) is the one the
// string-keyed lines of the same purchases build (HistoryBuilder::Add).
#include "targeting/transaction_history.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "server/targeting/same_history.h"

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

using testing::ExpectSameHistory;

// A sale as a store's keyed scan gives it (its views into `sale`).
HistoryBuilder::StoredLine StoredOf(const Sale& sale) {
  HistoryBuilder::StoredLine stored;
  stored.customer_id = sale.customer;
  stored.purchase_seq = sale.seq;
  stored.product = sale.sku;
  stored.category = sale.category;
  stored.timestamp = sale.at;
  stored.quantity = sale.quantity;
  stored.amount_minor = 100 * sale.quantity;
  return stored;
}

// The sales added to one builder by name (Add) and to another by key (AddStored): the
// lines each refused.
struct BothWays {
  HistoryBuilder by_name, by_key;
  std::size_t refused = 0, dropped = 0;
};
void AddBothWays(const std::vector<Sale>& sales, BothWays& both) {
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
    if (both.by_name.Add(line)) ++both.refused;

    if (!both.by_key.AddStored(StoredOf(sale))) ++both.dropped;
  }
}

TEST(TransactionHistoryTest, AStoresKeyedScanBuildsTheSameHistoryAsItsLinesByName) {
  // Purchases in the order stored: customers interleaved, one bought out of time order,
  // a product without a category, then the same product under another category (dropped
  // by both, the first one seen stands), and a purchase whose only kept line is its second.
  const std::vector<Sale> sales = {
      {42, 1, "milk", "DAIRY", 1'000, 2}, {42, 1, "bread", "BAKERY", 1'000, 1},
      {7, 2, "milk", "DAIRY", 1'100, 1},  {7, 2, "loose", "", 1'100, 3},
      {42, 5, "eggs", "DAIRY", 900, 1},   {42, 5, "milk", "DAIRY", 900, 1},
      {7, 6, "milk", "SNACKS", 2'000, 1}, {7, 6, "bread", "BAKERY", 2'000, 2},
      {99, 8, "bread", "", 3'000, 1},     {42, 9, "loose", "PRODUCE", 3'100, 1},
  };
  BothWays both;
  AddBothWays(sales, both);
  EXPECT_EQ(both.refused, 1u);
  EXPECT_EQ(both.dropped, 1u);
  const TransactionHistory a = both.by_name.Build();
  const TransactionHistory b = both.by_key.Build();
  ExpectSameHistory(a, b);
  EXPECT_EQ(b.customer_count(), 3u);
  EXPECT_EQ(b.basket_count(), 6u);
  // By name, the customers in the order they first appear; by key, in the order of their
  // store ids, the order of the store's tables.
  EXPECT_EQ(a.customers.Name(0), "42");
  EXPECT_EQ(a.customers.Name(1), "7");
  EXPECT_EQ(b.customers.Name(0), "7");
  EXPECT_EQ(b.customers.Name(1), "42");
  EXPECT_EQ(b.customers.Name(2), "99");
  // Customer 42's baskets by time: seq 5 (900) before seq 1 (1,000); each line's quantity
  // and amount go with it, and each basket's amount adds its lines'.
  const std::uint32_t seq5 = b.customer_basket_begin[*b.customers.Find("42")];
  const std::uint32_t seq1 = seq5 + 1;
  EXPECT_EQ(b.basket_time[seq5], 900);
  EXPECT_EQ(b.basket_amount_minor[seq5], 200);
  EXPECT_EQ(b.basket_amount_minor[seq1], 300);
  EXPECT_EQ(b.products.Name(b.line_product[b.basket_line_begin[seq1]]), "milk");
  EXPECT_EQ(b.LineQuantity(seq1, b.basket_line_begin[seq1]), 2);
  EXPECT_EQ(b.LineAmountMinor(seq1, b.basket_line_begin[seq1]), 200);
  EXPECT_EQ(b.LineQuantity(seq1, b.basket_line_begin[seq1] + 1), 1);
  EXPECT_EQ(b.LineAmountMinor(seq1, b.basket_line_begin[seq1] + 1), 100);
  // "loose" took PRODUCE at its first line with a category.
  EXPECT_EQ(b.categories.Name(b.product_category[*b.products.Find("loose")]), "PRODUCE");
}

// Many purchases of many products: enough for AddStored's product table to grow several
// times; every seventh SKU too long to keep in it beside its category, every eleventh
// category too; some products sold first without a category, then filed, then sold again
// without; and now and then a line under another category than its product's.
std::vector<Sale> ManySales() {
  std::vector<Sale> sales;
  std::uint64_t state = 12345;
  const auto next = [&](std::uint64_t bound) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (state >> 33) % bound;
  };
  const auto sku_of = [](std::uint64_t product) {
    std::string sku = "sku-" + std::to_string(product);
    if (product % 7 == 0) sku += std::string(40, 'x');
    return sku;
  };
  const auto category_of = [](std::uint64_t product) {
    std::string category = "category " + std::to_string(product % 300);
    if (product % 11 == 0) category += std::string(30, 'y');
    return category;
  };
  std::int64_t seq = 0;
  for (int purchase = 0; purchase < 4'000; ++purchase) {
    ++seq;
    const auto customer = static_cast<std::int64_t>(next(500));
    const auto at = static_cast<std::int64_t>(next(1'000'000));
    const std::uint64_t lines = 1 + next(8);
    for (std::uint64_t l = 0; l < lines; ++l) {
      const std::uint64_t product = next(5'000);
      std::string category = category_of(product);
      if (product % 13 == 0 && next(2) == 0) category.clear();
      if (next(200) == 0) category = "another category";
      sales.push_back(
          {customer, seq, sku_of(product), category, at, static_cast<std::int32_t>(1 + next(3))});
    }
  }
  return sales;
}

TEST(TransactionHistoryTest, AKeyedScanOfManyProductsAndLongNamesBuildsTheSameHistory) {
  const std::vector<Sale> sales = ManySales();
  BothWays both;
  AddBothWays(sales, both);
  EXPECT_GT(both.refused, 0u);
  EXPECT_EQ(both.dropped, both.refused);
  const TransactionHistory a = both.by_name.Build();
  const TransactionHistory b = both.by_key.Build();
  ExpectSameHistory(a, b);
  EXPECT_GT(b.product_count(), 4'000u);
}

TEST(TransactionHistoryTest, RoomClaimedAsTheLinesComeBuildsTheSameHistory) {
  const std::vector<Sale> sales = ManySales();
  BothWays both;
  AddBothWays(sales, both);
  const TransactionHistory expected = both.by_key.Build();
  // Room for all the lines, for half of them (the rest laid out at Build), and none.
  for (const std::size_t room : {sales.size() + 100, sales.size() / 2, std::size_t{0}}) {
    SCOPED_TRACE("room for " + std::to_string(room) + " lines");
    HistoryBuilder builder;
    builder.Reserve(room, 100);
    for (std::size_t i = 0; i < sales.size(); ++i) {
      (void)builder.AddStored(StoredOf(sales[i]));
      if (i % 97 == 0) builder.ClaimRoom();
    }
    ExpectSameHistory(expected, builder.Build());
  }
}

}  // namespace
}  // namespace loyalty::server::targeting
