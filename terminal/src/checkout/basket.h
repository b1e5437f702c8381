// The sale in progress: lines scanned, the shopper's card and coupons, totals, and the
// finished Purchase. No I/O; the terminal app drives it.
#pragma once

#include <optional>
#include <vector>

#include "checkout/coupon_rules.h"
#include "loyalty/api/terminal_api.h"
#include "loyalty/core/card_number.h"
#include "loyalty/domain/catalog.h"
#include "loyalty/domain/purchase.h"

namespace loyalty::terminal {

struct Shopper {
  CardNumber card;
  std::optional<api::CustomerSummary> customer;  // empty: new card, or server unreachable
  std::vector<domain::Coupon> coupons;
};

struct Totals {
  std::int64_t subtotal_minor = 0;
  std::int64_t discount_minor = 0;
  std::int64_t total_minor = 0;
};

class Basket {
 public:
  explicit Basket(Currency currency) : currency_(std::move(currency)) {}

  // Adds a line; quantity 1..kMaxLineQuantity. Returns the line's index.
  Result<std::size_t> Add(const domain::Product& product, std::int64_t quantity);
  void SetShopper(Shopper shopper) { shopper_ = std::move(shopper); }

  const std::vector<BasketLine>& lines() const { return lines_; }
  const std::optional<Shopper>& shopper() const { return shopper_; }
  const Currency& currency() const { return currency_; }
  bool empty() const { return lines_.empty(); }

  CouponOutcome Coupons(Timestamp now) const;
  Totals ComputeTotals(const CouponOutcome& coupons) const;

  // The purchase as journaled and uploaded, with the coupons applied now.
  domain::Purchase Finish(const std::string& store_id, const std::string& terminal_id,
                          Timestamp now) const;

 private:
  Currency currency_;
  std::vector<BasketLine> lines_;
  std::optional<Shopper> shopper_;
};

}  // namespace loyalty::terminal
