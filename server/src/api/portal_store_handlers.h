// Portal routes about stores and their tills: the stores with their terminals (last
// seen, offline backlog, a till gone quiet flagged), enrollment codes, revocation, and
// the coupon conflicts offline tills caused. A store manager sees and acts on their own
// stores only; another store's things answer 404.
#pragma once

#include "http/router.h"
#include "storage/store.h"

namespace loyalty::server {

// A till heartbeats every minute while its queue is empty; five missed in a row and the
// portal flags it, since its sales may be piling up offline.
inline constexpr auto kTerminalQuietAfter = std::chrono::minutes(5);

// GET /portal/api/stores (and ?format=csv: one line per terminal);
// POST /portal/api/stores/{store_id}/enrollment-codes;
// POST /portal/api/terminals/{terminal_id}/revoke;
// GET /portal/api/coupon-conflicts?limit=N (1..1000, default 100; ?format=csv), newest first.
void AddPortalStoreRoutes(http::Router& router, Store& store);

}  // namespace loyalty::server
