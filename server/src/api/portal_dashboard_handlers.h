// The portal dashboard's data: sales, the share sold with a loyalty card, active
// customers and coupons, for today or the last 7 or 30 days, in total and per day.
#pragma once

#include "http/router.h"
#include "storage/store.h"

namespace loyalty::server {

// GET /portal/api/dashboard?days=1|7|30[&store=ID][&utc_offset_minutes=M]
//
// Days are the viewer's: the browser sends its UTC offset (minutes east of UTC, -840 to
// 840, default 0) and the run ends with the viewer's today. A store manager sees their
// own stores (or one of them with `store`); an admin or analyst the chain, or `store`.
// Another's store is a 403.
void AddPortalDashboardRoutes(http::Router& router, Store& store);

}  // namespace loyalty::server
