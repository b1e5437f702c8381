#include "api/portal_campaign_handlers.h"

#include "api/portal_auth.h"
#include "api/portal_csv.h"
#include "campaigns/campaign_actions.h"
#include "campaigns/campaign_results.h"
#include "targeting/campaign_offers.h"
#include "loyalty/codec/json_reader.h"

namespace loyalty::server {
namespace {

const std::set<PortalRole> kEveryRole{PortalRole::kAdmin, PortalRole::kStoreManager,
                                      PortalRole::kAnalyst};
const std::set<PortalRole> kAdminOnly{PortalRole::kAdmin};

Result<domain::Campaign> CampaignFromBody(const http::Request& request) {
  auto json = codec::ParseJson(request.body);
  if (!json.ok()) return json.error();
  return domain::CampaignFromJson(*json);
}

CampaignActor Actor(const http::Request& request, const PortalCaller& caller) {
  return {caller.user.id, request.remote_address};
}

Result<http::Response> CampaignResponse(const Result<StoredCampaign>& stored,
                                        unsigned status = 200) {
  if (!stored.ok()) return stored.error();
  return http::Response::Json({{"campaign", StoredCampaignJson(*stored, Now())}}, status);
}

PortalHandler PausedSetter(Store& store, bool paused) {
  return [&store, paused](const http::Request& request,
                          const PortalCaller& caller) -> Result<http::Response> {
    return CampaignResponse(SetCampaignPausedAudited(store, request.params.at("campaign_id"),
                                                     paused, Actor(request, caller), Now()));
  };
}

// Paused, or where `now` falls in the campaign's period.
std::string CampaignStatus(const domain::Campaign& campaign, Timestamp now) {
  if (campaign.paused) return "paused";
  if (now < campaign.starts_at) return "scheduled";
  if (now >= campaign.ends_at) return "ended";
  return "running";
}

// A row of the list: the campaign, its status, its budget and its coupons so far.
nlohmann::json ListItemJson(Store& store, const StoredCampaign& stored,
                            const std::map<std::string, CampaignIssuance>& spending,
                            Timestamp now) {
  nlohmann::json item = StoredCampaignJson(stored, now);
  item["status"] = CampaignStatus(stored.campaign, now);
  const auto it = spending.find(stored.campaign.id);
  item["budget_spent"] =
      CampaignBudgetJson(stored.campaign, it == spending.end() ? nullptr : &it->second);
  std::int64_t issued = 0, redeemed = 0, discount = 0;
  for (const auto& day : store.CampaignCouponDays(stored.campaign.id).days) {
    issued += day.issued;
    redeemed += day.redeemed;
    discount += day.discount_minor;
  }
  item["coupons_issued"] = issued;
  item["coupons_redeemed"] = redeemed;
  item["discount_given"] = discount;
  return item;
}

http::Response CampaignListCsv(const nlohmann::json& items, const std::string& currency) {
  const auto money = [&](const nlohmann::json& minor) {
    return CsvMoney(minor.get<std::int64_t>(), currency);
  };
  std::string csv =
      "id,name,kind,status,starts_at,ends_at,target_segment,budget,budget_spent,budget_coupons,"
      "coupons_spent,coupons_issued,coupons_redeemed,discount_given,control_basis_points,"
      "currency\r\n";
  for (const auto& item : items) {
    const auto& budget = item["budget_spent"];
    csv += CsvField(item["id"].get<std::string>()) + "," +
           CsvField(item["name"].get<std::string>()) + "," +
           CsvField(item["kind"].get<std::string>()) + "," + item["status"].get<std::string>() +
           "," + item["starts_at"].get<std::string>() + "," + item["ends_at"].get<std::string>() +
           "," +
           (item["target_segment"].is_null() ? "" : item["target_segment"].get<std::string>()) +
           "," + money(budget["money"]["total"]) + "," + money(budget["money"]["spent"]) + "," +
           (budget["coupons"]["total"].is_null() ? "" : budget["coupons"]["total"].dump()) + "," +
           budget["coupons"]["spent"].dump() + "," + item["coupons_issued"].dump() + "," +
           item["coupons_redeemed"].dump() + "," + money(item["discount_given"]) + "," +
           item["control_basis_points"].dump() + "," + currency + "\r\n";
  }
  return CsvResponse(std::move(csv), "campaigns.csv");
}

http::Response ResultsDaysCsv(const nlohmann::json& results) {
  const std::string currency = results["currency"].get<std::string>();
  std::string csv = "date,issued,redeemed,discount,currency\r\n";
  for (const auto& day : results["per_day"]) {
    csv += day["date"].get<std::string>() + "," + day["issued"].dump() + "," +
           day["redeemed"].dump() + "," + CsvMoney(day["discount"].get<std::int64_t>(), currency) +
           "," + currency + "\r\n";
  }
  return CsvResponse(std::move(csv), "campaign-" + results["campaign"]["id"].get<std::string>() +
                                         "-days.csv");
}

}  // namespace

void AddPortalCampaignRoutes(http::Router& router, Store& store) {
  router.Add(http::Verb::get, "/portal/api/campaigns",
             PortalAuthenticated(
                 store, kEveryRole,
                 [&store](const http::Request& request,
                          const PortalCaller&) -> Result<http::Response> {
                   std::optional<Timestamp> running_at;
                   if (const auto it = request.query.find("running"); it != request.query.end()) {
                     if (it->second != "true" && it->second != "false") {
                       return InvalidArgument("running", "must be true or false");
                     }
                     if (it->second == "true") running_at = Now();
                   }
                   const Timestamp now = Now();
                   const auto spending = CampaignSpending(store);
                   nlohmann::json items = nlohmann::json::array();
                   for (const auto& stored : store.ListCampaigns(running_at)) {
                     items.push_back(ListItemJson(store, stored, spending, now));
                   }
                   // The chain's currency, for the money figures (and the form's inputs).
                   const std::string currency = ChainCurrency(store);
                   if (WantsCsv(request)) return CampaignListCsv(items, currency);
                   return http::Response::Json(
                       {{"campaigns", std::move(items)}, {"currency", currency}});
                 }));

  router.Add(http::Verb::get, "/portal/api/campaigns/{campaign_id}",
             PortalAuthenticated(store, kEveryRole,
                                 [&store](const http::Request& request,
                                          const PortalCaller&) -> Result<http::Response> {
                                   return CampaignResponse(
                                       store.GetCampaign(request.params.at("campaign_id")));
                                 }));

  // Chain-wide figures every role may read, as `loyalty-batch report` gives them (at its
  // default margin share).
  router.Add(
      http::Verb::get, "/portal/api/campaigns/{campaign_id}/results",
      PortalAuthenticated(
          store, kEveryRole,
          [&store](const http::Request& request, const PortalCaller&) -> Result<http::Response> {
            auto stored = store.GetCampaign(request.params.at("campaign_id"));
            if (!stored.ok()) return stored.error();
            const auto results = CampaignResultsJson(
                store, *stored, targeting::CampaignRunOptions{}.default_margin_rate, Now());
            if (WantsCsv(request)) return ResultsDaysCsv(results);
            return http::Response::Json(results);
          }));

  router.Add(http::Verb::post, "/portal/api/campaigns",
             PortalAuthenticated(
                 store, kAdminOnly,
                 [&store](const http::Request& request,
                          const PortalCaller& caller) -> Result<http::Response> {
                   auto campaign = CampaignFromBody(request);
                   if (!campaign.ok()) return campaign.error();
                   return CampaignResponse(
                       CreateCampaignAudited(store, *campaign, Actor(request, caller), Now()),
                       201);
                 }));

  router.Add(http::Verb::put, "/portal/api/campaigns/{campaign_id}",
             PortalAuthenticated(
                 store, kAdminOnly,
                 [&store](const http::Request& request,
                          const PortalCaller& caller) -> Result<http::Response> {
                   auto campaign = CampaignFromBody(request);
                   if (!campaign.ok()) return campaign.error();
                   const std::string& path_id = request.params.at("campaign_id");
                   if (campaign->id != path_id) {
                     return InvalidArgument("id", "must be the campaign in the path, " + path_id +
                                                      " (an id cannot be changed)");
                   }
                   return CampaignResponse(
                       UpdateCampaignAudited(store, *campaign, Actor(request, caller), Now()));
                 }));

  router.Add(http::Verb::post, "/portal/api/campaigns/{campaign_id}/pause",
             PortalAuthenticated(store, kAdminOnly, PausedSetter(store, true)));
  router.Add(http::Verb::post, "/portal/api/campaigns/{campaign_id}/resume",
             PortalAuthenticated(store, kAdminOnly, PausedSetter(store, false)));
}

}  // namespace loyalty::server
