#include "receipt/receipt_layout.h"

#include <algorithm>
#include <utility>

#include "receipt/text_columns.h"

namespace loyalty::terminal {
namespace {

// With a tax summary, an item's amount is followed by " A", the letter of its tax rate,
// and every other amount by two spaces, so all amounts end in one column.
constexpr std::size_t kTagColumns = 2;
constexpr char kNoTag = ' ';
// Columns of the tax table's first field ("B 8.25%"); the rest share the remaining width.
constexpr std::size_t kTaxLabelColumns = 8;

std::string Spaces(std::size_t count) { return std::string(count, ' '); }

// "0.755" from 755 grams.
std::string Kilograms(std::int64_t grams) {
  std::string fraction = std::to_string(grams % 1000);
  fraction.insert(0, 3 - fraction.size(), '0');
  return std::to_string(grams / 1000) + "." + fraction;
}

// "19%", "5.5%", "8.25%" from basis points.
std::string Percent(std::int64_t rate_bp) {
  std::string text = std::to_string(rate_bp / 100);
  if (const std::int64_t hundredths = rate_bp % 100; hundredths != 0) {
    text += (hundredths < 10 ? ".0" : ".") + std::to_string(hundredths);
    if (text.back() == '0') text.pop_back();
  }
  return text + "%";
}

std::string LocalDate(Timestamp t) { return FormatLocal(t).substr(0, 10); }

class LayoutBuilder {
 public:
  LayoutBuilder(std::size_t columns, bool tag_column) : tag_column_(tag_column) {
    layout_.columns = columns;
  }

  std::size_t columns() const { return layout_.columns; }
  // Columns after the amount column: kTagColumns when amounts carry a tax letter.
  std::size_t tag_columns() const { return tag_column_ ? kTagColumns : 0; }

  // `left` at the left edge, `right` at the right edge; `left` is cut to leave a space.
  void Spread(std::string_view left, std::string_view right, bool emphasis = false) {
    const std::u32string right_text = CleanText(right);
    const std::string right_part = CutToColumns(right_text, columns());
    const std::size_t right_columns = ColumnsOf(right_part);
    const std::size_t room = columns() - right_columns - (right_columns < columns() ? 1 : 0);
    const std::string left_part = CutToColumns(CleanText(left), room);
    Add({left_part + Spaces(columns() - ColumnsOf(left_part) - right_columns) + right_part,
         TextBlock::Align::kLeft, emphasis, emphasis});
  }

  // A money row: `amount`, then its tax letter or nothing, in the amount column.
  void Row(std::string_view left, const std::string& amount, char tag = kNoTag,
           bool emphasis = false) {
    Spread(left, tag_column_ ? amount + ' ' + tag : amount, emphasis);
  }

  // Left-aligned, cut to the width.
  void Left(std::string_view text) {
    Add({CutToColumns(CleanText(text), columns()), TextBlock::Align::kLeft});
  }

  // Centred, wrapped at spaces so nothing is lost.
  void Centered(std::string_view text, bool bold = false) {
    for (auto& line : WrapToColumns(CleanText(text), columns())) {
      Add({std::move(line), TextBlock::Align::kCenter, bold});
    }
  }

  void Rule() { layout_.blocks.emplace_back(RuleBlock{}); }
  void Qr(std::string payload, std::string label) {
    layout_.blocks.emplace_back(QrBlock{std::move(payload), std::move(label)});
  }
  void Cut() { layout_.blocks.emplace_back(CutBlock{}); }

  ReceiptLayout Take() && { return std::move(layout_); }

 private:
  void Add(TextBlock line) { layout_.blocks.emplace_back(std::move(line)); }

  const bool tag_column_;
  ReceiptLayout layout_;
};

class ReceiptLayoutWriter {
 public:
  ReceiptLayoutWriter(const Receipt& receipt, std::size_t columns)
      : receipt_(receipt), out_(columns, /*tag_column=*/!receipt.totals.taxes.empty()) {}

  ReceiptLayout Write() && {
    Header();
    Lines();
    Totals();
    TaxSummary();
    Card();
    NextVisitCoupons();
    out_.Rule();
    out_.Centered("sale " + receipt_.sale_id);
    out_.Cut();
    return std::move(out_).Take();
  }

 private:
  std::string Money(std::int64_t minor) const { return FormatMinor(minor, receipt_.currency); }

  // The letter of a rate in the tax summary: A for the lowest. A line whose rate is not
  // in it (it is void) has none.
  char TagOf(std::int64_t rate_bp) const {
    const auto& taxes = receipt_.totals.taxes;
    for (std::size_t i = 0; i < taxes.size(); ++i) {
      if (taxes[i].rate_bp == rate_bp) return i < 26 ? static_cast<char>('A' + i) : '*';
    }
    return kNoTag;
  }

  void Header() {
    out_.Centered(receipt_.store_name.empty() ? "Store " + receipt_.store_id : receipt_.store_name,
                  /*bold=*/true);
    for (const auto& address_line : receipt_.store_address) out_.Centered(address_line);
    out_.Spread("Store " + receipt_.store_id + " till " + receipt_.terminal_id,
                FormatLocal(receipt_.finished_at));
    if (receipt_.cashier_id) out_.Left("Cashier " + *receipt_.cashier_id);
    out_.Rule();
  }

