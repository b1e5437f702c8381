// CSV answers of the portal's list routes: asked for with ?format=csv or an Accept header
// naming text/csv; fields escaped for spreadsheets.
#pragma once

#include <string>

#include "http/router.h"

namespace loyalty::server {

// True for ?format=csv or an Accept header that names text/csv.
bool WantsCsv(const http::Request& request);

// RFC 4180: a field with a comma, quote or line break is quoted, its quotes doubled. A
// leading =, +, - or @ is prefixed with ' so a spreadsheet does not run it as a formula.
std::string CsvField(std::string text);

// `csv` (lines ending \r\n, the first the header) as a download named `filename`.
http::Response CsvResponse(std::string csv, const std::string& filename);

}  // namespace loyalty::server
