#include "storage/packed_candidates.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <limits>
#include <map>
#include <tuple>

#include "loyalty/core/log.h"
#include "loyalty/core/number.h"

namespace loyalty::server {
namespace {

constexpr std::string_view kVersion = "v3";

constexpr std::size_t kMostFields = 10;

// Where each version keeps a candidate's fields: the sku first, then in v1 and v2 the
// name and category, then the price, margin, probability and gap. Fields past those are
// counted but not read (v1's last three).
struct Layout {
  std::string_view version;
  std::size_t field_count;
  std::array<const char*, kMostFields> names;  // each field's, for the errors
  bool named;                                  // the name and category are fields 1 and 2
  bool float_chances;                          // the probability and gap kept as floats (v2 on)
};

constexpr Layout kLayouts[] = {
    {.version = kVersion,
     .field_count = 5,
     .names = {"sku", "unit_price_minor", "margin_rate", "probability", "gap_visits"},
     .named = false,
     .float_chances = true},
    {.version = "v2",
     .field_count = 7,
     .names = {"sku", "name", "category", "unit_price_minor", "margin_rate", "probability",
               "gap_visits"},
     .named = true,
     .float_chances = true},
    {.version = "v1",
     .field_count = 10,
     .names = {"sku", "name", "category", "unit_price_minor", "margin_rate", "probability",
               "gap_visits", "depth_percent", "expected_cost_minor", "expected_value_minor"},
     .named = true,
     .float_chances = false},
};

void AppendEscaped(std::string& out, std::string_view text) {
  // Most skus have nothing to escape: appended whole.
  for (std::size_t at = 0;;) {
    const std::size_t special = text.find_first_of("\\\t\n", at);
    out.append(text.substr(at, special - at));
    if (special == std::string_view::npos) return;
    out += '\\';
    out += text[special] == '\t' ? 't' : text[special] == '\n' ? 'n' : '\\';
    at = special + 1;
  }
}

template <typename Number>
void AppendNumber(std::string& out, Number value) {
  char buffer[32];
  out.append(buffer, std::to_chars(buffer, buffer + sizeof buffer, value).ptr);
}

// A double as the float the value keeps: one past a float's range would be written as
// "inf", one below its smallest normal as a denormal that the reader may refuse, either
// costing the customer their candidates; a probability that small is 0.
float AsFloat(double value) {
  const auto narrowed = static_cast<float>(value);
  if (!std::isfinite(narrowed)) {
    return std::copysign(std::numeric_limits<float>::max(), narrowed);
  }
  if (std::fabs(narrowed) < std::numeric_limits<float>::min()) return 0;
  return narrowed;
}

Error Bad(std::size_t record, const char* field, const std::string& why) {
  return InvalidArgument(
      "next_visit_candidates.candidates[" + std::to_string(record) + "]." + field, why);
}

Result<std::string> Unescaped(std::string_view text, std::size_t record, const char* field) {
  if (text.find('\\') == std::string_view::npos) return std::string(text);  // most skus and names
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

Result<std::int64_t> Whole(std::string_view text, std::size_t record, const char* field) {
  std::int64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || text.empty()) {
    return Bad(record, field, "is not a whole number: '" + std::string(text) + "'");
  }
  if (value < 0) {
    return Bad(record, field, "is out of range: " + std::string(text));
  }
  return value;
}

// A double, or a float's text read as that float (the probability and gap since v2).
template <typename Number>
Result<double> Real(std::string_view text, std::size_t record, const char* field) {
  Number value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || text.empty() ||
      !std::isfinite(value)) {
    return Bad(record, field, "is not a finite number: '" + std::string(text) + "'");
  }
  return static_cast<double>(value);
}

void AppendProductPart(std::string& out, const PackedCandidateFields& product) {
  AppendEscaped(out, product.sku);
  out += '\t';
  AppendNumber(out, product.unit_price_minor);
  out += '\t';
  AppendNumber(out, product.margin_rate);
  out += '\t';
}

}  // namespace

void AppendPackedCandidate(std::string& lines, const PackedCandidateFields& candidate) {
  AppendProductPart(lines, candidate);
  AppendPackedChances(lines, candidate.probability, candidate.gap_visits);
}

std::string PackedProductPart(const PackedCandidateFields& product) {
  std::string part;
  AppendProductPart(part, product);
  return part;
}

void AppendPackedChances(std::string& lines, double probability, double gap_visits) {
  AppendNumber(lines, AsFloat(probability));
  lines += '\t';
  AppendNumber(lines, AsFloat(gap_visits));
  lines += '\n';
}

std::string PackedValue(std::size_t count, std::string_view lines) {
  std::string out;
  out.reserve(lines.size() + 16);
  out += kVersion;
  out += ' ';
  AppendNumber(out, count);
  out += '\n';
  out += lines;
  return out;
}

