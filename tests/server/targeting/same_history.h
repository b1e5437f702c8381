// Whether two histories hold the same customers, each with the same baskets and lines,
// and the same products and categories: for the tests of the builders' two ways in (by
// name, by a store's keys) and of the batch's read. Customers are compared by name, as
// the two ways number them differently (by first appearance; by store id).
#pragma once

#include <gtest/gtest.h>

#include "targeting/transaction_history.h"

namespace loyalty::server::targeting::testing {

inline void ExpectSameHistory(const TransactionHistory& a, const TransactionHistory& b) {
  ASSERT_EQ(a.product_count(), b.product_count());
  for (std::uint32_t p = 0; p < a.product_count(); ++p) {
    EXPECT_EQ(a.products.Name(p), b.products.Name(p));
  }
  ASSERT_EQ(a.categories.size(), b.categories.size());
  EXPECT_EQ(a.product_category, b.product_category);
  ASSERT_EQ(a.customer_count(), b.customer_count());
  ASSERT_EQ(a.basket_count(), b.basket_count());
  ASSERT_EQ(a.line_product.size(), b.line_product.size());
  for (std::uint32_t c = 0; c < a.customer_count(); ++c) {
    const std::string_view name = a.customers.Name(c);
    SCOPED_TRACE(name);
    const auto other = b.customers.Find(name);
    ASSERT_TRUE(other);
    ASSERT_EQ(a.BasketsOf(c), b.BasketsOf(*other));
    for (std::uint32_t i = 0; i < a.BasketsOf(c); ++i) {
      const std::uint32_t basket_a = a.customer_basket_begin[c] + i;
      const std::uint32_t basket_b = b.customer_basket_begin[*other] + i;
      EXPECT_EQ(a.basket_time[basket_a], b.basket_time[basket_b]) << "basket " << i;
      const std::uint32_t first_a = a.basket_line_begin[basket_a];
      const std::uint32_t first_b = b.basket_line_begin[basket_b];
      ASSERT_EQ(a.basket_line_begin[basket_a + 1] - first_a,
                b.basket_line_begin[basket_b + 1] - first_b)
          << "basket " << i;
      EXPECT_EQ(a.basket_amount_minor[basket_a], b.basket_amount_minor[basket_b]) << "basket " << i;
      for (std::uint32_t l = 0; l < a.basket_line_begin[basket_a + 1] - first_a; ++l) {
        EXPECT_EQ(a.line_product[first_a + l], b.line_product[first_b + l]);
        EXPECT_EQ(a.LineQuantity(basket_a, first_a + l), b.LineQuantity(basket_b, first_b + l));
        EXPECT_EQ(a.LineAmountMinor(basket_a, first_a + l),
                  b.LineAmountMinor(basket_b, first_b + l));
      }
    }
  }
}

}  // namespace loyalty::server::targeting::testing
