#include "api/portal_store_handlers.h"

#include <algorithm>

#include "api/portal_auth.h"
#include "api/portal_csv.h"
#include "api/portal_query.h"
#include "loyalty/codec/json_reader.h"

namespace loyalty::server {
namespace {

const std::set<PortalRole> kReaders = {PortalRole::kAdmin, PortalRole::kStoreManager,
                                       PortalRole::kAnalyst};
const std::set<PortalRole> kEditors = {PortalRole::kAdmin, PortalRole::kStoreManager};

constexpr std::int64_t kDefaultCodeHours = 24;
constexpr std::int64_t kMaxCodeHours = 24 * 30;

// An active till that has not been heard from for kTerminalQuietAfter (or since it
// enrolled, if it never was).
bool Quiet(const TerminalRecord& terminal, Timestamp now) {
  if (terminal.status != "active") return false;
  return terminal.last_seen_at.value_or(terminal.enrolled_at) + kTerminalQuietAfter < now;
}

nlohmann::json TerminalJson(const TerminalRecord& terminal, Timestamp now) {
  return {
      {"id", terminal.identity.terminal_id},
      {"store_id", terminal.identity.store_id},
      {"name", terminal.name},
      {"status", terminal.status},
      {"enrolled_at", FormatUtc(terminal.enrolled_at)},
      {"last_seen_at", terminal.last_seen_at ? nlohmann::json(FormatUtc(*terminal.last_seen_at))
                                             : nlohmann::json(nullptr)},
      {"backlog", terminal.backlog ? nlohmann::json(*terminal.backlog) : nlohmann::json(nullptr)},
      {"quiet", Quiet(terminal, now)}};
}

std::string TerminalsCsv(const std::vector<StoreInfo>& stores,
                         const std::vector<TerminalRecord>& terminals, Timestamp now) {
  std::string csv =
      "store_id,store_name,terminal_id,name,status,enrolled_at,last_seen_at,backlog,quiet\r\n";
  for (const auto& terminal : terminals) {
    const auto store = std::find_if(stores.begin(), stores.end(), [&](const StoreInfo& info) {
      return info.id == terminal.identity.store_id;
    });
    if (store == stores.end()) continue;
    csv += CsvField(store->id) + "," + CsvField(store->name) + "," +
           CsvField(terminal.identity.terminal_id) + "," + CsvField(terminal.name) + "," +
           terminal.status + "," + FormatUtc(terminal.enrolled_at) + "," +
           (terminal.last_seen_at ? FormatUtc(*terminal.last_seen_at) : "") + "," +
           (terminal.backlog ? std::to_string(*terminal.backlog) : "") + "," +
           (Quiet(terminal, now) ? "1" : "0") + "\r\n";
  }
  return csv;
}

Result<http::Response> ListStores(Store& store, const http::Request& request,
                                  const PortalCaller& caller) {
  std::vector<StoreInfo> stores = store.ListStores();
  std::erase_if(stores, [&](const StoreInfo& info) { return !caller.MaySeeStore(info.id); });
  std::vector<TerminalRecord> terminals = store.ListTerminals();
  std::erase_if(terminals, [&](const TerminalRecord& terminal) {
    return !caller.MaySeeStore(terminal.identity.store_id);
  });
  const Timestamp now = Now();
  if (WantsCsv(request)) return CsvResponse(TerminalsCsv(stores, terminals, now), "terminals.csv");
  nlohmann::json items = nlohmann::json::array();
  for (const auto& info : stores) {
    nlohmann::json own = nlohmann::json::array();
    for (const auto& terminal : terminals) {
      if (terminal.identity.store_id == info.id) own.push_back(TerminalJson(terminal, now));
    }
    items.push_back({{"id", info.id},
                     {"name", info.name},
                     {"currency", info.currency},
                     {"terminals", std::move(own)}});
  }
  return http::Response::Json(
      {{"stores", std::move(items)},
       {"quiet_after_seconds",
        std::chrono::duration_cast<std::chrono::seconds>(kTerminalQuietAfter).count()}});
}

Result<http::Response> CreateEnrollmentCode(Store& store, const http::Request& request,
                                            const PortalCaller& caller) {
  const std::string& store_id = request.params.at("store_id");
  // Another manager's store is as unknown as a store that does not exist.
  if (!caller.MaySeeStore(store_id)) {
    return Error{ErrorCode::kNotFound, "no store " + store_id, "store_id"};
  }
  std::int64_t hours = kDefaultCodeHours;
  if (!request.body.empty()) {
    auto json = codec::ParseJson(request.body);
    if (!json.ok()) return json.error();
    codec::FieldErrors errors;
    codec::ObjectReader body(*json, "", errors);
    hours = body.OptionalInt("valid_hours", 1, kMaxCodeHours).value_or(kDefaultCodeHours);
    body.Finish();
    if (!errors.ok()) return errors.error();
  }
  const Timestamp now = Now();
  auto code = store.CreateEnrollmentCode(store_id, std::chrono::hours(hours), now);
  if (!code.ok()) {
    if (code.error().code == ErrorCode::kNotFound) {
      return Error{ErrorCode::kNotFound, "no store " + store_id, "store_id"};
    }
    return code.error();
  }
  // The code itself is a secret until used: never in the audit log.
  AuditStoredAction(store, {now,
                            caller.user.id,
                            "terminal.enrollment_code",
                            "store:" + store_id,
                            {{"valid_hours", hours}},
                            request.remote_address});
  return http::Response::Json({{"store_id", store_id},
                               {"code", *code},
                               {"expires_at", FormatUtc(now + std::chrono::hours(hours))}},
                              201);
}

Result<http::Response> RevokeTerminal(Store& store, const http::Request& request,
                                      const PortalCaller& caller) {
  const std::string& terminal_id = request.params.at("terminal_id");
  const auto terminals = store.ListTerminals();
  const auto found = std::find_if(
      terminals.begin(), terminals.end(),
      [&](const TerminalRecord& terminal) { return terminal.identity.terminal_id == terminal_id; });
  if (found == terminals.end() || !caller.MaySeeStore(found->identity.store_id)) {
    return Error{ErrorCode::kNotFound, "no terminal " + terminal_id, "terminal_id"};
  }
  const bool revoked_now = found->status != "revoked";
  const Timestamp now = Now();
  if (revoked_now) {
    if (auto revoked = store.RevokeTerminal(terminal_id, now); !revoked.ok()) {
      return revoked.error();
    }
    AuditStoredAction(store, {now,
                              caller.user.id,
                              "terminal.revoke",
                              "terminal:" + terminal_id,
                              {{"store_id", found->identity.store_id}},
                              request.remote_address});
  }
  TerminalRecord record = *found;
  record.status = "revoked";
  return http::Response::Json(
      {{"terminal", TerminalJson(record, now)}, {"revoked_now", revoked_now}});
}

nlohmann::json SaleJson(const std::string& purchase_id, const std::string& store_id,
                        const std::string& terminal_id, Timestamp at) {
  return {{"purchase_id", purchase_id},
          {"store_id", store_id},
          {"terminal_id", terminal_id},
          {"at", FormatUtc(at)}};
}

std::string ConflictsCsv(const std::vector<CouponConflict>& conflicts,
                         const std::string& currency) {
  std::string csv =
      "detected_at,coupon_id,customer_id,discount,verified_offline,first_purchase_id,"
      "first_store_id,first_terminal_id,first_at,second_purchase_id,second_store_id,"
      "second_terminal_id,second_at,currency\r\n";
  for (const auto& conflict : conflicts) {
    csv += FormatUtc(conflict.detected_at) + "," + CsvField(conflict.coupon_id) + "," +
           std::to_string(conflict.customer_id) + "," + CsvMoney(conflict.discount_minor, currency) +
           "," + (conflict.verified_offline ? "1" : "0") + "," +
           CsvField(conflict.first_purchase_id) + "," + CsvField(conflict.first_store_id) + "," +
           CsvField(conflict.first_terminal_id) + "," + FormatUtc(conflict.first_at) + "," +
           CsvField(conflict.second_purchase_id) + "," + CsvField(conflict.second_store_id) + "," +
           CsvField(conflict.second_terminal_id) + "," + FormatUtc(conflict.second_at) + "," +
           currency + "\r\n";
  }
  return csv;
}

Result<http::Response> ListConflicts(Store& store, const http::Request& request,
                                     const PortalCaller& caller) {
  const auto limit = PageSize(request, 100, 1000);
  if (!limit.ok()) return limit.error();
  std::vector<CouponConflict> conflicts;
  // A store manager with no stores sees nothing, never the whole chain.
  if (caller.user.role != PortalRole::kStoreManager || !caller.user.stores.empty()) {
    conflicts = store.ListCouponConflicts(caller.user.role == PortalRole::kStoreManager
                                              ? caller.user.stores
                                              : std::vector<std::string>{},
                                          *limit);
  }
  if (WantsCsv(request)) {
    return CsvResponse(ConflictsCsv(conflicts, ChainCurrency(store)), "coupon-conflicts.csv");
  }
  nlohmann::json items = nlohmann::json::array();
  for (const auto& conflict : conflicts) {
    items.push_back({{"coupon_id", conflict.coupon_id},
                     {"customer_id", conflict.customer_id},
                     {"first", SaleJson(conflict.first_purchase_id, conflict.first_store_id,
                                        conflict.first_terminal_id, conflict.first_at)},
                     {"second", SaleJson(conflict.second_purchase_id, conflict.second_store_id,
                                         conflict.second_terminal_id, conflict.second_at)},
                     {"discount", conflict.discount_minor},
                     {"verified_offline", conflict.verified_offline},
                     {"detected_at", FormatUtc(conflict.detected_at)}});
  }
  return http::Response::Json({{"conflicts", std::move(items)}});
}

}  // namespace

void AddPortalStoreRoutes(http::Router& router, Store& store) {
  router.Add(
      http::Verb::get, "/portal/api/stores",
      PortalAuthenticated(store, kReaders,
                          [&store](const http::Request& request, const PortalCaller& caller) {
                            return ListStores(store, request, caller);
                          }));
  router.Add(
      http::Verb::post, "/portal/api/stores/{store_id}/enrollment-codes",
      PortalAuthenticated(store, kEditors,
                          [&store](const http::Request& request, const PortalCaller& caller) {
                            return CreateEnrollmentCode(store, request, caller);
                          }));
  router.Add(
      http::Verb::post, "/portal/api/terminals/{terminal_id}/revoke",
      PortalAuthenticated(store, kEditors,
                          [&store](const http::Request& request, const PortalCaller& caller) {
                            return RevokeTerminal(store, request, caller);
                          }));
  router.Add(
      http::Verb::get, "/portal/api/coupon-conflicts",
      PortalAuthenticated(store, kReaders,
                          [&store](const http::Request& request, const PortalCaller& caller) {
                            return ListConflicts(store, request, caller);
                          }));
}

}  // namespace loyalty::server
