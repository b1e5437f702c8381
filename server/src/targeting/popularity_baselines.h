// The two yardsticks every next-basket method is measured against: the chain's best
// sellers for everybody, and each customer's own most frequent products.
#pragma once

#include <cstdint>
#include <vector>

#include "targeting/transaction_history.h"

namespace loyalty::server::targeting {

class PopularityBaselines {
 public:
  // Counts over the whole history, which must outlive this object.
  explicit PopularityBaselines(const TransactionHistory& history);

  // The k products in the most baskets (ties: lower product id).
  std::vector<std::uint32_t> Global(std::size_t k) const;

  // The customer's products by how many of their baskets hold each (ties: bought more
  // recently, then more popular overall), topped up with Global when the customer has
  // bought fewer than k products, as the model's list is. Thread-safe.
  std::vector<std::uint32_t> Personal(std::uint32_t customer, std::size_t k) const;

 private:
  const TransactionHistory* history_;
  std::vector<std::uint32_t> baskets_with_;     // per product
  std::vector<std::uint32_t> popularity_rank_;  // per product: 0 is the best seller
  std::vector<std::uint32_t> by_popularity_;
};

}  // namespace loyalty::server::targeting