  void Lines() {
    // A coupon prints under the last line it discounts, so it reads as the reduction of
    // the lines just above it.
    std::vector<std::vector<const AppliedCoupon*>> coupons_after(receipt_.lines.size());
    std::vector<const AppliedCoupon*> unplaced;
    for (const auto& applied : receipt_.applied_coupons) {
      const auto last = std::max_element(applied.lines.begin(), applied.lines.end());
      if (last != applied.lines.end() && *last < receipt_.lines.size()) {
        coupons_after[*last].push_back(&applied);
      } else {
        unplaced.push_back(&applied);
      }
    }
    for (std::size_t i = 0; i < receipt_.lines.size(); ++i) {
      Line(receipt_.lines[i]);
      for (const AppliedCoupon* applied : coupons_after[i]) Coupon(*applied);
    }
    for (const AppliedCoupon* applied : unplaced) Coupon(*applied);
  }

  void Line(const BasketLine& line) {
    const std::string amount = Money(line.AmountMinor());
    const char tag = line.voided ? kNoTag : TagOf(line.tax_rate_bp);
    if (line.weighed()) {
      out_.Left(line.name);
      out_.Row(
          "  " + Kilograms(*line.weight_grams) + " kg @ " + Money(line.unit_price_minor) + "/kg",
          amount, tag);
    } else if (line.quantity == 1) {
      out_.Row(line.name, amount, tag);
    } else {
      out_.Left(line.name);
      out_.Row("  " + std::to_string(line.quantity) + " x " + Money(line.unit_price_minor), amount,
               tag);
    }
    // The line stays, reversed: the shopper sees what the cashier took off.
    if (line.voided) out_.Row("  VOID", "-" + amount);
  }

  void Coupon(const AppliedCoupon& applied) {
    out_.Row("  Coupon: " + applied.coupon.title, "-" + Money(applied.discount_minor));
  }

  void Totals() {
    out_.Rule();
    out_.Row("Subtotal", Money(receipt_.totals.subtotal_minor));
    out_.Row("TOTAL " + receipt_.currency.code(), Money(receipt_.totals.total_minor), kNoTag,
             /*emphasis=*/true);
    if (receipt_.totals.discount_minor > 0) {
      out_.Row("You saved", Money(receipt_.totals.discount_minor));
    }
  }

  // The tax inside the total by rate, as a table when its amounts fit the columns and
  // as one amount a row when they do not (58 mm paper, very large sales).
  void TaxSummary() {
    const auto& taxes = receipt_.totals.taxes;
    if (taxes.empty()) return;
    const std::size_t columns = out_.columns();
    const std::size_t field = (columns - out_.tag_columns() - kTaxLabelColumns) / 3;
    const std::size_t label = columns - out_.tag_columns() - 3 * field;
    bool fits = true;
    for (const auto& tax : taxes) {
      for (const std::int64_t minor : {tax.net_minor, tax.tax_minor, tax.gross_minor}) {
        fits = fits && Money(minor).size() < field;
      }
    }
    const auto padded = [&](const std::string& text) {
      return Spaces(field - std::min(field, text.size())) + text;
    };
    out_.Rule();
    if (fits) {
      out_.Left("Tax rate" + Spaces(label - 8) + padded("Net") + padded("Tax") + padded("Gross"));
    }
    for (std::size_t i = 0; i < taxes.size(); ++i) {
      const TaxLine& tax = taxes[i];
      std::string name = std::string(1, TagOf(tax.rate_bp)) + " " + Percent(tax.rate_bp);
      if (fits) {
        name.resize(std::max(name.size(), label), ' ');
        out_.Left(name + padded(Money(tax.net_minor)) + padded(Money(tax.tax_minor)) +
                  padded(Money(tax.gross_minor)) + Spaces(out_.tag_columns()));
      } else {
        out_.Left("Tax " + name);
        out_.Row("  Net", Money(tax.net_minor));
        out_.Row("  Tax", Money(tax.tax_minor));
        out_.Row("  Gross", Money(tax.gross_minor));
      }
    }
  }

  void Card() {
    if (!receipt_.card) return;
    out_.Rule();
    out_.Spread("Loyalty card", receipt_.card->Masked());
    if (receipt_.customer) {
      out_.Spread("Member since", LocalDate(receipt_.customer->member_since));
    }
  }

  void NextVisitCoupons() {
    if (!receipt_.card) return;
    out_.Rule();
    if (!receipt_.next_visit_coupons) {
      out_.Centered("Your next-visit coupons are on your card");
      return;
    }
    if (receipt_.next_visit_coupons->empty()) {
      out_.Centered("No new coupons today");
      return;
    }
    out_.Centered("YOUR COUPONS FOR NEXT VISIT", /*bold=*/true);
    for (const auto& issued : *receipt_.next_visit_coupons) {
      const std::string code = CouponCode(issued.coupon.id);
      out_.Left(" * " + issued.coupon.title);
      const std::string until = "   valid until " + LocalDate(issued.coupon.expires_at);
      const std::string code_text = "code " + code;
      if (until.size() + 2 + code_text.size() <= out_.columns()) {
        out_.Left(until + "  " + code_text);
      } else {  // 58 mm paper: the code gets its own line rather than being cut
        out_.Left(until);
        out_.Left("   " + code_text);
      }
      out_.Qr(issued.token, code);
    }
  }

  const Receipt& receipt_;
  LayoutBuilder out_;
};

}  // namespace

ReceiptLayout LayOutReceipt(const Receipt& receipt, std::size_t columns) {
  return ReceiptLayoutWriter(receipt, std::max(columns, kMinReceiptColumns)).Write();
}

}  // namespace loyalty::terminal
