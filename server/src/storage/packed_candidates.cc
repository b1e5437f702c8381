#include "storage/packed_candidates.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>
#include <tuple>

#include "loyalty/core/log.h"
#include "loyalty/core/number.h"

namespace loyalty::server {
namespace {

constexpr std::string_view kVersion = "v1";
constexpr std::size_t kFields = 10;
const char* const kFieldNames[kFields] = {
    "sku",         "name",      "category",      "unit_price_minor",    "margin_rate",
    "probability", "gap_visits", "depth_percent", "expected_cost_minor", "expected_value_minor"};

void AppendEscaped(std::string& out, std::string_view text) {
  for (const char c : text) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
}

void AppendDouble(std::string& out, double value) {
  char buffer[32];
  out.append(buffer, std::to_chars(buffer, buffer + sizeof buffer, value).ptr);
}

Error Bad(std::size_t record, std::size_t field, const std::string& why) {
  return InvalidArgument("next_visit_candidates.candidates[" + std::to_string(record) + "]." +
                             kFieldNames[field],
                         why);
}

Result<std::string> Unescaped(std::string_view text, std::size_t record, std::size_t field) {
  if (text.find('\\') == std::string_view::npos) return std::string(text);  // most names
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\\') {
      out += text[i];
      continue;
    }
    if (++i == text.size()) return Bad(record, field, "ends in a lone backslash");
    if (text[i] == '\\') {
      out += '\\';
    } else if (text[i] == 't') {
      out += '\t';
    } else if (text[i] == 'n') {
      out += '\n';
    } else {
      return Bad(record, field, std::string("has an unknown escape \\") + text[i]);
    }
  }
  return out;
}

Result<std::int64_t> Whole(std::string_view text, std::int64_t max, std::size_t record,
                           std::size_t field) {
  std::int64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || text.empty()) {
    return Bad(record, field, "is not a whole number: '" + std::string(text) + "'");
  }
  if (value < 0 || value > max) {
    return Bad(record, field, "is out of range: " + std::string(text));
  }
  return value;
}

Result<double> Real(std::string_view text, std::size_t record, std::size_t field) {
  double value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || text.empty() ||
      !std::isfinite(value)) {
    return Bad(record, field, "is not a finite number: '" + std::string(text) + "'");
  }
  return value;
}

}  // namespace

std::string PackCandidates(const std::vector<const NextVisitCandidateRecord*>& candidates) {
  std::string out(kVersion);
  out.reserve(candidates.size() * 128);
  out += ' ';
  out += std::to_string(candidates.size());
  out += '\n';
  for (const NextVisitCandidateRecord* record : candidates) {
    const NextVisitCandidate& candidate = record->candidate;
    AppendEscaped(out, candidate.sku);
    out += '\t';
    AppendEscaped(out, candidate.name);
    out += '\t';
    AppendEscaped(out, candidate.category);
    out += '\t';
    out += std::to_string(candidate.unit_price_minor);
    out += '\t';
    AppendDouble(out, candidate.margin_rate);
    out += '\t';
    AppendDouble(out, candidate.probability);
    out += '\t';
    AppendDouble(out, candidate.gap_visits);
    out += '\t';
    out += std::to_string(record->depth_percent);
    out += '\t';
    AppendDouble(out, record->expected_cost_minor);
    out += '\t';
    AppendDouble(out, record->expected_value_minor);
    out += '\n';
  }
  return out;
}

std::vector<PackedCandidateRow> PackCandidateRows(
    const std::vector<NextVisitCandidateRecord>& records) {
  std::map<std::tuple<std::int64_t, std::string_view, std::string_view>, std::size_t> index;
  std::vector<std::vector<const NextVisitCandidateRecord*>> groups;
  for (const NextVisitCandidateRecord& record : records) {
    const auto [found, added] = index.try_emplace(
        {record.customer_id, record.candidate.campaign_id, record.run_date}, groups.size());
    if (added) groups.emplace_back();
    groups[found->second].push_back(&record);
  }
  std::vector<PackedCandidateRow> rows(groups.size());
  for (const auto& [key, at] : index) {
    auto& group = groups[at];
    std::stable_sort(group.begin(), group.end(), [](const auto* a, const auto* b) {
      return a->rank < b->rank;
    });
    group.erase(std::unique(group.begin(), group.end(),
                            [](const auto* a, const auto* b) { return a->rank == b->rank; }),
                group.end());
    rows[at] = {std::string(std::get<1>(key)), std::string(std::get<2>(key)), std::get<0>(key),
                PackCandidates(group)};
  }
  return rows;
}

