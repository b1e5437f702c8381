// Every route the server serves, in one place: what main() mounts and what the test
// comparing the router with docs/api/openapi.yaml walks.
#pragma once

#include "api/portal_pages.h"
#include "auth/login_throttle.h"
#include "http/router.h"
#include "loyalty/crypto/ed25519.h"
#include "ops/metrics.h"
#include "storage/store.h"

namespace loyalty::server {

// The arguments must outlive the router.
void AddAllRoutes(http::Router& router, Store& store, const crypto::VerifyKey& coupon_key,
                  ops::Registry& metrics, auth::LoginThrottle& login_throttle,
                  std::function<void()> refresh_metrics, const PortalFiles& portal_files);

}  // namespace loyalty::server
