#include "api/portal_dashboard_handlers.h"

#include "api/portal_auth.h"
#include "api/portal_period.h"

namespace loyalty::server {
namespace {

constexpr std::int64_t kDaySeconds = 24 * 60 * 60;

nlohmann::json FiguresJson(const DashboardFigures& figures) {
  return {{"purchases", figures.purchases},
          {"sales", figures.sales_minor},
          {"card_sales", figures.card_sales_minor},
          {"active_customers", figures.active_customers},
          {"coupons_issued", figures.coupons_issued},
          {"coupons_redeemed", figures.coupons_redeemed}};
}

Result<http::Response> DashboardHandler(Store& store, const http::Request& request,
                                        const PortalCaller& caller) {
  const auto period = ParsePortalPeriod(request, caller);
  if (!period.ok()) return period.error();
  const DashboardQuery& query = period->query;

  Dashboard dashboard;
  if (period->sees_nothing) {
    dashboard.per_day.resize(static_cast<std::size_t>(period->days));
  } else {
    dashboard = store.LoadDashboard(query);
  }

  nlohmann::json per_day = nlohmann::json::array();
  for (std::size_t i = 0; i < dashboard.per_day.size(); ++i) {
    auto day = FiguresJson(dashboard.per_day[i]);
    const auto start =
        FromUnixSeconds(period->local_from + static_cast<std::int64_t>(i) * kDaySeconds);
    day["date"] = FormatUtc(start).substr(0, 10);  // the viewer's calendar date
    per_day.push_back(std::move(day));
  }
  return http::Response::Json({{"days", period->days},
                               {"utc_offset_minutes", period->utc_offset_minutes},
                               {"from", FormatUtc(query.from)},
                               {"stores", query.stores},
                               {"currency", dashboard.currency},
                               {"total", FiguresJson(dashboard.total)},
                               {"per_day", std::move(per_day)}});
}

}  // namespace

void AddPortalDashboardRoutes(http::Router& router, Store& store) {
  router.Add(http::Verb::get, "/portal/api/dashboard",
             PortalAuthenticated(
                 store, {PortalRole::kAdmin, PortalRole::kStoreManager, PortalRole::kAnalyst},
                 [&store](const http::Request& request, const PortalCaller& caller) {
                   return DashboardHandler(store, request, caller);
                 }));
}

}  // namespace loyalty::server
