#include "api/portal_query.h"

#include <cstdint>

#include "loyalty/core/number.h"

namespace loyalty::server {

std::optional<std::string> Query(const http::Request& request, const char* name) {
  const auto it = request.query.find(name);
  if (it == request.query.end() || it->second.empty()) return std::nullopt;
  return it->second;
}

Result<std::size_t> PageSize(const http::Request& request, std::size_t fallback,
                             std::size_t max) {
  const auto text = Query(request, "limit");
  if (!text) return fallback;
  const auto parsed = ParseWholeNumber(*text, static_cast<std::int64_t>(max));
  if (!parsed || *parsed < 1) {
    return InvalidArgument("limit", "must be a whole number from 1 to " + std::to_string(max));
  }
  return static_cast<std::size_t>(*parsed);
}

Result<std::optional<std::int64_t>> OptionalNumber(const http::Request& request,
                                                   const char* name) {
  const auto text = Query(request, name);
  if (!text) return std::optional<std::int64_t>();
  const auto parsed = ParseWholeNumber(*text, INT64_MAX);
  if (!parsed) return InvalidArgument(name, "must be a whole number");
  return std::optional<std::int64_t>(*parsed);
}

Result<std::optional<Timestamp>> OptionalTime(const http::Request& request, const char* name) {
  const auto text = Query(request, name);
  if (!text) return std::optional<Timestamp>();
  auto parsed = ParseIso8601(*text, name);
  if (!parsed.ok()) return parsed.error();
  return std::optional<Timestamp>(*parsed);
}

Result<std::int64_t> PathId(const http::Request& request, const char* name) {
  const auto parsed = ParseWholeNumber(request.params.at(name), INT64_MAX);
  if (!parsed) return InvalidArgument(name, "must be a whole number");
  return *parsed;
}

}  // namespace loyalty::server
