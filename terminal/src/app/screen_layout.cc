#include "app/screen_layout.h"

#include <algorithm>

#include "loyalty/domain/segment.h"
#include "receipt/text_columns.h"

namespace loyalty::terminal {
namespace {

// Rows outside the two panels: status, message, input, keys.
constexpr std::size_t kFixedRows = 4;
// Basket columns: "###" number, quantity and amount; the name takes what is left.
constexpr std::size_t kNumberColumns = 3;
constexpr std::size_t kQuantityColumns = 8;
constexpr std::size_t kAmountColumns = 9;
// Basket rows under the lines: a rule and three totals.
constexpr std::size_t kTotalsRows = 4;

constexpr char kKeysWide[] =
    "F2/w weigh  F3/c card  F4/t coupon  F5/v void  F8/x cancel  F10/f finish  ^Q/q quit  "
    "? help";
constexpr char kKeysNarrow[] =
    "F2/w weigh F3/c card F4/t coupon F5/v void F8/x cancel F10/f finish ^Q/q quit ?";

std::string Fit(std::string_view text, std::size_t columns) {
  return CutToColumns(CleanText(text), columns);
}

std::string PadLeft(const std::string& text, std::size_t columns) {
  const std::size_t used = ColumnsOf(text);
  return used >= columns ? text : std::string(columns - used, ' ') + text;
}

std::string PadRight(const std::string& text, std::size_t columns) {
  const std::size_t used = ColumnsOf(text);
  return used >= columns ? text : text + std::string(columns - used, ' ');
}

// "0.755 kg" for a weighed line, the count for the rest.
std::string QuantityText(const BasketLine& line) {
  if (!line.weight_grams) return std::to_string(line.quantity);
  const std::int64_t grams = *line.weight_grams;
  std::string thousandths = std::to_string(grams % 1000);
  thousandths.insert(0, 3 - thousandths.size(), '0');
  return std::to_string(grams / 1000) + "." + thousandths + " kg";
}

class FrameBuilder {
 public:
  FrameBuilder(std::size_t width, std::size_t height) {
    frame_.width = width;
    frame_.height = height;
  }
  // Text at (row, column), cut so it never passes `columns` or the frame's edge.
  void Put(std::size_t row, std::size_t column, std::string_view text, Style style,
           std::size_t columns) {
    if (row >= frame_.height || column >= frame_.width) return;
    columns = std::min(columns, frame_.width - column);
    std::string fitted = Fit(text, columns);
    if (!fitted.empty()) frame_.spans.push_back({row, column, std::move(fitted), style});
  }
  // A whole row in one style, text padded with spaces (the bars).
  void Bar(std::size_t row, std::string_view text, Style style) {
    Put(row, 0, PadRight(Fit(text, frame_.width), frame_.width), style, frame_.width);
  }
  void Cursor(std::size_t row, std::size_t column) {
    frame_.cursor_row = row;
    frame_.cursor_column = std::min(column, frame_.width - 1);
  }
  Frame Take() { return std::move(frame_); }

