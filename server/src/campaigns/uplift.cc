#include "campaigns/uplift.h"

#include <cmath>

namespace loyalty::server {
namespace {

struct Moments {
  double mean = 0;
  double variance = 0;  // sample variance (n - 1)
};

// Welford's update: one pass, stable for sums of money over a million customers.
Moments MomentsOf(const std::vector<double>& values) {
  Moments moments;
  double m2 = 0;
  std::size_t n = 0;
  for (const double value : values) {
    ++n;
    const double delta = value - moments.mean;
    moments.mean += delta / static_cast<double>(n);
    m2 += delta * (value - moments.mean);
  }
  moments.variance = n > 1 ? m2 / static_cast<double>(n - 1) : 0;
  return moments;
}

}  // namespace

Uplift MeasureUplift(const std::vector<double>& treated, const std::vector<double>& control) {
  Uplift uplift;
  uplift.treated = treated.size();
  uplift.control = control.size();
  const Moments t = MomentsOf(treated);
  const Moments c = MomentsOf(control);
  uplift.treated_mean = t.mean;
  uplift.control_mean = c.mean;
  uplift.per_customer = t.mean - c.mean;
  uplift.low = uplift.high = uplift.per_customer;
  if (treated.size() >= 2 && control.size() >= 2) {
    const double standard_error =
        std::sqrt(t.variance / static_cast<double>(treated.size()) +
                  c.variance / static_cast<double>(control.size()));
    constexpr double kZ95 = 1.959963984540054;
    uplift.low = uplift.per_customer - kZ95 * standard_error;
    uplift.high = uplift.per_customer + kZ95 * standard_error;
    uplift.interval = true;
  }
  return uplift;
}

}  // namespace loyalty::server
