// PostgresStore: the nightly batch's offers, the coupons they issue, and its runs.
#include <algorithm>
#include <map>
#include <set>
#include <tuple>

#include "storage/campaign_room.h"
#include "storage/pg_next_visit.h"
#include "storage/pg_store.h"

namespace loyalty::server {

using postgres::Params;

namespace {

// Locks the offers' campaigns as a purchase locks its campaigns (FOR NO KEY UPDATE, in id
// order, so the two cannot deadlock on them), then reads their spend in a statement of
// its own: under READ COMMITTED it sees every spend committed before the lock was granted.
std::map<std::string, CampaignRoom> LockRooms(postgres::Connection& db,
                                              const std::vector<CampaignOfferRecord>& offers) {
  std::vector<std::string> ids;
  for (const auto& offer : offers) ids.push_back(offer.campaign_id);
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  db.Run("SELECT 1 FROM campaigns WHERE id = ANY($1::text[]) ORDER BY id FOR NO KEY UPDATE",
         Params().AddArray(ids));
  const auto rows = db.Run(
      "SELECT c.id, c.budget_minor, c.budget_coupons, c.per_customer_cap,"
      " COALESCE(b.spent_minor, 0), COALESCE(b.issued, 0) FROM campaigns c"
      " LEFT JOIN campaign_budgets b ON b.campaign_id = c.id WHERE c.id = ANY($1::text[])",
      Params().AddArray(ids));
  std::map<std::string, CampaignRoom> rooms;
  for (int r = 0; r < rows.size(); ++r) {
    rooms.emplace(rows.Text(r, 0), CampaignRoom(rows.Int(r, 1), rows.Int(r, 2), rows.Int(r, 3),
                                                rows.Double(r, 4), rows.Int(r, 5)));
  }
  return rooms;
}

// The nightly run's offers as the columns of one multi-row INSERT (kStoreOffers).
class OfferColumns {
 public:
  void Add(const CampaignOfferRecord& offer, std::optional<std::string> coupon_id) {
    dates_.push_back(offer.run_date);
    campaigns_.push_back(offer.campaign_id);
    customers_.push_back(offer.customer_id);
    ranks_.push_back(offer.offer_rank);
    skus_.push_back(offer.sku);
    control_.push_back(offer.control ? 1 : 0);
    depths_.push_back(offer.depth_percent);
    discounts_.push_back(offer.discount_minor);
    probabilities_.push_back(DoubleText(offer.probability));
    with_coupon_.push_back(DoubleText(offer.probability_with_coupon));
    costs_.push_back(DoubleText(offer.expected_cost_minor));
    values_.push_back(DoubleText(offer.expected_value_minor));
    coupon_ids_.push_back(std::move(coupon_id));
  }
  bool empty() const { return dates_.empty(); }
  void AppendTo(Params& params) const {
    params.AddArray(dates_)
        .AddArray(campaigns_)
        .AddArray(customers_)
        .AddArray(ranks_)
        .AddArray(skus_)
        .AddArray(control_)
        .AddArray(depths_)
        .AddArray(discounts_)
        .AddArray(probabilities_)
        .AddArray(with_coupon_)
        .AddArray(costs_)
        .AddArray(values_)
        .AddArray(coupon_ids_);
  }

