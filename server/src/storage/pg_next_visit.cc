#include "storage/pg_next_visit.h"

#include <charconv>
#include <nlohmann/json.hpp>

#include "storage/campaign_rows.h"
#include "storage/pg_store.h"

namespace loyalty::server {
namespace {

using postgres::Params;

std::string DoubleText(double value) {
  char buffer[32];
  return std::string(buffer, std::to_chars(buffer, buffer + sizeof buffer, value).ptr);
}

// After the campaigns' lock, in a statement of its own: under READ COMMITTED it sees
// every spend committed before the lock was granted (a subquery of the locking statement
// would read its older snapshot). The budgets, the candidates of the runs the budget rows
// name, and the customers' offers so far.
constexpr char kReadCustomers[] =
    "SELECT (SELECT COALESCE(json_agg(json_build_array(b.campaign_id, b.spent_minor, b.issued,"
    "   b.shadow_price)), '[]') FROM campaign_budgets b WHERE b.campaign_id = ANY($2::text[])),"
    " (SELECT COALESCE(json_agg(json_build_array(n.customer_id, n.campaign_id, n.sku,"
    "   n.name, n.category, n.unit_price_minor, n.margin_rate, n.probability, n.gap_visits)"
    "   ORDER BY n.customer_id, n.campaign_id, n.candidate_rank), '[]')"
    "   FROM next_visit_candidates n JOIN campaign_budgets b ON b.campaign_id = n.campaign_id"
    "   AND b.run_date = n.run_date"
    "   WHERE n.customer_id = ANY($1::bigint[]) AND n.campaign_id = ANY($2::text[])),"
    " (SELECT COALESCE(json_agg(json_build_array(o.campaign_id, o.customer_id, o.offers)), '[]')"
    "   FROM (SELECT campaign_id, customer_id, COUNT(*) AS offers FROM campaign_offers"
    "   WHERE campaign_id = ANY($2::text[]) AND customer_id = ANY($1::bigint[])"
    "   GROUP BY campaign_id, customer_id) AS o)";

}  // namespace

PgNextVisitState PgNextVisitState::Load(postgres::Connection& db,
                                        const std::vector<std::int64_t>& customers,
                                        Timestamp now) {
  PgNextVisitState state;
  static const std::string kLockCampaigns =
      "SELECT " + CampaignSelectList() +
      " FROM campaigns WHERE kind = 'next_visit' AND paused = 0 AND starts_at <= $1::bigint"
      " AND ends_at > $1::bigint ORDER BY id FOR NO KEY UPDATE";
  const auto rows = db.Run(kLockCampaigns, Params().Add(ToUnixSeconds(now)));
  if (rows.empty()) return state;
  std::vector<std::string> ids;
  for (int r = 0; r < rows.size(); ++r) {
    NextVisitCampaign campaign;
    campaign.campaign = CampaignFromRow({[&](int i) { return rows.IsNull(r, i); },
                                         [&](int i) { return rows.Int(r, i); },
                                         [&](int i) { return rows.Text(r, i); }})
                            .campaign;
    ids.push_back(campaign.campaign.id);
    state.campaigns_.push_back(std::move(campaign));
  }
  const auto read = db.Run(kReadCustomers, Params().AddArray(customers).AddArray(ids));
  for (const auto& row : nlohmann::json::parse(read.Text(0, 0))) {
    for (NextVisitCampaign& campaign : state.campaigns_) {
      if (campaign.campaign.id != row[0].get<std::string>()) continue;
      campaign.spent_minor = row[1].get<double>();
      campaign.issued = row[2].get<std::int64_t>();
      campaign.shadow_price = row[3].get<double>();
    }
  }
  for (const auto& row : nlohmann::json::parse(read.Text(0, 1))) {
    state.candidates_[row[0].get<std::int64_t>()].push_back(
        {row[1].get<std::string>(), row[2].get<std::string>(), row[3].get<std::string>(),
         row[4].get<std::string>(), row[5].get<std::int64_t>(), row[6].get<double>(),
         row[7].get<double>(), row[8].get<double>()});
  }
  for (const auto& row : nlohmann::json::parse(read.Text(0, 2))) {
    state.customer_offers_[{row[0].get<std::string>(), row[1].get<std::int64_t>()}] =
        row[2].get<std::int64_t>();
  }
  return state;
}

void PgNextVisitState::Fill(CustomerProfile& profile, const domain::Purchase& purchase) const {
  if (campaigns_.empty()) return;
  profile.campaigns = campaigns_;
  for (NextVisitCampaign& campaign : profile.campaigns) {
    const auto found = customer_offers_.find({campaign.campaign.id, profile.customer_id});
    campaign.customer_offers = found == customer_offers_.end() ? 0 : found->second;
  }
  if (const auto found = candidates_.find(profile.customer_id); found != candidates_.end()) {
    profile.candidates = found->second;
  }
  for (const auto& line : purchase.lines) profile.basket_skus.push_back(line.sku);
}

void PgNextVisitState::Note(std::int64_t customer_id, std::int64_t purchase_seq,
                            const std::vector<PlannedOffer>& offers, Timestamp now) {
  for (std::size_t n = 0; n < offers.size(); ++n) {
    const PlannedOffer& offer = offers[n];
    if (offer.campaign_id.empty()) continue;
    ++customer_offers_[{offer.campaign_id, customer_id}];
    if (!offer.control) {
      for (NextVisitCampaign& campaign : campaigns_) {
        if (campaign.campaign.id != offer.campaign_id) continue;
        campaign.spent_minor += offer.expected_cost_minor;
        ++campaign.issued;
      }
    }
    noted_.push_back({offer, customer_id, purchase_seq, static_cast<std::int64_t>(n), now});
  }
}

void PgNextVisitState::Write(postgres::Connection& db) const {
  if (noted_.empty()) return;
  std::vector<std::string> dates, campaigns, skus, probabilities, with_coupon, costs, values;
  std::vector<std::optional<std::string>> coupon_ids, categories;
  std::vector<std::int64_t> customers, ranks, control, depths, discounts, created, seqs;
  std::map<std::string, std::pair<double, std::int64_t>> spent;
  for (const Noted& noted : noted_) {
    const PlannedOffer& offer = noted.offer;
    const bool product = offer.coupon.target == domain::CouponTarget::kProduct;
    dates.push_back(FormatUtc(noted.now).substr(0, 10));
    campaigns.push_back(offer.campaign_id);
    customers.push_back(noted.customer_id);
    // Below zero, so a purchase's offers never meet a batch rank (migration 0017).
    ranks.push_back(-(noted.purchase_seq * 100 + noted.n + 1));
    skus.push_back(product ? offer.coupon.target_value : std::string());
    control.push_back(offer.control ? 1 : 0);
    depths.push_back(offer.depth_percent);
    discounts.push_back(offer.discount_minor);
    probabilities.push_back(DoubleText(offer.probability));
    with_coupon.push_back(DoubleText(offer.probability_with_coupon));
    costs.push_back(DoubleText(offer.expected_cost_minor));
    values.push_back(DoubleText(offer.expected_value_minor));
    coupon_ids.push_back(offer.control ? std::nullopt
                                       : std::optional<std::string>(offer.coupon.id.str()));
    created.push_back(ToUnixSeconds(noted.now));
    seqs.push_back(noted.purchase_seq);
    categories.push_back(product ? std::nullopt
                                 : std::optional<std::string>(offer.coupon.target_value));
    if (!offer.control) {
      spent[offer.campaign_id].first += offer.expected_cost_minor;
      spent[offer.campaign_id].second += 1;
    }
  }
  db.Run(
      "INSERT INTO campaign_offers(run_date, campaign_id, customer_id, offer_rank, sku, control,"
      " depth_percent, discount_minor, probability, probability_with_coupon,"
      " expected_cost_minor, expected_value_minor, coupon_id, created_at, purchase_seq,"
      " target_category) SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[],"
      " $4::bigint[], $5::text[], $6::bigint[], $7::bigint[], $8::bigint[], $9::float8[],"
      " $10::float8[], $11::float8[], $12::float8[], $13::text[], $14::bigint[], $15::bigint[],"
      " $16::text[])",
      Params()
          .AddArray(dates)
          .AddArray(campaigns)
          .AddArray(customers)
          .AddArray(ranks)
          .AddArray(skus)
          .AddArray(control)
          .AddArray(depths)
          .AddArray(discounts)
          .AddArray(probabilities)
          .AddArray(with_coupon)
          .AddArray(costs)
          .AddArray(values)
          .AddArray(coupon_ids)
          .AddArray(created)
          .AddArray(seqs)
          .AddArray(categories));
  for (const auto& [campaign_id, cost] : spent) {
    AddToCampaignBudget(db, campaign_id, cost.first, cost.second, noted_.back().now);
  }
}

void AddToCampaignBudget(postgres::Connection& db, const std::string& campaign_id,
                         double cost_minor, std::int64_t issued, Timestamp now) {
  db.Run(
      "INSERT INTO campaign_budgets AS b(campaign_id, spent_minor, issued, shadow_price,"
      " updated_at) VALUES ($1::text, $2::float8, $3::bigint, 0, $4::bigint)"
      " ON CONFLICT (campaign_id) DO UPDATE SET spent_minor = b.spent_minor + excluded.spent_minor,"
      " issued = b.issued + excluded.issued, updated_at = excluded.updated_at",
      Params().Add(campaign_id).Add(cost_minor).Add(issued).Add(ToUnixSeconds(now)));
}

}  // namespace loyalty::server

