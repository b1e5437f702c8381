// The sale in progress: lines scanned, weighed or voided, the shopper's card and
// coupons, totals with the tax inside them, and the finished Purchase. No I/O; the
// terminal app drives it.
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
  // The server answered the card lookup. When it did not, coupons scanned from receipts
  // were trusted on their signature alone, and the sale tells the server so.
  bool online = false;
  std::unordered_map<std::string, Timestamp> spent_here;  // from this till's ledger
};

// The tax inside the prices at one rate, after coupons: gross = net + tax.
struct TaxLine {
  std::int64_t rate_bp = 0;
  std::int64_t gross_minor = 0;
  std::int64_t tax_minor = 0;
  std::int64_t net_minor = 0;
};

struct Totals {
  std::int64_t subtotal_minor = 0;
  std::int64_t discount_minor = 0;
  std::int64_t total_minor = 0;
  std::vector<TaxLine> taxes;  // by rate, lowest first; sums of gross_minor = total_minor
  std::int64_t TaxMinor() const;
};

class Basket {
 public:
  explicit Basket(Currency currency) : currency_(std::move(currency)) {}

  // Adds a line of a product sold each; quantity 1..kMaxLineQuantity. Returns its index.
  Result<std::size_t> Add(const domain::Product& product, std::int64_t quantity);
  // Adds a line of a product sold by weight, weighed at grams on the till's scale.
  Result<std::size_t> AddWeighed(const domain::Product& product, std::int64_t grams);
  // Voids line `index` (0-based): it stays on screen struck out, and is not sold.
  Status Void(std::size_t index);
  void SetShopper(Shopper shopper) { shopper_ = std::move(shopper); }

  const std::vector<BasketLine>& lines() const { return lines_; }
  const std::optional<Shopper>& shopper() const { return shopper_; }
  const Currency& currency() const { return currency_; }
  // True when nothing is left to sell (no lines, or every line voided).
  bool empty() const;

  CouponOutcome Coupons(Timestamp now) const;
  Totals ComputeTotals(const CouponOutcome& coupons) const;

  // The purchase as journaled and uploaded, with the coupons applied now.
  domain::Purchase Finish(const std::string& store_id, const std::string& terminal_id,
                          Timestamp now) const;
  // The same with the coupons the caller already worked out for `now` (Coupons(now)).
  domain::Purchase Finish(const std::string& store_id, const std::string& terminal_id,
                          Timestamp now, const CouponOutcome& coupons) const;

 private:
  Result<std::size_t> AddLine(BasketLine line);

  Currency currency_;
  std::vector<BasketLine> lines_;
  std::optional<Shopper> shopper_;
};

// Spreads each applied coupon's discount over the lines it took, in proportion to their
// amounts, and sums the tax inside what is left at each rate. Exact to the minor unit:
// the gross amounts add up to the total paid.
std::vector<TaxLine> TaxSummary(const std::vector<BasketLine>& lines,
                                const CouponOutcome& coupons);

}  // namespace loyalty::terminal