 private:
  std::vector<std::string> dates_, campaigns_, skus_, probabilities_, with_coupon_, costs_, values_;
  std::vector<std::int64_t> customers_, ranks_, control_, depths_, discounts_;
  std::vector<std::optional<std::string>> coupon_ids_;
};

// $1-$13 the offers (OfferColumns), $14 now, $15-$31 the coupons (CouponColumns). The
// keys were checked under the lock; should one be stored after all, its offer, coupon
// and spend are all left out.
const std::string kStoreOffers =
    "WITH o AS (INSERT INTO campaign_offers(run_date, campaign_id, customer_id, offer_rank, sku,"
    "   control, depth_percent, discount_minor, probability, probability_with_coupon,"
    "   expected_cost_minor, expected_value_minor, coupon_id, created_at)"
    "   SELECT x.*, $14::bigint FROM unnest($1::text[], $2::text[], $3::bigint[], $4::bigint[],"
    "   $5::text[], $6::bigint[], $7::bigint[], $8::bigint[], $9::float8[], $10::float8[],"
    "   $11::float8[], $12::float8[], $13::text[]) AS x ON CONFLICT DO NOTHING"
    "   RETURNING campaign_id, control, expected_cost_minor, coupon_id),"
    " b AS (INSERT INTO campaign_budgets AS b(campaign_id, spent_minor, issued, shadow_price,"
    "   updated_at) SELECT campaign_id, SUM(expected_cost_minor), COUNT(*), 0, $14::bigint"
    "   FROM o WHERE control = 0 GROUP BY campaign_id ON CONFLICT (campaign_id) DO UPDATE SET"
    "   spent_minor = b.spent_minor + excluded.spent_minor, issued = b.issued + excluded.issued,"
    "   updated_at = excluded.updated_at) " +
    CouponColumns::Insert(15, "u.id IN (SELECT coupon_id FROM o)");

}  // namespace

Result<RecordedOffers> PostgresStore::RecordCampaignOffers(
    const std::vector<CampaignOfferRecord>& offers, Timestamp now) {
  std::vector<std::int64_t> customer_ids;
  for (const auto& offer : offers) customer_ids.push_back(offer.customer_id);
  std::sort(customer_ids.begin(), customer_ids.end());
  customer_ids.erase(std::unique(customer_ids.begin(), customer_ids.end()), customer_ids.end());
  std::vector<std::string> offer_campaigns;
  std::vector<std::int64_t> offer_customers;
  for (const auto& offer : offers) {
    offer_campaigns.push_back(offer.campaign_id);
    offer_customers.push_back(offer.customer_id);
  }

  RecordedOffers recorded;
  const Status status = writer_->Run(
      [&](postgres::Connection& db) -> Status {
        recorded = {};
        std::map<std::string, CampaignRoom> rooms = LockRooms(db, offers);
        // Each customer's newest active card (a NULL card: none; no row: no such
        // customer), read under the lock: an erasure holds it while it deletes the cards,
        // so a card read before it could be one erased meanwhile.
        std::map<std::int64_t, std::optional<std::string>> cards;
        const auto card_rows = db.Run(
            "SELECT c.id, (SELECT number FROM cards WHERE customer_id = c.id"
            " AND status = 'active' ORDER BY issued_at DESC, number LIMIT 1) FROM customers c"
            " WHERE c.id = ANY($1::bigint[])",
            Params().AddArray(customer_ids));
        for (int r = 0; r < card_rows.size(); ++r) {
          cards[card_rows.Int(r, 0)] = card_rows.IsNull(r, 1)
                                           ? std::nullopt
                                           : std::optional<std::string>(card_rows.Text(r, 1));
        }
        for (const auto& offer : offers) {
          if (cards.count(offer.customer_id) == 0) {
            return Error{ErrorCode::kNotFound,
                         "no customer " + std::to_string(offer.customer_id), "customer_id"};
          }
        }
        // Under the lock, in one statement: the customers' offers of these campaigns so far
        // (the cap counts them) and their keys (a rerun stores nothing twice). Only writers
        // holding the lock add offers, so this holds until the commit.
        std::map<std::pair<std::string, std::int64_t>, std::int64_t> customer_offers;
        std::set<std::tuple<std::string, std::string, std::int64_t, std::int64_t>> stored_keys;
        const auto before = db.Run(
            "SELECT o.campaign_id, o.customer_id, o.run_date, o.offer_rank FROM campaign_offers o"
            " JOIN (SELECT DISTINCT * FROM unnest($1::text[], $2::bigint[])) AS x(campaign_id,"
            "   customer_id) ON o.campaign_id = x.campaign_id AND o.customer_id = x.customer_id",
            Params().AddArray(offer_campaigns).AddArray(offer_customers));
        for (int r = 0; r < before.size(); ++r) {
          ++customer_offers[{before.Text(r, 0), before.Int(r, 1)}];
          stored_keys.emplace(before.Text(r, 2), before.Text(r, 0), before.Int(r, 1),
                              before.Int(r, 3));
        }
        OfferColumns kept;
        CouponColumns coupons;
        for (const auto& offer : offers) {
          if (!stored_keys
                   .emplace(offer.run_date, offer.campaign_id, offer.customer_id, offer.offer_rank)
                   .second) {
            ++recorded.already_present;
            continue;
          }
          std::int64_t& so_far = customer_offers[{offer.campaign_id, offer.customer_id}];
          const auto room = rooms.find(offer.campaign_id);
          if (room != rooms.end()) {
            const OfferFit fit = room->second.Check(offer, so_far);
            if (fit != OfferFit::kFits) {
              CountDropped(fit, recorded);
              continue;
            }
            if (!offer.control) room->second.Spend(offer.expected_cost_minor);
          }
          ++so_far;
          ++recorded.stored;
          const std::optional<std::string>& card_number = cards[offer.customer_id];
          const bool issue = offer.coupon && !offer.control && card_number;
          kept.Add(offer,
                   issue ? std::optional<std::string>(offer.coupon->id.str()) : std::nullopt);
          if (offer.control || !offer.coupon) continue;
          if (!card_number) {
            ++recorded.without_card;
            continue;
          }
          domain::Coupon coupon = *offer.coupon;
          coupon.customer_id = offer.customer_id;
          coupon.card_number = *card_number;
          coupons.Add(coupon, std::nullopt);
          ++recorded.coupons_issued;
        }
        if (kept.empty()) return Status();
        // The offers, the coupons of those treated and their spend (counted as
        // CampaignIssuanceExcept counts: every treated offer, card or none), in one statement.
        Params params;
        kept.AppendTo(params);
        params.Add(ToUnixSeconds(now));
        coupons.AppendTo(params);
        db.Run(kStoreOffers, params);
        return Status();
        // Every transaction writing campaign_budgets takes the next_visit campaigns' lock at
        // BEGIN (pg_next_visit.h): this one inserts coupons, whose triggers lock
        // dashboard_hours rows a purchase may hold while it waits for that lock.
      },
      /*lock_first=*/true);
  if (!status.ok()) return status.error();
  return recorded;
}

std::map<std::string, CampaignIssuance> PostgresStore::CampaignIssuanceExcept(
    const std::string& run_date) {
  auto lease = Read();
  postgres::Connection& db = *lease;
  postgres::Transaction snapshot(db, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
  std::map<std::string, CampaignIssuance> issuance;
  db.ForEachRow(
      "SELECT o.campaign_id, o.customer_id, COUNT(*),"
      " SUM(CASE WHEN o.control = 0 AND c.voided_at IS NULL THEN 1 ELSE 0 END),"
      " SUM(CASE WHEN o.control = 0 AND c.voided_at IS NULL THEN o.expected_cost_minor"
      "   ELSE 0 END)"
      " FROM campaign_offers o LEFT JOIN coupons c ON c.id = o.coupon_id"
      " WHERE o.run_date <> $1::text OR o.purchase_seq IS NOT NULL"
      " GROUP BY o.campaign_id, o.customer_id ORDER BY o.campaign_id, o.customer_id",
      Params().Add(run_date), [&](const postgres::Rows& rows, int i) {
        CampaignIssuance& campaign = issuance[rows.Text(i, 0)];
        campaign.per_customer.emplace_back(rows.Int(i, 1), rows.Int(i, 2));
        campaign.issued += rows.Int(i, 3);
        campaign.spent_minor += rows.Double(i, 4);
      });
  snapshot.Commit();
  return issuance;
}

std::vector<CampaignOutcome> PostgresStore::CampaignOutcomes(const std::string& campaign_id,
                                                             std::chrono::seconds validity) {
  auto lease = Read();
  postgres::Connection& db = *lease;
  postgres::Transaction snapshot(db, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
  std::vector<CampaignOutcome> outcomes;
  db.ForEachRow(
      "WITH o AS (SELECT customer_id, MAX(control) AS control, COUNT(*) AS offers,"
      "   COUNT(coupon_id) AS issued,"
      "   extract(epoch FROM MIN(run_date)::date)::bigint AS window_start,"
      "   extract(epoch FROM MIN(run_date)::date)::bigint + $1::bigint AS window_end"
      "   FROM campaign_offers WHERE campaign_id = $2::text GROUP BY customer_id)"
      " SELECT o.customer_id, o.control, o.offers, o.issued,"
      "   (SELECT COUNT(*) FROM coupons c WHERE c.customer_id = o.customer_id"
      "     AND c.campaign = $2::text AND c.redeemed_at IS NOT NULL),"
      "   COUNT(p.seq), COALESCE(SUM(p.total_minor), 0), COALESCE(SUM(p.discount_minor), 0)"
      " FROM o LEFT JOIN purchases p ON p.customer_id = o.customer_id"
      "   AND p.occurred_at >= o.window_start AND p.occurred_at < o.window_end"
      " GROUP BY o.customer_id, o.control, o.offers, o.issued ORDER BY o.customer_id",
      Params().Add(static_cast<std::int64_t>(validity.count())).Add(campaign_id),
      [&](const postgres::Rows& rows, int i) {
        outcomes.push_back({rows.Int(i, 0), rows.Int(i, 1) != 0, rows.Int(i, 2), rows.Int(i, 3),
                            rows.Int(i, 4), rows.Int(i, 5), rows.Int(i, 6), rows.Int(i, 7)});
      });
  snapshot.Commit();
  return outcomes;
}

// Driven by the campaign's offers (indexed by campaign) rather than a scan of every coupon.
CampaignDays PostgresStore::CampaignCouponDays(const std::string& campaign_id) {
  auto lease = Read();
  postgres::Connection& db = *lease;
  postgres::Transaction snapshot(db, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
  CampaignDays result;
  const auto currency = db.Run("SELECT value FROM meta WHERE key = 'currency'");
  if (currency.size() > 0) result.currency = currency.Text(0, 0);
  db.ForEachRow(
      "WITH c AS (SELECT cp.id, cp.issued_at, cp.redeemed_at FROM campaign_offers o"
      "   JOIN coupons cp ON cp.id = o.coupon_id WHERE o.campaign_id = $1::text),"
      " events AS (SELECT issued_at / 86400 AS day, 1 AS issued, 0 AS redeemed,"
      "   0::bigint AS discount FROM c"
      "   UNION ALL SELECT redeemed_at / 86400, 0, 1,"
      "   (SELECT COALESCE(SUM(r.discount_minor), 0)::bigint FROM coupon_redemptions r"
      "     WHERE r.coupon_id = c.id AND r.outcome = 'redeemed')"
      "   FROM c WHERE redeemed_at IS NOT NULL)"
      " SELECT to_char(to_timestamp(day * 86400) AT TIME ZONE 'UTC', 'YYYY-MM-DD'),"
      "   SUM(issued)::bigint, SUM(redeemed)::bigint, SUM(discount)::bigint FROM events"
      " GROUP BY day ORDER BY day",
      Params().Add(campaign_id), [&](const postgres::Rows& rows, int i) {
        result.days.push_back({rows.Text(i, 0), rows.Int(i, 1), rows.Int(i, 2), rows.Int(i, 3)});
      });
  snapshot.Commit();
  return result;
}

Status PostgresStore::StartBatchRun(const std::string& run_date, Timestamp now) {
  return writer_->Run([&](postgres::Connection& db) -> Status {
    db.Run(
        "INSERT INTO batch_runs(run_date, started_at) VALUES ($1::text, $2::bigint)"
        " ON CONFLICT DO NOTHING",
        Params().Add(run_date).Add(ToUnixSeconds(now)));
    return Status();
  });
}

Status PostgresStore::FinishBatchRun(const std::string& run_date, const nlohmann::json& summary,
                                     Timestamp now) {
  return writer_->Run([&](postgres::Connection& db) -> Status {
    const auto updated = db.Run(
        "UPDATE batch_runs SET finished_at = $1::bigint, summary = $2::text"
        " WHERE run_date = $3::text RETURNING 1",
        Params().Add(ToUnixSeconds(now)).Add(summary.dump()).Add(run_date));
    if (updated.empty()) {
      return Error{ErrorCode::kNotFound, "no batch run for " + run_date, "run_date"};
    }
    return Status();
  });
}

std::optional<BatchRun> PostgresStore::FindBatchRun(const std::string& run_date) {
  auto lease = Read();
  const auto rows = (*lease).Run(
      "SELECT started_at, finished_at, summary FROM batch_runs WHERE run_date = $1::text",
      Params().Add(run_date));
  if (rows.empty()) return std::nullopt;
  BatchRun run;
  run.run_date = run_date;
  run.started_at = FromUnixSeconds(rows.Int(0, 0));
  if (!rows.IsNull(0, 1)) run.finished_at = FromUnixSeconds(rows.Int(0, 1));
  if (!rows.IsNull(0, 2)) run.summary = nlohmann::json::parse(rows.Text(0, 2));
  return run;
}

}  // namespace loyalty::server
