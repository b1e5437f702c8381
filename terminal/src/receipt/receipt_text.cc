#include "receipt/receipt_text.h"

#include <type_traits>

#include "receipt/text_columns.h"

namespace loyalty::terminal {
namespace {

std::string CenteredLine(const std::string& text, std::size_t columns) {
  const std::size_t used = ColumnsOf(text);
  return std::string(used < columns ? (columns - used) / 2 : 0, ' ') + text + "\n";
}

}  // namespace

std::string RenderLayoutText(const ReceiptLayout& layout) {
  std::string out;
  for (const auto& block : layout.blocks) {
    std::visit(
        [&](const auto& item) {
          using Block = std::decay_t<decltype(item)>;
          if constexpr (std::is_same_v<Block, TextBlock>) {
            out += item.align == TextBlock::Align::kCenter ? CenteredLine(item.text, layout.columns)
                                                           : item.text + "\n";
          } else if constexpr (std::is_same_v<Block, RuleBlock>) {
            out += std::string(layout.columns, '-') + "\n";
          } else if constexpr (std::is_same_v<Block, QrBlock>) {
            // A coupon token of 300-400 bytes is a QR code of version 13-15: 69-77
            // modules and a quiet zone, beyond 42 columns even drawn with half blocks.
            // The code is what a cashier types instead.
            const std::string note = "[QR code " + item.label + " on the printed receipt]";
            for (const auto& line : WrapToColumns(DecodeUtf8(note), layout.columns)) {
              out += CenteredLine(line, layout.columns);
            }
          }
          // CutBlock: the end of the text; nothing to show.
        },
        block);
  }
  return out;
}

std::string RenderReceiptText(const Receipt& receipt) {
  return RenderLayoutText(LayOutReceipt(receipt, kReceiptWidth));
}

}  // namespace loyalty::terminal
