// The audit log in the portal: who did what, when and from where. Admins only, since
// it names every account and what each one touched.
#pragma once

#include "http/router.h"
#include "storage/store.h"

namespace loyalty::server {

// GET /portal/api/audit?user=ID&action=A&target=T&from=ISO&to=ISO&before=SEQ&limit=N,
// newest first; `action` "customer" matches every customer.* action. `before` is the
// keyset: the `next_before` of the previous page. `format=csv` gives up to 10,000 rows.
void AddPortalAuditRoutes(http::Router& router, Store& store);

}  // namespace loyalty::server
