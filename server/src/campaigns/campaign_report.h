// What each campaign gave and what it earned, for `loyalty-batch report` and the portal's
// results page. Issued and redeemed coupons and the redemption rate; the treated and the
// held-out customers' mean sales, margin and visits over their offers' window; and the
// uplift (treated minus control, per customer and in all) with its 95% interval (uplift.h).
#pragma once

#include <ostream>

#include <nlohmann/json.hpp>

#include "loyalty/domain/campaign.h"
#include "storage/store.h"

namespace loyalty::server {

// One campaign's report. `margin_rate` turns sales into margin (gross margin share of
// the undiscounted price; the coupons' discounts come off it).
nlohmann::json ReportCampaign(Store& store, const domain::Campaign& campaign, double margin_rate);

// The reports as a table a marketing team can read: money in major units.
void PrintReport(std::ostream& out, const nlohmann::json& campaigns);

}  // namespace loyalty::server
