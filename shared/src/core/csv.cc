#include "loyalty/core/csv.h"

namespace loyalty {

CsvReader::CsvReader(std::istream& input) : input_(input) {
  auto header = ReadRecord();
  if (!header) {
    status_ = InvalidArgument("csv", "empty file: expected a header row");
    return;
  }
  if (!header->ok()) {
    status_ = header->error();
    return;
  }
  header_ = std::move(header->value());
  // A UTF-8 byte order mark, as spreadsheet programs write, is not part of the name.
  if (!header_.empty() && header_[0].starts_with("\xEF\xBB\xBF")) header_[0].erase(0, 3);
  for (std::size_t i = 0; i < header_.size(); ++i) columns_.emplace(header_[i], i);
}

std::optional<std::size_t> CsvReader::Column(std::string_view name) const {
  const auto it = columns_.find(std::string(name));
  if (it == columns_.end()) return std::nullopt;
  return it->second;
}

std::optional<Result<std::vector<std::string>>> CsvReader::Next() {
  if (!status_.ok()) return std::nullopt;
  return ReadRecord();
}

std::optional<Result<std::vector<std::string>>> CsvReader::ReadRecord() {
  std::vector<std::string> fields;
  std::string field;
  bool in_quotes = false;
  bool after_quote = false;  // the field's closing quote was seen
  bool any = false;
  record_line_ = next_line_;
  // A bad record is skipped to its line end, so the next call reads the next record.
  const auto error = [&](const std::string& why) {
    for (int rest = input_.get(); rest != std::char_traits<char>::eof(); rest = input_.get()) {
      if (rest == '\n') {
        ++next_line_;
        break;
      }
    }
    return InvalidArgument("line " + std::to_string(record_line_), why);
  };
  for (int next = input_.get(); next != std::char_traits<char>::eof(); next = input_.get()) {
    const char c = static_cast<char>(next);
    any = true;
    if (in_quotes) {
      if (c == '"') {
        if (input_.peek() == '"') {
          input_.get();
          field += '"';
        } else {
          in_quotes = false;
          after_quote = true;
        }
      } else {
        if (c == '\n') ++next_line_;
        field += c;
      }
      continue;
    }
    if (c == ',') {
      fields.push_back(std::move(field));
      field.clear();
      after_quote = false;
    } else if (c == '\n' || c == '\r') {
      if (c == '\r' && input_.peek() == '\n') input_.get();
      ++next_line_;
      fields.push_back(std::move(field));
      return fields;
    } else if (c == '"') {
      if (!field.empty() || after_quote) return error("quote in the middle of a field");
      in_quotes = true;
    } else {
      if (after_quote) return error("text after a closing quote");
      field += c;
    }
  }
  if (in_quotes) return error("quoted field is never closed");
  if (!any) return std::nullopt;
  fields.push_back(std::move(field));
  return fields;
}

}  // namespace loyalty
