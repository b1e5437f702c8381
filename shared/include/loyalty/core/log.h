// Structured logs: one JSON object per line on stderr, safe to call from any thread.
// Never put personal data or full card numbers in fields (use CardNumber::Masked()).
#pragma once

#include <string_view>

#include <nlohmann/json.hpp>

namespace loyalty::log {

enum class Level { kDebug, kInfo, kWarn, kError };

// Names the program in every line ("server", "terminal", "reader-sim").
void SetProgram(std::string_view program);
// Lines below this level are dropped. Default: kInfo.
void SetMinLevel(Level level);

// {"ts":"...","level":"info","program":"server","msg":"...", ...fields}
void Write(Level level, std::string_view message, const nlohmann::json& fields = nullptr);

inline void Info(std::string_view message, const nlohmann::json& fields = nullptr) {
  Write(Level::kInfo, message, fields);
}
inline void Warn(std::string_view message, const nlohmann::json& fields = nullptr) {
  Write(Level::kWarn, message, fields);
}
inline void Error(std::string_view message, const nlohmann::json& fields = nullptr) {
  Write(Level::kError, message, fields);
}

}  // namespace loyalty::log
