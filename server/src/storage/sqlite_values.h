// Multi-row statements for SQLite: the nightly batch writes hundreds of thousands of
// rows, and one statement per row spends most of its time stepping and resetting.
#pragma once

#include <cstddef>
#include <string>

namespace loyalty::server {

// "(?1,?2,?3),(?4,?5,?6)" for `rows` rows of `columns` parameters, numbered in row order
// from ?`first` on: a statement whose own parameters come first (?1, ?2) and are used
// after the list too starts it past them (an unnumbered ? after ?N would be N+1).
inline std::string SqliteValuesList(std::size_t rows, std::size_t columns,
                                    std::size_t first = 1) {
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
