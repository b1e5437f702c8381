// Receipts the receipt tests print, with everything fixed (ids, times, tokens) so their
// bytes are the same on every machine, and the time zone they print times in.
#pragma once

#include <stdlib.h>  // setenv, unsetenv
#include <time.h>    // tzset

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "checkout/basket.h"
#include "receipt/receipt.h"

namespace loyalty::terminal::testing {

inline const Timestamp kSaleTime = ParseIso8601("2026-11-25T10:00:00Z").value();
inline constexpr char kSampleCard[] = "2123456789010";

// Sets TZ for the life of the object. Receipts print local time; the sample's zone is
// Central European as a POSIX rule, so it needs no tz database and its hour (11:00
// for 10:00Z) shows that the local zone is applied at all.
class ScopedTimeZone {
 public:
  explicit ScopedTimeZone(const char* zone = "CET-1CEST,M3.5.0,M10.5.0/3") {
    if (const char* old = std::getenv("TZ")) saved_ = old;
    setenv("TZ", zone, 1);
    tzset();
  }
  ~ScopedTimeZone() {
    if (saved_) {
      setenv("TZ", saved_->c_str(), 1);
    } else {
      unsetenv("TZ");
    }
    tzset();
  }
  ScopedTimeZone(const ScopedTimeZone&) = delete;
  ScopedTimeZone& operator=(const ScopedTimeZone&) = delete;

 private:
  std::optional<std::string> saved_;
};

// A token shaped like a signed coupon token (base64url, `length` characters) made by a
// fixed linear congruential sequence from `seed`.
inline std::string SampleToken(std::uint32_t seed, std::size_t length = 352) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string token;
  std::uint32_t state = seed;
  for (std::size_t i = 0; i < length; ++i) {
    state = state * 1664525u + 1013904223u;
    token.push_back(kAlphabet[state >> 26]);
  }
  return token;
}

inline domain::Coupon SampleCoupon(const std::string& id, const std::string& title,
                                   domain::CouponTarget target, const std::string& target_value,
                                   domain::DiscountType type, std::int64_t value) {
  domain::Coupon coupon;
  coupon.id = Uuid::Parse(id).value();
  coupon.customer_id = 42;
  coupon.card_number = kSampleCard;
  coupon.campaign = "next-visit";
  coupon.title = title;
  coupon.target = target;
  coupon.target_value = target_value;
  coupon.discount_type = type;
  coupon.discount_value = value;
  coupon.currency = "EUR";
  coupon.issued_at = kSaleTime - std::chrono::days(20);
  coupon.expires_at = kSaleTime + std::chrono::days(14);
  return coupon;
}

inline BasketLine Counted(const std::string& sku, const std::string& name,
                          const std::string& category, std::int64_t quantity,
                          std::int64_t unit_price_minor, std::int64_t tax_rate_bp) {
  return {sku, name, category, quantity, unit_price_minor, true, tax_rate_bp, std::nullopt, false};
}

inline BasketLine Weighed(const std::string& sku, const std::string& name,
                          const std::string& category, std::int64_t grams,
                          std::int64_t price_per_kg_minor, std::int64_t tax_rate_bp) {
  return {sku, name, category, 1, price_per_kg_minor, true, tax_rate_bp, grams, false};
}

// Totals as the checkout computes them, tax summary included.
inline Totals TotalsOf(const std::vector<BasketLine>& lines,
                       const std::vector<AppliedCoupon>& applied) {
  Totals totals;
  for (const auto& line : lines) {
    if (!line.voided) totals.subtotal_minor += line.AmountMinor();
  }
  CouponOutcome outcome;
  outcome.applied = applied;
  totals.discount_minor = outcome.DiscountMinor();
  totals.total_minor = totals.subtotal_minor - totals.discount_minor;
  totals.taxes = TaxSummary(lines, outcome);
  return totals;
}

// Everything a receipt can show: the store's address, counted, weighed and voided lines,
// a name beyond ASCII, two tax rates, two coupons (one over two lines), the card, and
// two next-visit coupons with their QR codes.
inline Receipt RichReceipt() {
  Receipt receipt;
  receipt.store_id = "S001";
  receipt.store_name = "Green Valley Market";
  receipt.store_address = {"12 Orchard Road", "Springfield 62704"};
  receipt.terminal_id = "T01";
  receipt.sale_id = "6f1c2a4e-8b3d-4c5e-9f70-1a2b3c4d5e6f";
  receipt.finished_at = kSaleTime;
  receipt.currency = Currency::FromCode("EUR").value();
  receipt.lines = {
      Counted("1002", "Cheddar mature", "DAIRY", 2, 450, 700),
      Weighed("4011", "Bananas", "FRUIT", 755, 349, 700),
      Counted("1007", "Crème fraîche 30%", "DAIRY", 1, 189, 700),
      Counted("7001", "Dish soap lemon 750ml", "HOUSEHOLD", 1, 249, 1900),
      Counted("7002", "Paper towels 4 rolls", "HOUSEHOLD", 1, 399, 1900),
      Counted("5001", "Coffee beans 1kg", "COFFEE", 1, 1299, 700),
  };
  receipt.lines[4].voided = true;
  const auto dairy =
      SampleCoupon("01937a2e-5c00-7000-8000-00000000d41a", "10% off DAIRY",
                   domain::CouponTarget::kCategory, "DAIRY", domain::DiscountType::kPercentOff, 10);
  const auto soap =
      SampleCoupon("01937a2e-5c00-7000-8000-0000000050a9", "1.00 off dish soap",
                   domain::CouponTarget::kProduct, "7001", domain::DiscountType::kAmountOff, 100);
  receipt.applied_coupons = {{dairy, 109, {0, 2}}, {soap, 100, {3}}};
  receipt.totals = TotalsOf(receipt.lines, receipt.applied_coupons);
  receipt.card = CardNumber::Parse(kSampleCard).value();
  receipt.customer = api::CustomerSummary{42, 3, 5000, kSaleTime - std::chrono::days(400)};
  receipt.next_visit_coupons = std::vector<api::IssuedCoupon>{
      {SampleCoupon("01937a2e-5c00-7000-8000-00000000b7e2", "15% off BREAD",
                    domain::CouponTarget::kCategory, "BREAD", domain::DiscountType::kPercentOff,
                    15),
       SampleToken(1)},
      {SampleCoupon("01937a2e-5c00-7000-8000-00000000c0ff", "Free coffee with 30.00",
                    domain::CouponTarget::kProduct, "5002", domain::DiscountType::kFreeItem, 0),
       SampleToken(2, 388)},
  };
  return receipt;
}

// A sale without a card: no store name configured, one tax rate, no coupons.
inline Receipt CashReceipt() {
  Receipt receipt;
  receipt.store_id = "S002";
  receipt.terminal_id = "T07";
  receipt.sale_id = "0b5e7d1c-2a3f-4e6d-8c9b-7a6f5e4d3c2b";
  receipt.finished_at = kSaleTime + std::chrono::hours(7) + std::chrono::minutes(42);
  receipt.currency = Currency::FromCode("EUR").value();
  receipt.lines = {
      Counted("2001", "Baguette", "BREAD", 1, 249, 700),
      Counted("3001", "Sparkling water 6x1.5l", "DRINKS", 2, 354, 700),
  };
  receipt.totals = TotalsOf(receipt.lines, {});
  return receipt;
}

}  // namespace loyalty::terminal::testing
