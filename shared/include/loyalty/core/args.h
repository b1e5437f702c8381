// Command-line options: "--name value", "--name=value" and boolean "--flag", checked
// against the options a program declares, so a typo is an error instead of ignored.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "loyalty/core/result.h"

namespace loyalty {

class Args {
 public:
  // `value_options` take a value; `flags` do not. Names without the leading dashes.
  static Result<Args> Parse(const std::vector<std::string>& arguments,
                            const std::set<std::string>& value_options,
                            const std::set<std::string>& flags);

  // Reads a JSON object of option names to values (strings, numbers or booleans) that
  // sit under the command line and the environment: {"server": "https://...",
  // "timeout-ms": 2000}. Keys must be among `allowed`; errors name the file and key.
  Status LoadConfigFile(const std::string& path, const std::set<std::string>& allowed);

  std::optional<std::string> Value(const std::string& name) const;
  // The option's value, else the environment variable's, else the config file's, else
  // `fallback`.
  std::string ValueOr(const std::string& name, const char* environment_variable,
                      const std::string& fallback) const;
  bool Flag(const std::string& name) const { return flags_.contains(name); }
  const std::vector<std::string>& positional() const { return positional_; }

 private:
  std::map<std::string, std::string> values_;
  std::map<std::string, std::string> file_values_;
  std::set<std::string> flags_;
  std::vector<std::string> positional_;
};

}  // namespace loyalty
