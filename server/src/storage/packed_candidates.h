// The nightly run's next_visit candidates of one customer, campaign and run, packed into
// the one text value next_visit_candidates keeps for them (migration 0025): one row a
// customer instead of one a candidate makes the night's write and the previous run's
// delete some ten times fewer rows, and a purchase reads one value by its key.
//
// The text: a version line "v2 <count>", then one line per candidate in rank order, each
// ending in a newline (so a value cut short is told from a whole one), seven fields
// separated by tabs: sku, name, category, unit_price_minor, margin_rate, probability,
// gap_visits. Text fields escape backslash, tab and newline (\\, \t, \n). The price is a
// whole number and the margin rate a double in its shortest round-trip form. The
// probability and the gap are kept to a float's precision (seven significant digits, more
// than the model's estimates carry), in the shortest form that reads back as that float:
// they were half of every value's bytes as doubles, and the night writes a value for
// every customer the campaigns may reach.
//
// "v1" values, written before December 2026, have three more fields after those: the
// run's depth, expected cost and expected value, which no purchase reads. They still
// decode, so the purchases between an upgrade and its next night plan from them.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "loyalty/core/result.h"
#include "storage/store.h"

namespace loyalty::server {

// What one candidate's line holds, borrowed from the writer's own data.
struct PackedCandidateFields {
  std::string_view sku;
  std::string_view name;
  std::string_view category;
  std::int64_t unit_price_minor = 0;
  double margin_rate = 0;
  double probability = 0;
  double gap_visits = 0;
};

// Appends one candidate's line to `lines`; PackedValue then makes the value of them.
void AppendPackedCandidate(std::string& lines, const PackedCandidateFields& candidate);
// The same line in two parts, for a writer of many candidates of few products: the
// product's part (the fields up to the margin rate), the same on every line of that
// product and so made once, and then the candidate's own. A line is one of each.
std::string PackedProductPart(const PackedCandidateFields& product);
void AppendPackedChances(std::string& lines, double probability, double gap_visits);

// The value of `count` candidates whose lines AppendPackedCandidate wrote, in rank order.
std::string PackedValue(std::size_t count, std::string_view lines);

// The records as rows, one per customer, campaign and run (in the order each first
// appears), their candidates in rank order; a rank given twice is kept once (the first).
// A customer's candidates of a campaign and run must come in one call: the store keeps
// a row it has already and ignores a later one of the same key.
std::vector<PackedCandidateRow> PackCandidateRows(
    const std::vector<NextVisitCandidateRecord>& records);

// `candidates` in the order given (their ranks); their run, customer and campaign are the
// row's key, not part of the value.
std::string PackCandidates(const std::vector<const NextVisitCandidateRecord*>& candidates);

// The candidates of a packed value, ranks from 0, under `campaign_id`; run_date and
// customer_id are left empty. A value that is not one PackCandidates wrote (another
// version, a missing or extra field, a number that does not parse or is out of range)
// is an error naming the record and the field.
Result<std::vector<NextVisitCandidateRecord>> UnpackCandidates(std::string_view packed,
                                                               const std::string& campaign_id);

// What a purchase takes of a customer's row: its candidates appended to `out`. A value
// that does not decode is logged and skipped (the purchase plans as for a customer with
// no candidates), rather than refusing the customer's purchases until the next run.
void AppendUnpackedCandidates(std::string_view packed, const std::string& campaign_id,
                              std::int64_t customer_id, std::vector<NextVisitCandidate>& out);

}  // namespace loyalty::server
