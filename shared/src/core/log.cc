#include "loyalty/core/log.h"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>
#include <string>

namespace loyalty::log {
namespace {

std::mutex g_mutex;
std::string g_program = "loyalty";
std::atomic<Level> g_min_level{Level::kInfo};

const char* LevelName(Level level) {
  switch (level) {
    case Level::kDebug: return "debug";
    case Level::kInfo: return "info";
    case Level::kWarn: return "warn";
    case Level::kError: return "error";
  }
  return "info";
}

std::string TimestampWithMillis() {
  const auto now = std::chrono::system_clock::now();
  const auto millis =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  const std::time_t seconds = static_cast<std::time_t>(millis / 1000);
  std::tm parts{};
  gmtime_r(&seconds, &parts);
  char text[40];
  const std::size_t length = std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S", &parts);
  std::snprintf(text + length, sizeof text - length, ".%03dZ", static_cast<int>(millis % 1000));
  return text;
}

}  // namespace

void SetProgram(std::string_view program) {
  std::lock_guard lock(g_mutex);
  g_program = program;
}

void SetMinLevel(Level level) { g_min_level = level; }

void Write(Level level, std::string_view message, const nlohmann::json& fields) {
  if (level < g_min_level.load()) return;
  nlohmann::json line = {{"ts", TimestampWithMillis()}, {"level", LevelName(level)}};
  std::lock_guard lock(g_mutex);
  line["program"] = g_program;
  line["msg"] = message;
  if (fields.is_object()) {
    for (const auto& [key, value] : fields.items()) line[key] = value;
  }
  const std::string text =
      line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  std::fwrite(text.data(), 1, text.size(), stderr);
  std::fflush(stderr);
}

}  // namespace loyalty::log
