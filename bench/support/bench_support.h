// What every benchmark here needs: percentiles of a sample, and the URL of a
// loyalty-server it started, read from the server's "listening" log line.
#pragma once

#include <algorithm>
#include <chrono>
#include <fstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

namespace loyalty::bench {

// The value at `fraction` (0.5: median, 0.99: p99) of `values`; 0 for none.
inline double Percentile(std::vector<double> values, double fraction) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  return values[static_cast<std::size_t>(fraction * static_cast<double>(values.size() - 1))];
}

// Waits (10 s at most) for the server logging to `log` to say where it listens.
inline std::string WaitForListeningUrl(const std::string& log) {
  for (int i = 0; i < 1000; ++i) {
    std::ifstream file(log);
    for (std::string line; std::getline(file, line);) {
      const auto json = nlohmann::json::parse(line, nullptr, false);
      if (json.is_object() && json.value("msg", "") == "listening") return json["url"];
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  throw std::runtime_error("server did not start (see " + log + ")");
}

}  // namespace loyalty::bench
