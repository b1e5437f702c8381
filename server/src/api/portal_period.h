// The run of days and the stores a portal report covers (the dashboard, the performance
// page), read from the request the same way for each.
#pragma once

#include <cstdint>

#include "api/portal_auth.h"
#include "http/router.h"
#include "storage/store.h"

namespace loyalty::server {

struct PortalPeriod {
  int days = 7;                         // 1 (the viewer's today), 7 or 30
  std::int64_t utc_offset_minutes = 0;  // east of UTC, -840 to 840
  std::int64_t local_from = 0;          // the first day's start in the viewer's local seconds
  DashboardQuery query;                 // the stores (empty: the chain) and the run in UTC
  // A store manager without stores sees nothing, never the whole chain.
  bool sees_nothing = false;
};

// Reads `days` (default 7), `utc_offset_minutes` (default 0) and `store` (optional; a
// store the caller may not see is a 403 naming it). The run ends with the viewer's
// today. A store manager's scope is their own stores; an admin's or analyst's the chain.
Result<PortalPeriod> ParsePortalPeriod(const http::Request& request, const PortalCaller& caller);

}  // namespace loyalty::server
