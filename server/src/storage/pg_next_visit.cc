#include "storage/pg_next_visit.h"

#include <charconv>
#include <nlohmann/json.hpp>

#include "storage/campaign_rows.h"
#include "storage/packed_candidates.h"
#include "storage/pg_store.h"

namespace loyalty::server {
namespace {

using postgres::Params;

// The running campaigns' rows as JSON arrays read through CampaignFromRow.
RowColumns JsonColumns(const nlohmann::json& row) {
  return {[&row](int i) { return row.at(static_cast<std::size_t>(i)).is_null(); },
          [&row](int i) -> std::int64_t {
            const auto& value = row.at(static_cast<std::size_t>(i));
            return value.is_string() ? std::stoll(value.get<std::string>())
                                     : value.get<std::int64_t>();
          },
          [&row](int i) -> std::string {
            const auto& value = row.at(static_cast<std::size_t>(i));
            return value.is_string() ? value.get<std::string>() : value.dump();
          }};
}

// The offers, their spend and the coupons of a transaction's purchases, in one statement.
// Offers of a campaign may come without a coupon (held out), coupons without an offer
// (the configured coupon when no campaign runs).
const std::string kWritePlanned =
    "WITH o AS (INSERT INTO campaign_offers(run_date, campaign_id, customer_id, offer_rank,"
    "   sku, control, depth_percent, discount_minor, probability, probability_with_coupon,"
    "   expected_cost_minor, expected_value_minor, coupon_id, created_at, purchase_seq,"
    "   target_category) SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[],"
    "   $4::bigint[], $5::text[], $6::bigint[], $7::bigint[], $8::bigint[], $9::float8[],"
    "   $10::float8[], $11::float8[], $12::float8[], $13::text[], $14::bigint[], $15::bigint[],"
    "   $16::text[])),"
    " b AS (INSERT INTO campaign_budgets AS b(campaign_id, spent_minor, issued, shadow_price,"
    "   updated_at) SELECT x.*, 0, $20::bigint FROM unnest($17::text[], $18::float8[],"
    "   $19::bigint[]) AS x ON CONFLICT (campaign_id) DO UPDATE SET"
    "   spent_minor = b.spent_minor + excluded.spent_minor, issued = b.issued + excluded.issued,"
    "   updated_at = excluded.updated_at) " +
    CouponColumns::Insert(21);

// The name and category of the products of a packed value n.candidates (as JSON
// arrays): those whose sku, unescaped, begins one of its lines. The unescaping splits at
// the escaped backslashes (\\) first, so that one before a t or an n stays a backslash.
constexpr char kCandidatesProducts[] =
    "(SELECT COALESCE(json_agg(json_build_array(p.sku, p.name, p.category)), '[]')"
    " FROM products p WHERE p.sku IN (SELECT CASE WHEN strpos(f.sku, '\\') = 0 THEN f.sku"
    "   ELSE array_to_string(ARRAY(SELECT replace(replace(e.part, '\\t', chr(9)), '\\n',"
    "   chr(10)) FROM unnest(string_to_array(f.sku, '\\\\')) WITH ORDINALITY AS e(part, i)"
    "   ORDER BY e.i), '\\') END"
    " FROM unnest(string_to_array(n.candidates, chr(10))) AS l(line),"
    "   LATERAL split_part(l.line, chr(9), 1) AS f(sku)))";

}  // namespace

const char kBeginLockingCampaigns[] =
    "BEGIN; SELECT 1 FROM campaigns WHERE kind = 'next_visit' ORDER BY id FOR NO KEY UPDATE";

std::string PgNextVisitState::Columns(const std::string& customer, const std::string& now,
                                      const std::string& plan) {
  const std::string running = "kind = 'next_visit' AND paused = 0 AND starts_at <= " + now +
                              " AND ends_at > " + now;
  // The budgets as they stand: the campaigns' lock was taken before this statement, whose
  // snapshot therefore holds every spend committed before it.
  const std::string budgets =
      "(SELECT COALESCE(json_agg(json_build_array(x.fields, b.spent_minor, b.issued,"
      " b.shadow_price) ORDER BY x.id), '[]') FROM (SELECT id, json_build_array(" +
      CampaignSelectList() + ") AS fields FROM campaigns WHERE " + running +
      ") AS x LEFT JOIN campaign_budgets b ON b.campaign_id = x.id)";
  // The candidates of the run each campaign's budget row names, with their products'
  // names and categories (packed_candidates.h).
  const std::string candidates =
      std::string("(SELECT COALESCE(json_agg(json_build_array(n.campaign_id, n.candidates, ") +
      kCandidatesProducts +
      ") ORDER BY n.campaign_id), '[]') FROM campaign_budgets b JOIN next_visit_candidates n"
      " ON n.campaign_id = b.campaign_id AND n.run_date = b.run_date AND n.customer_id = " +
      customer + ")";
  // The customer's offers of each running campaign (its per-customer cap), by key.
  const std::string offers =
      "(SELECT COALESCE(json_agg(json_build_array(c.id, (SELECT COUNT(*)"
      " FROM campaign_offers o WHERE o.campaign_id = c.id AND o.customer_id = " +
      customer + "))), '[]') FROM campaigns c WHERE " + running + ")";
  // A CASE runs its subqueries only when its branch is taken: a purchase that plans
  // nothing reads nothing.
  const std::string when = ", CASE WHEN " + plan + " THEN ";
  return when + budgets + " END" + when + candidates + " END" + when + offers + " END";
}

void PgNextVisitState::Take(const postgres::Rows& rows, int row, int first_column,
                            std::int64_t customer_id) {
  if (rows.IsNull(row, first_column)) return;
  if (!campaigns_read_) {
    campaigns_read_ = true;
    for (const auto& read : nlohmann::json::parse(rows.Text(row, first_column))) {
      NextVisitCampaign campaign;
      campaign.campaign = CampaignFromRow(JsonColumns(read.at(0))).campaign;
      if (!read.at(1).is_null()) {  // no budget row yet: nothing spent
        campaign.spent_minor = read.at(1).get<double>();
        campaign.issued = read.at(2).get<std::int64_t>();
        campaign.shadow_price = read.at(3).get<double>();
      }
      campaigns_.push_back(std::move(campaign));
    }
  }
  if (candidates_.count(customer_id) > 0) return;  // a customer's second purchase in a group
  auto& candidates = candidates_[customer_id];
  for (const auto& read : nlohmann::json::parse(rows.Text(row, first_column + 1))) {
    ProductLabels labels;
    for (const auto& product : read[2]) {
      labels.emplace(product[0].get<std::string>(),
                     ProductLabel{product[1].get<std::string>(), product[2].get<std::string>()});
    }
    AppendUnpackedCandidates(read[1].get_ref<const std::string&>(), read[0].get<std::string>(),
                             customer_id, labels, candidates);
  }
  for (const auto& read : nlohmann::json::parse(rows.Text(row, first_column + 2))) {
    customer_offers_[{read[0].get<std::string>(), customer_id}] = read[1].get<std::int64_t>();
  }
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
    if (!offer.control) coupons_.emplace_back(offer.coupon, purchase_seq);
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
  if (noted_.empty() && coupons_.empty()) return;
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
  std::vector<std::string> budget_campaigns, budget_costs;
  std::vector<std::int64_t> budget_counts;
  for (const auto& [campaign_id, cost] : spent) {
    budget_campaigns.push_back(campaign_id);
    budget_costs.push_back(DoubleText(cost.first));
    budget_counts.push_back(cost.second);
  }
  CouponColumns coupons;
  for (const auto& [coupon, purchase_seq] : coupons_) coupons.Add(coupon, purchase_seq);
  const Timestamp now = noted_.empty() ? coupons_.back().first.issued_at : noted_.back().now;
  Params params;
  params.AddArray(dates)
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
      .AddArray(categories)
      .AddArray(budget_campaigns)
      .AddArray(budget_costs)
      .AddArray(budget_counts)
      .Add(ToUnixSeconds(now));
  coupons.AppendTo(params);
  db.Run(kWritePlanned, params);
}

std::string DoubleText(double value) {
  char buffer[32];
  return std::string(buffer, std::to_chars(buffer, buffer + sizeof buffer, value).ptr);
}

void CouponColumns::Add(const domain::Coupon& coupon,
                        std::optional<std::int64_t> issued_by_purchase) {
  ids_.push_back(coupon.id.str());
  customers_.push_back(coupon.customer_id);
  card_numbers_.push_back(coupon.card_number);
  campaigns_.push_back(coupon.campaign);
  titles_.push_back(coupon.title);
  targets_.push_back(domain::CouponTargetName(coupon.target));
  target_values_.push_back(coupon.target_value);
  types_.push_back(domain::DiscountTypeName(coupon.discount_type));
  discount_values_.push_back(coupon.discount_value);
  min_spends_.push_back(coupon.min_spend_minor);
  max_discounts_.push_back(coupon.max_discount_minor);
  currencies_.push_back(coupon.currency);
  issued_at_.push_back(ToUnixSeconds(coupon.issued_at));
  expires_at_.push_back(ToUnixSeconds(coupon.expires_at));
  issued_by_.push_back(issued_by_purchase);
  buy_.push_back(coupon.buy_quantity);
  get_.push_back(coupon.get_quantity);
}

void CouponColumns::AppendTo(Params& params) const {
  params.AddArray(ids_)
      .AddArray(customers_)
      .AddArray(card_numbers_)
      .AddArray(campaigns_)
      .AddArray(titles_)
      .AddArray(targets_)
      .AddArray(target_values_)
      .AddArray(types_)
      .AddArray(discount_values_)
      .AddArray(min_spends_)
      .AddArray(max_discounts_)
      .AddArray(currencies_)
      .AddArray(issued_at_)
      .AddArray(expires_at_)
      .AddArray(issued_by_)
      .AddArray(buy_)
      .AddArray(get_);
}

std::string CouponColumns::Insert(int first, const std::string& where) {
  static const char* const kTypes[] = {"text",   "bigint", "text",   "text",   "text",   "text",
                                       "text",   "text",   "bigint", "bigint", "bigint", "text",
                                       "bigint", "bigint", "bigint", "bigint", "bigint"};
  std::string sql =
      "INSERT INTO coupons(id, customer_id, card_number, campaign, title, target, target_value,"
      " discount_type, discount_value, min_spend_minor, max_discount_minor, currency, issued_at,"
      " expires_at, issued_by_purchase, buy_quantity, get_quantity) SELECT u.* FROM unnest(";
  for (int i = 0; i < 17; ++i) {
    if (i > 0) sql += ", ";
    sql += "$" + std::to_string(first + i) + "::" + kTypes[i] + "[]";
  }
  sql +=
      ") AS u(id, customer_id, card_number, campaign, title, target, target_value,"
      " discount_type, discount_value, min_spend_minor, max_discount_minor, currency,"
      " issued_at, expires_at, issued_by_purchase, buy_quantity, get_quantity)";
  if (!where.empty()) sql += " WHERE " + where;
  return sql;
}

}  // namespace loyalty::server

