#include "receipt/receipt_text.h"

#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace loyalty::terminal {
namespace {

const Timestamp kNow = ParseIso8601("2026-11-25T10:00:00Z").value();
constexpr char kCard[] = "2123456789010";

std::vector<std::string> LinesOf(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream input(text);
  for (std::string line; std::getline(input, line);) lines.push_back(line);
  return lines;
}

domain::Coupon Coupon(const std::string& title, const std::string& category) {
  domain::Coupon coupon;
  coupon.customer_id = 42;
  coupon.card_number = kCard;
  coupon.campaign = "next-visit";
  coupon.title = title;
  coupon.target = domain::CouponTarget::kCategory;
  coupon.target_value = category;
  coupon.discount_value = 10;
  coupon.issued_at = kNow;
  coupon.expires_at = kNow + std::chrono::days(14);
  return coupon;
}

Receipt SampleReceipt() {
  Receipt receipt;
  receipt.store_id = "S001";
  receipt.terminal_id = "T01";
  receipt.sale_id = "6f1c2a4e-8b3d-4c5e-9f70-1a2b3c4d5e6f";
  receipt.finished_at = kNow;
  receipt.lines = {
      {"1002", "Cheddar mature", "DAIRY", 2, 450, true, 0, std::nullopt, false},
      {"2001", "Baguette", "BREAD", 1, 249, true, 0, std::nullopt, false},
      {"3001", "Extra long product name that cannot possibly fit on one line", "MEAT", 1, 89999,
       false, 0, std::nullopt, false},
  };
  receipt.applied_coupons = {{Coupon("10% off DAIRY", "DAIRY"), 90, {0}}};
  // No tax summary: amounts end at the right edge, with no tax letter after them.
  receipt.totals = {900 + 249 + 89999, 90, 900 + 249 + 89999 - 90, {}};
  receipt.card = CardNumber::Parse(kCard).value();
  receipt.customer = api::CustomerSummary{42, 3, 5000, kNow - std::chrono::days(400)};
  receipt.next_visit_coupons = std::vector<api::IssuedCoupon>{
      {Coupon("10% off BREAD", "BREAD"), "token-not-printed"}};
  return receipt;
}

void ExpectWithinWidth(const std::string& text) {
  for (const auto& line : LinesOf(text)) {
    EXPECT_LE(line.size(), kReceiptWidth) << "'" << line << "'";
  }
}

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(RenderReceiptText, KeepsEveryLineWithinTheWidth) {
  const std::string text = RenderReceiptText(SampleReceipt());
  ASSERT_FALSE(text.empty());
  EXPECT_EQ(text.back(), '\n');
  ExpectWithinWidth(text);
}

TEST(RenderReceiptText, RightAlignsAmountsAtTheEdge) {
  const auto lines = LinesOf(RenderReceiptText(SampleReceipt()));
  int amount_rows = 0;
  for (const auto& line : lines) {
    if (line.starts_with("Subtotal") || line.starts_with("TOTAL") ||
        line.starts_with("  Coupon:")) {
      EXPECT_EQ(line.size(), kReceiptWidth) << "'" << line << "'";
      ++amount_rows;
    }
  }
  EXPECT_EQ(amount_rows, 3);
}

TEST(RenderReceiptText, ShowsLinesCouponsAndTotals) {
  const std::string text = RenderReceiptText(SampleReceipt());
  EXPECT_TRUE(Contains(text, "Cheddar mature")) << text;
  EXPECT_TRUE(Contains(text, "  2 x 4.50")) << text;
  EXPECT_TRUE(Contains(text, "9.00\n")) << text;
  EXPECT_TRUE(Contains(text, "Baguette")) << text;
  EXPECT_TRUE(Contains(text, "899.99\n")) << text;  // a cut name keeps its amount
  EXPECT_TRUE(Contains(text, "Coupon: 10% off DAIRY")) << text;
  EXPECT_TRUE(Contains(text, "-0.90\n")) << text;
  const auto lines = LinesOf(text);
  bool subtotal = false, total = false, saved = false;
  for (const auto& line : lines) {
    if (line.starts_with("Subtotal")) subtotal = line.ends_with(" 911.48");
    if (line.starts_with("TOTAL USD")) total = line.ends_with(" 910.58");
    if (line.starts_with("You saved")) saved = line.ends_with(" 0.90");
  }
  EXPECT_TRUE(subtotal) << text;
  EXPECT_TRUE(total) << text;
  EXPECT_TRUE(saved) << text;
  EXPECT_TRUE(Contains(text, "YOUR COUPONS FOR NEXT VISIT")) << text;
  EXPECT_TRUE(Contains(text, " * 10% off BREAD")) << text;
  EXPECT_TRUE(Contains(text, "sale 6f1c2a4e-8b3d-4c5e-9f70-1a2b3c4d5e6f")) << text;
  EXPECT_FALSE(Contains(text, "token-not-printed")) << text;
}

TEST(RenderReceiptText, ShowsOnlyTheMaskedCard) {
  const Receipt receipt = SampleReceipt();
  const std::string text = RenderReceiptText(receipt);
  EXPECT_TRUE(Contains(text, receipt.card->Masked())) << text;
  EXPECT_FALSE(Contains(text, kCard)) << text;
  // Not even the part the mask hides.
  EXPECT_FALSE(Contains(text, std::string(kCard).substr(0, 9))) << text;
}

TEST(RenderReceiptText, LeavesOutSavingsAndCardWhenThereAreNone) {
  Receipt receipt = SampleReceipt();
  receipt.applied_coupons.clear();
  receipt.totals = {receipt.totals.subtotal_minor, 0, receipt.totals.subtotal_minor, {}};
  receipt.card.reset();
  receipt.customer.reset();
  const std::string text = RenderReceiptText(receipt);
  EXPECT_FALSE(Contains(text, "You saved")) << text;
  EXPECT_FALSE(Contains(text, "Coupon:")) << text;
  EXPECT_FALSE(Contains(text, "Loyalty card")) << text;
  EXPECT_FALSE(Contains(text, "NEXT VISIT")) << text;
  ExpectWithinWidth(text);
}

TEST(RenderReceiptText, SaysWhenNextVisitCouponsAreStillToCome) {
  Receipt receipt = SampleReceipt();
  receipt.next_visit_coupons.reset();
  EXPECT_TRUE(Contains(RenderReceiptText(receipt), "Your next-visit coupons are on your card"));
  receipt.next_visit_coupons = std::vector<api::IssuedCoupon>{};
  EXPECT_TRUE(Contains(RenderReceiptText(receipt), "No new coupons today"));
}

TEST(RenderReceiptText, KeepsLongFieldsWithinTheWidth) {
  Receipt receipt = SampleReceipt();
  receipt.store_id = std::string(60, 'S');
  receipt.terminal_id = std::string(64, 'T');
  receipt.lines.push_back(
      {"4001", std::string(200, 'N'), "X", 9999, 100000000, true, 0, std::nullopt, false});
  receipt.applied_coupons.push_back({Coupon(std::string(200, 'C'), "X"), 123456, {3}});
  // A category name may be up to 200 characters, and a next-visit title names it.
  receipt.next_visit_coupons->push_back(
      {Coupon("10% off " + std::string(200, 'K'), std::string(200, 'K')), "t"});
  const std::string text = RenderReceiptText(receipt);
  ExpectWithinWidth(text);
}

}  // namespace
}  // namespace loyalty::terminal
