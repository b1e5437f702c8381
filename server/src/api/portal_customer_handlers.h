// Portal routes about customers: the list (search, filters, sort, keyset pages, CSV),
// one customer's page, their purchases, the contact log and follow-ups, edits (details,
// card replacement, merge) and privacy (export, erase). Described in
// docs/api/openapi.yaml.
//
// Everybody logged in reads; admins and store managers change (an analyst gets 403);
// erasing is the admin's alone. A store manager sees only customers who shopped in one
// of their stores: anyone else's customer is answered 404, as an unknown one is, so the
// portal tells nothing about customers of other stores. Every change and every export
// is in the audit log, by customer id, without personal data.
#pragma once

#include "http/router.h"
#include "storage/store.h"

namespace loyalty::server {

void AddPortalCustomerRoutes(http::Router& router, Store& store);

}  // namespace loyalty::server
