// Customer routes terminals use (and the portal will): registration of a card's holder,
// household cards, and replacing a lost card.
#pragma once

#include "http/router.h"
#include "storage/store.h"

namespace loyalty::server {

void AddCustomerApiRoutes(http::Router& router, Store& store);

}  // namespace loyalty::server
