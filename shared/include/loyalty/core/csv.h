// RFC 4180 CSV reading: comma separated, fields optionally in double quotes with ""
// for a quote inside, CRLF or LF line ends, a header row naming the columns.
#pragma once

#include <istream>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "loyalty/core/result.h"

namespace loyalty {

class CsvReader {
 public:
  // Reads the header row at once; header() is empty and status() holds the error when
  // the stream has none.
  explicit CsvReader(std::istream& input);

  // The next record's fields, or nullopt at the end of input. A malformed record (an
  // unterminated quote, text after a closing quote) yields an Error naming its line.
  std::optional<Result<std::vector<std::string>>> Next();

  const std::vector<std::string>& header() const { return header_; }
  // Index of a header column by name, if present.
  std::optional<std::size_t> Column(std::string_view name) const;
  // Line number (1-based) where the record last returned by Next() started.
  std::size_t line() const { return record_line_; }
  Status status() const { return status_; }

 private:
  std::optional<Result<std::vector<std::string>>> ReadRecord();

  std::istream& input_;
  std::vector<std::string> header_;
  std::unordered_map<std::string, std::size_t> columns_;
  std::size_t next_line_ = 1;
  std::size_t record_line_ = 0;
  Status status_;
};

}  // namespace loyalty
