#include "api/portal_csv.h"

#include <string_view>

#include "loyalty/core/money.h"

namespace loyalty::server {

bool WantsCsv(const http::Request& request) {
  if (const auto format = request.query.find("format");
      format != request.query.end() && format->second == "csv") {
    return true;
  }
  const auto accept = request.headers.find("accept");
  return accept != request.headers.end() && accept->second.find("text/csv") != std::string::npos;
}

std::string CsvField(std::string text) {
  if (!text.empty() && std::string_view("=+-@\t\r").find(text.front()) != std::string_view::npos) {
    text.insert(text.begin(), '\'');
  }
  if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
  std::string quoted = "\"";
  for (char c : text) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  return quoted + "\"";
}

std::string CsvLine(const std::vector<std::string>& fields) {
  std::string line;
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) line += ',';
    line += CsvField(fields[i]);
  }
  return line + "\r\n";
}

std::string CsvMoney(std::int64_t minor, const std::string& currency) {
  // An unknown code (none is stored) would still be read as the common two digits.
  auto known = Currency::FromCode(currency);
  return FormatMinor(minor, known.ok() ? *known : Currency::Usd());
}

http::Response CsvResponse(std::string body, const std::string& filename) {
  http::Response response;
  response.content_type = "text/csv; charset=utf-8";
  response.body = std::move(body);
  response.headers.emplace_back("Content-Disposition", "attachment; filename=\"" + filename + "\"");
  return response;
}

}  // namespace loyalty::server
