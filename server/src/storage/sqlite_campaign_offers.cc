// SqliteStore: the nightly batch's offers, the coupons they issue, and its runs.
#include <map>

#include "storage/campaign_room.h"
#include "storage/sqlite_store.h"

namespace loyalty::server {
namespace {

// The campaigns' limits and their spend as they stand in this transaction; the single
// writer keeps purchases from spending between this read and the commit.
std::map<std::string, CampaignRoom> ReadRooms(sqlite::Connection& db,
                                              const std::vector<CampaignOfferRecord>& offers) {
  std::map<std::string, CampaignRoom> rooms;
  for (const auto& offer : offers) {
    if (rooms.count(offer.campaign_id) > 0) continue;
    auto& query = db.Prepared(
        "SELECT c.budget_minor, c.budget_coupons, c.per_customer_cap,"
        " COALESCE(b.spent_minor, 0), COALESCE(b.issued, 0) FROM campaigns c"
        " LEFT JOIN campaign_budgets b ON b.campaign_id = c.id WHERE c.id = ?");
    query.Bind(1, offer.campaign_id);
    if (query.Step()) {
      rooms.emplace(offer.campaign_id, CampaignRoom(query.Int(0), query.Int(1), query.Int(2),
                                                    query.Double(3), query.Int(4)));
    }
    query.Reset();
  }
  return rooms;
}

bool OfferStored(sqlite::Connection& db, const CampaignOfferRecord& offer) {
  auto& query = db.Prepared(
      "SELECT 1 FROM campaign_offers WHERE run_date = ? AND campaign_id = ? AND customer_id = ?"
      " AND offer_rank = ?");
  query.Bind(1, offer.run_date).Bind(2, offer.campaign_id).Bind(3, offer.customer_id).Bind(
      4, offer.offer_rank);
  const bool found = query.Step();
  query.Reset();
  return found;
}

std::int64_t CustomerOffers(sqlite::Connection& db, const CampaignOfferRecord& offer) {
  auto& query =
      db.Prepared("SELECT COUNT(*) FROM campaign_offers WHERE campaign_id = ? AND customer_id = ?");
  query.Bind(1, offer.campaign_id).Bind(2, offer.customer_id);
  const std::int64_t count = query.Step() ? query.Int(0) : 0;
  query.Reset();
  return count;
}

}  // namespace

Result<RecordedOffers> SqliteStore::RecordCampaignOffers(
    const std::vector<CampaignOfferRecord>& offers, Timestamp now) {
  RecordedOffers recorded;
  const Status status = writer_->Run([&](sqlite::Connection& db) -> Status {
    recorded = {};
    std::map<std::string, std::pair<double, std::int64_t>> spent;  // by campaign: cost, count
    std::map<std::string, CampaignRoom> rooms = ReadRooms(db, offers);
    for (const auto& offer : offers) {
      auto& card = db.Prepared(
          "SELECT number FROM cards WHERE customer_id = ? AND status = 'active'"
          " ORDER BY issued_at DESC, number LIMIT 1");
      card.Bind(1, offer.customer_id);
      std::optional<std::string> card_number;
      if (card.Step()) card_number = card.Text(0);
      card.Reset();
      if (!card_number) {
        auto& known = db.Prepared("SELECT 1 FROM customers WHERE id = ?");
        known.Bind(1, offer.customer_id);
        const bool exists = known.Step();
        known.Reset();
        if (!exists) {
          return Error{ErrorCode::kNotFound,
                       "no customer " + std::to_string(offer.customer_id), "customer_id"};
        }
      }
      if (OfferStored(db, offer)) {
        ++recorded.already_present;
        continue;
      }
      const auto room = rooms.find(offer.campaign_id);
      if (room != rooms.end()) {
        const OfferFit fit = room->second.Check(offer, CustomerOffers(db, offer));
        if (fit != OfferFit::kFits) {
          CountDropped(fit, recorded);
          continue;
        }
        if (!offer.control) room->second.Spend(offer.expected_cost_minor);
      }
      const bool issue = offer.coupon && !offer.control && card_number;
      auto& insert = db.Prepared(
          "INSERT INTO campaign_offers(run_date, campaign_id, customer_id, offer_rank,"
          " sku, control, depth_percent, discount_minor, probability, probability_with_coupon,"
          " expected_cost_minor, expected_value_minor, coupon_id, created_at)"
          " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
      insert.Bind(1, offer.run_date)
          .Bind(2, offer.campaign_id)
          .Bind(3, offer.customer_id)
          .Bind(4, offer.offer_rank)
          .Bind(5, offer.sku)
          .Bind(6, std::int64_t{offer.control ? 1 : 0})
          .Bind(7, offer.depth_percent)
          .Bind(8, offer.discount_minor)
          .BindDouble(9, offer.probability)
          .BindDouble(10, offer.probability_with_coupon)
          .BindDouble(11, offer.expected_cost_minor)
          .BindDouble(12, offer.expected_value_minor)
          .Bind(13, issue ? std::optional<std::string>(offer.coupon->id.str()) : std::nullopt)
          .Bind(14, ToUnixSeconds(now))
          .Run();
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
      AddToBudget(db, campaign_id, cost.first, cost.second, now);
    }
    return Status();
  });
  if (!status.ok()) return status.error();
  return recorded;
}

std::map<std::string, CampaignIssuance> SqliteStore::CampaignIssuanceExcept(
    const std::string& run_date) {
  auto lease = Read();
  sqlite::Connection& db = *lease;
  auto& query = db.Prepared(
      "SELECT o.campaign_id, o.customer_id, COUNT(*),"
      " SUM(CASE WHEN o.control = 0 AND c.voided_at IS NULL THEN 1 ELSE 0 END),"
      " SUM(CASE WHEN o.control = 0 AND c.voided_at IS NULL THEN o.expected_cost_minor"
      "   ELSE 0 END)"
      " FROM campaign_offers o LEFT JOIN coupons c ON c.id = o.coupon_id"
      " WHERE o.run_date <> ? OR o.purchase_seq IS NOT NULL"
      " GROUP BY o.campaign_id, o.customer_id ORDER BY o.campaign_id, o.customer_id");
  query.Bind(1, run_date);
  std::map<std::string, CampaignIssuance> issuance;
  while (query.Step()) {
    CampaignIssuance& campaign = issuance[query.Text(0)];
    campaign.per_customer.emplace_back(query.Int(1), query.Int(2));
    campaign.issued += query.Int(3);
    campaign.spent_minor += query.Double(4);
  }
  return issuance;
}

std::vector<CampaignOutcome> SqliteStore::CampaignOutcomes(const std::string& campaign_id,
                                                           std::chrono::seconds validity) {
  auto lease = Read();
  sqlite::Connection& db = *lease;
  auto& query = db.Prepared(
      "WITH o AS (SELECT customer_id, MAX(control) AS control, COUNT(*) AS offers,"
      "   COUNT(coupon_id) AS issued,"
      "   CAST(strftime('%s', MIN(run_date)) AS INTEGER) AS window_start,"
      "   CAST(strftime('%s', MIN(run_date)) AS INTEGER) + ? AS window_end"
      "   FROM campaign_offers WHERE campaign_id = ? GROUP BY customer_id)"
      " SELECT o.customer_id, o.control, o.offers, o.issued,"
      "   (SELECT COUNT(*) FROM coupons c WHERE c.customer_id = o.customer_id"
      "     AND c.campaign = ? AND c.redeemed_at IS NOT NULL),"
      "   COUNT(p.seq), COALESCE(SUM(p.total_minor), 0), COALESCE(SUM(p.discount_minor), 0)"
      " FROM o LEFT JOIN purchases p ON p.customer_id = o.customer_id"
      "   AND p.occurred_at >= o.window_start AND p.occurred_at < o.window_end"
      " GROUP BY o.customer_id ORDER BY o.customer_id");
  query.Bind(1, static_cast<std::int64_t>(validity.count())).Bind(2, campaign_id).Bind(3, campaign_id);
  std::vector<CampaignOutcome> outcomes;
  while (query.Step()) {
    outcomes.push_back({query.Int(0), query.Int(1) != 0, query.Int(2), query.Int(3), query.Int(4),
                        query.Int(5), query.Int(6), query.Int(7)});
  }
  return outcomes;
}

// Driven by the campaign's offers (indexed by campaign) rather than a scan of every coupon.
CampaignDays SqliteStore::CampaignCouponDays(const std::string& campaign_id) {
  auto lease = Read();
  sqlite::Connection& db = *lease;
  CampaignDays result;
  auto& currency = db.Prepared("SELECT value FROM meta WHERE key = 'currency'");
  if (currency.Step()) result.currency = currency.Text(0);
  currency.Reset();
  auto& query = db.Prepared(
      "WITH c AS (SELECT cp.id, cp.issued_at, cp.redeemed_at FROM campaign_offers o"
      "   JOIN coupons cp ON cp.id = o.coupon_id WHERE o.campaign_id = ?),"
      " events AS (SELECT date(issued_at, 'unixepoch') AS day, 1 AS issued, 0 AS redeemed,"
      "   0 AS discount FROM c"
      "   UNION ALL SELECT date(redeemed_at, 'unixepoch'), 0, 1,"
      "   (SELECT COALESCE(SUM(r.discount_minor), 0) FROM coupon_redemptions r"
      "     WHERE r.coupon_id = c.id AND r.outcome = 'redeemed')"
      "   FROM c WHERE redeemed_at IS NOT NULL)"
      " SELECT day, SUM(issued), SUM(redeemed), SUM(discount) FROM events"
      " GROUP BY day ORDER BY day");
  query.Bind(1, campaign_id);
  while (query.Step()) {
    result.days.push_back({query.Text(0), query.Int(1), query.Int(2), query.Int(3)});
  }
  return result;
}

Status SqliteStore::StartBatchRun(const std::string& run_date, Timestamp now) {
  return writer_->Run([&](sqlite::Connection& db) -> Status {
    db.Prepared("INSERT OR IGNORE INTO batch_runs(run_date, started_at) VALUES (?, ?)")
        .Bind(1, run_date)
        .Bind(2, ToUnixSeconds(now))
        .Run();
    return Status();
  });
}

Status SqliteStore::FinishBatchRun(const std::string& run_date, const nlohmann::json& summary,
                                   Timestamp now) {
  return writer_->Run([&](sqlite::Connection& db) -> Status {
    db.Prepared("UPDATE batch_runs SET finished_at = ?, summary = ? WHERE run_date = ?")
        .Bind(1, ToUnixSeconds(now))
        .Bind(2, summary.dump())
        .Bind(3, run_date)
        .Run();
    if (db.Changes() == 0) {
      return Error{ErrorCode::kNotFound, "no batch run for " + run_date, "run_date"};
    }
    return Status();
  });
}

std::optional<BatchRun> SqliteStore::FindBatchRun(const std::string& run_date) {
  auto lease = Read();
  sqlite::Connection& db = *lease;
  auto& query =
      db.Prepared("SELECT started_at, finished_at, summary FROM batch_runs WHERE run_date = ?");
  query.Bind(1, run_date);
  if (!query.Step()) return std::nullopt;
  BatchRun run;
  run.run_date = run_date;
  run.started_at = FromUnixSeconds(query.Int(0));
  if (!query.IsNull(1)) run.finished_at = FromUnixSeconds(query.Int(1));
  if (!query.IsNull(2)) run.summary = nlohmann::json::parse(query.Text(2));
  query.Reset();
  return run;
}

}  // namespace loyalty::server
