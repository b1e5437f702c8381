#include "batch/customer_features_run.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <vector>

#include "batch/write_behind.h"
#include "targeting/customer_features.h"

namespace loyalty::server::batch {

Result<nlohmann::json> RefreshCustomerFeatures(
    Store& store, const targeting::TransactionHistory& history, const CustomersByStoreId& customers,
    std::int64_t run_at, const std::string& run_date, const std::function<Status()>& still_held,
    std::vector<std::optional<LapseRiskBand>>* bands_out, std::size_t rows_per_write) {
  const targeting::CustomerFeatureTable table = targeting::ComputeCustomerFeatures(history, run_at);
  if (bands_out) bands_out->assign(history.customer_count(), std::nullopt);
  std::int64_t stored = 0;
  std::map<std::string, std::int64_t> bands{{"low", 0}, {"medium", 0}, {"high", 0}};
  std::vector<CustomerFeaturesRecord> rows;
  rows.reserve(rows_per_write);
  WriteBehind writes;  // the store writes a part while the next is prepared
  const auto write = [&]() -> Status {
    // The lock is checked right before the write it allows, so after the last one ended.
    if (auto written = writes.Finish(); !written.ok()) return written;
    if (still_held) {
      if (auto held = still_held(); !held.ok()) return held;
    }
    writes.Start([&store, part = std::move(rows)] { return store.WriteCustomerFeatures(part); });
    rows = {};
    rows.reserve(rows_per_write);
    return Status();
  };
  if (auto begun = store.BeginCustomerFeaturesRewrite(); !begun.ok()) return begun.error();
  // Ended on every way out. Leaving a failed run, the run's own error is the one to
  // report; should the end fail too, the store's next start ends it.
  struct EndRewrite {
    Store& store;
    bool ended = false;
    Status End() {
      ended = true;
      return store.EndCustomerFeaturesRewrite();
    }
    ~EndRewrite() {
      if (!ended) (void)store.EndCustomerFeaturesRewrite();
    }
  } rewrite{store};
  // In the order of the table's key: rows written in the history's order land all over
  // the table, and every transaction then rewrites most of its pages.
  for (const auto& [customer_id, c] : customers.in_id_order()) {
    const targeting::CustomerFeatures& features = table.customers[c];
    if (features.visits == 0) continue;
    CustomerFeaturesRecord& row = rows.emplace_back();
    row.customer_id = customer_id;
    row.run_date = run_date;
    row.visits = features.visits;
    row.last_visit_at = FromUnixSeconds(features.last_visit_at);
    row.days_since_last_visit = features.days_since_last_visit;
    row.days_between_visits = features.days_between_visits;
    row.lapse_risk = features.lapse_risk;
    row.next_visit_at = FromUnixSeconds(features.next_visit_at);
    for (std::size_t i = 0; i < features.category_count; ++i) {
      const targeting::CategoryLift& lift = features.categories[i];
      row.top_categories.push_back(
          {std::string(history.categories.Name(lift.category)), lift.lift, lift.baskets});
    }
    ++stored;
    ++bands[targeting::LapseRiskBand(features.lapse_risk)];
    if (bands_out) {
      (*bands_out)[c] = features.lapse_risk >= targeting::kHighLapseRisk     ? LapseRiskBand::kHigh
                        : features.lapse_risk >= targeting::kMediumLapseRisk ? LapseRiskBand::kMedium
                                                                             : LapseRiskBand::kLow;
    }
    if (rows.size() >= rows_per_write) {
      if (auto written = write(); !written.ok()) return written.error();
    }
  }
  if (!rows.empty()) {
    if (auto written = write(); !written.ok()) return written.error();
  }
  if (auto written = writes.Finish(); !written.ok()) return written.error();
  if (still_held) {
    if (auto held = still_held(); !held.ok()) return held.error();
  }
  if (auto dropped = store.DropCustomerFeaturesBefore(run_date); !dropped.ok()) {
    return dropped.error();
  }
  if (auto ended = rewrite.End(); !ended.ok()) return ended.error();
  return nlohmann::json{{"customers", stored},
                        {"lapse_risk", bands},
                        {"usual_gap_days", std::exp(table.population_log_gap_mean)}};
}

}  // namespace loyalty::server::batch
