#include "receipt/receipt_escpos.h"

#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <qrencode.h>

#include "receipt/receipt_text.h"
#include "terminal/receipt/escpos_reader.h"
#include "terminal/receipt/golden.h"
#include "terminal/receipt/sample_receipts.h"

namespace loyalty::terminal {
namespace {

using testing::CashReceipt;
using testing::PrintedImage;
using testing::PrintedReceipt;
using testing::ReadEscPos;
using testing::RichReceipt;
using testing::ScopedTimeZone;

// The light margin the QR standard asks for, in modules.
constexpr std::size_t kQuietZone = 4;

// The modules of `image`, a QR code printed with its quiet zone, read back the way a
// scanner would: the module size from the top-left finder pattern (7 modules wide),
// then the centre dot of every module. Fails the test on anything malformed.
std::vector<std::vector<bool>> ReadQrModules(const PrintedImage& image) {
  const std::size_t width = image.width_bytes * 8;
  std::size_t first_x = width, first_y = image.height_dots;
  for (std::size_t y = 0; y < image.height_dots && first_y == image.height_dots; ++y) {
    for (std::size_t x = 0; x < width; ++x) {
      if (image.Black(x, y)) {
        first_x = x, first_y = y;
        break;
      }
    }
  }
  EXPECT_LT(first_y, image.height_dots) << "the image is blank";
  if (first_y == image.height_dots) return {};
  std::size_t run = 0;
  while (first_x + run < width && image.Black(first_x + run, first_y)) ++run;
  EXPECT_EQ(run % 7, 0u) << "the finder pattern is " << run << " dots wide";
  const std::size_t dots = run / 7;
  EXPECT_GT(dots, 0u);
  if (dots == 0) return {};
  EXPECT_EQ(first_x, first_y) << "the code is not square in its quiet zone";
  EXPECT_EQ(first_x, kQuietZone * dots) << "the quiet zone is not 4 modules";
  const std::size_t modules = image.height_dots / dots - 2 * kQuietZone;
  EXPECT_EQ(image.height_dots % dots, 0u);
  std::vector<std::vector<bool>> matrix(modules, std::vector<bool>(modules));
  for (std::size_t y = 0; y < image.height_dots; ++y) {
    for (std::size_t x = 0; x < width; ++x) {
      const std::size_t mx = x / dots, my = y / dots;
      const bool inside = mx >= kQuietZone && my >= kQuietZone && mx < kQuietZone + modules &&
                          my < kQuietZone + modules;
      if (!inside) {
        EXPECT_FALSE(image.Black(x, y)) << "a black dot outside the code at " << x << "," << y;
        if (image.Black(x, y)) return {};
      } else if (x % dots == dots / 2 && y % dots == dots / 2) {
        matrix[my - kQuietZone][mx - kQuietZone] = image.Black(x, y);
      } else {
        // Every dot of a module is the colour of its centre: modules are whole squares.
        const bool centre = image.Black(mx * dots + dots / 2, my * dots + dots / 2);
        EXPECT_EQ(image.Black(x, y), centre) << "module " << mx << "," << my << " is not solid";
        if (image.Black(x, y) != centre) return {};
      }
    }
  }
  return matrix;
}

// The module matrix libqrencode makes for `payload`, independently of the renderer.
std::vector<std::vector<bool>> ExpectedQrModules(const std::string& payload) {
  const std::unique_ptr<QRcode, decltype(&QRcode_free)> code(
      QRcode_encodeString(payload.c_str(), 0, QR_ECLEVEL_M, QR_MODE_8, 1), &QRcode_free);
  EXPECT_NE(code, nullptr);
  if (!code) return {};
  const auto size = static_cast<std::size_t>(code->width);
  std::vector<std::vector<bool>> matrix(size, std::vector<bool>(size));
  for (std::size_t y = 0; y < size; ++y) {
    for (std::size_t x = 0; x < size; ++x) matrix[y][x] = (code->data[y * size + x] & 1) != 0;
  }
  return matrix;
}

std::string Trimmed(const std::string& text) {
  const auto first = text.find_first_not_of(' ');
  if (first == std::string::npos) return "";
  return text.substr(first, text.find_last_not_of(' ') - first + 1);
}

TEST(ReceiptEscpos, RichSaleMatchesGoldenFiles) {
  ScopedTimeZone zone;
  testing::ExpectMatchesGolden(RenderReceiptEscPos(RichReceipt()), "rich_sale_80mm.bin");
  testing::ExpectMatchesGolden(RenderReceiptText(RichReceipt()), "rich_sale.txt");
}

TEST(ReceiptEscpos, SaleWithoutCardMatchesGoldenFiles) {
  ScopedTimeZone zone;
  testing::ExpectMatchesGolden(RenderReceiptEscPos(CashReceipt()), "cash_sale_80mm.bin");
  testing::ExpectMatchesGolden(RenderReceiptText(CashReceipt()), "cash_sale.txt");
}

TEST(ReceiptEscpos, StartsWithInitAndCodePageAndEndsWithOneCut) {
  const PrintedReceipt printed = ReadEscPos(RenderReceiptEscPos(RichReceipt()));
  ASSERT_EQ(printed.error, "");
  EXPECT_TRUE(printed.initialized);
  EXPECT_EQ(printed.code_page, 19);  // PC858
  EXPECT_EQ(printed.cuts, 1);
  EXPECT_TRUE(printed.cut_last);
  // 42 columns of 12 dots, centred on 576.
  EXPECT_EQ(printed.print_width_dots, 504u);
  EXPECT_EQ(printed.left_margin_dots, 36u);
}

TEST(ReceiptEscpos, PrintsEachNextVisitTokenAsAQrCodeLibqrencodeWouldMake) {
  const Receipt receipt = RichReceipt();
  for (const PaperWidth paper : {PaperWidth::k80mm, PaperWidth::k58mm}) {
    const PrintedReceipt printed = ReadEscPos(RenderReceiptEscPos(receipt, {paper}));
    ASSERT_EQ(printed.error, "");
    ASSERT_EQ(printed.images.size(), receipt.next_visit_coupons->size());
    for (std::size_t i = 0; i < printed.images.size(); ++i) {
      const PrintedImage& image = printed.images[i];
      EXPECT_EQ(image.align, 1) << "a QR code prints centred";
      EXPECT_LE(image.width_bytes * 8, printed.print_width_dots + 7);
      const auto modules = ReadQrModules(image);
      EXPECT_EQ(modules, ExpectedQrModules((*receipt.next_visit_coupons)[i].token))
          << "QR code " << i;
    }
  }
}

TEST(ReceiptEscpos, ScalesQrModulesToFourDotsWhenTheyFit) {
  const PrintedReceipt printed = ReadEscPos(RenderReceiptEscPos(RichReceipt()));
  ASSERT_FALSE(printed.images.empty());
  const auto modules = ExpectedQrModules(testing::SampleToken(1));
  EXPECT_EQ(printed.images[0].height_dots, (modules.size() + 2 * kQuietZone) * 4);
}

TEST(ReceiptEscpos, ShrinksAQrCodeTooLargeForThePaper) {
  Receipt receipt = RichReceipt();
  (*receipt.next_visit_coupons)[0].token = testing::SampleToken(3, 1500);
  const PrintedReceipt printed = ReadEscPos(RenderReceiptEscPos(receipt, {PaperWidth::k58mm}));
  ASSERT_EQ(printed.error, "");
  ASSERT_EQ(printed.images.size(), 2u);
  EXPECT_LE(printed.images[0].width_bytes * 8, 384u + 7);
  EXPECT_EQ(ReadQrModules(printed.images[0]), ExpectedQrModules(testing::SampleToken(3, 1500)));
}

TEST(ReceiptEscpos, PrintsTheCouponCodeWhenATokenIsTooLongForAnyQrCode) {
  Receipt receipt = RichReceipt();
  (*receipt.next_visit_coupons)[0].token = testing::SampleToken(4, 4000);
  const PrintedReceipt printed = ReadEscPos(RenderReceiptEscPos(receipt));
  ASSERT_EQ(printed.error, "");
  EXPECT_EQ(printed.images.size(), 1u);
  const std::string code = CouponCode((*receipt.next_visit_coupons)[0].coupon.id);
  bool shown = false;
  for (const auto& line : printed.lines) shown = shown || line.bytes == "code " + code;
  EXPECT_TRUE(shown);
}

TEST(ReceiptEscpos, PrintsTheSameLinesAsThePlainText) {
  ScopedTimeZone zone;
  Receipt receipt = RichReceipt();
  receipt.lines[2].name = "Creme fraiche 30%";  // ASCII, so PC858 bytes are the text's
  std::vector<std::string> text_lines;
  std::istringstream text(RenderReceiptText(receipt));
  for (std::string line; std::getline(text, line);) {
    if (!line.starts_with("[QR code")) text_lines.push_back(Trimmed(line));
  }
  std::vector<std::string> printed_lines;
  const PrintedReceipt printed = ReadEscPos(RenderReceiptEscPos(receipt));
  ASSERT_EQ(printed.error, "");
  for (const auto& line : printed.lines) printed_lines.push_back(Trimmed(line.bytes));
  EXPECT_EQ(printed_lines, text_lines);
}

TEST(ReceiptEscpos, EmphasisesTheTotalAndCentresTheHeader) {
  const PrintedReceipt printed = ReadEscPos(RenderReceiptEscPos(RichReceipt()));
  ASSERT_EQ(printed.error, "");
  ASSERT_FALSE(printed.lines.empty());
  EXPECT_EQ(printed.lines[0].bytes, "Green Valley Market");
  EXPECT_EQ(printed.lines[0].align, 1);
  EXPECT_TRUE(printed.lines[0].bold);
  EXPECT_FALSE(printed.lines[0].double_height);
  int totals = 0;
  for (const auto& line : printed.lines) {
    if (line.bytes.starts_with("TOTAL EUR")) {
      ++totals;
      EXPECT_TRUE(line.bold);
      EXPECT_TRUE(line.double_height);
      EXPECT_EQ(line.align, 0);
    } else {
      EXPECT_FALSE(line.double_height) << line.bytes;
    }
  }
  EXPECT_EQ(totals, 1);
}

TEST(ReceiptEscpos, KeepsEveryLineWithinThePaperColumns) {
  Receipt receipt = RichReceipt();
  receipt.store_name = std::string(100, 'N');
  receipt.store_address.push_back(std::string(90, 'A') + " " + std::string(5, 'B'));
  receipt.lines.push_back(testing::Counted("9", std::string(200, 'X'), "X", 9999, 100000000, 2000));
  receipt.totals = testing::TotalsOf(receipt.lines, receipt.applied_coupons);
  for (const PaperWidth paper : {PaperWidth::k80mm, PaperWidth::k58mm}) {
    const PrintedReceipt printed = ReadEscPos(RenderReceiptEscPos(receipt, {paper}));
    ASSERT_EQ(printed.error, "");
    for (const auto& line : printed.lines) {
      EXPECT_LE(line.bytes.size(), EscPosColumns(paper)) << "'" << line.bytes << "'";
    }
  }
}

TEST(ReceiptEscpos, NeverSendsUtf8OrControlCharactersToThePrinter) {
  Receipt receipt = RichReceipt();
  receipt.store_name = "Épicerie Łódź";
  receipt.lines[2].name = "Crème brûlée – Ωmega 🍰";
  receipt.lines[3].name = "Soap\x1b@\n\tlemon";  // a catalog name must not become a command
  receipt.lines[5].name = std::string("Bad \xC3\x28 byte \xE2\x82");
  const PrintedReceipt printed = ReadEscPos(RenderReceiptEscPos(receipt));
  ASSERT_EQ(printed.error, "") << "a control byte from a name reached the stream";
  std::string all;
  for (const auto& line : printed.lines) all += line.bytes + "\n";
  EXPECT_NE(all.find("\x90picerie L\xA2"
                     "dz"),
            std::string::npos)
      << all;  // É is 0x90
  // è 0x8A, û 0x96, é 0x82; the dash as '-'; Ω and the cake as '?'.
  EXPECT_NE(all.find("Cr\x8A"
                     "me br\x96l\x82"
                     "e - ?mega ?"),
            std::string::npos)
      << all;
  EXPECT_NE(all.find("Soap?@??lemon"), std::string::npos) << all;
  EXPECT_NE(all.find("Bad ?( byte ?"), std::string::npos) << all;
  for (const char* utf8 : {"\xC3\x89", "\xC5\x81", "\xC3\xA8", "\xE2\x80\x93", "\xF0\x9F"}) {
    EXPECT_EQ(all.find(utf8), std::string::npos) << "raw UTF-8 in the printer stream";
  }
}

}  // namespace
}  // namespace loyalty::terminal
