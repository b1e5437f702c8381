#include "api/portal_acquisition_handlers.h"

#include <functional>

#include "acquisition/acquisition_report.h"
#include "api/portal_auth.h"
#include "api/portal_csv.h"
#include "api/portal_query.h"
#include "loyalty/codec/json_reader.h"

namespace loyalty::server {
namespace {

using acquisition::Day;

const std::set<PortalRole> kReaders = {PortalRole::kAdmin, PortalRole::kStoreManager,
                                       PortalRole::kAnalyst};

constexpr int kDefaultDays = 90;
constexpr int kMaxDays = 3660;

struct ReportQuery {
  Day first;
  Day last;
  acquisition::SourceSort sort = acquisition::SourceSort::kRevenue;
};

Result<ReportQuery> ParseReportQuery(const http::Request& request) {
  ReportQuery query;
  query.last = std::chrono::floor<std::chrono::days>(Now());
  if (const auto to = Query(request, "to")) {
    auto day = acquisition::ParseDay(*to, "to");
    if (!day.ok()) return day.error();
    query.last = *day;
  }
  query.first = query.last - std::chrono::days(kDefaultDays - 1);
  if (const auto from = Query(request, "from")) {
    auto day = acquisition::ParseDay(*from, "from");
    if (!day.ok()) return day.error();
    query.first = *day;
  }
  if (query.last < query.first) return InvalidArgument("to", "must not be before from");
  if ((query.last - query.first).count() >= kMaxDays) {
    return InvalidArgument("from", "a period has at most " + std::to_string(kMaxDays) + " days");
  }
  if (const auto sort = Query(request, "sort")) {
    auto parsed = acquisition::ParseSourceSort(*sort);
    if (!parsed.ok()) return parsed.error();
    query.sort = *parsed;
  }
  return query;
}

template <typename T>
nlohmann::json OrNull(const std::optional<T>& value) {
  return value ? nlohmann::json(*value) : nlohmann::json(nullptr);
}

std::string ReportCsv(const std::vector<acquisition::SourceRow>& rows,
                      const std::string& currency) {
  const auto money = [&](const std::optional<std::int64_t>& minor) {
    return minor ? CsvMoney(*minor, currency) : "";
  };
  std::string csv =
      "rank,source,display_name,customers,revenue,cost,cost_per_customer,revenue_per_cost,"
      "currency\r\n";
  int rank = 0;
  for (const auto& row : rows) {
    csv += std::to_string(++rank) + "," + CsvField(row.source.value_or("unknown")) + "," +
           CsvField(row.display_name) + "," + std::to_string(row.customers) + "," +
           money(row.revenue_minor) + "," + money(row.cost_minor) + "," +
           money(row.cost_per_customer_minor) + "," +
           (row.revenue_per_cost ? nlohmann::json(*row.revenue_per_cost).dump() : "") + "," +
           currency + "\r\n";
  }
  return csv;
}

Result<http::Response> Report(Store& store, const http::Request& request,
                              const PortalCaller& caller) {
  auto query = ParseReportQuery(request);
  if (!query.ok()) return query.error();
  const bool manager = caller.user.role == PortalRole::kStoreManager;
  std::vector<AcquiredCustomers> acquired;
  // A store manager with no stores sees nobody, never the whole chain.
  if (!manager || !caller.user.stores.empty()) {
    acquired = store.ListAcquiredCustomers(
        {manager ? caller.user.stores : std::vector<std::string>{}, Timestamp(query->first),
         Timestamp(query->last + std::chrono::days(1))});
  }
  const auto rows = acquisition::RankSources(acquired, store.ListAcquisitionSources(), query->first,
                                             query->last, !manager, query->sort);
  const std::string currency = ChainCurrency(store);
  if (WantsCsv(request)) return CsvResponse(ReportCsv(rows, currency), "acquisition.csv");
  nlohmann::json sources = nlohmann::json::array();
  std::int64_t customers = 0;
  std::int64_t revenue = 0;
  std::int64_t cost = 0;
  for (const auto& row : rows) {
    customers += row.customers;
    revenue += row.revenue_minor;
    cost += row.cost_minor.value_or(0);
    sources.push_back({{"source", OrNull(row.source)},
                       {"display_name", row.display_name},
                       {"customers", row.customers},
                       {"revenue", row.revenue_minor},
                       {"cost", OrNull(row.cost_minor)},
                       {"cost_per_customer", OrNull(row.cost_per_customer_minor)},
                       {"revenue_per_cost", OrNull(row.revenue_per_cost)}});
  }
  return http::Response::Json(
      {{"from", acquisition::FormatDay(query->first)},
       {"to", acquisition::FormatDay(query->last)},
       {"currency", currency},
       {"stores", manager ? nlohmann::json(caller.user.stores) : nlohmann::json::array()},
       {"with_costs", !manager},
       {"sources", std::move(sources)},
       {"total",
        {{"customers", customers},
         {"revenue", revenue},
         {"cost", manager ? nlohmann::json(nullptr) : nlohmann::json(cost)}}}});
}

nlohmann::json SourceJson(const AcquisitionSource& source) {
  nlohmann::json costs = nlohmann::json::array();
  for (const auto& cost : source.costs) {
    costs.push_back({{"period_start", cost.period_start},
                     {"period_end", cost.period_end},
                     {"cost", cost.cost_minor},
                     {"updated_at", FormatUtc(cost.updated_at)}});
  }
  return {{"source", source.source},
          {"display_name", source.display_name},
          {"costs", std::move(costs)}};
}

Result<http::Response> ListSources(Store& store, const http::Request& request,
                                   const PortalCaller&) {
  const auto sources = store.ListAcquisitionSources();
  if (WantsCsv(request)) {
    const std::string currency = ChainCurrency(store);
    std::string csv = "source,display_name,period_start,period_end,cost,currency\r\n";
    for (const auto& source : sources) {
      for (const auto& cost : source.costs) {
        csv += CsvField(source.source) + "," + CsvField(source.display_name) + "," +
               cost.period_start + "," + cost.period_end + "," +
               CsvMoney(cost.cost_minor, currency) + "," + currency + "\r\n";
      }
    }
    return CsvResponse(std::move(csv), "acquisition-costs.csv");
  }
  nlohmann::json items = nlohmann::json::array();
  for (const auto& source : sources) items.push_back(SourceJson(source));
  return http::Response::Json({{"sources", std::move(items)}});
}

// The source as stored after a change.
Result<http::Response> SourceAnswer(Store& store, const std::string& token) {
  for (const auto& source : store.ListAcquisitionSources()) {
    if (source.source == token) return http::Response::Json(SourceJson(source));
  }
  return Error{ErrorCode::kInternal, "the source " + token + " was not stored", "source"};
}

// Reads the request's JSON object with `read`; unknown fields are refused, and the first
// problem names its field.
Status ReadBody(const http::Request& request,
                const std::function<void(codec::ObjectReader&)>& read) {
  auto json = codec::ParseJson(request.body);
  if (!json.ok()) return json.error();
  codec::FieldErrors errors;
  codec::ObjectReader body(*json, "", errors);
  read(body);
  body.Finish();
  if (!errors.ok()) return errors.error();
  return {};
}

Result<http::Response> NameSource(Store& store, const http::Request& request,
                                  const PortalCaller& caller) {
  const std::string& source = request.params.at("source");
  std::string display_name;
  if (auto read = ReadBody(request, [&](codec::ObjectReader& body) {
        display_name = body.RequiredString("display_name", acquisition::kMaxDisplayName);
      });
      !read.ok()) {
    return read.error();
  }
  const Timestamp now = Now();
  if (auto named = store.SetAcquisitionSourceName(source, display_name, now); !named.ok()) {
    return named.error();
  }
  AuditStoredAction(store, {now,
                            caller.user.id,
                            "acquisition.source_name",
                            "acquisition_source:" + source,
                            {{"display_name", display_name}},
                            request.remote_address});
  return SourceAnswer(store, source);
}

Result<http::Response> SetCost(Store& store, const http::Request& request,
                               const PortalCaller& caller) {
  const std::string& source = request.params.at("source");
  AcquisitionCost cost;
  if (auto read = ReadBody(request, [&](codec::ObjectReader& body) {
        cost.period_start = body.RequiredString("period_start", 10);
        cost.period_end = body.RequiredString("period_end", 10);
        cost.cost_minor = body.RequiredInt("cost", 0, acquisition::kMaxCostMinor);
      });
      !read.ok()) {
    return read.error();
  }
  const Timestamp now = Now();
  if (auto set = store.SetAcquisitionCost(source, cost, now); !set.ok()) return set.error();
  AuditStoredAction(store, {now,
                            caller.user.id,
                            "acquisition.cost",
                            "acquisition_source:" + source,
                            {{"period_start", cost.period_start},
                             {"period_end", cost.period_end},
                             {"cost", cost.cost_minor}},
                            request.remote_address});
  return SourceAnswer(store, source);
}

}  // namespace

void AddPortalAcquisitionRoutes(http::Router& router, Store& store) {
  router.Add(
      http::Verb::get, "/portal/api/acquisition",
      PortalAuthenticated(store, kReaders,
                          [&store](const http::Request& request, const PortalCaller& caller) {
                            return Report(store, request, caller);
                          }));
  // The sources carry the chain's costs, which a store manager's report leaves out too.
  router.Add(
      http::Verb::get, "/portal/api/acquisition/sources",
      PortalAuthenticated(store, {PortalRole::kAdmin, PortalRole::kAnalyst},
                          [&store](const http::Request& request, const PortalCaller& caller) {
                            return ListSources(store, request, caller);
                          }));
  router.Add(
      http::Verb::put, "/portal/api/acquisition/sources/{source}",
      PortalAuthenticated(store, {PortalRole::kAdmin},
                          [&store](const http::Request& request, const PortalCaller& caller) {
                            return NameSource(store, request, caller);
                          }));
  router.Add(
      http::Verb::put, "/portal/api/acquisition/sources/{source}/costs",
      PortalAuthenticated(store, {PortalRole::kAdmin},
                          [&store](const http::Request& request, const PortalCaller& caller) {
                            return SetCost(store, request, caller);
                          }));
}

}  // namespace loyalty::server
