// The terminal API v1 routes (docs/api/openapi.yaml): card lookup, purchase upload,
// catalog download.
#pragma once

#include "http/router.h"
#include "storage/store.h"

namespace loyalty::server {

// Adds the routes to `router`; `store` must outlive it.
void AddTerminalApiRoutes(http::Router& router, Store& store);

}  // namespace loyalty::server
