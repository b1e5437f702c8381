// Reading a portal request's query string and path: every field's error names it, so
// the page can show it next to the right control.
#pragma once

#include <optional>
#include <string>

#include "http/router.h"
#include "loyalty/core/result.h"
#include "loyalty/core/time.h"

namespace loyalty::server {

// The parameter's value; nullopt when absent or empty.
std::optional<std::string> Query(const http::Request& request, const char* name);

// `limit`: 1..max, `fallback` when absent.
Result<std::size_t> PageSize(const http::Request& request, std::size_t fallback, std::size_t max);

// A whole number (0 or more), absent or not.
Result<std::optional<std::int64_t>> OptionalNumber(const http::Request& request, const char* name);

// An ISO 8601 time with its zone, absent or not.
Result<std::optional<Timestamp>> OptionalTime(const http::Request& request, const char* name);

// A whole-number path parameter, e.g. {customer_id}.
Result<std::int64_t> PathId(const http::Request& request, const char* name);

}  // namespace loyalty::server
