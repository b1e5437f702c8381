// The receipt laid out in columns: the one place that decides what a receipt says, in
// what order and on which line. The plain text (receipt_text.h) and the ESC/POS bytes
// (receipt_escpos.h) both print a ReceiptLayout, so they cannot drift apart.
#pragma once

#include <cstddef>
#include <string>
#include <variant>
#include <vector>

#include "receipt/receipt.h"

namespace loyalty::terminal {

// The narrowest layout: 32 columns, what 58 mm paper holds.
inline constexpr std::size_t kMinReceiptColumns = 32;

// One line of text. `text` is UTF-8 of at most the layout's columns code points and
// holds no control characters. A left-aligned line carries its own padding (amounts
// sit at the right edge); a centred one is bare and the renderer centres it.
struct TextBlock {
  enum class Align { kLeft, kCenter };
  std::string text;
  Align align = Align::kLeft;
  bool bold = false;
  bool double_height = false;  // twice as tall, same width: the columns still hold
};

// A line of '-' across the width.
struct RuleBlock {};

// A QR code of `payload` (a coupon's signed token), centred. `label` is what a reader
// of the plain text gets instead of the picture: the coupon code a cashier can type.
struct QrBlock {
  std::string payload;
  std::string label;
};

// The end of the receipt: a printer feeds it past its cutter and cuts.
struct CutBlock {};

using LayoutBlock = std::variant<TextBlock, RuleBlock, QrBlock, CutBlock>;

struct ReceiptLayout {
  std::size_t columns = 0;
  std::vector<LayoutBlock> blocks;
};

// Lays `receipt` out on `columns` columns (raised to kMinReceiptColumns when smaller).
// In order: the store header, every line (weighed lines with their weight and price per
// kg, voided lines with their reversal, each coupon under the last line it discounts),
// the totals, the tax inside them by rate (each line tagged with its rate's letter), the
// masked card, the next-visit coupons with their QR codes, the sale id and the cut.
// Times print in the local zone (TZ).
ReceiptLayout LayOutReceipt(const Receipt& receipt, std::size_t columns);

}  // namespace loyalty::terminal
