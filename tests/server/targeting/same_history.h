// Whether two histories hold the same customers, products, baskets and lines, array by
// array: for the tests of the builders' two ways in (by name, by a store's keys) and of
// the batch's read.
#pragma once

#include <gtest/gtest.h>

#include "targeting/transaction_history.h"

namespace loyalty::server::targeting::testing {

inline void ExpectSameHistory(const TransactionHistory& a, const TransactionHistory& b) {
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

}  // namespace loyalty::server::targeting::testing
