// What a campaign caused, measured against its control group: the difference between the
// treated and the held-out customers' mean outcome (sales, margin) over the coupon's
// life, with a 95% confidence interval (Welch: the groups' variances need not match, and
// with hundreds of customers per group the normal approximation holds).
#pragma once

#include <cstddef>
#include <vector>

namespace loyalty::server {

struct Uplift {
  std::size_t treated = 0;  // customers in each group
  std::size_t control = 0;
  double treated_mean = 0;  // outcome per customer
  double control_mean = 0;
  double per_customer = 0;  // treated_mean - control_mean
  double low = 0;           // 95% interval of per_customer; equal to it when it cannot
  double high = 0;          // be computed (a group with fewer than two customers)
  bool interval = false;    // whether low/high are an interval
  // per_customer times the treated customers: what the campaign added in all.
  double Total() const { return per_customer * static_cast<double>(treated); }
};

Uplift MeasureUplift(const std::vector<double>& treated, const std::vector<double>& control);

}  // namespace loyalty::server
