// Multi-row statements for SQLite: the nightly batch writes hundreds of thousands of
// rows, and one statement per row spends most of its time stepping and resetting.
#pragma once

#include <cstddef>
#include <string>

namespace loyalty::server {

// "(?,?,?),(?,?,?)" for `rows` rows of `columns` parameters, numbered in row order.
inline std::string SqliteValuesList(std::size_t rows, std::size_t columns) {
  std::string row = "(";
  for (std::size_t c = 0; c < columns; ++c) row += c == 0 ? "?" : ",?";
  row += ")";
  std::string list;
  list.reserve(rows * (row.size() + 1));
  for (std::size_t r = 0; r < rows; ++r) {
    if (r > 0) list += ',';
    list += row;
  }
  return list;
}

// The same list numbered from ?`first` on ("(?3,?4),(?5,?6)"), for a statement whose
// parameters before `first` are used after the list too: an unnumbered ? after ?N is N+1.
inline std::string SqliteNumberedValuesList(std::size_t rows, std::size_t columns,
                                            std::size_t first) {
  std::string list;
  list.reserve(rows * columns * 8);
  std::size_t number = first;
  for (std::size_t r = 0; r < rows; ++r) {
    list += r > 0 ? ",(" : "(";
    for (std::size_t c = 0; c < columns; ++c) {
      if (c > 0) list += ',';
      list += '?';
      list += std::to_string(number++);
    }
    list += ')';
  }
  return list;
}

}  // namespace loyalty::server
