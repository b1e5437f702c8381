#include "receipt/receipt_escpos.h"

#include <algorithm>
#include <type_traits>

#include "receipt/pc858.h"
#include "receipt/qr_raster.h"
#include "receipt/text_columns.h"

namespace loyalty::terminal {
namespace {

constexpr char kEsc = 0x1B;
constexpr char kGs = 0x1D;
constexpr char kLf = 0x0A;
constexpr std::size_t kDotsPerColumn = 12;  // Font A

std::size_t PaperDots(PaperWidth paper) { return paper == PaperWidth::k80mm ? 576 : 384; }

class EscPosWriter {
 public:
  EscPosWriter(std::size_t columns, const EscPosOptions& options)
      : options_(options),
        area_dots_(std::min(columns * kDotsPerColumn, PaperDots(options.paper))) {
    Command({kEsc, '@'});
    Command({kEsc, 't', static_cast<char>(kPc858Page)});
    // A print area exactly as wide as the layout's columns, centred on the paper, so a
    // line padded to the full width ends at the area's right edge and ESC a centres
    // within what the plain text centres within.
    Command({kGs, 'L'});
    Number16((PaperDots(options.paper) - area_dots_) / 2);
    Command({kGs, 'W'});
    Number16(area_dots_);
  }

  void Text(const TextBlock& line) {
    SetAlign(line.align == TextBlock::Align::kCenter ? 1 : 0);
    SetBold(line.bold);
    SetDoubleHeight(line.double_height);
    out_ += ToPc858(DecodeUtf8(line.text));
    out_ += kLf;
  }

  void Qr(const QrBlock& qr) {
    const auto matrix = EncodeQr(qr.payload);
    if (!matrix.ok()) {
      Text({"code " + qr.label, TextBlock::Align::kCenter});
      return;
    }
    const std::size_t modules = matrix->size + 2 * kQrQuietZoneModules;
    const std::size_t dots =
        std::clamp<std::size_t>(std::min(options_.qr_dots_per_module, area_dots_ / modules), 1, 8);
    const RasterImage image = RasterizeQr(*matrix, dots);
    SetAlign(1);
    // GS v 0 m xL xH yL yH d...: m = 0 is normal size, x the width in bytes, y in dots.
    Command({kGs, 'v', '0', 0});
    Number16(image.WidthBytes());
    Number16(image.height_dots);
    out_.append(image.rows.begin(), image.rows.end());
  }

  void Cut() {
    // GS V 66 n feeds the paper until the last line printed is past the cutter (which
    // sits above the print head), then cuts leaving a hinge: the shopper tears it off.
    Command({kGs, 'V', 66, 0});
  }

  std::string Take() && { return std::move(out_); }

 private:
  void Command(std::initializer_list<char> bytes) { out_.append(bytes); }
  void Number16(std::size_t value) {
    out_ += static_cast<char>(value & 0xFF);
    out_ += static_cast<char>((value >> 8) & 0xFF);
  }
  // Each setting is sent only when it changes: ESC @ starts left, regular, single size.
  void SetAlign(int align) {
    if (align == align_) return;
    align_ = align;
    Command({kEsc, 'a', static_cast<char>(align)});
  }
  void SetBold(bool bold) {
    if (bold == bold_) return;
    bold_ = bold;
    Command({kEsc, 'E', static_cast<char>(bold ? 1 : 0)});
  }
  void SetDoubleHeight(bool double_height) {
    if (double_height == double_height_) return;
    double_height_ = double_height;
    Command({kGs, '!', static_cast<char>(double_height ? 0x01 : 0x00)});
  }

  const EscPosOptions& options_;
  const std::size_t area_dots_;
  std::string out_;
  int align_ = 0;
  bool bold_ = false;
  bool double_height_ = false;
};

}  // namespace

std::size_t EscPosColumns(PaperWidth paper) { return paper == PaperWidth::k80mm ? 42 : 32; }

std::string RenderLayoutEscPos(const ReceiptLayout& layout, const EscPosOptions& options) {
  EscPosWriter writer(layout.columns, options);
  for (const auto& block : layout.blocks) {
    std::visit(
        [&](const auto& item) {
          using Block = std::decay_t<decltype(item)>;
          if constexpr (std::is_same_v<Block, TextBlock>) {
            writer.Text(item);
          } else if constexpr (std::is_same_v<Block, RuleBlock>) {
            writer.Text({std::string(layout.columns, '-')});
          } else if constexpr (std::is_same_v<Block, QrBlock>) {
            writer.Qr(item);
          } else {
            writer.Cut();
          }
        },
        block);
  }
  return std::move(writer).Take();
}

std::string RenderReceiptEscPos(const Receipt& receipt, const EscPosOptions& options) {
  return RenderLayoutEscPos(LayOutReceipt(receipt, EscPosColumns(options.paper)), options);
}

}  // namespace loyalty::terminal
