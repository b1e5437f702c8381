// Portal logins: the session cookie, CSRF protection and roles, in front of every portal
// route; and the session routes themselves (log in, who am I, log out).
//
// The cookie `loyalty_session` holds 256 random bits (HttpOnly, Secure, SameSite=Strict,
// 8 hours); the database keeps only its SHA-256. Every request that changes something
// must carry the session's CSRF token in the X-CSRF-Token header: a page of another
// site can make the browser send the cookie, but cannot read the token.
#pragma once

#include <functional>
#include <set>

#include "auth/login_throttle.h"
#include "http/router.h"
#include "storage/store.h"

namespace loyalty::server {

inline constexpr char kSessionCookie[] = "loyalty_session";
inline constexpr auto kSessionLifetime = std::chrono::hours(8);

struct PortalCaller {
  PortalUser user;
  PortalSession session;

  // Admins and analysts see the chain; a store manager only their own stores.
  bool MaySeeStore(const std::string& store_id) const;
  bool MayChange() const { return user.role != PortalRole::kAnalyst; }
};

using PortalHandler = std::function<Result<http::Response>(const http::Request&, const PortalCaller&)>;

// Wraps `handler` so it runs only for a logged-in user whose role is among `roles`:
// 401 without a live session, 403 for another role or a missing or wrong CSRF token on
// a request that is not GET.
http::Handler PortalAuthenticated(Store& store, std::set<PortalRole> roles, PortalHandler handler);

// The chain's currency (an ISO 4217 code), which every money figure of the portal's API
// is in: the pages format amounts with it.
std::string ChainCurrency(Store& store);

// POST, GET and DELETE /portal/api/session.
void AddPortalSessionRoutes(http::Router& router, Store& store, auth::LoginThrottle& throttle);

}  // namespace loyalty::server
