#include "campaigns/campaign_results.h"

#include <cmath>

#include "campaigns/campaign_actions.h"
#include "campaigns/campaign_report.h"

namespace loyalty::server {
namespace {

// Every day from the first to the last of `days`, so a chart's gaps read as zero.
nlohmann::json EveryDay(const std::vector<CampaignDay>& days) {
  nlohmann::json series = nlohmann::json::array();
  if (days.empty()) return series;
  const auto date_of = [](Timestamp day) { return FormatUtc(day).substr(0, 10); };
  Timestamp day = ParseIso8601(days.front().date + "T00:00:00Z").value();
  for (const auto& active : days) {
    for (; date_of(day) < active.date; day += std::chrono::days(1)) {
      series.push_back({{"date", date_of(day)}, {"issued", 0}, {"redeemed", 0}, {"discount", 0}});
    }
    series.push_back({{"date", active.date},
                      {"issued", active.issued},
                      {"redeemed", active.redeemed},
                      {"discount", active.discount_minor}});
    day += std::chrono::days(1);
  }
  return series;
}

}  // namespace

std::map<std::string, CampaignIssuance> CampaignSpending(Store& store) {
  // No run has the empty date: every run counts.
  return store.CampaignIssuanceExcept("");
}

nlohmann::json CampaignBudgetJson(const domain::Campaign& campaign,
                                  const CampaignIssuance* spending) {
  const auto spent_minor =
      spending ? static_cast<std::int64_t>(std::llround(spending->spent_minor)) : 0;
  const std::int64_t spent_coupons = spending ? spending->issued : 0;
  nlohmann::json coupons = {{"total", nullptr}, {"spent", spent_coupons}, {"remaining", nullptr}};
  if (campaign.budget_coupons > 0) {
    coupons["total"] = campaign.budget_coupons;
    coupons["remaining"] = std::max<std::int64_t>(0, campaign.budget_coupons - spent_coupons);
  }
  return {{"money",
           {{"total", campaign.budget_minor},
            {"spent", spent_minor},
            {"remaining", std::max<std::int64_t>(0, campaign.budget_minor - spent_minor)}}},
          {"coupons", std::move(coupons)}};
}

nlohmann::json CampaignResultsJson(Store& store, const StoredCampaign& stored,
                                   double margin_rate, Timestamp now) {
  const domain::Campaign& campaign = stored.campaign;
  const auto spending = CampaignSpending(store);
  const auto it = spending.find(campaign.id);
  const CampaignDays days = store.CampaignCouponDays(campaign.id);
  std::int64_t discount_given = 0;
  for (const auto& day : days.days) discount_given += day.discount_minor;
  return {{"campaign", StoredCampaignJson(stored, now)},
          {"currency", days.currency},
          {"report", ReportCampaign(store, campaign, margin_rate)},
          {"budget", CampaignBudgetJson(campaign, it == spending.end() ? nullptr : &it->second)},
          {"discount_given", discount_given},
          {"per_day", EveryDay(days.days)}};
}

}  // namespace loyalty::server
