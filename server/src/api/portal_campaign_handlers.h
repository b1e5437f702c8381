// Portal routes for campaigns: every role reads them; only admins create, edit, pause
// and resume them, each change audited (campaigns/campaign_actions.h).
#pragma once

#include "http/router.h"
#include "storage/store.h"

namespace loyalty::server {

// GET  /portal/api/campaigns[?running=true][&format=csv]  newest first; running: only those
//      running now; each with its status, budget spent and coupons issued and redeemed
// GET  /portal/api/campaigns/{campaign_id}
// GET  /portal/api/campaigns/{campaign_id}/results[?format=csv]  campaigns/campaign_results.h;
//      the CSV is the per-day series
// POST /portal/api/campaigns                    body: the campaign (domain/campaign.h), 201
// PUT  /portal/api/campaigns/{campaign_id}      body: the whole campaign, its id the path's
// POST /portal/api/campaigns/{campaign_id}/pause and /resume
void AddPortalCampaignRoutes(http::Router& router, Store& store);

}  // namespace loyalty::server
