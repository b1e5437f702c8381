#include "campaigns/campaign_report.h"

#include <cstdio>
#include <string>
#include <vector>

#include "campaigns/uplift.h"

namespace loyalty::server {
namespace {

nlohmann::json UpliftJson(const Uplift& uplift) {
  nlohmann::json json = {{"treated_mean", uplift.treated_mean},
                         {"control_mean", uplift.control_mean},
                         {"uplift_per_customer", uplift.per_customer},
                         {"uplift_total", uplift.Total()}};
  if (uplift.interval) {
    json["ci95"] = {uplift.low, uplift.high};
  } else {
    json["ci95"] = nullptr;  // a group too small to tell
  }
  return json;
}

std::string Money(double minor) {
  char text[48];
  std::snprintf(text, sizeof text, "%.2f", minor / 100);
  return text;
}

}  // namespace

nlohmann::json ReportCampaign(Store& store, const domain::Campaign& campaign, double margin_rate) {
  const auto outcomes =
      store.CampaignOutcomes(campaign.id, std::chrono::days(campaign.validity_days));
  std::int64_t issued = 0, redeemed = 0;
  std::vector<double> sales[2], margin[2], visits[2];  // [0] treated, [1] control
  for (const auto& outcome : outcomes) {
    issued += outcome.coupons_issued;
    redeemed += outcome.coupons_redeemed;
    const int group = outcome.control ? 1 : 0;
    const double paid = static_cast<double>(outcome.sales_minor);
    const double discount = static_cast<double>(outcome.discount_minor);
    sales[group].push_back(paid);
    // Margin on the full price, less what the coupons gave away.
    margin[group].push_back((paid + discount) * margin_rate - discount);
    visits[group].push_back(static_cast<double>(outcome.visits));
  }
  return {{"campaign", campaign.id},
          {"name", campaign.name},
          {"kind", domain::CampaignKindName(campaign.kind)},
          {"treated_customers", sales[0].size()},
          {"control_customers", sales[1].size()},
          {"issued", issued},
          {"redeemed", redeemed},
          {"redemption_rate", issued > 0 ? static_cast<double>(redeemed) / static_cast<double>(issued)
                                         : 0.0},
          {"margin_rate", margin_rate},
          {"sales", UpliftJson(MeasureUplift(sales[0], sales[1]))},
          {"margin", UpliftJson(MeasureUplift(margin[0], margin[1]))},
          {"visits", UpliftJson(MeasureUplift(visits[0], visits[1]))}};
}

void PrintReport(std::ostream& out, const nlohmann::json& campaigns) {
  if (campaigns.empty()) {
    out << "no campaigns\n";
    return;
  }
  for (const auto& campaign : campaigns) {
    out << campaign["campaign"].get<std::string>() << " (" << campaign["kind"].get<std::string>()
        << "): " << campaign["issued"] << " coupons issued, " << campaign["redeemed"]
        << " redeemed (" << Money(campaign["redemption_rate"].get<double>() * 10'000)
        << "%); " << campaign["treated_customers"] << " treated, "
        << campaign["control_customers"] << " held out\n";
    for (const char* measure : {"sales", "margin"}) {
      const auto& figures = campaign[measure];
      out << "  " << measure << " per customer: treated " << Money(figures["treated_mean"])
          << ", control " << Money(figures["control_mean"]) << ", uplift "
          << Money(figures["uplift_per_customer"]);
      if (figures["ci95"].is_array()) {
        out << " (95% CI " << Money(figures["ci95"][0]) << " to " << Money(figures["ci95"][1])
            << ")";
      } else {
        out << " (no interval: a group has fewer than two customers)";
      }
      out << ", in all " << Money(figures["uplift_total"]) << "\n";
    }
  }
}

}  // namespace loyalty::server