Result<std::vector<NextVisitCandidateRecord>> UnpackCandidates(std::string_view packed,
                                                               const std::string& campaign_id) {
  const std::size_t first_end = std::min(packed.find('\n'), packed.size());
  const std::string_view first = packed.substr(0, first_end);
  const std::string prefix = std::string(kVersion) + ' ';
  const auto count = first.substr(0, prefix.size()) == prefix
                         ? ParseWholeNumber(first.substr(prefix.size()), 1'000'000)
                         : std::nullopt;
  if (!count) {
    return InvalidArgument("next_visit_candidates.candidates",
                           "does not start with the version line '" + prefix +
                               "<count>' but '" + std::string(first) + "'");
  }
  // Every record ends in a newline, so a value cut short anywhere is told from a whole one.
  if (packed.back() != '\n') {
    return InvalidArgument("next_visit_candidates.candidates",
                           "is cut short: it does not end in a newline");
  }
  std::vector<NextVisitCandidateRecord> records;
  records.reserve(std::min<std::size_t>(static_cast<std::size_t>(*count), 16));
  for (std::size_t at = first_end + 1; at < packed.size();) {
    const std::size_t end = packed.find('\n', at);
    const std::string_view line = packed.substr(at, end - at);
    at = end + 1;
    const std::size_t n = records.size();
    std::string_view fields[kFields];
    std::size_t read = 0;
    for (std::size_t from = 0;;) {
      const std::size_t tab = std::min(line.find('\t', from), line.size());
      if (read == kFields) {
        return InvalidArgument("next_visit_candidates.candidates[" + std::to_string(n) + "]",
                               "has more than " + std::to_string(kFields) + " fields");
      }
      fields[read++] = line.substr(from, tab - from);
      if (tab == line.size()) break;
      from = tab + 1;
    }
    if (read < kFields) {
      return Bad(n, read, "is missing: the record has " + std::to_string(read) + " of " +
                               std::to_string(kFields) + " fields");
    }
    NextVisitCandidateRecord record;
    record.rank = static_cast<std::int64_t>(n);
    NextVisitCandidate& candidate = record.candidate;
    candidate.campaign_id = campaign_id;
    auto sku = Unescaped(fields[0], n, 0);
    if (!sku.ok()) return sku.error();
    if (sku->empty()) return Bad(n, 0, "is empty");
    candidate.sku = std::move(*sku);
    auto name = Unescaped(fields[1], n, 1);
    if (!name.ok()) return name.error();
    candidate.name = std::move(*name);
    auto category = Unescaped(fields[2], n, 2);
    if (!category.ok()) return category.error();
    candidate.category = std::move(*category);
    const auto price = Whole(fields[3], INT64_MAX, n, 3);
    if (!price.ok()) return price.error();
    candidate.unit_price_minor = *price;
    double* const reals[] = {&candidate.margin_rate, &candidate.probability,
                             &candidate.gap_visits};
    for (std::size_t k = 0; k < 3; ++k) {
      const auto value = Real(fields[4 + k], n, 4 + k);
      if (!value.ok()) return value.error();
      *reals[k] = *value;
    }
    if (candidate.probability < 0 || candidate.probability > 1) {
      return Bad(n, 5, "is not between 0 and 1: " + std::string(fields[5]));
    }
    const auto depth = Whole(fields[7], 100, n, 7);
    if (!depth.ok()) return depth.error();
    record.depth_percent = *depth;
    const auto cost = Real(fields[8], n, 8);
    if (!cost.ok()) return cost.error();
    record.expected_cost_minor = *cost;
    const auto value = Real(fields[9], n, 9);
    if (!value.ok()) return value.error();
    record.expected_value_minor = *value;
    records.push_back(std::move(record));
  }
  if (records.size() != static_cast<std::size_t>(*count)) {
    return InvalidArgument("next_visit_candidates.candidates",
                           "holds " + std::to_string(records.size()) + " records, not the " +
                               std::to_string(*count) + " its version line counts");
  }
  return records;
}

void AppendUnpackedCandidates(std::string_view packed, const std::string& campaign_id,
                              std::int64_t customer_id, std::vector<NextVisitCandidate>& out) {
  auto records = UnpackCandidates(packed, campaign_id);
  if (!records.ok()) {
    log::Warn("next-visit candidates that do not decode are skipped",
              {{"campaign", campaign_id},
               {"customer_id", customer_id},
               {"field", records.error().field},
               {"error", records.error().message}});
    return;
  }
  for (auto& record : *records) out.push_back(std::move(record.candidate));
}

}  // namespace loyalty::server
