#include "targeting/budget_allocation.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace loyalty::server::targeting {
namespace {

OfferToAllocate Offer(std::uint32_t customer, std::uint32_t campaign, double value, double cost,
                      std::uint32_t candidate = 0) {
  OfferToAllocate offer;
  offer.customer = customer;
  offer.campaign = campaign;
  offer.candidate = candidate;
  offer.priced.expected_value_minor = value;
  offer.priced.expected_cost_minor = cost;
  return offer;
}

std::vector<std::uint32_t> AcceptedCustomers(const std::vector<OfferToAllocate>& offers,
                                             const Allocation& allocation) {
  std::vector<std::uint32_t> customers;
  for (const auto i : allocation.accepted) customers.push_back(offers[i].customer);
  std::sort(customers.begin(), customers.end());
  return customers;
}

TEST(BudgetAllocation, SpendsTheMoneyOnTheBestValueForCost) {
  // Customer 0's offer earns most in total but costs far more; 1 and 2 are better buys.
  std::vector<OfferToAllocate> offers = {Offer(0, 0, 50, 99), Offer(1, 0, 30, 19),
                                         Offer(2, 0, 20, 9), Offer(3, 0, -5, 1)};
  const auto allocation = AllocateBudgets(offers, {{30, 0, 1}}, 4, 0);
  EXPECT_EQ(AcceptedCustomers(offers, allocation), (std::vector<std::uint32_t>{1, 2}));
  EXPECT_DOUBLE_EQ(allocation.spent_minor[0], 28);
  EXPECT_EQ(allocation.issued[0], 2);
  // The money ran out at customer 0's offer; the price is the last ratio paid for: 30/20.
  EXPECT_DOUBLE_EQ(allocation.shadow_price[0], 1.5);
}

TEST(BudgetAllocation, NeverAcceptsAnOfferThatLosesMoney) {
  std::vector<OfferToAllocate> offers = {Offer(0, 0, -1, 5), Offer(1, 0, 0, 5)};
  const auto allocation = AllocateBudgets(offers, {{0, 0, 1}}, 2, 0);
  EXPECT_TRUE(allocation.accepted.empty());
  EXPECT_EQ(allocation.shadow_price[0], 0);
}

TEST(BudgetAllocation, HonoursCountBudgetAndCaps) {
  std::vector<OfferToAllocate> offers;
  for (std::uint32_t customer = 0; customer < 5; ++customer) {
    for (std::uint32_t candidate = 0; candidate < 3; ++candidate) {
      offers.push_back(Offer(customer, 0, 10.0 + customer + candidate, 1, candidate));
      offers.push_back(Offer(customer, 1, 5.0 + customer, 1, candidate));
    }
  }
  // Campaign 0: 4 coupons, 2 per customer; campaign 1: no limits but 1 per customer;
  // and 2 coupons per customer in all.
  const auto allocation = AllocateBudgets(offers, {{0, 4, 2}, {0, 0, 1}}, 5, 2);
  EXPECT_EQ(allocation.issued[0], 4);
  std::vector<int> per_customer(5, 0), per_customer_campaign1(5, 0);
  for (const auto i : allocation.accepted) {
    ++per_customer[offers[i].customer];
    if (offers[i].campaign == 1) ++per_customer_campaign1[offers[i].customer];
  }
  for (std::size_t customer = 0; customer < 5; ++customer) {
    EXPECT_LE(per_customer[customer], 2) << customer;
    EXPECT_LE(per_customer_campaign1[customer], 1) << customer;
  }
  // The four best offers of campaign 0 are customers 4 and 3's (two each).
  EXPECT_EQ(per_customer[4], 2);
  EXPECT_EQ(per_customer[3], 2);
  EXPECT_GT(allocation.shadow_price[0], 0);  // its count ran out
  EXPECT_EQ(allocation.shadow_price[1], 0);  // never bound
}

TEST(BudgetAllocation, IsDeterministicWhateverTheInputOrder) {
  std::vector<OfferToAllocate> forward, backward;
  for (std::uint32_t customer = 0; customer < 50; ++customer) {
    forward.push_back(Offer(customer, 0, 10, 2));  // all tie
  }
  backward.assign(forward.rbegin(), forward.rend());
  const auto a = AllocateBudgets(forward, {{40, 0, 1}}, 50, 0);
  const auto b = AllocateBudgets(backward, {{40, 0, 1}}, 50, 0);
  EXPECT_EQ(AcceptedCustomers(forward, a), AcceptedCustomers(backward, b));
  EXPECT_EQ(a.issued[0], 20);
}

}  // namespace
}  // namespace loyalty::server::targeting
