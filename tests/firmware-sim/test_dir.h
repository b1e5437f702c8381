// A temporary directory for one test, removed with everything in it afterwards.
// Short paths on purpose: unix socket paths are limited to 107 bytes.
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <string>

namespace loyalty::firmware_sim {

class TestDir {
 public:
  TestDir() {
    std::string pattern = "/tmp/rdr.XXXXXX";
    if (::mkdtemp(pattern.data()) != nullptr) path_ = pattern;
  }
  ~TestDir() {
    std::error_code ignored;
    if (!path_.empty()) std::filesystem::remove_all(path_, ignored);
  }
  TestDir(const TestDir&) = delete;
  TestDir& operator=(const TestDir&) = delete;

  std::string Path(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

}  // namespace loyalty::firmware_sim
