// What a receipt says, independent of how it is printed: the plain-text rendering
// (screens, logs, the demo) and the ESC/POS one (receipt printers) both read this.
// Times print in the terminal's local zone; everything else is as the sale recorded it.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "checkout/basket.h"

namespace loyalty::terminal {

struct Receipt {
  std::string store_id;
  std::string store_name;                  // header; "Store <id>" when not configured
  std::vector<std::string> store_address;  // header lines under the name, may be empty
  std::string terminal_id;
  std::optional<std::string> cashier_id;  // printed under the till when someone signed on
  std::string sale_id;
  Timestamp finished_at;
  Currency currency = Currency::Usd();
  // Every line scanned; voided lines have voided = true and are not charged.
  std::vector<BasketLine> lines;
  std::vector<AppliedCoupon> applied_coupons;  // indexes in `lines`
  Totals totals;                               // with the tax summary by rate
  std::optional<CardNumber> card;
  std::optional<api::CustomerSummary> customer;
  // Empty when the server's answer did not come in time: the coupons then wait on the
  // card and show at the next card read. Each carries its signed token for the QR code.
  std::optional<std::vector<api::IssuedCoupon>> next_visit_coupons;
};

// What a cashier reads out: the last 8 hex digits of the coupon's id. Its first digits
// are a timestamp (UUIDv7), shared by every coupon issued in the same instant.
inline std::string CouponCode(const Uuid& id) { return id.str().substr(28); }

}  // namespace loyalty::terminal
