// Small hand-made purchase histories for the targeting tests: each customer's baskets
// as lists of product names, a day apart, in the order given.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "targeting/transaction_history.h"

namespace loyalty::server::targeting::testing {

struct SyntheticCustomer {
  std::string id;
  std::vector<std::vector<std::string>> baskets;  // oldest first
};

inline TransactionHistory MakeHistory(const std::vector<SyntheticCustomer>& customers,
                                      const std::map<std::string, std::string>& categories = {}) {
  HistoryBuilder builder;
  std::int64_t time = 1'500'000'000;
  int basket_number = 0;
  for (const auto& customer : customers) {
    for (const auto& basket : customer.baskets) {
      const std::string basket_id = "b" + std::to_string(++basket_number);
      time += 86'400;
      for (const auto& product : basket) {
        const auto category = categories.find(product);
        HistoryBuilder::Line line;
        line.customer = customer.id;
        line.basket = basket_id;
        line.product = product;
        line.category = category == categories.end() ? std::string_view() : category->second;
        line.timestamp = time;
        if (const auto problem = builder.Add(line)) throw std::logic_error(*problem);
      }
    }
  }
  return builder.Build();
}

// The same basket `times` times.
inline std::vector<std::vector<std::string>> Repeat(const std::vector<std::string>& basket,
                                                    int times) {
  return std::vector<std::vector<std::string>>(static_cast<std::size_t>(times), basket);
}

}  // namespace loyalty::server::targeting::testing
