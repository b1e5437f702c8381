// The nightly run's next_visit candidates of one customer, campaign and run, packed into
// the one text value next_visit_candidates keeps for them (migration 0025): one row a
// customer instead of one a candidate makes the night's write and the previous run's
// delete some ten times fewer rows, and a purchase reads one value by its key.
//
// The text: a version line "v3 <count>", then one line per candidate in rank order, each
// ending in a newline (so a value cut short is told from a whole one), five fields
// separated by tabs: sku, unit_price_minor, margin_rate, probability, gap_visits. The sku
// escapes backslash, tab and newline (\\, \t, \n). The price is a whole number and the
// margin rate a double in its shortest round-trip form. The probability and the gap are
// kept to a float's precision (seven significant digits, more than the model's estimates
// carry), in the shortest form that reads back as that float: they were half of every
// value's bytes as doubles, and the night writes a value for every customer the
// campaigns may reach.
//
// The product's name and category are not in the value: a purchase takes them from the
// catalog (ProductLabels), which the night took them from and which never drops a
// product. They were some 60 of a candidate's 80 bytes, written each night and deleted
// the next (docs/benchmarks.md, "Candidates without their names").
//
// Older values still decode, so the purchases between an upgrade and its next night plan
// from them: "v2" (written before December 7, 2026) has the name and category after the
// sku, escaped as the sku; "v1" (before December 2026) has, after those seven, the run's
// depth, expected cost and expected value, which no purchase reads.
#pragma once

#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "loyalty/core/result.h"
#include "storage/store.h"

namespace loyalty::server {

// A product's name and category as the catalog has them, by sku: what a candidate's
// coupon is titled and which category campaign it falls in.
struct ProductLabel {
  std::string name;
  std::string category;
};
using ProductLabels = std::unordered_map<std::string, ProductLabel>;

// What one candidate's line holds, borrowed from the writer's own data.
struct PackedCandidateFields {
  std::string_view sku;
  std::int64_t unit_price_minor = 0;
  double margin_rate = 0;
  double probability = 0;
  double gap_visits = 0;
};

// Appends one candidate's line to `lines`; PackedValue then makes the value of them.
void AppendPackedCandidate(std::string& lines, const PackedCandidateFields& candidate);
// The same line in two parts, for a writer of many candidates of few products: the
// product's part (sku, price and margin rate), the same on every line of that product
// and so made once, and then the candidate's own. A line is one of each.
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
// row's key, not part of the value, and their names and categories the catalog's.
std::string PackCandidates(const std::vector<const NextVisitCandidateRecord*>& candidates);

// The candidates of a packed value, ranks from 0, under `campaign_id`; run_date and
// customer_id are left empty. Their names and categories are `labels`' (an older value's
// own); a sku `labels` lacks is named by itself, in no category. A value that is not one
// PackCandidates wrote (another version, a missing or extra field, a number that does
// not parse or is out of range) is an error naming the record and the field.
Result<std::vector<NextVisitCandidateRecord>> UnpackCandidates(std::string_view packed,
                                                               const std::string& campaign_id,
                                                               const ProductLabels& labels);

// What a purchase takes of a customer's row: its candidates appended to `out`. A value
// that does not decode is logged and skipped (the purchase plans as for a customer with
// no candidates), rather than refusing the customer's purchases until the next run.
void AppendUnpackedCandidates(std::string_view packed, const std::string& campaign_id,
                              std::int64_t customer_id, const ProductLabels& labels,
                              std::vector<NextVisitCandidate>& out);

}  // namespace loyalty::server
