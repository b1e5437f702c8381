// The next-visit coupon a purchase earns: today, a percentage off the category the
// customer spends most on, so the coupon rewards what they already come for. The
// targeting issue replaces this rule with scored offers under campaign budgets.
#pragma once

#include <chrono>

#include "storage/store.h"

namespace loyalty::server {

struct NextVisitOptions {
  std::int64_t percent_off = 10;
  std::int64_t max_discount_minor = 500;  // cap per coupon: 5.00
  std::chrono::days valid_for{14};        // counted from issue
  std::size_t max_live_coupons = 3;       // no new coupon while the customer holds this many
};

class TopCategoryPlanner final : public NextVisitPlanner {
 public:
  explicit TopCategoryPlanner(NextVisitOptions options = {}) : options_(options) {}
  // One coupon for the highest-spend category the customer holds no live coupon for.
  std::vector<domain::Coupon> Plan(const CustomerProfile& profile, const CardNumber& card,
                                   Timestamp now) const override;
  bool WouldIssue(const CustomerProfile& profile) const override {
    return profile.live_coupons.size() < options_.max_live_coupons;
  }

 private:
  NextVisitOptions options_;
};

}  // namespace loyalty::server
