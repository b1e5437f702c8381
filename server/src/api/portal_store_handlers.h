// Portal routes about stores and their tills. So far: the coupon conflicts that offline
// tills caused, which a manager follows up with the shopper or the till's staff.
#pragma once

#include "http/router.h"
#include "storage/store.h"

namespace loyalty::server {

// GET /portal/api/coupon-conflicts?limit=N (1..1000, default 100), newest first. A store
// manager sees the conflicts that involve their own stores only.
void AddPortalStoreRoutes(http::Router& router, Store& store);

}  // namespace loyalty::server
