// The terminal API v1 routes (docs/api/openapi.yaml): card lookup, purchase upload,
// returns, catalog download (whole or changes), coupon check, enrollment, heartbeat.
#pragma once

#include "http/router.h"
#include "storage/store.h"

namespace loyalty::server {

// Adds the routes to `router`; `store` and `coupon_key` (the server's own, to check
// coupons terminals ask about) must outlive it.
void AddTerminalApiRoutes(http::Router& router, Store& store, const crypto::VerifyKey& coupon_key);

}  // namespace loyalty::server
