// The next-visit candidates a test database holds, unpacked (storage/packed_candidates.h):
// one record per candidate, as RecordNextVisitCandidates took them and named from the
// database's catalog as a purchase names them, so tests count and check candidates
// rather than the rows that pack them.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

#include "storage/packed_candidates.h"
#include "support/test_database.h"

namespace loyalty::testing {

// Those of the rows `where` selects (SQL over next_visit_candidates), ordered by campaign,
// run and customer, each row's in rank order. A row that does not decode throws.
inline std::vector<server::NextVisitCandidateRecord> StoredCandidates(
    const TestDatabase& database, const std::string& where = "TRUE") {
  // Three columns of one order: TestDatabase reads one at a time.
  const auto skus = database.Column("SELECT sku FROM products ORDER BY sku");
  const auto names = database.Column("SELECT name FROM products ORDER BY sku");
  const auto categories = database.Column("SELECT category FROM products ORDER BY sku");
  server::ProductLabels labels;
  for (std::size_t i = 0; i < skus.size(); ++i) labels[skus[i]] = {names[i], categories[i]};
  std::vector<server::NextVisitCandidateRecord> records;
  for (const std::string& row : database.Column(
           "SELECT run_date || ' ' || customer_id || ' ' || campaign_id || ' ' || candidates"
           " FROM next_visit_candidates WHERE " + where +
           " ORDER BY campaign_id, run_date, customer_id")) {
    const std::size_t first = row.find(' ');
    const std::size_t second = row.find(' ', first + 1);
    const std::size_t third = row.find(' ', second + 1);
    const std::string campaign = row.substr(second + 1, third - second - 1);
    auto unpacked = server::UnpackCandidates(row.substr(third + 1), campaign, labels);
    if (!unpacked.ok()) throw std::runtime_error(unpacked.error().ToString());
    for (auto& record : *unpacked) {
      record.run_date = row.substr(0, first);
      record.customer_id = std::stoll(row.substr(first + 1, second - first - 1));
      records.push_back(std::move(record));
    }
  }
  return records;
}

}  // namespace loyalty::testing
