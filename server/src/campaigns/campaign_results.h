// A campaign's results as the portal shows them: the report `loyalty-batch report`
// prints (campaign_report.h), what its budget has left, and its coupons per day.
#pragma once

#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "storage/store.h"

namespace loyalty::server {

// What the nightly batch has spent of each campaign's budget, keyed by campaign id: the
// same figures its next run limits itself by.
std::map<std::string, CampaignIssuance> CampaignSpending(Store& store);

// {"money": {total, spent, remaining}, "coupons": {total, spent, remaining}}. Money is the
// expected discount of the treated offers (what `budget` limits), rounded to minor units;
// a campaign without a count limit has coupons total and remaining null. `spending` is
// null for a campaign the batch has not run yet.
nlohmann::json CampaignBudgetJson(const domain::Campaign& campaign,
                                  const CampaignIssuance* spending);

// {"campaign", "currency", "report" (ReportCampaign), "budget", "discount_given",
// "per_day": [{date, issued, redeemed, discount}]}: the days run from the first with a
// coupon issued or redeemed to the last, each day in between present (zeros), UTC.
nlohmann::json CampaignResultsJson(Store& store, const StoredCampaign& stored,
                                   double margin_rate, Timestamp now);

}  // namespace loyalty::server
