// CSV answers of the portal's list routes: `format=csv` or an Accept of text/csv.
#pragma once

#include <string>

#include "http/router.h"

namespace loyalty::server {

// RFC 4180: a field with a comma, quote or line break is quoted, its quotes doubled. A
// leading =, +, - or @ is prefixed with ' so a spreadsheet does not run it as a formula.
std::string CsvField(std::string text);

// True when the request asks for CSV: `format=csv`, or an Accept header naming text/csv.
bool WantsCsv(const http::Request& request);

// A text/csv download of `csv` (a header row, then CRLF-ended records) as `filename`.
http::Response CsvResponse(std::string csv, const std::string& filename);

}  // namespace loyalty::server
