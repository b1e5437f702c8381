// The cashier screen laid out as rows of text, apart from curses so it can be tested:
// what the screen shows (ScreenModel) in, positioned spans with a style out. Pure;
// thread-safe. 80x24 is the smallest layout; a larger terminal gets wider columns and
// more basket lines.
//
//   row 0        status: ONLINE/OFFLINE, reader state, journal backlog, catalog,
//                printer, till
//   rows 1..h-4  basket (left: lines, then totals) | customer (right: card, customer,
//                coupons applied with amounts and not applied with their reasons);
//                or, over both, an overlay (the finished sale's receipt, the key list)
//   row h-3      message: the last error or event
//   row h-2      input: prompt and what the cashier is typing
//   row h-1      the keys
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "app/till.h"

namespace loyalty::terminal {

inline constexpr std::size_t kMinScreenWidth = 80;
inline constexpr std::size_t kMinScreenHeight = 24;

// The card holder as the customer panel shows them.
struct CustomerView {
  std::string masked_card;  // CardNumber::Masked(): never more than the last 4 digits
  std::string source;       // "keyed", "barcode", "magstripe", "nfc"
  bool online = true;       // the server answered the lookup
  std::optional<api::CustomerSummary> customer;  // empty: a new card, or offline
};

// Text shown over the basket and customer panels until the next key.
struct Overlay {
  std::string title;
  std::string text;        // lines separated by '\n'
  std::size_t scroll = 0;  // first line shown
};

struct ScreenModel {
  TillStatus status;
  std::string till_name;  // "S001-T01"
  Currency currency = Currency::Usd();
  std::vector<BasketLine> lines;
  CouponOutcome coupons;
  Totals totals;
  std::optional<CustomerView> customer;
  std::string message;
  bool message_is_error = false;
  std::string prompt = "Scan";
  std::string input;                    // UTF-8
  std::optional<std::string> question;  // "Cancel this sale?": the prompt asks y/n
  std::optional<Overlay> overlay;
};

enum class Style {
  kNormal,
  kHeading,  // panel titles and column heads: bold
  kBar,      // the status and key bars: reverse video
  kAlert,    // OFFLINE, errors, questions: bold, and red where there is colour
  kGood,     // ONLINE, coupons applied: green where there is colour
  kVoided,   // a voided basket line: dim
};

struct Span {
  std::size_t row = 0;
  std::size_t column = 0;
  std::string text;  // UTF-8, one column per code point, clean of control characters
  Style style = Style::kNormal;
};

struct Frame {
  std::size_t width = 0;
  std::size_t height = 0;
  std::vector<Span> spans;  // in drawing order; later spans overwrite earlier ones
  std::size_t cursor_row = 0;
  std::size_t cursor_column = 0;

  // The frame as plain text, one string per row padded to the width, for tests and
  // logs.
  std::vector<std::string> Rows() const;
};

// Lays out `model` on a width x height terminal. Smaller than 80x24, the frame only
// says how large the terminal must be.
Frame LayoutScreen(const ScreenModel& model, std::size_t width, std::size_t height);

// The furthest an overlay can scroll on a terminal `height` rows high: its last line at
// the bottom of the panel (0 when it all fits).
std::size_t MaxOverlayScroll(const Overlay& overlay, std::size_t height);

}  // namespace loyalty::terminal
