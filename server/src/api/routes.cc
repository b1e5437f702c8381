#include "api/routes.h"

#include "api/customer_api_handlers.h"
#include "api/portal_acquisition_handlers.h"
#include "api/portal_audit_handlers.h"
#include "api/portal_auth.h"
#include "api/portal_campaign_handlers.h"
#include "api/portal_customer_handlers.h"
#include "api/portal_dashboard_handlers.h"
#include "api/portal_performance_handlers.h"
#include "api/portal_store_handlers.h"
#include "api/terminal_api_handlers.h"
#include "ops/ops_routes.h"

namespace loyalty::server {

void AddAllRoutes(http::Router& router, Store& store, const crypto::VerifyKey& coupon_key,
                  ops::Registry& metrics, auth::LoginThrottle& login_throttle,
                  std::function<void()> refresh_metrics, const PortalFiles& portal_files) {
  AddOpsRoutes(router, metrics, std::move(refresh_metrics));
  AddTerminalApiRoutes(router, store, coupon_key);
  AddCustomerApiRoutes(router, store);
  AddPortalSessionRoutes(router, store, login_throttle);
  AddPortalStoreRoutes(router, store);
  AddPortalCampaignRoutes(router, store);
  AddPortalCustomerRoutes(router, store);
  AddPortalDashboardRoutes(router, store);
  AddPortalAuditRoutes(router, store);
  AddPortalAcquisitionRoutes(router, store);
  AddPortalPerformanceRoutes(router, store);
  AddPortalPageRoutes(router, portal_files);
}

}  // namespace loyalty::server
