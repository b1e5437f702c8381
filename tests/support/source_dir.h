// The source tree, for tests that read files kept in it (fixtures, examples, the
// Complete Journey slice). ctest passes it in LOYALTY_SOURCE_DIR (tests/CMakeLists.txt).
#pragma once

#include <cstdlib>
#include <stdexcept>
#include <string>

namespace loyalty::testing {

// A binary run by hand without the variable would otherwise read paths relative to
// wherever it was started, and fail far from the cause; gtest reports the exception's
// message as the test's failure. Targets compiled with LOYALTY_SOURCE_TREE (the
// integration tests) fall back to it.
inline std::string SourceDir() {
  const char* dir = std::getenv("LOYALTY_SOURCE_DIR");
  if (dir != nullptr && *dir != '\0') return dir;
#ifdef LOYALTY_SOURCE_TREE
  return LOYALTY_SOURCE_TREE;
#else
  throw std::runtime_error(
      "LOYALTY_SOURCE_DIR is not set: it must name the source tree (ctest sets it)");
#endif
}

}  // namespace loyalty::testing
