// Terminal authentication for API routes: "Authorization: Bearer <credential>" from
// enrollment, checked against the store before the handler runs.
#pragma once

#include <functional>

#include "http/router.h"
#include "storage/store.h"

namespace loyalty::server {

using TerminalHandler =
    std::function<void(const http::Request&, const TerminalIdentity&, http::Reply)>;

// Wraps `handler` so it runs only for an enrolled, unrevoked terminal: 401 without a
// known credential, 403 for a revoked terminal.
http::AsyncHandler Authenticated(Store& store, TerminalHandler handler);

}  // namespace loyalty::server
