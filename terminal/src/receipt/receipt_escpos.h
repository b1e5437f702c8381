// The receipt as ESC/POS bytes for an Epson-compatible thermal receipt printer:
// ESC @ init, code page PC858 (ESC t), print area (GS L, GS W), alignment (ESC a), bold
// (ESC E), double height (GS !), QR codes as raster images (GS v 0), and a partial cut
// (GS V). Text is Font A, 12 dots a character, at 203 dpi.
#pragma once

#include <cstddef>
#include <string>

#include "receipt/receipt.h"
#include "receipt/receipt_layout.h"

namespace loyalty::terminal {

enum class PaperWidth {
  // 576 dots across. The receipt prints 42 Font A columns (504 dots) centred on it,
  // the same 42 columns as the plain text, so both break lines in the same places.
  k80mm,
  // 384 dots across: 32 columns, each edge to edge.
  k58mm,
};

struct EscPosOptions {
  PaperWidth paper = PaperWidth::k80mm;
  // Dots on a side of one QR module. 4 is 0.5 mm at 203 dpi, which phone cameras and
  // scanners read off thermal paper easily; lowered for a code that would not fit the
  // print area at that size. 1..8.
  std::size_t qr_dots_per_module = 4;
};

// Columns of the layout to print on `paper`: 42 on 80 mm, 32 on 58 mm.
std::size_t EscPosColumns(PaperWidth paper);

// The printer's bytes for `layout`, whose columns should be EscPosColumns(options.paper):
// a wider layout would wrap on paper. Text goes through ToPc858 (receipt/pc858.h), so no
// byte of UTF-8 or a control character from a product name reaches the printer. A QR
// code libqrencode cannot make prints as its coupon code instead, since the sale is
// done and its receipt must print.
std::string RenderLayoutEscPos(const ReceiptLayout& layout, const EscPosOptions& options = {});

// RenderLayoutEscPos(LayOutReceipt(receipt, EscPosColumns(options.paper)), options).
std::string RenderReceiptEscPos(const Receipt& receipt, const EscPosOptions& options = {});

}  // namespace loyalty::terminal
