#include "app/cashier_input.h"

#include <cctype>

#include "loyalty/core/number.h"
#include "loyalty/crypto/coupon_token.h"
#include "loyalty/domain/catalog.h"
#include "loyalty/domain/purchase.h"

namespace loyalty::terminal {
namespace {

constexpr std::size_t kMaxCardLength = 32;

std::string_view Trim(std::string_view text) {
  const auto first = text.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  const auto last = text.find_last_not_of(" \t");
  return text.substr(first, last - first + 1);
}

// The text after a one-letter prefix and its optional ':'.
std::string_view AfterPrefix(std::string_view text) {
  text.remove_prefix(1);
  if (!text.empty() && text.front() == ':') text.remove_prefix(1);
  return Trim(text);
}

Result<std::int64_t> Whole(std::string_view text, const std::string& field, std::int64_t min,
                           std::int64_t max, const std::string& what) {
  const auto value = ParseWholeNumber(text, max);
  if (!value || *value < min) {
    return InvalidArgument(field, what + " must be a whole number from " + std::to_string(min) +
                                      " to " + std::to_string(max) + ", not '" + std::string(text) +
                                      "'");
  }
  return *value;
}

Result<std::string> Code(std::string_view text) {
  if (text.empty()) return InvalidArgument("code", "type a barcode or SKU to scan");
  if (text.size() > domain::kMaxSkuLength) {
    return InvalidArgument("code", "a barcode or SKU has at most " +
                                       std::to_string(domain::kMaxSkuLength) + " characters");
  }
  for (const char c : text) {
    if (std::isspace(static_cast<unsigned char>(c))) {
      return InvalidArgument("code", "a barcode or SKU has no spaces");
    }
  }
  return std::string(text);
}

// "1004906", "3*1004906": a quantity of a code sold each.
Result<InputAction> Scan(std::string_view text) {
  ScanCommand scan;
  if (const auto star = text.find('*'); star != std::string_view::npos) {
    auto quantity = Whole(Trim(text.substr(0, star)), "quantity", 1, domain::kMaxLineQuantity,
                          "the quantity before '*'");
    if (!quantity.ok()) return quantity.error();
    scan.quantity = *quantity;
    text = Trim(text.substr(star + 1));
  }
  auto code = Code(text);
  if (!code.ok()) return code.error();
  scan.code = std::move(code).value();
  return InputAction{Command{std::move(scan)}};
}

// "755*161354": grams, then the code.
Result<InputAction> Weigh(std::string_view text) {
  const auto star = text.find('*');
  if (star == std::string_view::npos) {
    return InvalidArgument("weight_grams", "weigh as w<grams>*<code>, e.g. w755*161354");
  }
  auto grams = Whole(Trim(text.substr(0, star)), "weight_grams", 1, domain::kMaxLineWeightGrams,
                     "the weight in grams");
  if (!grams.ok()) return grams.error();
  auto code = Code(Trim(text.substr(star + 1)));
  if (!code.ok()) return code.error();
  return InputAction{Command{ScanCommand{std::move(code).value(), 1, *grams}}};
}

// A prefix that takes no argument: "x", "f", "q".
Result<InputAction> Bare(std::string_view rest, char prefix, Command command) {
  if (!rest.empty()) {
    return InvalidArgument("input", std::string("'") + prefix + "' takes nothing after it");
  }
  return InputAction{std::move(command)};
}

}  // namespace

Result<InputAction> ParseInputLine(std::string_view text) {
  text = Trim(text);
  // An empty line never finishes a sale: a scanner that ends its codes with CR LF, or a
  // second Enter, would otherwise split one shopper's basket into two sales.
  if (text.empty()) return InvalidArgument("input", "nothing typed; F10 or f finishes the sale");
  if (text == "?") return InputAction{ShowHelp{}};
  const char prefix = static_cast<char>(std::tolower(static_cast<unsigned char>(text.front())));
  if (std::isdigit(static_cast<unsigned char>(prefix))) return Scan(text);
  const std::string_view rest = AfterPrefix(text);
  switch (prefix) {
    case 's':
      return Scan(rest);
    case 'w':
      return Weigh(rest);
    case 'c':
      if (rest.empty()) return InvalidArgument("card", "type the card number after c:");
      if (rest.size() > kMaxCardLength) {
        return InvalidArgument(
            "card", "a card number has at most " + std::to_string(kMaxCardLength) + " digits");
      }
      return InputAction{Command{CardCommand{std::string(rest)}}};
    case 't':
      if (rest.empty()) return InvalidArgument("coupon", "paste the coupon's code after t:");
      if (rest.size() > crypto::kMaxCouponTokenLength) {
        return InvalidArgument("coupon", "too long for a coupon code");
      }
      return InputAction{Command{CouponCommand{std::string(rest)}}};
    case 'v': {
      auto line = Whole(rest, "line", 1, static_cast<std::int64_t>(domain::kMaxPurchaseLines),
                        "the line to void");
      if (!line.ok()) return line.error();
      return InputAction{Command{VoidCommand{static_cast<std::size_t>(*line)}}};
    }
    case 'o': {
      auto id = domain::ParseCashierId(rest, "cashier_id");
      if (!id.ok()) return id.error();
      return InputAction{Command{SignOnCommand{std::move(id).value()}}};
    }
    case 'x':
      return Bare(rest, prefix, CancelCommand{});
    case 'f':
      return Bare(rest, prefix, FinishCommand{});
    case 'q':
      return Bare(rest, prefix, QuitCommand{});
    default:
      return InvalidArgument("input",
                             "'" + std::string(1, text.front()) +
                                 "' is not a key: scan digits, or s: c: t: v: w o: x f q ?");
  }
}

std::string InputPrompt(std::string_view text) {
  text = Trim(text);
  if (text.empty()) return "Scan";
  switch (std::tolower(static_cast<unsigned char>(text.front()))) {
    case 'w':
      return "Weigh g*code";
    case 'c':
      return "Card";
    case 't':
      return "Coupon";
    case 'v':
      return "Void line";
    case 'o':
      return "Cashier id";
    default:
      return "Scan";
  }
}

}  // namespace loyalty::terminal
