// The receipt as plain text, for screens, logs and the demo; the ESC/POS rendering for
// printers comes with the receipt printer. Times print in the terminal's local zone.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "checkout/basket.h"

namespace loyalty::terminal {

struct Receipt {
  std::string store_id;
  std::string terminal_id;
  std::string sale_id;
  Timestamp finished_at;
  Currency currency = Currency::Usd();
  std::vector<BasketLine> lines;
  std::vector<AppliedCoupon> applied_coupons;
  Totals totals;
  std::optional<CardNumber> card;
  std::optional<api::CustomerSummary> customer;
  // Empty when the server's answer did not come in time: the coupons then wait on the
  // card and show at the next card read.
  std::optional<std::vector<api::IssuedCoupon>> next_visit_coupons;
};

inline constexpr std::size_t kReceiptWidth = 42;

std::string RenderReceiptText(const Receipt& receipt);

}  // namespace loyalty::terminal
