// The nightly run's features of a customer as the portal's customer page and a
// customer's JSON export show them (docs/api/openapi.yaml, CustomerFeatures).
#pragma once

#include <nlohmann/json.hpp>
#include <optional>

#include "storage/store.h"

namespace loyalty::server {

// null when no run has computed them yet.
nlohmann::json CustomerFeaturesJson(const std::optional<CustomerFeaturesRecord>& features);

}  // namespace loyalty::server
