// What a person may do to a campaign, from the portal or the command line: each change
// is stored and appended to the audit log in one place, so both ways in audit alike.
#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "storage/store.h"

namespace loyalty::server {

// Who acts: a portal user, or an operator at the command line (no user id).
struct CampaignActor {
  std::optional<std::int64_t> user_id;
  std::string remote_address;  // "command line" for an operator
};

// A campaign as the API shows it: the codec's fields, plus created_at, updated_at,
// created_by (null: the command line) and whether it runs at `now`.
nlohmann::json StoredCampaignJson(const StoredCampaign& stored, Timestamp now);

// Audited as "campaign.create" with every field.
Result<StoredCampaign> CreateCampaignAudited(Store& store, const domain::Campaign& campaign,
                                             const CampaignActor& actor, Timestamp now);
// Audited as "campaign.update" with each changed field's old and new value.
Result<StoredCampaign> UpdateCampaignAudited(Store& store, const domain::Campaign& campaign,
                                             const CampaignActor& actor, Timestamp now);
// Audited as "campaign.pause" or "campaign.resume". Returns the campaign as it now is.
Result<StoredCampaign> SetCampaignPausedAudited(Store& store, const std::string& campaign_id,
                                                bool paused, const CampaignActor& actor,
                                                Timestamp now);

}  // namespace loyalty::server