namespace loyalty::server {

Status PostgresStore::RecordNextVisitCandidates(
    const std::vector<NextVisitCandidateRecord>& candidates) {
  std::vector<std::string> campaigns, dates, skus, names, categories, margins, probabilities,
      gaps, costs, values;
  std::vector<std::int64_t> customers, ranks, prices, depths;
  for (const auto& record : candidates) {
    const NextVisitCandidate& candidate = record.candidate;
    customers.push_back(record.customer_id);
    campaigns.push_back(candidate.campaign_id);
    dates.push_back(record.run_date);
    ranks.push_back(record.rank);
    skus.push_back(candidate.sku);
    names.push_back(candidate.name);
    categories.push_back(candidate.category);
    prices.push_back(candidate.unit_price_minor);
    margins.push_back(DoubleText(candidate.margin_rate));
    probabilities.push_back(DoubleText(candidate.probability));
    gaps.push_back(DoubleText(candidate.gap_visits));
    depths.push_back(record.depth_percent);
    costs.push_back(DoubleText(record.expected_cost_minor));
    values.push_back(DoubleText(record.expected_value_minor));
  }
  // One statement from arrays: the batch writes a few thousand a call.
  return writer_->Run([&](postgres::Connection& db) -> Status {
    db.Run(
        "INSERT INTO next_visit_candidates(customer_id, campaign_id, run_date, candidate_rank,"
        " sku, name, category, unit_price_minor, margin_rate, probability, gap_visits,"
        " depth_percent, expected_cost_minor, expected_value_minor)"
        " SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::bigint[], $5::text[],"
        " $6::text[], $7::text[], $8::bigint[], $9::float8[], $10::float8[], $11::float8[],"
        " $12::bigint[], $13::float8[], $14::float8[]) ON CONFLICT DO NOTHING",
        Params()
            .AddArray(customers)
            .AddArray(campaigns)
            .AddArray(dates)
            .AddArray(ranks)
            .AddArray(skus)
            .AddArray(names)
            .AddArray(categories)
            .AddArray(prices)
            .AddArray(margins)
            .AddArray(probabilities)
            .AddArray(gaps)
            .AddArray(depths)
            .AddArray(costs)
            .AddArray(values));
    return Status();
  });
}

Status PostgresStore::SetNextVisitRun(const std::string& campaign_id, const std::string& run_date,
                                      double shadow_price, Timestamp now) {
  return writer_->Run([&](postgres::Connection& db) -> Status {
    db.Run(
        "INSERT INTO campaign_budgets AS b(campaign_id, spent_minor, issued, shadow_price,"
        " run_date, updated_at) VALUES ($1::text, 0, 0, $2::float8, $3::text, $4::bigint)"
        " ON CONFLICT (campaign_id) DO UPDATE SET shadow_price = excluded.shadow_price,"
        " run_date = excluded.run_date, updated_at = excluded.updated_at",
        Params().Add(campaign_id).Add(shadow_price).Add(run_date).Add(ToUnixSeconds(now)));
    db.Run("DELETE FROM next_visit_candidates WHERE campaign_id = $1::text AND run_date <> $2::text",
           Params().Add(campaign_id).Add(run_date));
    return Status();
  });
}

}  // namespace loyalty::server
