#include "api/portal_csv.h"

#include <string_view>

namespace loyalty::server {

std::string CsvField(std::string text) {
  if (!text.empty() && std::string_view("=+-@").find(text.front()) != std::string_view::npos) {
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

bool WantsCsv(const http::Request& request) {
  if (const auto format = request.query.find("format");
      format != request.query.end() && format->second == "csv") {
    return true;
  }
  const auto accept = request.headers.find("accept");
  return accept != request.headers.end() && accept->second.find("text/csv") != std::string::npos;
}

http::Response CsvResponse(std::string csv, const std::string& filename) {
  http::Response response;
  response.content_type = "text/csv; charset=utf-8";
  response.body = std::move(csv);
  response.headers.emplace_back("Content-Disposition", "attachment; filename=\"" + filename + "\"");
  return response;
}

}  // namespace loyalty::server
