#include "api/portal_campaign_handlers.h"

#include "api/portal_auth.h"
#include "campaigns/campaign_actions.h"
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
                   nlohmann::json items = nlohmann::json::array();
                   for (const auto& stored : store.ListCampaigns(running_at)) {
                     items.push_back(StoredCampaignJson(stored, now));
                   }
                   return http::Response::Json({{"campaigns", std::move(items)}});
                 }));

  router.Add(http::Verb::get, "/portal/api/campaigns/{campaign_id}",
             PortalAuthenticated(store, kEveryRole,
                                 [&store](const http::Request& request,
                                          const PortalCaller&) -> Result<http::Response> {
                                   return CampaignResponse(
                                       store.GetCampaign(request.params.at("campaign_id")));
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
