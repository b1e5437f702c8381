#include "receipt/receipt_layout.h"

#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "receipt/receipt_text.h"
#include "receipt/text_columns.h"
#include "terminal/receipt/sample_receipts.h"

namespace loyalty::terminal {
namespace {

using testing::RichReceipt;

std::vector<std::string> TextLines(const Receipt& receipt, std::size_t columns = kReceiptWidth) {
  std::vector<std::string> lines;
  std::istringstream text(RenderLayoutText(LayOutReceipt(receipt, columns)));
  for (std::string line; std::getline(text, line);) lines.push_back(line);
  return lines;
}

// The index of the first line starting with `prefix`, or -1.
int Find(const std::vector<std::string>& lines, const std::string& prefix) {
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (lines[i].starts_with(prefix)) return static_cast<int>(i);
  }
  return -1;
}

std::string Dump(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& line : lines) out += line + "|\n";
  return out;
}

TEST(ReceiptLayout, ShowsTheStoreNameAndAddressCentred) {
  const auto lines = TextLines(RichReceipt());
  ASSERT_GE(lines.size(), 4u);
  EXPECT_EQ(lines[0], "           Green Valley Market");
  EXPECT_EQ(lines[1], "             12 Orchard Road");
  EXPECT_EQ(lines[2], "            Springfield 62704");
  EXPECT_TRUE(lines[3].starts_with("Store S001 till T01")) << Dump(lines);
}

TEST(ReceiptLayout, NamesTheCashierUnderTheTillWhenOneSignedOn) {
  Receipt receipt = RichReceipt();
  EXPECT_EQ(Find(TextLines(receipt), "Cashier"), -1);
  receipt.cashier_id = "C042";
  const auto lines = TextLines(receipt);
  EXPECT_TRUE(lines[3].starts_with("Store S001 till T01")) << Dump(lines);
  EXPECT_EQ(lines[4], "Cashier C042") << Dump(lines);
}

TEST(ReceiptLayout, NamesTheStoreByItsIdWhenItHasNoName) {
  const auto lines = TextLines(testing::CashReceipt());
  ASSERT_FALSE(lines.empty());
  EXPECT_EQ(lines[0], "                Store S002");
}

TEST(ReceiptLayout, ShowsWeightAndPricePerKilogramOfAWeighedLine) {
  const auto lines = TextLines(RichReceipt());
  const int name = Find(lines, "Bananas");
  ASSERT_GE(name, 0) << Dump(lines);
  // 755 g at 3.49/kg is 2.63495, rounded to 2.63; A is the 7% rate.
  EXPECT_EQ(lines[static_cast<std::size_t>(name) + 1],
            "  0.755 kg @ 3.49/kg                2.63 A");
}

TEST(ReceiptLayout, ShowsAVoidedLineWithItsReversal) {
  const auto lines = TextLines(RichReceipt());
  const int name = Find(lines, "Paper towels 4 rolls");
  ASSERT_GE(name, 0) << Dump(lines);
  // Not sold, so it carries no tax letter.
  EXPECT_EQ(lines[static_cast<std::size_t>(name)], "Paper towels 4 rolls                3.99  ");
  EXPECT_EQ(lines[static_cast<std::size_t>(name) + 1],
            "  VOID                             -3.99  ");
}

TEST(ReceiptLayout, PrintsEachCouponUnderTheLastLineItDiscounts) {
  const auto lines = TextLines(RichReceipt());
  const int creme = Find(lines, "Crème fraîche 30%");
  const int soap = Find(lines, "Dish soap lemon 750ml");
  ASSERT_GE(creme, 0) << Dump(lines);
  ASSERT_GE(soap, 0) << Dump(lines);
  EXPECT_EQ(lines[static_cast<std::size_t>(creme) + 1],
            "  Coupon: 10% off DAIRY            -1.09  ");
  EXPECT_EQ(lines[static_cast<std::size_t>(soap) + 1],
            "  Coupon: 1.00 off dish soap       -1.00  ");
  EXPECT_EQ(Find(lines, "  Coupon:"), creme + 1) << "each coupon shows once";
}

