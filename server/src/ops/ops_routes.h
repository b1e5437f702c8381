// Routes for operators: GET /healthz and GET /metrics (Prometheus text format).
#pragma once

#include <functional>

#include "http/router.h"
#include "ops/metrics.h"

namespace loyalty::server {

// `refresh` runs before each scrape, to update gauges sampled from elsewhere.
void AddOpsRoutes(http::Router& router, ops::Registry& metrics, std::function<void()> refresh);

}  // namespace loyalty::server
