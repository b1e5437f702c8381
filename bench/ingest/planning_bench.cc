#include "bench/ingest/planning_bench.h"

#include <atomic>
#include <chrono>
#include <cmath>
#include <iostream>
#include <random>
#include <thread>

#include "bench/support/bench_support.h"
#include "storage/open_store.h"
#include "storage/packed_candidates.h"
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
  std::vector<std::int64_t> customer_ids;
  for (std::size_t c = 0; c < settings.customers; ++c) {
    domain::CustomerDetails details;
    details.name = "Bench shopper";
    const std::int64_t id = planned->RegisterCustomer(CardFor(c), details, now).value();
    customer_ids.push_back(id);
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
      if (!planned->RecordNextVisitCandidates(server::PackCandidateRows(records)).ok()) {
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
  // The nightly run storing its offers (batches of 2,000, as loyalty-batch does) while a
  // second server on the same database records planned purchases, one at a time: each
  // storing transaction holds the campaigns' lock, which those purchases wait for.
  std::vector<double> store_ms, during_us;
  if (settings.offers_stored > 0) {
    std::cerr << "bench_ingest: planning: storing " << settings.offers_stored
              << " nightly offers while purchases go on\n";
    auto other_server = server::OpenStore(url, planner, key);
    std::atomic<bool> storing{true};
    std::thread till([&] {
      std::mt19937_64 till_random(11);
      while (storing.load()) {
        domain::Purchase purchase;
        purchase.store_id = "S002";
        purchase.terminal_id = "T2";
        purchase.card = CardFor(till_random() % settings.customers);
        purchase.occurred_at = Now();
        const domain::Product& product = catalog[till_random() % catalog.size()];
        purchase.lines.push_back({product.sku, 1, product.price_minor, product.price_minor});
        purchase.total_minor = product.price_minor;
        const auto start = Clock::now();
        const auto recorded = other_server->RecordPurchase(purchase, purchase.occurred_at);
        if (!recorded.ok()) {
          std::cerr << "bench_ingest: a purchase failed: " << recorded.error().ToString() << "\n";
          continue;
        }
        during_us.push_back(Micros(Clock::now() - start));
      }
    });
    const std::string next_run = FormatUtc(now + std::chrono::days(1)).substr(0, 10);
    std::vector<server::CampaignOfferRecord> offers;
    for (std::size_t i = 0; i < settings.offers_stored; ++i) {
      const std::size_t customer = i % settings.customers;
      const domain::Product& product = catalog[random() % catalog.size()];
      server::CampaignOfferRecord offer;
      offer.run_date = next_run;
      offer.campaign_id = campaign.id;
      offer.customer_id = customer_ids[customer];
      offer.offer_rank = static_cast<std::int64_t>(i / settings.customers);
      offer.sku = product.sku;
      offer.control = i % 10 == 0;
      offer.depth_percent = 10;
      offer.discount_minor = product.price_minor / 10;
      offer.probability = 0.1;
      offer.probability_with_coupon = 0.15;
      offer.expected_cost_minor = 0.15 * static_cast<double>(product.price_minor) / 10;
      offer.expected_value_minor = 5;
      if (!offer.control) {
        domain::Coupon coupon;
        coupon.id = Uuid::Random();
        coupon.campaign = campaign.id;
        coupon.title = "10% off " + product.name;
        coupon.target = domain::CouponTarget::kProduct;
        coupon.target_value = product.sku;
        coupon.discount_value = 10;
        coupon.issued_at = now;
        coupon.expires_at = now + std::chrono::days(14);
        offer.coupon = coupon;
      }
      offers.push_back(std::move(offer));
      if (offers.size() == 2000 || i + 1 == settings.offers_stored) {
        const auto start = Clock::now();
        const auto stored = planned->RecordCampaignOffers(offers, Now());
        store_ms.push_back(Micros(Clock::now() - start) / 1000);
        if (!stored.ok()) throw std::runtime_error(stored.error().ToString());
        offers.clear();
      }
    }
    storing = false;
    till.join();
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
          {"purchase_without_planning_us_p99", Rounded(Percentile(without_us, 0.99))},
          {"offers_stored", settings.offers_stored},
          {"offer_store_batches", store_ms.size()},
          {"offer_store_batch_ms_p50", store_ms.empty() ? 0 : Rounded(Percentile(store_ms, 0.5))},
          {"offer_store_batch_ms_max", store_ms.empty() ? 0 : Rounded(Percentile(store_ms, 1.0))},
          {"purchases_while_storing", during_us.size()},
          {"purchase_while_storing_us_p50",
           during_us.empty() ? 0 : Rounded(Percentile(during_us, 0.50))},
          {"purchase_while_storing_us_p99",
           during_us.empty() ? 0 : Rounded(Percentile(during_us, 0.99))}};
}

}  // namespace loyalty::bench
