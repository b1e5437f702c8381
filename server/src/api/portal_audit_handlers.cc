#include "api/portal_audit_handlers.h"

#include "api/portal_auth.h"
#include "api/portal_csv.h"
#include "api/portal_query.h"

namespace loyalty::server {
namespace {

constexpr std::size_t kMaxPageSize = 500;
constexpr std::size_t kMaxCsvRows = 10000;

Result<AuditQuery> ParseAuditQuery(const http::Request& request) {
  AuditQuery query;
  auto user = OptionalNumber(request, "user");
  if (!user.ok()) return user.error();
  query.user_id = *user;
  query.action = Query(request, "action").value_or("");
  query.target = Query(request, "target").value_or("");
  auto from = OptionalTime(request, "from");
  if (!from.ok()) return from.error();
  query.from = *from;
  auto to = OptionalTime(request, "to");
  if (!to.ok()) return to.error();
  query.to = *to;
  if (query.from && query.to && *query.to <= *query.from) {
    return InvalidArgument("to", "must be after from");
  }
  auto before = OptionalNumber(request, "before");
  if (!before.ok()) return before.error();
  query.before_seq = *before;
  auto limit = PageSize(request, 100, kMaxPageSize);
  if (!limit.ok()) return limit.error();
  query.limit = *limit;
  return query;
}

nlohmann::json RecordJson(const AuditRecord& record) {
  nlohmann::json user = nullptr;
  if (record.entry.user_id) {
    user = {{"id", *record.entry.user_id},
            {"email", record.user_email.value_or("")},
            {"name", record.user_name.value_or("")}};
  }
  return {{"seq", record.seq},
          {"at", FormatUtc(record.entry.at)},
          {"user", std::move(user)},
          {"action", record.entry.action},
          {"target", record.entry.target},
          {"detail", record.entry.detail},
          {"remote_address", record.entry.remote_address}};
}

Result<http::Response> AuditCsv(Store& store, AuditQuery query) {
  std::string csv = CsvLine({"seq", "at", "user_id", "user_email", "action", "target", "detail",
                             "remote_address"});
  std::size_t written = 0;
  while (written < kMaxCsvRows) {
    query.limit = std::min(kMaxPageSize, kMaxCsvRows - written);
    auto page = store.ListAudit(query);
    if (!page.ok()) return page.error();
    for (const auto& record : *page) {
      csv += CsvLine({std::to_string(record.seq), FormatUtc(record.entry.at),
                      record.entry.user_id ? std::to_string(*record.entry.user_id) : "",
                      record.user_email.value_or(""), record.entry.action, record.entry.target,
                      record.entry.detail.dump(), record.entry.remote_address});
    }
    written += page->size();
    if (page->size() < query.limit) break;
    query.before_seq = page->back().seq;
  }
  return CsvResponse(std::move(csv), "audit-log.csv");
}

}  // namespace

void AddPortalAuditRoutes(http::Router& router, Store& store) {
  router.Add(http::Verb::get, "/portal/api/audit",
             PortalAuthenticated(
                 store, {PortalRole::kAdmin},
                 [&store](const http::Request& request,
                          const PortalCaller&) -> Result<http::Response> {
                   auto query = ParseAuditQuery(request);
                   if (!query.ok()) return query.error();
                   if (WantsCsv(request)) return AuditCsv(store, *query);
                   auto records = store.ListAudit(*query);
                   if (!records.ok()) return records.error();
                   nlohmann::json entries = nlohmann::json::array();
                   for (const auto& record : *records) entries.push_back(RecordJson(record));
                   nlohmann::json next = nullptr;
                   if (records->size() == query->limit) next = records->back().seq;
                   return http::Response::Json(
                       {{"entries", std::move(entries)}, {"next_before", std::move(next)}});
                 }));
}

}  // namespace loyalty::server
