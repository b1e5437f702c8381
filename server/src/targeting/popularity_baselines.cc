#include "targeting/popularity_baselines.h"

#include <algorithm>
#include <numeric>

namespace loyalty::server::targeting {

PopularityBaselines::PopularityBaselines(const TransactionHistory& history)
    : history_(&history),
      baskets_with_(history.product_count(), 0),
      popularity_rank_(history.product_count(), 0),
      by_popularity_(history.product_count()) {
  std::vector<std::uint32_t> counted_in(history.product_count(), 0);
  for (std::uint32_t basket = 0; basket < history.basket_count(); ++basket) {
    for (const std::uint32_t product : history.ProductsIn(basket)) {
      if (counted_in[product] == basket + 1) continue;
      counted_in[product] = basket + 1;
      ++baskets_with_[product];
    }
  }
  std::iota(by_popularity_.begin(), by_popularity_.end(), 0u);
  std::stable_sort(
      by_popularity_.begin(), by_popularity_.end(),
      [&](std::uint32_t a, std::uint32_t b) { return baskets_with_[a] > baskets_with_[b]; });
  for (std::uint32_t rank = 0; rank < by_popularity_.size(); ++rank) {
    popularity_rank_[by_popularity_[rank]] = rank;
  }
}

std::vector<std::uint32_t> PopularityBaselines::Global(std::size_t k) const {
  return {by_popularity_.begin(),
          by_popularity_.begin() + static_cast<std::ptrdiff_t>(std::min(k, by_popularity_.size()))};
}

std::vector<std::uint32_t> PopularityBaselines::Personal(std::uint32_t customer,
                                                         std::size_t k) const {
  const TransactionHistory& history = *history_;
  struct Bought {
    std::uint32_t product;
    std::uint32_t basket;  // later baskets have higher ids within a customer
  };
  std::vector<Bought> bought;
  for (std::uint32_t basket = history.customer_basket_begin[customer];
       basket < history.customer_basket_begin[customer + 1]; ++basket) {
    for (const std::uint32_t product : history.ProductsIn(basket))
      bought.push_back({product, basket});
  }
  std::sort(bought.begin(), bought.end(), [](const Bought& a, const Bought& b) {
    return a.product != b.product ? a.product < b.product : a.basket < b.basket;
  });
  struct Tally {
    std::uint32_t product;
    std::uint32_t baskets;
    std::uint32_t last_basket;
  };
  std::vector<Tally> tallies;
  for (std::size_t i = 0; i < bought.size(); ++i) {
    if (tallies.empty() || tallies.back().product != bought[i].product) {
      tallies.push_back({bought[i].product, 0, 0});
    }
    Tally& tally = tallies.back();
    if (tally.baskets == 0 || tally.last_basket != bought[i].basket) ++tally.baskets;
    tally.last_basket = bought[i].basket;
  }
  std::sort(tallies.begin(), tallies.end(), [&](const Tally& a, const Tally& b) {
    if (a.baskets != b.baskets) return a.baskets > b.baskets;
    if (a.last_basket != b.last_basket) return a.last_basket > b.last_basket;
    return popularity_rank_[a.product] < popularity_rank_[b.product];
  });
  std::vector<std::uint32_t> ranked;
  for (std::size_t i = 0; i < tallies.size() && ranked.size() < k; ++i) {
    ranked.push_back(tallies[i].product);
  }
  for (std::size_t i = 0; ranked.size() < k && i < by_popularity_.size(); ++i) {
    const std::uint32_t product = by_popularity_[i];
    const bool own = std::any_of(tallies.begin(), tallies.end(),
                                 [&](const Tally& t) { return t.product == product; });
    if (!own) ranked.push_back(product);
  }
  return ranked;
}

}  // namespace loyalty::server::targeting
