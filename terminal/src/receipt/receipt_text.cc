#include "receipt/receipt_text.h"

#include <sstream>

namespace loyalty::terminal {
namespace {

// Left text and right-aligned amount on one line; long text is cut to leave the amount room.
std::string Row(std::string left, const std::string& right) {
  const std::size_t room = kReceiptWidth - right.size() - 1;
  if (left.size() > room) left.resize(room);
  return left + std::string(kReceiptWidth - left.size() - right.size(), ' ') + right + "\n";
}

std::string Centered(const std::string& text) {
  if (text.size() >= kReceiptWidth) return text.substr(0, kReceiptWidth) + "\n";
  return std::string((kReceiptWidth - text.size()) / 2, ' ') + text + "\n";
}

std::string Rule() { return std::string(kReceiptWidth, '-') + "\n"; }

std::string LocalDate(Timestamp t) { return FormatLocal(t).substr(0, 10); }

}  // namespace

std::string RenderReceiptText(const Receipt& receipt) {
  const auto money = [&](std::int64_t minor) { return FormatMinor(minor, receipt.currency); };
  std::ostringstream out;
  out << Centered("LOYALTY POS - STORE " + receipt.store_id);
  out << Centered(FormatLocal(receipt.finished_at) + "  terminal " + receipt.terminal_id);
  out << Rule();
  for (const auto& line : receipt.lines) {
    if (line.voided) continue;
    if (line.quantity == 1) {
      out << Row(line.name, money(line.AmountMinor()));
    } else {
      out << Row(line.name, "");
      out << Row("  " + std::to_string(line.quantity) + " x " + money(line.unit_price_minor),
                 money(line.AmountMinor()));
    }
  }
  out << Rule();
  out << Row("Subtotal", money(receipt.totals.subtotal_minor));
  for (const auto& applied : receipt.applied_coupons) {
    out << Row("Coupon: " + applied.coupon.title, "-" + money(applied.discount_minor));
  }
  out << Row("TOTAL " + receipt.currency.code(), money(receipt.totals.total_minor));
  if (receipt.totals.discount_minor > 0) {
    out << Row("You saved", money(receipt.totals.discount_minor));
  }
  if (receipt.card) {
    out << Rule();
    out << Row("Loyalty card", receipt.card->Masked());
    if (receipt.customer) {
      out << Row("Member since", LocalDate(receipt.customer->member_since));
    }
  }
  if (receipt.card && receipt.next_visit_coupons) {
    out << Rule();
    if (receipt.next_visit_coupons->empty()) {
      out << Centered("No new coupons today");
    } else {
      out << Centered("YOUR COUPONS FOR NEXT VISIT");
      for (const auto& issued : *receipt.next_visit_coupons) {
        out << " * " << issued.coupon.title.substr(0, kReceiptWidth - 3) << "\n";
        out << "   valid until " << LocalDate(issued.coupon.expires_at) << "  code "
            << CouponCode(issued.coupon.id) << "\n";
      }
    }
  } else if (receipt.card) {
    out << Rule();
    out << Centered("Your next-visit coupons are on your card");
  }
  out << Rule();
  out << Centered("sale " + receipt.sale_id);
  return out.str();
}

}  // namespace loyalty::terminal
