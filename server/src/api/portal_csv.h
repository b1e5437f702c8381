// CSV downloads of the portal's tables: every list route answers CSV when asked with
// `format=csv` or `Accept: text/csv`, with the same filters as its JSON.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "http/router.h"

namespace loyalty::server {

// True when the request asks for CSV (`format=csv`, or text/csv in Accept).
bool WantsCsv(const http::Request& request);

// RFC 4180: a field with a comma, quote or line break is quoted, its quotes doubled. A
// leading =, +, -, @, tab or carriage return is prefixed with ' so a spreadsheet does not
// run it as a formula.
std::string CsvField(std::string text);

// One line: the fields escaped, joined by commas, ended by CRLF.
std::string CsvLine(const std::vector<std::string>& fields);

// An amount in a CSV, the same rule in every file the portal offers: a plain decimal in
// the currency's major units ("12.57", "-0.05"; no symbol, no thousands separator) that a
// spreadsheet reads as a number, the file naming the currency in a `currency` column.
// Written as is, never through CsvField: a negative amount is a number, not a formula.
std::string CsvMoney(std::int64_t minor, const std::string& currency);

// A text/csv attachment named `filename` (e.g. "customers.csv").
http::Response CsvResponse(std::string body, const std::string& filename);

}  // namespace loyalty::server
