#include "api/portal_store_handlers.h"

#include "api/portal_auth.h"
#include "loyalty/core/number.h"

namespace loyalty::server {

void AddPortalStoreRoutes(http::Router& router, Store& store) {
  router.Add(
      http::Verb::get, "/portal/api/coupon-conflicts",
      PortalAuthenticated(
          store, {PortalRole::kAdmin, PortalRole::kStoreManager, PortalRole::kAnalyst},
          [&store](const http::Request& request,
                   const PortalCaller& caller) -> Result<http::Response> {
            std::size_t limit = 100;
            if (const auto it = request.query.find("limit"); it != request.query.end()) {
              const auto parsed = ParseWholeNumber(it->second, 1000);
              if (!parsed || *parsed < 1) {
                return InvalidArgument("limit", "must be a whole number from 1 to 1000");
              }
              limit = static_cast<std::size_t>(*parsed);
            }
            // A store manager with no stores sees nothing, never the whole chain.
            if (caller.user.role == PortalRole::kStoreManager && caller.user.stores.empty()) {
              return http::Response::Json({{"conflicts", nlohmann::json::array()}});
            }
            const auto conflicts = store.ListCouponConflicts(
                caller.user.role == PortalRole::kStoreManager ? caller.user.stores
                                                              : std::vector<std::string>{},
                limit);
            nlohmann::json items = nlohmann::json::array();
            for (const auto& conflict : conflicts) {
              items.push_back({{"coupon_id", conflict.coupon_id},
                               {"customer_id", conflict.customer_id},
                               {"first", {{"purchase_id", conflict.first_purchase_id},
                                          {"store_id", conflict.first_store_id},
                                          {"terminal_id", conflict.first_terminal_id},
                                          {"at", FormatUtc(conflict.first_at)}}},
                               {"second", {{"purchase_id", conflict.second_purchase_id},
                                           {"store_id", conflict.second_store_id},
                                           {"terminal_id", conflict.second_terminal_id},
                                           {"at", FormatUtc(conflict.second_at)}}},
                               {"discount", conflict.discount_minor},
                               {"verified_offline", conflict.verified_offline},
                               {"detected_at", FormatUtc(conflict.detected_at)}});
            }
            return http::Response::Json({{"conflicts", std::move(items)}});
          }));
}

}  // namespace loyalty::server
