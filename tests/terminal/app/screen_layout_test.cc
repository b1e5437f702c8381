#include "app/screen_layout.h"

#include <gtest/gtest.h>

#include "receipt/text_columns.h"

namespace loyalty::terminal {
namespace {

BasketLine Line(const std::string& name, std::int64_t quantity, std::int64_t unit_price_minor) {
  BasketLine line;
  line.sku = "1";
  line.name = name;
  line.quantity = quantity;
  line.unit_price_minor = unit_price_minor;
  return line;
}

domain::Coupon Coupon(const std::string& title) {
  domain::Coupon coupon;
  coupon.title = title;
  return coupon;
}

ScreenModel Sale() {
  ScreenModel model;
  model.status.online = true;
  model.status.reader_state = "idle";
  model.status.backlog = 2;
  model.status.catalog_version = 7;
  model.status.products = 120;
  model.till_name = "S001-T01";
  model.lines = {Line("Ground Flvr Reg Coffee 11.5 OZ", 1, 419), Line("Eggs - X-Large", 2, 109)};
  BasketLine weighed = Line("Bananas", 1, 129);
  weighed.weight_grams = 755;
  model.lines.push_back(weighed);
  model.totals = {762, 42, 720, {{225, 720, 16, 704}}};
  return model;
}

// The right-hand panel's text (the customer), row by row, trimmed.
std::vector<std::string> CustomerPanel(const Frame& frame) {
  std::vector<std::string> panel;
  const std::size_t left = frame.width * 3 / 5 + 2;
  for (std::size_t row = 1; row + 3 < frame.height; ++row) {
    const std::u32string text = DecodeUtf8(frame.Rows()[row]).substr(left);
    std::string cut = EncodeUtf8(text);
    cut.erase(cut.find_last_not_of(' ') + 1);
    panel.push_back(cut);
  }
  return panel;
}

bool Shows(const Frame& frame, const std::string& text) {
  for (const auto& row : frame.Rows()) {
    if (row.find(text) != std::string::npos) return true;
  }
  return false;
}

TEST(ScreenLayout, EveryRowFillsTheWidthAtTheSmallestSize) {
  const Frame frame = LayoutScreen(Sale(), 80, 24);
  const auto rows = frame.Rows();
  ASSERT_EQ(rows.size(), 24u);
  for (const auto& row : rows) EXPECT_EQ(ColumnsOf(row), 80u) << row;
  EXPECT_EQ(rows[0].rfind(" ONLINE | no cashier | reader idle | backlog 2 sales | catalog v7", 0),
            0u)
      << rows[0];
  EXPECT_NE(rows[23].find("F3/c card"), std::string::npos) << rows[23];
  EXPECT_NE(rows[23].find("^Q/q quit"), std::string::npos) << rows[23];
  EXPECT_EQ(rows[22].rfind("Scan> ", 0), 0u);
  EXPECT_EQ(frame.cursor_row, 22u);
  EXPECT_EQ(frame.cursor_column, 6u);
}

TEST(ScreenLayout, StatusBarNamesTheCashierSignedOn) {
  ScreenModel model = Sale();
  model.status.cashier_id = "C042";
  const auto rows = LayoutScreen(model, 80, 24).Rows();
  EXPECT_EQ(rows[0].rfind(" ONLINE | cashier C042 | reader idle", 0), 0u) << rows[0];
}

TEST(ScreenLayout, BasketShowsNumberNameQuantityAndAmount) {
  ScreenModel model = Sale();
  model.lines[1].voided = true;
  const Frame frame = LayoutScreen(model, 100, 30);
  const auto rows = frame.Rows();
  EXPECT_EQ(rows[2].rfind("  1 Ground Flvr Reg Coffee 11.5 OZ", 0), 0u) << rows[2];
  EXPECT_NE(rows[2].find("1      4.19 |"), std::string::npos) << rows[2];
  EXPECT_NE(rows[3].find("2      VOID |"), std::string::npos) << rows[3];
  EXPECT_NE(rows[4].find("0.755 kg      0.97 |"), std::string::npos) << rows[4];
  bool voided_dim = false;
  for (const auto& span : frame.spans) {
    voided_dim = voided_dim || (span.row == 3 && span.style == Style::kVoided);
  }
  EXPECT_TRUE(voided_dim);
  EXPECT_TRUE(Shows(frame, "Subtotal      7.62"));
  EXPECT_TRUE(Shows(frame, "Discount     -0.42"));
  EXPECT_TRUE(Shows(frame, "TOTAL (tax incl. 0.16)      7.20"));
}

TEST(ScreenLayout, LongBasketKeepsTheNewestLinesInView) {
  ScreenModel model = Sale();
  model.lines.clear();
  for (int i = 1; i <= 30; ++i) model.lines.push_back(Line("Item " + std::to_string(i), 1, 100));
  const Frame frame = LayoutScreen(model, 80, 24);
  EXPECT_TRUE(Shows(frame, " 30 Item 30"));
  EXPECT_FALSE(Shows(frame, "  1 Item 1 "));
  EXPECT_TRUE(Shows(frame, "earlier lines"));
}

TEST(ScreenLayout, NamesAreCutByCharacterNotByte) {
  ScreenModel model = Sale();
  model.lines = {Line("Crème brûlée à la française, pot de 4 × 100 g", 1, 399)};
  const auto rows = LayoutScreen(model, 80, 24).Rows();
  EXPECT_EQ(ColumnsOf(rows[2]), 80u);
  EXPECT_EQ(rows[2].rfind("  1 Crème brûlée à la franç", 0), 0u) << rows[2];
}

TEST(ScreenLayout, CustomerPanelShowsAppliedAmountsAndWholeReasons) {
  ScreenModel model = Sale();
  model.customer =
      CustomerView{"*********0015", "keyed", true,
                   api::CustomerSummary{12, 3, 4567, {}, domain::Segment::kAtRisk}};
  model.coupons.applied.push_back({Coupon("10% off COFFEE"), 42, {0}});
  const std::string reason =
      "needs 20.00 of FLUID MILK PRODUCTS, basket has 1.79 (weighed items "
      "do not count)";
  model.coupons.not_applied.push_back({Coupon("10% off FLUID MILK PRODUCTS"), reason});
  const Frame frame = LayoutScreen(model, 80, 24);
  const auto panel = CustomerPanel(frame);
  EXPECT_EQ(panel[1], "Card     *********0015 (keyed)");
  EXPECT_EQ(panel[2], "Customer #12, 3 visits");
  EXPECT_EQ(panel[3].rfind("Spent    45.67 since ", 0), 0u) << panel[3];
  EXPECT_EQ(panel[4], "Segment  At risk");
  std::string text;
  for (const auto& row : panel) text += row + "\n";
  EXPECT_NE(text.find("COUPONS APPLIED\n10% off COFFEE"), std::string::npos) << text;
  EXPECT_NE(text.find("-0.42\nNOT APPLIED"), std::string::npos) << text;
  // The reason, wrapped under its coupon's title, is there word for word.
  std::string rejoined;
  bool in_reason = false;
  for (const auto& row : panel) {
    if (row.rfind("  ", 0) == 0) {
      rejoined += (in_reason ? " " : "") + row.substr(2);
      in_reason = true;
    }
  }
  EXPECT_EQ(rejoined, reason);
}

TEST(ScreenLayout, OfflineAndNewCardsSayWhatTheCashierCanTrust) {
  ScreenModel model = Sale();
  model.customer = CustomerView{"*********0015", "barcode", false, std::nullopt};
  EXPECT_TRUE(Shows(LayoutScreen(model, 100, 30), "OFFLINE: coupons checked on signature"));
  EXPECT_TRUE(Shows(LayoutScreen(model, 100, 30), "Segment  unknown offline"));
  const auto narrow = CustomerPanel(LayoutScreen(model, 80, 24));
  EXPECT_EQ(narrow[2], "OFFLINE: coupons checked on");
  EXPECT_EQ(narrow[3], "signature");
  model.status.online = false;
  EXPECT_EQ(LayoutScreen(model, 80, 24).Rows()[0].rfind(" OFFLINE |", 0), 0u);
  model.customer->online = true;
  const Frame frame = LayoutScreen(model, 80, 24);
  EXPECT_TRUE(Shows(frame, "New card: first visit"));
  EXPECT_TRUE(Shows(frame, "Segment  none yet"));
  EXPECT_TRUE(Shows(frame, "No coupons"));
}

TEST(ScreenLayout, NoCardYetSaysHowToGiveOne) {
  EXPECT_TRUE(Shows(LayoutScreen(Sale(), 100, 30), "No card yet"));
}

TEST(ScreenLayout, TooManyCouponsSayThereIsMore) {
  ScreenModel model = Sale();
  model.customer = CustomerView{"*********0015", "keyed", true, std::nullopt};
  for (int i = 0; i < 20; ++i) {
    model.coupons.not_applied.push_back({Coupon("Coupon " + std::to_string(i)), "expired"});
  }
  const auto panel = CustomerPanel(LayoutScreen(model, 80, 24));
  EXPECT_EQ(panel.back(), "... more: enlarge the window");
}

TEST(ScreenLayout, OverlayCoversThePanelsAndScrolls) {
  ScreenModel model = Sale();
  std::string receipt;
  for (int i = 1; i <= 40; ++i) receipt += "receipt line " + std::to_string(i) + "\n";
  model.overlay = Overlay{"RECEIPT: total 7.20", receipt, 0};
  Frame frame = LayoutScreen(model, 80, 24);
  EXPECT_TRUE(Shows(frame, "RECEIPT: total 7.20"));
  EXPECT_TRUE(Shows(frame, "receipt line 1 "));
  EXPECT_FALSE(Shows(frame, "Ground Flvr"));
  EXPECT_FALSE(Shows(frame, "receipt line 40"));
  // 41 lines (the last one empty) in 19 rows.
  model.overlay->scroll = MaxOverlayScroll(*model.overlay, 24);
  EXPECT_EQ(model.overlay->scroll, 22u);
  frame = LayoutScreen(model, 80, 24);
  EXPECT_TRUE(Shows(frame, "receipt line 40"));
  EXPECT_FALSE(Shows(frame, "receipt line 22 "));
}

TEST(ScreenLayout, LongInputShowsItsEndAndTheCursorFollows) {
  ScreenModel model = Sale();
  model.prompt = "Coupon";
  model.input = "t:" + std::string(200, 'A') + "END";
  const Frame frame = LayoutScreen(model, 80, 24);
  const auto rows = frame.Rows();
  EXPECT_EQ(rows[22].rfind("Coupon> AAA", 0), 0u) << rows[22];
  EXPECT_NE(rows[22].find("AEND "), std::string::npos) << rows[22];
  EXPECT_EQ(frame.cursor_column, 79u);
}

TEST(ScreenLayout, QuestionTakesThePrompt) {
  ScreenModel model = Sale();
  model.question = "Cancel this sale?";
  const Frame frame = LayoutScreen(model, 80, 24);
  EXPECT_EQ(frame.Rows()[22].rfind("Cancel this sale? (y/n) ", 0), 0u);
  EXPECT_EQ(frame.cursor_column, 24u);
}

TEST(ScreenLayout, ControlCharactersNeverReachTheTerminal) {
  ScreenModel model = Sale();
  model.lines = {Line("Evil\x1b[2Jname", 1, 100)};
  model.message = "bell\a";
  for (const auto& span : LayoutScreen(model, 80, 24).spans) {
    for (const char c : span.text) EXPECT_GE(static_cast<unsigned char>(c), 0x20) << span.text;
  }
}

TEST(ScreenLayout, SmallerThanEightyByTwentyFourSaysSo) {
  const Frame frame = LayoutScreen(Sale(), 60, 20);
  ASSERT_EQ(frame.spans.size(), 1u);
  EXPECT_EQ(
      frame.spans[0].text.rfind("Terminal too small: the till needs 80x24, this one is 60x20", 0),
      0u);
}

}  // namespace
}  // namespace loyalty::terminal
