#include "storage/store.h"

#include <algorithm>
#include <cctype>
#include <future>
#include <limits>
#include <tuple>

#include "loyalty/core/log.h"

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

LeaseTime LeaseNow() {
  return std::chrono::floor<std::chrono::milliseconds>(std::chrono::system_clock::now());
}

std::string NormalisedEmail(std::string email) {
  const auto first = email.find_first_not_of(" \t");
  const auto last = email.find_last_not_of(" \t");
  email = first == std::string::npos ? std::string() : email.substr(first, last - first + 1);
  std::transform(email.begin(), email.end(), email.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return email;
}

std::optional<domain::Segment> StoredSegment(const std::optional<std::string>& name) {
  if (!name) return std::nullopt;
  auto segment = domain::ParseSegment(*name, "segment");
  if (!segment.ok()) return std::nullopt;
  return *segment;
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

void Store::ScanPurchaseHistoryKeys(Timestamp before, const HistoryKeyLineFunction& line) {
  ScanPurchaseHistoryKeyRanges(
      before,
      {{std::numeric_limits<std::int64_t>::min(), std::numeric_limits<std::int64_t>::max()}}, line,
      {});
}

Result<std::int64_t> Store::DropReplacedNextVisitCandidates(std::size_t rows_per_transaction) {
  std::int64_t dropped = 0;
  for (;;) {
    const auto deleted = DeleteReplacedNextVisitCandidates(rows_per_transaction);
    if (!deleted.ok()) return deleted.error();
    dropped += *deleted;
    if (*deleted < static_cast<std::int64_t>(rows_per_transaction)) return dropped;
  }
}

void SalesFigures::Add(const SalesFigures& other) {
  purchases += other.purchases;
  sales_minor += other.sales_minor;
  card_purchases += other.card_purchases;
  card_sales_minor += other.card_sales_minor;
  discount_minor += other.discount_minor;
  coupons_redeemed += other.coupons_redeemed;
}

void Performance::AddUpStores(const std::map<std::string, std::string>& names) {
  std::map<std::string, StorePerformance> by_id;
  for (auto& store : stores) by_id[store.store_id] = std::move(store);
  for (const auto& cashier : cashiers) {
    StorePerformance& store = by_id[cashier.store_id];
    store.store_id = cashier.store_id;
    store.figures.Add(cashier.figures);
  }
  stores.clear();
  for (auto& [id, store] : by_id) {
    if (const auto name = names.find(id); name != names.end()) store.name = name->second;
    stores.push_back(std::move(store));
  }
  std::sort(cashiers.begin(), cashiers.end(), [](const auto& a, const auto& b) {
    return std::tie(a.store_id, a.cashier_id) < std::tie(b.store_id, b.cashier_id);
  });
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

void AuditStoredAction(Store& store, const AuditEntry& entry) {
  if (const Status appended = store.AppendAudit(entry); !appended.ok()) {
    log::Error("audit log write failed", {{"action", entry.action},
                                          {"target", entry.target},
                                          {"error", appended.error().ToString()}});
  }
}

}  // namespace loyalty::server
