// PostgresStore: the nightly batch's offers, the coupons they issue, and its runs.
#include <algorithm>
#include <map>

#include "storage/campaign_room.h"
#include "storage/pg_coupons.h"
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

}  // namespace

Result<RecordedOffers> PostgresStore::RecordCampaignOffers(
    const std::vector<CampaignOfferRecord>& offers, Timestamp now) {
  RecordedOffers recorded;
  const Status status = writer_->Run([&](postgres::Connection& db) -> Status {
    recorded = {};
    std::map<std::string, std::pair<double, std::int64_t>> spent;  // by campaign: cost, count
    std::map<std::string, CampaignRoom> rooms = LockRooms(db, offers);
    for (const auto& offer : offers) {
      // The customer's newest active card, or a row with NULL when they have none; no
      // row at all for an unknown customer.
      const auto card = db.Run(
          "SELECT (SELECT number FROM cards WHERE customer_id = c.id AND status = 'active'"
          " ORDER BY issued_at DESC, number LIMIT 1) FROM customers c WHERE c.id = $1::bigint",
          Params().Add(offer.customer_id));
      if (card.empty()) {
        return Error{ErrorCode::kNotFound, "no customer " + std::to_string(offer.customer_id),
                     "customer_id"};
      }
      std::optional<std::string> card_number;
      if (!card.IsNull(0, 0)) card_number = card.Text(0, 0);
      // Whether the key is stored, and the customer's offers of the campaign so far.
      const auto before = db.Run(
          "SELECT COUNT(*) FILTER (WHERE run_date = $1::text AND offer_rank = $4::bigint),"
          " COUNT(*) FROM campaign_offers WHERE campaign_id = $2::text AND customer_id = $3::bigint",
          Params().Add(offer.run_date).Add(offer.campaign_id).Add(offer.customer_id).Add(
              offer.offer_rank));
      if (before.Int(0, 0) > 0) {
        ++recorded.already_present;
        continue;
      }
      const auto room = rooms.find(offer.campaign_id);
      if (room != rooms.end()) {
        const OfferFit fit = room->second.Check(offer, before.Int(0, 1));
        if (fit != OfferFit::kFits) {
          CountDropped(fit, recorded);
          continue;
        }
        if (!offer.control) room->second.Spend(offer.expected_cost_minor);
      }
      const bool issue = offer.coupon && !offer.control && card_number;
      const auto inserted = db.Run(
          "INSERT INTO campaign_offers(run_date, campaign_id, customer_id, offer_rank, sku,"
          " control, depth_percent, discount_minor, probability, probability_with_coupon,"
          " expected_cost_minor, expected_value_minor, coupon_id, created_at)"
          " VALUES ($1::text, $2::text, $3::bigint, $4::bigint, $5::text, $6::bigint,"
          " $7::bigint, $8::bigint, $9::float8, $10::float8, $11::float8, $12::float8,"
          " $13::text, $14::bigint) ON CONFLICT DO NOTHING RETURNING 1",
          Params()
              .Add(offer.run_date)
              .Add(offer.campaign_id)
              .Add(offer.customer_id)
              .Add(offer.offer_rank)
              .Add(offer.sku)
              .Add(std::int64_t{offer.control ? 1 : 0})
              .Add(offer.depth_percent)
              .Add(offer.discount_minor)
              .Add(offer.probability)
              .Add(offer.probability_with_coupon)
              .Add(offer.expected_cost_minor)
              .Add(offer.expected_value_minor)
              .Add(issue ? std::optional<std::string>(offer.coupon->id.str()) : std::nullopt)
              .Add(ToUnixSeconds(now)));
      if (inserted.empty()) {
        ++recorded.already_present;
        continue;
      }
      ++recorded.stored;
      // Counted as CampaignIssuanceExcept counts: every treated offer, card or none.
      if (!offer.control) {
        spent[offer.campaign_id].first += offer.expected_cost_minor;
        spent[offer.campaign_id].second += 1;
      }
      if (offer.control || !offer.coupon) continue;
      if (!card_number) {
        ++recorded.without_card;
        continue;
      }
      domain::Coupon coupon = *offer.coupon;
      coupon.customer_id = offer.customer_id;
      coupon.card_number = *card_number;
      InsertCoupon(db, coupon, std::nullopt);
      ++recorded.coupons_issued;
    }
    for (const auto& [campaign_id, cost] : spent) {
      AddToCampaignBudget(db, campaign_id, cost.first, cost.second, now);
    }
    return Status();
    // Every transaction writing campaign_budgets takes the next_visit campaigns' lock at
    // BEGIN (pg_next_visit.h): this one inserts coupons, whose triggers lock
    // dashboard_hours rows a purchase may hold while it waits for that lock.
  }, /*lock_first=*/true);
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
      "SELECT campaign_id, customer_id, COUNT(*), SUM(1 - control),"
      " SUM(CASE WHEN control = 0 THEN expected_cost_minor ELSE 0 END)"
      " FROM campaign_offers WHERE run_date <> $1::text OR purchase_seq IS NOT NULL"
      " GROUP BY campaign_id, customer_id ORDER BY campaign_id, customer_id",
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
