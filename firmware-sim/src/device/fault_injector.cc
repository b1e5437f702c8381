#include "device/fault_injector.h"

#include <charconv>
#include <cstdio>

namespace loyalty::firmware_sim {
namespace {

std::string Probability(double value) {
  std::array<char, 32> text{};
  std::snprintf(text.data(), text.size(), "%g", value);
  return text.data();
}

Result<double> ParseProbability(std::string_view name, std::string_view text) {
  double value = -1;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || !(value >= 0 && value <= 1)) {
    return InvalidArgument(std::string(name), "fault " + std::string(name) +
                                                  ": expected a probability from 0 to 1, got '" +
                                                  std::string(text) + "'");
  }
  return value;
}

}  // namespace

std::string FormatFaults(const FaultSettings& faults) {
  return "corrupt=" + Probability(faults.corrupt) + " drop=" + Probability(faults.drop) +
         " noise=" + Probability(faults.noise) + " duplicate=" + Probability(faults.duplicate) +
         " latency_ms=" + std::to_string(faults.latency.count()) +
         " mute=" + (faults.mute ? "on" : "off");
}

Status SetFault(FaultSettings& faults, std::string_view name, std::string_view value) {
  if (name == "corrupt" || name == "drop" || name == "noise" || name == "duplicate") {
    Result<double> probability = ParseProbability(name, value);
    if (!probability.ok()) return probability.error();
    if (name == "corrupt") faults.corrupt = *probability;
    if (name == "drop") faults.drop = *probability;
    if (name == "noise") faults.noise = *probability;
    if (name == "duplicate") faults.duplicate = *probability;
    return {};
  }
  if (name == "latency") {
    std::string_view digits = value;
    if (digits.ends_with("ms")) digits.remove_suffix(2);
    int milliseconds = -1;
    const auto [end, error] =
        std::from_chars(digits.data(), digits.data() + digits.size(), milliseconds);
    if (error != std::errc() || end != digits.data() + digits.size() || milliseconds < 0 ||
        milliseconds > 10'000) {
      return InvalidArgument("latency", "fault latency: expected 0..10000 ms, got '" +
                                            std::string(value) + "'");
    }
    faults.latency = std::chrono::milliseconds(milliseconds);
    return {};
  }
  if (name == "mute") {
    if (value != "on" && value != "off") {
      return InvalidArgument("mute", "fault mute: expected on or off, got '" + std::string(value) +
                                         "'");
    }
    faults.mute = value == "on";
    return {};
  }
  return InvalidArgument("fault", "unknown fault '" + std::string(name) +
                                      "' (expected corrupt, drop, noise, duplicate, latency, "
                                      "mute or clear)");
}

bool FaultInjector::Chance(double probability) {
  if (probability <= 0) return false;
  return std::uniform_real_distribution<double>(0.0, 1.0)(random_) < probability;
}

void FaultInjector::Damage(std::span<const uint8_t> frame, std::vector<uint8_t>& out) {
  for (uint8_t byte : frame) {
    if (Chance(settings_.drop)) {
      ++stats_.bytes_dropped;
      continue;
    }
    if (Chance(settings_.corrupt)) {
      // One bit per damaged byte, as line noise does; it also keeps the CRC-16's
      // guarantee (every 1-3 bit error in a frame is caught) meaningful in tests.
      byte = static_cast<uint8_t>(byte ^ (1U << std::uniform_int_distribution<unsigned>(0, 7)(random_)));
      ++stats_.bytes_corrupted;
    }
    out.push_back(byte);
  }
}

std::vector<uint8_t> FaultInjector::Apply(std::span<const uint8_t> frame, bool is_event) {
  std::vector<uint8_t> out;
  out.reserve(frame.size() + 8);
  if (Chance(settings_.noise)) {
    const int count = std::uniform_int_distribution<int>(1, 8)(random_);
    for (int i = 0; i < count; ++i) {
      out.push_back(static_cast<uint8_t>(std::uniform_int_distribution<unsigned>(0, 255)(random_)));
    }
    stats_.noise_bytes += static_cast<uint64_t>(count);
  }
  Damage(frame, out);
  if (is_event && Chance(settings_.duplicate)) {
    ++stats_.frames_duplicated;
    Damage(frame, out);
  }
  return out;
}

}  // namespace loyalty::firmware_sim