namespace loyalty::server {

Status PostgresStore::RecordNextVisitCandidates(const std::vector<PackedCandidateRow>& rows) {
  std::vector<std::string> campaigns, dates, packed;
  std::vector<std::int64_t> customers;
  for (const PackedCandidateRow& row : rows) {
    campaigns.push_back(row.campaign_id);
    dates.push_back(row.run_date);
    customers.push_back(row.customer_id);
    packed.push_back(row.candidates);
  }
  // One statement from arrays: the batch writes a few hundred customers a call.
  return writer_->Run([&](postgres::Connection& db) -> Status {
    db.Run(
        "INSERT INTO next_visit_candidates(campaign_id, run_date, customer_id, candidates)"
        " SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::text[])"
        " ON CONFLICT DO NOTHING",
        Params().AddArray(campaigns).AddArray(dates).AddArray(customers).AddArray(packed));
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
        " run_date = excluded.run_date, updated_at = excluded.updated_at"
        // A rerun of an older date leaves a newer run current (and its candidates).
        " WHERE b.run_date IS NULL OR b.run_date <= excluded.run_date",
        Params().Add(campaign_id).Add(shadow_price).Add(run_date).Add(ToUnixSeconds(now)));
    // The runs before the current one are DropReplacedNextVisitCandidates's.
    db.Run(
        "DELETE FROM next_visit_candidates n USING campaign_budgets b"
        " WHERE b.campaign_id = $1::text AND n.campaign_id = b.campaign_id"
        " AND n.run_date > b.run_date",
        Params().Add(campaign_id));
    return Status();
  });
}

Result<std::int64_t> PostgresStore::DeleteReplacedNextVisitCandidates(std::size_t at_most) {
  std::int64_t deleted = 0;
  const Status run = writer_->Run([&](postgres::Connection& db) -> Status {
    deleted = db.Run(
                    "DELETE FROM next_visit_candidates WHERE (campaign_id, run_date, customer_id)"
                    " IN (SELECT n.campaign_id, n.run_date, n.customer_id FROM campaign_budgets b"
                    " JOIN next_visit_candidates n ON n.campaign_id = b.campaign_id"
                    " AND n.run_date < b.run_date LIMIT $1::bigint)",
                    Params().Add(static_cast<std::int64_t>(at_most)))
                  .affected();
    return Status();
  });
  if (!run.ok()) return run.error();
  return deleted;
}

}  // namespace loyalty::server
