#include "storage/customer_features_rows.h"

#include <charconv>
#include <cmath>

#include <nlohmann/json.hpp>

namespace loyalty::server {

namespace {

void AppendJsonString(std::string& out, std::string_view text) {
  out.push_back('"');
  for (const char c : text) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          constexpr char kHex[] = "0123456789abcdef";
          out += "\\u00";
          out.push_back(kHex[(c >> 4) & 0xf]);
          out.push_back(kHex[c & 0xf]);
        } else {
          out.push_back(c);
        }
    }
  }
  out.push_back('"');
}

}  // namespace

// Written by hand, not through nlohmann::json: building a JSON value a category was a
// fifth of the nightly features step (docs/benchmarks.md). The text is the one
// nlohmann's dump gives: keys in its (sorted) order, the shortest double that reads back
// the same, an integral one with ".0", a non-finite one as null.
std::string TopCategoriesJson(const std::vector<CategoryAffinity>& categories) {
  std::string out;
  out.reserve(2 + categories.size() * 64);
  out.push_back('[');
  char number[32];
  for (std::size_t i = 0; i < categories.size(); ++i) {
    const CategoryAffinity& category = categories[i];
    if (i > 0) out.push_back(',');
    out += "{\"baskets\":";
    out.append(number, std::to_chars(number, number + sizeof number, category.baskets).ptr);
    out += ",\"category\":";
    AppendJsonString(out, category.category);
    out += ",\"lift\":";
    if (!std::isfinite(category.lift)) {
      out += "null";
    } else {
      const char* end = std::to_chars(number, number + sizeof number, category.lift).ptr;
      const std::string_view lift(number, static_cast<std::size_t>(end - number));
      out += lift;
      if (lift.find_first_of(".e") == std::string_view::npos) out += ".0";
    }
    out.push_back('}');
  }
  out.push_back(']');
  return out;
}

std::vector<CategoryAffinity> TopCategoriesFromJson(std::string_view text) {
  std::vector<CategoryAffinity> categories;
  const auto items = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!items.is_array()) return categories;
  for (const auto& item : items) {
    if (!item.is_object() || !item.value("category", nlohmann::json()).is_string() ||
        !item.value("lift", nlohmann::json()).is_number() ||
        !item.value("baskets", nlohmann::json()).is_number_integer()) {
      return {};
    }
    categories.push_back({item["category"].get<std::string>(), item["lift"].get<double>(),
                          item["baskets"].get<std::int64_t>()});
  }
  return categories;
}

}  // namespace loyalty::server
