#include "loyalty/core/args.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

namespace loyalty {

Result<Args> Args::Parse(const std::vector<std::string>& arguments,
                         const std::set<std::string>& value_options,
                         const std::set<std::string>& flags) {
  Args args;
  for (std::size_t i = 0; i < arguments.size(); ++i) {
    const std::string& argument = arguments[i];
    if (!argument.starts_with("--")) {
      args.positional_.push_back(argument);
      continue;
    }
    std::string name = argument.substr(2);
    std::optional<std::string> inline_value;
    if (const auto eq = name.find('='); eq != std::string::npos) {
      inline_value = name.substr(eq + 1);
      name.resize(eq);
    }
    if (flags.contains(name)) {
      if (inline_value) return InvalidArgument("--" + name, "takes no value");
      args.flags_.insert(name);
    } else if (value_options.contains(name)) {
      if (inline_value) {
        args.values_[name] = *inline_value;
      } else if (i + 1 < arguments.size()) {
        args.values_[name] = arguments[++i];
      } else {
        return InvalidArgument("--" + name, "needs a value");
      }
    } else {
      return InvalidArgument("--" + name, "unknown option (see --help)");
    }
  }
  return args;
}

Status Args::LoadConfigFile(const std::string& path, const std::set<std::string>& allowed) {
  std::ifstream file(path);
  if (!file) return InvalidArgument("config", "cannot read " + path);
  std::stringstream text;
  text << file.rdbuf();
  const auto json = nlohmann::json::parse(text.str(), nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded() || !json.is_object()) {
    return InvalidArgument("config", path + " is not a JSON object");
  }
  for (const auto& [key, value] : json.items()) {
    if (!allowed.contains(key)) {
      return InvalidArgument("config", path + ": unknown setting '" + key + "' (see --help)");
    }
    if (value.is_string()) {
      file_values_[key] = value.get<std::string>();
    } else if (value.is_number_integer() || value.is_boolean()) {
      file_values_[key] = value.dump();
    } else {
      return InvalidArgument("config", path + ": '" + key + "' must be a string or a whole number");
    }
  }
  return {};
}

std::optional<std::string> Args::Value(const std::string& name) const {
  const auto it = values_.find(name);
  if (it == values_.end()) return std::nullopt;
  return it->second;
}

std::string Args::ValueOr(const std::string& name, const char* environment_variable,
                          const std::string& fallback) const {
  if (auto value = Value(name)) return *value;
  if (environment_variable != nullptr) {
    if (const char* from_environment = std::getenv(environment_variable)) return from_environment;
  }
  if (const auto it = file_values_.find(name); it != file_values_.end()) return it->second;
  return fallback;
}

}  // namespace loyalty
