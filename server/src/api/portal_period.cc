#include "api/portal_period.h"

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

}  // namespace

Result<PortalPeriod> ParsePortalPeriod(const http::Request& request, const PortalCaller& caller) {
  const auto days = DaysParameter(request);
  if (!days.ok()) return days.error();
  const auto offset_minutes = UtcOffsetParameter(request);
  if (!offset_minutes.ok()) return offset_minutes.error();
  auto stores = Scope(request, caller);
  if (!stores.ok()) return stores.error();

  PortalPeriod period;
  period.days = *days;
  period.utc_offset_minutes = *offset_minutes;
  const std::int64_t offset = *offset_minutes * 60;
  const std::int64_t local_now = ToUnixSeconds(Now()) + offset;
  period.local_from = (local_now / kDaySeconds - (*days - 1)) * kDaySeconds;
  period.sees_nothing = caller.user.role == PortalRole::kStoreManager && stores->empty();
  period.query =
      DashboardQuery{std::move(stores).value(), FromUnixSeconds(period.local_from - offset), *days};
  return period;
}

}  // namespace loyalty::server
