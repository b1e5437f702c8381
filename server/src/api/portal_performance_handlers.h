// The portal's performance page: sales per store, and per cashier within each store,
// over today or the last 7 or 30 days.
#pragma once

#include "http/router.h"
#include "storage/store.h"

namespace loyalty::server {

// GET /portal/api/performance?days=1|7|30[&utc_offset_minutes=M][&store=ID]
//     [&sort=sales|purchases|mean_basket|card_share|coupons_redeemed]
//     [&format=csv&table=stores|cashiers]
//
// The run of days and the stores are the dashboard's (api/portal_period.h): a store
// manager sees their own stores only. Stores are ranked by `sort` (default sales,
// highest first), cashiers by the same figure within their store; ties go by id. With
// format=csv (or Accept: text/csv) the answer is one table as CSV, money in minor units.
void AddPortalPerformanceRoutes(http::Router& router, Store& store);

}  // namespace loyalty::server
