#include "bench/ingest/planning_bench.h"

#include <chrono>
#include <cmath>
#include <iostream>
#include <random>

#include "bench/support/bench_support.h"
#include "storage/open_store.h"
#include "targeting/scored_offer_planner.h"

namespace loyalty::bench {
namespace {

using Clock = std::chrono::steady_clock;

// Records purchases and plans no coupon: the purchase without planning.
class NoCouponPlanner final : public server::NextVisitPlanner {
 public:
  std::vector<domain::Coupon> Plan(const server::CustomerProfile&, const CardNumber&,
                                   Timestamp) const override {
    return {};
  }
  bool WouldIssue(const server::CustomerProfile&) const override { return false; }
};

CardNumber CardFor(std::size_t customer) {
  std::string body = std::to_string(customer);
  body.insert(0, 11 - body.size(), '0');
  return *CardNumber::FromBody("2" + body);
}

double Micros(Clock::duration duration) {
  return std::chrono::duration<double, std::micro>(duration).count();
}

double Rounded(double value) { return std::round(value * 10) / 10; }

}  // namespace

nlohmann::json MeasurePlanning(const std::string& storage_url,
                               const std::vector<domain::Product>& catalog,
                               const PlanningSettings& settings) {
  const auto url = server::ParseStoreUrl(storage_url, "storage_url").value();
  const auto key = crypto::SigningKey::Generate();
  server::ScoredOfferOptions options;
  // Every purchase plans, however many coupons its customer already holds.
  options.fallback.max_live_coupons = 1'000'000;
  const server::ScoredOfferPlanner planner(options);
  const NoCouponPlanner no_planner;
  auto planned = server::OpenStore(url, planner, key);
  auto plain = server::OpenStore(url, no_planner, key);
  if (!planned->ImportProducts(catalog).ok()) throw std::runtime_error("catalog import failed");

  const Timestamp now = Now();
  domain::Campaign campaign;
  campaign.id = "bench-next-visit";
  campaign.name = "Next visit";
  campaign.kind = domain::CampaignKind::kNextVisit;
  campaign.starts_at = now - std::chrono::days(1);
  campaign.ends_at = now + std::chrono::days(30);
  campaign.min_depth = 5;
  campaign.max_depth = 30;
  campaign.budget_minor = 1'000'000'000;
  campaign.per_customer_cap = 100;
  campaign.validity_days = 14;
  campaign.control_basis_points = 1000;
  if (!planned->CreateCampaign(campaign, std::nullopt, now).ok()) {
    throw std::runtime_error("campaign not created");
  }

  std::cerr << "bench_ingest: planning: " << settings.customers << " customers with "
            << settings.candidates << " candidates each\n";
  std::mt19937_64 random(7);
  const std::string run_date = FormatUtc(now).substr(0, 10);
  std::vector<server::NextVisitCandidateRecord> records;
  for (std::size_t c = 0; c < settings.customers; ++c) {
    domain::CustomerDetails details;
    details.name = "Bench shopper";
    const std::int64_t id = planned->RegisterCustomer(CardFor(c), details, now).value();
    for (std::size_t rank = 0; rank < settings.candidates; ++rank) {
      const domain::Product& product = catalog[random() % catalog.size()];
      server::NextVisitCandidateRecord record;
      record.run_date = run_date;
      record.customer_id = id;
      record.rank = static_cast<std::int64_t>(rank);
      record.candidate = {campaign.id,
                          product.sku,
                          product.name,
                          product.category,
                          product.price_minor,
                          0.3,
                          std::uniform_real_distribution<double>(0.01, 0.3)(random),
                          static_cast<double>(random() % 5)};
      records.push_back(std::move(record));
    }
    if (records.size() >= 5000 || c + 1 == settings.customers) {
      if (!planned->RecordNextVisitCandidates(records).ok()) {
        throw std::runtime_error("candidates not stored");
      }
      records.clear();
    }
  }
  if (!planned->SetNextVisitRun(campaign.id, run_date, 0, now).ok()) {
    throw std::runtime_error("run not set");
  }

  std::cerr << "bench_ingest: planning: " << settings.purchases << " purchases, one at a time\n";
  std::vector<double> planning_us, with_us, without_us;
  std::size_t coupons = 0;
  for (std::size_t i = 0; i < settings.purchases; ++i) {
    domain::Purchase purchase;
    purchase.store_id = "S001";
    purchase.terminal_id = "T1";
    purchase.card = CardFor(random() % settings.customers);
    purchase.occurred_at = Now();
    for (int line = 0; line < 10; ++line) {
      const domain::Product& product = catalog[random() % catalog.size()];
      purchase.lines.push_back({product.sku, 1, product.price_minor, product.price_minor});
      purchase.total_minor += product.price_minor;
    }
    const bool plan = i % 2 == 0;
    const auto start = Clock::now();
    const auto recorded = (plan ? planned : plain)->RecordPurchase(purchase, purchase.occurred_at);
    const double took = Micros(Clock::now() - start);
    if (!recorded.ok()) throw std::runtime_error(recorded.error().ToString());
    if (plan) {
      with_us.push_back(took);
      planning_us.push_back(Micros(recorded->planning));
      coupons += recorded->ack.next_visit_coupons.size();
    } else {
      without_us.push_back(took);
    }
  }
  return {{"customers", settings.customers},
          {"candidates_per_customer", settings.candidates},
          {"purchases_planned", with_us.size()},
          {"coupons_issued", coupons},
          {"planning_us_p50", Rounded(Percentile(planning_us, 0.50))},
          {"planning_us_p99", Rounded(Percentile(planning_us, 0.99))},
          {"purchase_with_planning_us_p50", Rounded(Percentile(with_us, 0.50))},
          {"purchase_with_planning_us_p99", Rounded(Percentile(with_us, 0.99))},
          {"purchase_without_planning_us_p50", Rounded(Percentile(without_us, 0.50))},
          {"purchase_without_planning_us_p99", Rounded(Percentile(without_us, 0.99))}};
}

}  // namespace loyalty::bench