TEST(ReceiptLayout, TagsEachLineWithItsTaxRateAndSumsTaxByRate) {
  const Receipt receipt = RichReceipt();
  const auto lines = TextLines(receipt);
  EXPECT_EQ(lines[static_cast<std::size_t>(Find(lines, "Coffee beans 1kg"))],
            "Coffee beans 1kg                   12.99 A");
  EXPECT_EQ(lines[static_cast<std::size_t>(Find(lines, "Dish soap lemon 750ml"))],
            "Dish soap lemon 750ml               2.49 B");
  const int header = Find(lines, "Tax rate");
  ASSERT_GE(header, 0) << Dump(lines);
  const auto at = [&](int offset) { return lines[static_cast<std::size_t>(header + offset)]; };
  EXPECT_EQ(at(0), "Tax rate         Net       Tax     Gross");
  EXPECT_EQ(at(1), "A 7%           23.76      1.66     25.42  ");
  EXPECT_EQ(at(2), "B 19%           1.25      0.24      1.49  ");
  ASSERT_EQ(receipt.totals.taxes.size(), 2u);
  // The checkout's own summary, printed: net + tax = gross, and the grosses sum to the total.
  const auto& low = receipt.totals.taxes[0];
  const auto& high = receipt.totals.taxes[1];
  EXPECT_EQ(low.gross_minor + high.gross_minor, receipt.totals.total_minor);
  EXPECT_TRUE(at(1).starts_with("A 7%")) << at(1);
  EXPECT_TRUE(at(2).starts_with("B 19%")) << at(2);
  EXPECT_TRUE(at(1).ends_with(" " + FormatMinor(low.gross_minor, receipt.currency) + "  "));
  EXPECT_TRUE(at(2).ends_with(" " + FormatMinor(high.gross_minor, receipt.currency) + "  "));
  EXPECT_NE(at(2).find(" " + FormatMinor(high.tax_minor, receipt.currency) + " "),
            std::string::npos);
}

TEST(ReceiptLayout, ListsTaxOneAmountARowWhenTheTableDoesNotFit) {
  Receipt receipt = RichReceipt();
  receipt.lines.push_back(testing::Counted("9", "Gold bar", "X", 1, 123456789, 1900));
  receipt.totals = testing::TotalsOf(receipt.lines, receipt.applied_coupons);
  const auto lines = TextLines(receipt);
  EXPECT_EQ(Find(lines, "Tax rate"), -1) << Dump(lines);
  const int high = Find(lines, "Tax B 19%");
  ASSERT_GE(high, 0) << Dump(lines);
  EXPECT_TRUE(lines[static_cast<std::size_t>(high) + 3].starts_with("  Gross")) << Dump(lines);
  EXPECT_TRUE(lines[static_cast<std::size_t>(high) + 3].ends_with(
      FormatMinor(receipt.totals.taxes[1].gross_minor, receipt.currency) + "  "));
}

TEST(ReceiptLayout, EveryLineFitsAt42And32Columns) {
  Receipt receipt = RichReceipt();
  receipt.store_id = std::string(60, 'S');
  receipt.terminal_id = std::string(64, 'T');
  receipt.store_name = std::string(50, 'N') + " " + std::string(10, 'M');
  receipt.lines.push_back(testing::Counted("9", std::string(200, 'X'), "X", 9999, 100000000, 0));
  receipt.lines.push_back(
      testing::Weighed("8", "Ünïcödé " + std::string(100, 'W'), "X", 99999, 99999999, 2500));
  receipt.totals = testing::TotalsOf(receipt.lines, receipt.applied_coupons);
  for (const std::size_t columns : {std::size_t{42}, std::size_t{32}}) {
    const ReceiptLayout layout = LayOutReceipt(receipt, columns);
    EXPECT_EQ(layout.columns, columns);
    for (const auto& line : TextLines(receipt, columns)) {
      EXPECT_LE(ColumnsOf(line), columns) << "'" << line << "'";
    }
  }
}

TEST(ReceiptLayout, GivesTheCouponCodeItsOwnLineOnNarrowPaper) {
  const Receipt receipt = RichReceipt();
  const std::string code = CouponCode((*receipt.next_visit_coupons)[0].coupon.id);
  const auto lines = TextLines(receipt, 32);
  EXPECT_GE(Find(lines, "   code " + code), 0) << Dump(lines);
}

TEST(ReceiptLayout, HoldsAQrBlockWithTheTokenForEachNextVisitCoupon) {
  const Receipt receipt = RichReceipt();
  std::vector<QrBlock> codes;
  for (const auto& block : LayOutReceipt(receipt, kReceiptWidth).blocks) {
    if (const auto* qr = std::get_if<QrBlock>(&block)) codes.push_back(*qr);
  }
  ASSERT_EQ(codes.size(), 2u);
  for (std::size_t i = 0; i < codes.size(); ++i) {
    EXPECT_EQ(codes[i].payload, (*receipt.next_visit_coupons)[i].token);
    EXPECT_EQ(codes[i].label, CouponCode((*receipt.next_visit_coupons)[i].coupon.id));
  }
}

TEST(ReceiptLayout, EndsWithACut) {
  const ReceiptLayout layout = LayOutReceipt(testing::CashReceipt(), kReceiptWidth);
  ASSERT_FALSE(layout.blocks.empty());
  EXPECT_TRUE(std::holds_alternative<CutBlock>(layout.blocks.back()));
}

TEST(ReceiptLayout, ReplacesControlCharactersInNames) {
  Receipt receipt = RichReceipt();
  receipt.lines[5].name = "Coffee\nbeans\t1kg";
  const auto lines = TextLines(receipt);
  EXPECT_GE(Find(lines, "Coffee\uFFFDbeans\uFFFD1kg"), 0) << Dump(lines);
}

}  // namespace
}  // namespace loyalty::terminal