 private:
  Frame frame_;
};

// A panel's rows as they are built, top to bottom, so a panel can tell whether what it
// adds still fits.
struct PanelRows {
  struct Row {
    std::string text;
    Style style;
  };
  std::vector<Row> rows;
  void Add(std::string text, Style style = Style::kNormal) {
    rows.push_back({std::move(text), style});
  }
  // Wrapped to `width` after an indent; every line of it is kept.
  void AddWrapped(std::string_view text, std::size_t width, std::size_t indent, Style style) {
    const std::size_t room = width > indent ? width - indent : 1;
    for (auto& line : WrapToColumns(CleanText(text), room)) {
      Add(std::string(indent, ' ') + line, style);
    }
  }
};

void LayoutStatus(const ScreenModel& model, FrameBuilder& out) {
  const TillStatus& status = model.status;
  // The cashier comes first: a narrow screen cuts the end of the bar.
  std::string rest = (status.cashier_id ? "| cashier " + *status.cashier_id : "| no cashier") +
                     " | reader " + status.reader_state + " | backlog " +
                     std::to_string(status.backlog) + (status.backlog == 1 ? " sale" : " sales") +
                     " | catalog v" + std::to_string(status.catalog_version) + " (" +
                     std::to_string(status.products) + " products)";
  if (status.printer != "none") rest += " | printer " + status.printer;
  if (!model.till_name.empty()) rest += " | till " + model.till_name;
  const std::string state = status.online ? " ONLINE " : " OFFLINE ";
  out.Bar(0, state + rest, Style::kBar);
  out.Put(0, 0, state, status.online ? Style::kGood : Style::kAlert, state.size());
}

void LayoutBasket(const ScreenModel& model, std::size_t top, std::size_t rows, std::size_t width,
                  FrameBuilder& out) {
  // Four spaces: between the columns, and before the panels' separator.
  const std::size_t name_columns = width - kNumberColumns - kQuantityColumns - kAmountColumns - 4;
  const auto line_text = [&](const std::string& number, const std::string& name,
                             const std::string& quantity, const std::string& amount) {
    return PadLeft(number, kNumberColumns) + " " + PadRight(Fit(name, name_columns), name_columns) +
           " " + PadLeft(quantity, kQuantityColumns) + " " + PadLeft(amount, kAmountColumns);
  };
  out.Put(top, 0, line_text("#", "BASKET", "Qty", "Amount"), Style::kHeading, width);

  const std::size_t line_rows = rows - 1 - kTotalsRows;
  std::size_t first = 0;
  std::size_t row = top + 1;
  if (model.lines.empty()) {
    out.Put(row, 4, "Scan an item to start the sale", Style::kNormal, width - 4);
  } else if (model.lines.size() > line_rows) {
    // The newest lines matter most: the one just scanned is always in view.
    first = model.lines.size() - (line_rows - 1);
    out.Put(row++, 4, "... " + std::to_string(first) + " earlier lines", Style::kVoided, width - 4);
  }
  for (std::size_t i = first; i < model.lines.size(); ++i) {
    const BasketLine& line = model.lines[i];
    const std::string amount =
        line.voided ? "VOID" : FormatMinor(line.AmountMinor(), model.currency);
    out.Put(row++, 0, line_text(std::to_string(i + 1), line.name, QuantityText(line), amount),
            line.voided ? Style::kVoided : Style::kNormal, width);
  }

  const std::size_t totals_top = top + rows - kTotalsRows;
  out.Put(totals_top, 0, std::string(width - 1, '-'), Style::kNormal, width);
  const auto total_row = [&](std::size_t at, const std::string& label, std::int64_t minor,
                             Style style) {
    out.Put(at, 0,
            PadLeft(label, width - kAmountColumns - 2) + " " +
                PadLeft(FormatMinor(minor, model.currency), kAmountColumns),
            style, width);
  };
  total_row(totals_top + 1, "Subtotal", model.totals.subtotal_minor, Style::kNormal);
  total_row(totals_top + 2, "Discount", -model.totals.discount_minor,
            model.totals.discount_minor > 0 ? Style::kGood : Style::kNormal);
  total_row(totals_top + 3,
            "TOTAL (tax incl. " + FormatMinor(model.totals.TaxMinor(), model.currency) + ")",
            model.totals.total_minor, Style::kHeading);
}

PanelRows CustomerRows(const ScreenModel& model, std::size_t width) {
  PanelRows panel;
  panel.Add("CUSTOMER", Style::kHeading);
  if (!model.customer) {
    panel.AddWrapped("No card yet: present it to the reader, or key it in with F3 or c:", width, 0,
                     Style::kNormal);
    return panel;
  }
  const CustomerView& view = *model.customer;
  panel.Add("Card     " + view.masked_card + " (" + view.source + ")");
  if (!view.online) {
    panel.AddWrapped("OFFLINE: coupons checked on signature", width, 0, Style::kAlert);
  } else if (view.customer) {
    const api::CustomerSummary& customer = *view.customer;
    panel.Add("Customer #" + std::to_string(customer.id) + ", " + std::to_string(customer.visits) +
              (customer.visits == 1 ? " visit" : " visits"));
    panel.Add("Spent    " + FormatMinor(customer.total_spend_minor, model.currency) + " since " +
              FormatLocal(customer.member_since).substr(0, 10));
  } else {
    panel.Add("New card: first visit");
  }
  // The nightly run sorts customers into segments: a customer newer than the last run,
  // or a new card, has none yet; offline the till cannot know.
  const char* segment = !view.online ? "unknown offline"
                        : view.customer && view.customer->segment
                            ? domain::SegmentLabel(*view.customer->segment)
                            : "none yet";
  panel.Add(std::string("Segment  ") + segment);
  panel.Add("");
  if (model.coupons.applied.empty() && model.coupons.not_applied.empty()) {
    panel.Add("No coupons");
    return panel;
  }
  if (!model.coupons.applied.empty()) {
    panel.Add("COUPONS APPLIED", Style::kHeading);
    for (const auto& applied : model.coupons.applied) {
      const std::string amount = FormatMinor(-applied.discount_minor, model.currency);
      const std::size_t title_columns = width - ColumnsOf(amount) - 1;
      panel.Add(PadRight(Fit(applied.coupon.title, title_columns), title_columns) + " " + amount,
                Style::kGood);
    }
  }
  if (!model.coupons.not_applied.empty()) {
    panel.Add("NOT APPLIED", Style::kHeading);
    for (const auto& not_applied : model.coupons.not_applied) {
      panel.AddWrapped(not_applied.coupon.title, width, 0, Style::kNormal);
      panel.AddWrapped(not_applied.reason, width, 2, Style::kAlert);
    }
  }
  return panel;
}

void LayoutCustomer(const ScreenModel& model, std::size_t top, std::size_t rows, std::size_t left,
                    std::size_t width, FrameBuilder& out) {
  PanelRows panel = CustomerRows(model, width);
  if (panel.rows.size() > rows) {
    // Cut at the bottom, and say so: a reason is read out whole or not at all.
    panel.rows.resize(rows - 1);
    panel.Add("... more: enlarge the window", Style::kVoided);
  }
  for (std::size_t i = 0; i < panel.rows.size(); ++i) {
    out.Put(top + i, left, panel.rows[i].text, panel.rows[i].style, width);
  }
}

void LayoutOverlay(const Overlay& overlay, std::size_t top, std::size_t rows, std::size_t width,
                   FrameBuilder& out) {
  out.Put(top, 0, overlay.title + "  (any key closes; Up/Down, PgUp/PgDn scroll)", Style::kHeading,
          width);
  std::vector<std::string> lines;
  std::string_view text = overlay.text;
  for (std::size_t start = 0; start <= text.size();) {
    const auto end = std::min(text.find('\n', start), text.size());
    lines.emplace_back(text.substr(start, end - start));
    start = end + 1;
  }
  for (std::size_t i = 0; i + 1 < rows && overlay.scroll + i < lines.size(); ++i) {
    out.Put(top + 1 + i, 2, lines[overlay.scroll + i], Style::kNormal, width - 2);
  }
}

void LayoutInput(const ScreenModel& model, std::size_t row, std::size_t width, FrameBuilder& out) {
  if (model.question) {
    const std::string question = *model.question + " (y/n) ";
    out.Put(row, 0, question, Style::kAlert, width);
    out.Cursor(row, ColumnsOf(Fit(question, width)));
    return;
  }
  const std::string prompt = model.prompt + "> ";
  out.Put(row, 0, prompt, Style::kHeading, width);
  const std::size_t room = width - ColumnsOf(prompt) - 1;
  // A long paste (a coupon code) scrolls: the end, where the typing is, stays in view.
  std::u32string input = CleanText(model.input);
  if (input.size() > room) input.erase(0, input.size() - room);
  out.Put(row, ColumnsOf(prompt), EncodeUtf8(input), Style::kNormal, room);
  out.Cursor(row, ColumnsOf(prompt) + input.size());
}

}  // namespace

std::vector<std::string> Frame::Rows() const {
  std::vector<std::u32string> grid(height, std::u32string(width, U' '));
  for (const Span& span : spans) {
    const std::u32string text = DecodeUtf8(span.text);
    for (std::size_t i = 0; i < text.size() && span.column + i < width; ++i) {
      grid[span.row][span.column + i] = text[i];
    }
  }
  std::vector<std::string> rows;
  rows.reserve(grid.size());
  for (const auto& row : grid) rows.push_back(EncodeUtf8(row));
  return rows;
}

Frame LayoutScreen(const ScreenModel& model, std::size_t width, std::size_t height) {
  FrameBuilder out(width, height);
  if (width < kMinScreenWidth || height < kMinScreenHeight) {
    out.Put(0, 0,
            "Terminal too small: the till needs 80x24, this one is " + std::to_string(width) + "x" +
                std::to_string(height),
            Style::kAlert, width);
    return out.Take();
  }
  LayoutStatus(model, out);
  const std::size_t body_top = 1;
  const std::size_t body_rows = height - kFixedRows;
  if (model.overlay) {
    LayoutOverlay(*model.overlay, body_top, body_rows, width, out);
  } else {
    const std::size_t basket_width = width * 3 / 5;
    LayoutBasket(model, body_top, body_rows, basket_width, out);
    for (std::size_t row = body_top; row < body_top + body_rows; ++row) {
      out.Put(row, basket_width, "|", Style::kNormal, 1);
    }
    const std::size_t customer_left = basket_width + 2;
    LayoutCustomer(model, body_top, body_rows, customer_left, width - customer_left, out);
  }
  out.Put(height - 3, 0, model.message, model.message_is_error ? Style::kAlert : Style::kNormal,
          width);
  LayoutInput(model, height - 2, width, out);
  out.Bar(height - 1, width >= sizeof kKeysWide - 1 ? kKeysWide : kKeysNarrow, Style::kBar);
  return out.Take();
}

std::size_t MaxOverlayScroll(const Overlay& overlay, std::size_t height) {
  if (height < kMinScreenHeight) return 0;
  const std::size_t shown = height - kFixedRows - 1;
  const auto lines =
      static_cast<std::size_t>(std::count(overlay.text.begin(), overlay.text.end(), '\n')) + 1;
  return lines > shown ? lines - shown : 0;
}

}  // namespace loyalty::terminal
