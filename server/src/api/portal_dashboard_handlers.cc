#include "api/portal_dashboard_handlers.h"

#include "api/portal_auth.h"
#include "loyalty/core/number.h"

namespace loyalty::server {
namespace {

constexpr std::int64_t kDaySeconds = 24 * 60 * 60;
constexpr std::int64_t kMaxUtcOffsetMinutes = 14 * 60;

Result<int> DaysParameter(const http::Request& request) {
  const auto it = request.query.find("days");
  if (it == request.query.end()) return 7;
  if (it->second == "1" || it->second == "7" || it->second == "30") return std::stoi(it->second);
  return InvalidArgument("days", "must be 1 (today), 7 or 30");
}

Result<std::int64_t> UtcOffsetParameter(const http::Request& request) {
  const auto it = request.query.find("utc_offset_minutes");
  if (it == request.query.end()) return 0;
  const std::string_view text = it->second;
  const bool negative = text.starts_with('-');
  const auto magnitude = ParseWholeNumber(negative ? text.substr(1) : text, kMaxUtcOffsetMinutes);
  if (!magnitude) {
    return InvalidArgument("utc_offset_minutes", "must be a whole number from -840 to 840");
  }
  return negative ? -*magnitude : *magnitude;
}

// The stores the figures cover: empty for the chain.
Result<std::vector<std::string>> Scope(const http::Request& request, const PortalCaller& caller) {
  if (const auto it = request.query.find("store"); it != request.query.end()) {
    if (!caller.MaySeeStore(it->second)) {
      return Error{ErrorCode::kPermissionDenied, "not one of your stores", "store"};
    }
    return std::vector<std::string>{it->second};
  }
  if (caller.user.role == PortalRole::kStoreManager) return caller.user.stores;
  return std::vector<std::string>{};
}

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
  const auto days = DaysParameter(request);
  if (!days.ok()) return days.error();
  const auto offset_minutes = UtcOffsetParameter(request);
  if (!offset_minutes.ok()) return offset_minutes.error();
  auto stores = Scope(request, caller);
  if (!stores.ok()) return stores.error();

  const std::int64_t offset = *offset_minutes * 60;
  const std::int64_t local_now = ToUnixSeconds(Now()) + offset;
  const std::int64_t local_from = (local_now / kDaySeconds - (*days - 1)) * kDaySeconds;
  DashboardQuery query{*stores, FromUnixSeconds(local_from - offset), *days};

  Dashboard dashboard;
  // A store manager without stores sees nothing, never the whole chain.
  if (caller.user.role == PortalRole::kStoreManager && stores->empty()) {
    dashboard.per_day.resize(static_cast<std::size_t>(*days));
  } else {
    dashboard = store.LoadDashboard(query);
  }

  nlohmann::json per_day = nlohmann::json::array();
  for (std::size_t i = 0; i < dashboard.per_day.size(); ++i) {
    auto day = FiguresJson(dashboard.per_day[i]);
    const auto start = FromUnixSeconds(local_from + static_cast<std::int64_t>(i) * kDaySeconds);
    day["date"] = FormatUtc(start).substr(0, 10);  // the viewer's calendar date
    per_day.push_back(std::move(day));
  }
  return http::Response::Json({{"days", *days},
                               {"utc_offset_minutes", *offset_minutes},
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
