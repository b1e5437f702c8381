#include "ops/metrics.h"

#include <algorithm>
#include <sstream>
#include <stdexcept>

namespace loyalty::server::ops {
namespace {

std::string Escape(const std::string& value) {
  std::string out;
  for (char c : value) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

std::string RenderLabels(const Labels& labels) {
  if (labels.empty()) return {};
  std::string text = "{";
  for (std::size_t i = 0; i < labels.size(); ++i) {
    if (i > 0) text += ",";
    text += labels[i].first + "=\"" + Escape(labels[i].second) + "\"";
  }
  return text + "}";
}

std::string Number(double value) {
  std::ostringstream text;
  text << value;
  return text.str();
}

// Adds `extra` (e.g. le="0.5") to a rendered label set.
std::string WithLabel(const std::string& rendered, const std::string& extra) {
  if (rendered.empty()) return "{" + extra + "}";
  return rendered.substr(0, rendered.size() - 1) + "," + extra + "}";
}

}  // namespace

Histogram::Histogram(std::vector<double> upper_bounds)
    : upper_bounds_(std::move(upper_bounds)),
      counts_(new std::atomic<std::uint64_t>[upper_bounds_.size() + 1]) {
  std::sort(upper_bounds_.begin(), upper_bounds_.end());
  for (std::size_t i = 0; i <= upper_bounds_.size(); ++i) counts_[i] = 0;
}

void Histogram::Observe(double value) {
  const auto bucket = static_cast<std::size_t>(
      std::lower_bound(upper_bounds_.begin(), upper_bounds_.end(), value) - upper_bounds_.begin());
  counts_[bucket].fetch_add(1, std::memory_order_relaxed);
  sum_micro_.fetch_add(static_cast<std::uint64_t>(std::max(0.0, value) * 1e6),
                       std::memory_order_relaxed);
}

std::vector<std::uint64_t> Histogram::CumulativeCounts() const {
  std::vector<std::uint64_t> cumulative;
  std::uint64_t running = 0;
  for (std::size_t i = 0; i <= upper_bounds_.size(); ++i) {
    running += counts_[i].load(std::memory_order_relaxed);
    cumulative.push_back(running);
  }
  return cumulative;
}

double Histogram::sum() const {
  return static_cast<double>(sum_micro_.load(std::memory_order_relaxed)) / 1e6;
}

Registry::Family& Registry::FamilyFor(const std::string& name, const std::string& type,
                                      const std::string& help) {
  auto& family = families_[name];
  if (family.type.empty()) {
    family.type = type;
    family.help = help;
  } else if (family.type != type) {
    throw std::logic_error("metric " + name + " registered as " + family.type + " and " + type);
  }
  return family;
}

Counter& Registry::GetCounter(const std::string& name, const std::string& help,
                              const Labels& labels) {
  std::lock_guard lock(mutex_);
  auto& slot = FamilyFor(name, "counter", help).counters[RenderLabels(labels)];
  if (!slot) slot = std::make_unique<Counter>();
  return *slot;
}

Gauge& Registry::GetGauge(const std::string& name, const std::string& help, const Labels& labels) {
  std::lock_guard lock(mutex_);
  auto& slot = FamilyFor(name, "gauge", help).gauges[RenderLabels(labels)];
  if (!slot) slot = std::make_unique<Gauge>();
  return *slot;
}

Histogram& Registry::GetHistogram(const std::string& name, const std::string& help,
                                  const std::vector<double>& upper_bounds, const Labels& labels) {
  std::lock_guard lock(mutex_);
  auto& slot = FamilyFor(name, "histogram", help).histograms[RenderLabels(labels)];
  if (!slot) slot = std::make_unique<Histogram>(upper_bounds);
  return *slot;
}

std::string Registry::Render() const {
  std::lock_guard lock(mutex_);
  std::ostringstream out;
  for (const auto& [name, family] : families_) {
    out << "# HELP " << name << " " << family.help << "\n";
    out << "# TYPE " << name << " " << family.type << "\n";
    for (const auto& [labels, counter] : family.counters) {
      out << name << labels << " " << counter->value() << "\n";
    }
    for (const auto& [labels, gauge] : family.gauges) {
      out << name << labels << " " << Number(gauge->value()) << "\n";
    }
    for (const auto& [labels, histogram] : family.histograms) {
      const auto counts = histogram->CumulativeCounts();
      const auto& bounds = histogram->upper_bounds();
      for (std::size_t i = 0; i < bounds.size(); ++i) {
        out << name << "_bucket" << WithLabel(labels, "le=\"" + Number(bounds[i]) + "\"") << " "
            << counts[i] << "\n";
      }
      out << name << "_bucket" << WithLabel(labels, "le=\"+Inf\"") << " " << counts.back() << "\n";
      out << name << "_sum" << labels << " " << Number(histogram->sum()) << "\n";
      out << name << "_count" << labels << " " << counts.back() << "\n";
    }
  }
  return out.str();
}

std::vector<double> LatencyBuckets() {
  return {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
}

}  // namespace loyalty::server::ops
