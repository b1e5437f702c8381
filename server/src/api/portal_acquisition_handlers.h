// Portal routes about acquisition sources: the ranked report (customers who joined in a
// period per source, their revenue since, the source's cost over the period and the
// ratios), and the sources' names and costs, which only admins change.
#pragma once

#include "http/router.h"
#include "storage/store.h"

namespace loyalty::server {

// GET /portal/api/acquisition?from=YYYY-MM-DD&to=YYYY-MM-DD&sort=... (?format=csv);
// GET /portal/api/acquisition/sources (?format=csv);
// PUT /portal/api/acquisition/sources/{source} {"display_name"};
// PUT /portal/api/acquisition/sources/{source}/costs {"period_start", "period_end", "cost"}.
// Days are UTC. Admins and analysts see the chain with its costs; a store manager the
// customers who shopped in their stores and their revenue there, without the costs,
// which are the chain's.
void AddPortalAcquisitionRoutes(http::Router& router, Store& store);

}  // namespace loyalty::server
