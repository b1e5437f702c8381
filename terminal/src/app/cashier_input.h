// What the cashier types at the screen's prompt, as a till command. Pure; thread-safe.
//
// Barcodes and SKUs are digits, so a line that starts with a letter is an action and
// a line of digits is a scan. Each action has a plain-character form because function
// keys do not always survive a remote session or tmux; the screen's F-keys only fill
// in these prefixes.
//
//   1004906            scan a barcode or SKU              (Enter)
//   3*1004906          scan three of it                   (quantity 1..9999)
//   w755*161354        a weighed item, 755 g              (F2 starts "w")
//   s:AB-12            scan a code that starts with a letter
//   c:2000000000015    key in a loyalty card              (F3 starts "c:")
//   t:<token>          a receipt coupon's QR text         (F4 starts "t:")
//   v:2                void line 2                        (F5 starts "v:")
//   o:C042             cashier C042 signs on (between sales; F6 starts "o:")
//   x                  cancel the sale (the screen asks y/n first; F8)
//   f, or Enter alone  finish the sale                    (F10)
//   q                  quit (the screen asks y/n first; Ctrl-Q)
//   ?                  show the keys
// The ':' after a prefix letter is optional ("c2000000000015"); spaces around the
// line and after the prefix are ignored.
#pragma once

#include <string>
#include <string_view>
#include <variant>

#include "app/till.h"

namespace loyalty::terminal {

struct ShowHelp {};
// What a line asks for: a command for the till, or the key list.
using InputAction = std::variant<Command, ShowHelp>;

// The line as an action, or an error naming what is wrong ("quantity", "line", ...).
// Empty text is FinishCommand: the screen decides whether Enter alone finishes.
Result<InputAction> ParseInputLine(std::string_view text);

// The prompt to show while the cashier types `text`: "Scan", "Card", "Weigh g*code",
// "Coupon", "Void line", "Cashier id", so a prefix typed or filled in by an F-key says
// what comes next.
std::string InputPrompt(std::string_view text);

}  // namespace loyalty::terminal