std::string PackCandidates(const std::vector<const NextVisitCandidateRecord*>& candidates) {
  std::string lines;
  for (const NextVisitCandidateRecord* record : candidates) {
    const NextVisitCandidate& candidate = record->candidate;
    AppendPackedCandidate(lines, {candidate.sku, candidate.unit_price_minor, candidate.margin_rate,
                                  candidate.probability, candidate.gap_visits});
  }
  return PackedValue(candidates.size(), lines);
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
                                                               const std::string& campaign_id,
                                                               const ProductLabels& labels) {
  const std::size_t first_end = std::min(packed.find('\n'), packed.size());
  const std::string_view first = packed.substr(0, first_end);
  const std::string_view version = first.substr(0, first.find(' '));
  const Layout* layout = nullptr;
  for (const Layout& known : kLayouts) {
    if (known.version == version) layout = &known;
  }
  const auto count =
      layout ? ParseWholeNumber(first.substr(std::min(first.size(), version.size() + 1)), 1'000'000)
             : std::nullopt;
  if (!count) {
    return InvalidArgument("next_visit_candidates.candidates",
                           "does not start with the version line '" + std::string(kVersion) +
                               " <count>' but '" + std::string(first) + "'");
  }
  // Every record ends in a newline, so a value cut short anywhere is told from a whole one.
  if (packed.back() != '\n') {
    return InvalidArgument("next_visit_candidates.candidates",
                           "is cut short: it does not end in a newline");
  }
  const std::size_t field_count = layout->field_count;
  const auto& names = layout->names;
  std::vector<NextVisitCandidateRecord> records;
  records.reserve(std::min<std::size_t>(static_cast<std::size_t>(*count), 16));
  for (std::size_t at = first_end + 1; at < packed.size();) {
    const std::size_t end = packed.find('\n', at);
    const std::string_view line = packed.substr(at, end - at);
    at = end + 1;
    const std::size_t n = records.size();
    std::string_view fields[kMostFields];
    std::size_t read = 0;
    for (std::size_t from = 0;;) {
      const std::size_t tab = std::min(line.find('\t', from), line.size());
      if (read == field_count) {
        return InvalidArgument("next_visit_candidates.candidates[" + std::to_string(n) + "]",
                               "has more than " + std::to_string(field_count) + " fields");
      }
      fields[read++] = line.substr(from, tab - from);
      if (tab == line.size()) break;
      from = tab + 1;
    }
    if (read < field_count) {
      return Bad(n, names[read],
                 "is missing: the record has " + std::to_string(read) + " of " +
                     std::to_string(field_count) + " fields");
    }
    NextVisitCandidateRecord record;
    record.rank = static_cast<std::int64_t>(n);
    NextVisitCandidate& candidate = record.candidate;
    candidate.campaign_id = campaign_id;
    auto sku = Unescaped(fields[0], n, names[0]);
    if (!sku.ok()) return sku.error();
    if (sku->empty()) return Bad(n, names[0], "is empty");
    candidate.sku = std::move(*sku);
    std::size_t field = 1;
    if (layout->named) {
      auto name = Unescaped(fields[field], n, names[field]);
      if (!name.ok()) return name.error();
      candidate.name = std::move(*name);
      ++field;
      auto category = Unescaped(fields[field], n, names[field]);
      if (!category.ok()) return category.error();
      candidate.category = std::move(*category);
      ++field;
    } else if (const auto label = labels.find(candidate.sku); label != labels.end()) {
      candidate.name = label->second.name;
      candidate.category = label->second.category;
    } else {
      candidate.name = candidate.sku;
    }
    const auto price = Whole(fields[field], n, names[field]);
    if (!price.ok()) return price.error();
    candidate.unit_price_minor = *price;
    ++field;
    const auto margin = Real<double>(fields[field], n, names[field]);
    if (!margin.ok()) return margin.error();
    candidate.margin_rate = *margin;
    ++field;
    const auto chance = [&] {
      return layout->float_chances ? Real<float>(fields[field], n, names[field])
                                   : Real<double>(fields[field], n, names[field]);
    };
    const auto probability = chance();
    if (!probability.ok()) return probability.error();
    if (*probability < 0 || *probability > 1) {
      return Bad(n, names[field], "is not between 0 and 1: " + std::string(fields[field]));
    }
    candidate.probability = *probability;
    ++field;
    const auto gap = chance();
    if (!gap.ok()) return gap.error();
    candidate.gap_visits = *gap;
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
                              std::int64_t customer_id, const ProductLabels& labels,
                              std::vector<NextVisitCandidate>& out) {
  auto records = UnpackCandidates(packed, campaign_id, labels);
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
