// bench_ingest's planning phase: what choosing a purchase's next-visit coupons from the
// nightly batch's scored offers (ScoredOfferPlanner) costs inside the purchase's
// transaction, against the same purchases recorded without planning, in one run.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "loyalty/domain/catalog.h"

namespace loyalty::bench {

struct PlanningSettings {
  std::size_t customers = 2000;   // each with `candidates` scored offers of one campaign
  std::size_t candidates = 10;
  std::size_t purchases = 4000;   // half planned, half not, interleaved
  // Then nightly offers stored (loyalty-batch's batches of 2,000) while another server
  // records purchases; 0: none.
  std::size_t offers_stored = 0;
};

// Opens two stores on `storage_url` (a fresh database), one planning with a running
// next_visit campaign and one that plans nothing, seeds the catalog, customers and
// their candidates, then records the purchases one at a time, alternating between the
// two. Returns per-purchase figures: the store's own planning time (reading campaigns,
// budgets and candidates, planning, recording the offer) and each purchase's whole
// durable write, planned and not. With offers_stored, then the nightly run's storing
// transactions' times and the purchases' times while they run.
nlohmann::json MeasurePlanning(const std::string& storage_url,
                               const std::vector<domain::Product>& catalog,
                               const PlanningSettings& settings);

}  // namespace loyalty::bench
