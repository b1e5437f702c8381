// Golden files: expected output kept in tests/testdata/receipts/ and compared byte for
// byte. On a mismatch the test writes what it made to <name>.actual in its working
// directory (under the build tree when run by ctest), says where the first difference
// is, and fails.
//
// To accept a deliberate change of a receipt's look, rewrite the golden files from the
// current output and review them before committing (`xxd` for the .bin files):
//   LOYALTY_UPDATE_GOLDEN=1 ctest --preset release -R Receipt
#pragma once

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "support/source_dir.h"
namespace loyalty::terminal::testing {

inline std::filesystem::path GoldenPath(const std::string& name) {
  return std::filesystem::path(loyalty::testing::SourceDir()) / "tests" / "testdata" /
         "receipts" / name;
}

// Up to 16 bytes of `bytes` from `offset` as hex.
inline std::string HexAt(const std::string& bytes, std::size_t offset) {
  std::string out;
  for (std::size_t i = offset; i < std::min(bytes.size(), offset + 16); ++i) {
    char hex[4];
    std::snprintf(hex, sizeof hex, "%02x ", static_cast<unsigned char>(bytes[i]));
    out += hex;
  }
  return out.empty() ? "(end)" : out;
}

inline void ExpectMatchesGolden(const std::string& actual, const std::string& name) {
  const std::filesystem::path golden = GoldenPath(name);
  if (const char* update = std::getenv("LOYALTY_UPDATE_GOLDEN"); update && *update == '1') {
    std::ofstream(golden, std::ios::binary | std::ios::trunc) << actual;
    std::cerr << "rewrote " << golden << "\n";
    return;
  }
  std::ifstream file(golden, std::ios::binary);
  ASSERT_TRUE(file) << "cannot read golden file " << golden;
  const std::string expected((std::istreambuf_iterator<char>(file)),
                             std::istreambuf_iterator<char>());
  if (actual == expected) return;

  const auto mismatch =
      std::mismatch(expected.begin(), expected.end(), actual.begin(), actual.end());
  const auto offset = static_cast<std::size_t>(mismatch.first - expected.begin());
  const std::size_t line =
      1 + static_cast<std::size_t>(std::count(expected.begin(), mismatch.first, '\n'));
  const std::size_t from = offset - std::min<std::size_t>(offset, 8);
  const std::filesystem::path written = std::filesystem::absolute(name + ".actual");
  std::ofstream(written, std::ios::binary | std::ios::trunc) << actual;
  ADD_FAILURE() << name << " differs from its golden file " << golden << "\n"
                << "  sizes: expected " << expected.size() << " bytes, actual " << actual.size()
                << "\n  first difference at byte " << offset << " (line " << line << ")\n"
                << "  expected from byte " << from << ": " << HexAt(expected, from) << "\n"
                << "  actual   from byte " << from << ": " << HexAt(actual, from) << "\n"
                << "  the actual output is in " << written << "\n"
                << "  if the change is meant: LOYALTY_UPDATE_GOLDEN=1 ctest --preset release -R "
                   "Receipt, then review and commit the golden files";
}

}  // namespace loyalty::terminal::testing
