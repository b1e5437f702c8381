#include "storage/store.h"

#include <algorithm>
#include <cctype>
#include <future>

namespace loyalty::server {
namespace {

// Calls an asynchronous store method and waits for its answer.
template <typename T, typename Start>
Result<T> Wait(Start&& start) {
  std::promise<Result<T>> answer;
  auto result = answer.get_future();
  start([&answer](Result<T> value) { answer.set_value(std::move(value)); });
  return result.get();
}

}  // namespace

std::string NormalisedEmail(std::string email) {
  const auto first = email.find_first_not_of(" \t");
  const auto last = email.find_last_not_of(" \t");
  email = first == std::string::npos ? std::string() : email.substr(first, last - first + 1);
  std::transform(email.begin(), email.end(), email.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return email;
}

const char* PortalRoleName(PortalRole role) {
  switch (role) {
    case PortalRole::kAdmin: return "admin";
    case PortalRole::kStoreManager: return "store_manager";
    case PortalRole::kAnalyst: return "analyst";
  }
  return "analyst";
}

Result<PortalRole> ParsePortalRole(const std::string& text) {
  for (auto role : {PortalRole::kAdmin, PortalRole::kStoreManager, PortalRole::kAnalyst}) {
    if (text == PortalRoleName(role)) return role;
  }
  return InvalidArgument("role", "must be admin, store_manager or analyst, not '" + text + "'");
}

Result<RecordedPurchase> Store::RecordPurchase(const domain::Purchase& purchase, Timestamp now) {
  return Wait<RecordedPurchase>(
      [&](PurchaseCallback done) { RecordPurchaseAsync(purchase, now, std::move(done)); });
}

Result<RecordedReturn> Store::RecordReturn(const domain::SaleReturn& sale_return, Timestamp now) {
  return Wait<RecordedReturn>(
      [&](ReturnCallback done) { RecordReturnAsync(sale_return, now, std::move(done)); });
}

void Dashboard::AddUpDays() {
  for (const auto& day : per_day) {
    total.purchases += day.purchases;
    total.sales_minor += day.sales_minor;
    total.card_sales_minor += day.card_sales_minor;
    total.coupons_issued += day.coupons_issued;
    total.coupons_redeemed += day.coupons_redeemed;
  }
}

}  // namespace loyalty::server
