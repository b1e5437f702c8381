// The receipt as plain text, for screens, logs and the demo.
#pragma once

#include <cstddef>
#include <string>

#include "receipt/receipt.h"
#include "receipt/receipt_layout.h"

namespace loyalty::terminal {

// Columns of the plain-text receipt; the ESC/POS one prints the same on 80 mm paper.
inline constexpr std::size_t kReceiptWidth = 42;

// UTF-8 text, one "\n"-terminated line per layout line, none longer than
// layout.columns code points. A QR code shows as its coupon code and a note.
std::string RenderLayoutText(const ReceiptLayout& layout);

// RenderLayoutText(LayOutReceipt(receipt, kReceiptWidth)).
std::string RenderReceiptText(const Receipt& receipt);

}  // namespace loyalty::terminal
