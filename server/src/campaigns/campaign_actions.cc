#include "campaigns/campaign_actions.h"


namespace loyalty::server {
namespace {

// Each field that differs, as {"field": {"from": old, "to": new}}.
nlohmann::json ChangedFields(const domain::Campaign& before, const domain::Campaign& after) {
  const nlohmann::json old_fields = domain::CampaignToJson(before);
  const nlohmann::json new_fields = domain::CampaignToJson(after);
  nlohmann::json changed = nlohmann::json::object();
  for (const auto& [key, value] : new_fields.items()) {
    if (old_fields.value(key, nlohmann::json()) != value) {
      changed[key] = {{"from", old_fields.value(key, nlohmann::json())}, {"to", value}};
    }
  }
  return changed;
}

void Audit(Store& store, const CampaignActor& actor, const std::string& action,
           const std::string& campaign_id, nlohmann::json detail, Timestamp now) {
  AuditStoredAction(store, {now, actor.user_id, action, "campaign:" + campaign_id,
                            std::move(detail), actor.remote_address});
}

}  // namespace

nlohmann::json StoredCampaignJson(const StoredCampaign& stored, Timestamp now) {
  nlohmann::json json = domain::CampaignToJson(stored.campaign);
  json["created_at"] = FormatUtc(stored.created_at);
  json["updated_at"] = FormatUtc(stored.updated_at);
  json["created_by"] = stored.created_by ? nlohmann::json(*stored.created_by) : nlohmann::json();
  json["running"] = stored.campaign.RunsAt(now);
  return json;
}

Result<StoredCampaign> CreateCampaignAudited(Store& store, const domain::Campaign& campaign,
                                             const CampaignActor& actor, Timestamp now) {
  auto created = store.CreateCampaign(campaign, actor.user_id, now);
  if (!created.ok()) return created.error();
  Audit(store, actor, "campaign.create", campaign.id, domain::CampaignToJson(campaign), now);
  return created;
}

Result<StoredCampaign> UpdateCampaignAudited(Store& store, const domain::Campaign& campaign,
                                             const CampaignActor& actor, Timestamp now) {
  auto before = store.UpdateCampaign(campaign, now);
  if (!before.ok()) return before.error();
  Audit(store, actor, "campaign.update", campaign.id, ChangedFields(before->campaign, campaign),
        now);
  StoredCampaign after = *before;
  after.campaign = campaign;
  after.updated_at = now;
  return after;
}

Result<StoredCampaign> SetCampaignPausedAudited(Store& store, const std::string& campaign_id,
                                                bool paused, const CampaignActor& actor,
                                                Timestamp now) {
  auto before = store.GetCampaign(campaign_id);
  if (!before.ok()) return before.error();
  if (auto set = store.SetCampaignPaused(campaign_id, paused, now); !set.ok()) {
    return set.error();
  }
  Audit(store, actor, paused ? "campaign.pause" : "campaign.resume", campaign_id,
        {{"paused", {{"from", before->campaign.paused}, {"to", paused}}}}, now);
  return store.GetCampaign(campaign_id);
}

}  // namespace loyalty::server
