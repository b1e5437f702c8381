// SqliteStore: what the per-purchase planner reads (running next_visit campaigns, their
// budgets, the customer's candidates) and writes (its offers and their spend), and the
// nightly run's candidates. The single writer runs purchases one at a time, so a budget
// read here cannot be spent by another purchase before this one commits.
#include <exception>
#include <string>

#include "loyalty/core/log.h"
#include "storage/campaign_rows.h"
#include "storage/packed_candidates.h"
#include "storage/sqlite_store.h"
#include "storage/sqlite_values.h"

namespace loyalty::server {

void SqliteStore::LoadNextVisitCampaigns(sqlite::Connection& db, CustomerProfile& profile,
                                         const domain::Purchase& purchase, Timestamp now,
                                         const ProductLabels& labels) {
  auto& campaigns = db.Prepared("SELECT " + CampaignSelectList() +
                                " FROM campaigns WHERE kind = 'next_visit' AND paused = 0"
                                " AND starts_at <= ?1 AND ends_at > ?1 ORDER BY id");
  campaigns.Bind(1, ToUnixSeconds(now));
  while (campaigns.Step()) {
    NextVisitCampaign state;
    state.campaign = CampaignFromRow({[&](int i) { return campaigns.IsNull(i); },
                                      [&](int i) { return campaigns.Int(i); },
                                      [&](int i) { return campaigns.Text(i); }})
                         .campaign;
    profile.campaigns.push_back(std::move(state));
  }
  campaigns.Reset();
  if (profile.campaigns.empty()) return;
  for (const auto& line : purchase.lines) profile.basket_skus.push_back(line.sku);
  for (NextVisitCampaign& state : profile.campaigns) {
    auto& budget = db.Prepared(
        "SELECT spent_minor, issued, shadow_price, run_date FROM campaign_budgets"
        " WHERE campaign_id = ?");
    budget.Bind(1, state.campaign.id);
    std::optional<std::string> run_date;
    if (budget.Step()) {
      state.spent_minor = budget.Double(0);
      state.issued = budget.Int(1);
      state.shadow_price = budget.Double(2);
      if (!budget.IsNull(3)) run_date = budget.Text(3);
    }
    budget.Reset();
    auto& offers = db.Prepared(
        "SELECT COUNT(*) FROM campaign_offers WHERE campaign_id = ? AND customer_id = ?");
    offers.Bind(1, state.campaign.id).Bind(2, profile.customer_id);
    if (offers.Step()) state.customer_offers = offers.Int(0);
    offers.Reset();
    if (!run_date) continue;
    auto& candidates = db.Prepared(
        "SELECT candidates FROM next_visit_candidates WHERE campaign_id = ? AND run_date = ?"
        " AND customer_id = ?");
    candidates.Bind(1, state.campaign.id).Bind(2, *run_date).Bind(3, profile.customer_id);
    if (candidates.Step()) {
      AppendUnpackedCandidates(candidates.Text(0), state.campaign.id, profile.customer_id, labels,
                               profile.candidates);
    }
    candidates.Reset();
  }
}

void SqliteStore::AddToBudget(sqlite::Connection& db, const std::string& campaign_id,
                              double cost_minor, std::int64_t issued, Timestamp now) {
  db.Prepared(
        "INSERT INTO campaign_budgets(campaign_id, spent_minor, issued, shadow_price, updated_at)"
        " VALUES (?1, ?2, ?3, 0, ?4) ON CONFLICT (campaign_id) DO UPDATE SET"
        " spent_minor = spent_minor + ?2, issued = issued + ?3, updated_at = ?4")
      .Bind(1, campaign_id)
      .BindDouble(2, cost_minor)
      .Bind(3, issued)
      .Bind(4, ToUnixSeconds(now))
      .Run();
}

void SqliteStore::RecordPlannedOffer(sqlite::Connection& db, const PlannedOffer& offer,
                                     std::int64_t customer_id, std::int64_t purchase_seq,
                                     std::size_t n, Timestamp now) {
  const bool product = offer.coupon.target == domain::CouponTarget::kProduct;
  db.Prepared(
        "INSERT INTO campaign_offers(run_date, campaign_id, customer_id, offer_rank, sku,"
        " control, depth_percent, discount_minor, probability, probability_with_coupon,"
        " expected_cost_minor, expected_value_minor, coupon_id, created_at, purchase_seq,"
        " target_category) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)")
      .Bind(1, FormatUtc(now).substr(0, 10))
      .Bind(2, offer.campaign_id)
      .Bind(3, customer_id)
      .Bind(4, -(purchase_seq * 100 + static_cast<std::int64_t>(n) + 1))
      .Bind(5, product ? offer.coupon.target_value : std::string())
      .Bind(6, std::int64_t{offer.control ? 1 : 0})
      .Bind(7, offer.depth_percent)
      .Bind(8, offer.discount_minor)
      .BindDouble(9, offer.probability)
      .BindDouble(10, offer.probability_with_coupon)
      .BindDouble(11, offer.expected_cost_minor)
      .BindDouble(12, offer.expected_value_minor)
      .Bind(13, offer.control ? std::nullopt : std::optional<std::string>(offer.coupon.id.str()))
      .Bind(14, ToUnixSeconds(now))
      .Bind(15, purchase_seq)
      .Bind(16, product ? std::nullopt : std::optional<std::string>(offer.coupon.target_value))
      .Run();
  if (!offer.control) AddToBudget(db, offer.campaign_id, offer.expected_cost_minor, 1, now);
}

Status SqliteStore::RecordNextVisitCandidates(const std::vector<PackedCandidateRow>& rows) {
  constexpr std::size_t kColumns = 4;
  constexpr std::size_t kRowsPerStatement = 256;
  return writer_->Run([&](sqlite::Connection& db) -> Status {
    for (std::size_t first = 0; first < rows.size(); first += kRowsPerStatement) {
      const std::size_t count = std::min(kRowsPerStatement, rows.size() - first);
      auto& insert = db.Prepared(
          "INSERT OR IGNORE INTO next_visit_candidates(campaign_id, run_date, customer_id,"
          " candidates) VALUES " +
          SqliteValuesList(count, kColumns));
      for (std::size_t i = 0; i < count; ++i) {
        const PackedCandidateRow& row = rows[first + i];
        const int at = static_cast<int>(i * kColumns);
        insert.Bind(at + 1, row.campaign_id)
            .Bind(at + 2, row.run_date)
            .Bind(at + 3, row.customer_id)
            .Bind(at + 4, row.candidates);
      }
      insert.Run();
    }
    return Status();
  });
}

Status SqliteStore::SetNextVisitRun(const std::string& campaign_id, const std::string& run_date,
                                    double shadow_price, Timestamp now) {
  return writer_->Run([&](sqlite::Connection& db) -> Status {
    // A rerun of an older date leaves a newer run current (and its candidates).
    db.Prepared(
          "INSERT INTO campaign_budgets(campaign_id, spent_minor, issued, shadow_price, run_date,"
          " updated_at) VALUES (?1, 0, 0, ?2, ?3, ?4) ON CONFLICT (campaign_id) DO UPDATE SET"
          " shadow_price = ?2, run_date = ?3, updated_at = ?4"
          " WHERE run_date IS NULL OR run_date <= ?3")
        .Bind(1, campaign_id)
        .BindDouble(2, shadow_price)
        .Bind(3, run_date)
        .Bind(4, ToUnixSeconds(now))
        .Run();
    auto& current = db.Prepared("SELECT run_date FROM campaign_budgets WHERE campaign_id = ?");
    current.Bind(1, campaign_id);
    const std::string kept = current.Step() ? current.Text(0) : run_date;
    current.Reset();
    // A range of the key after the kept run, usually empty; the runs before it are
    // DropReplacedNextVisitCandidates's.
    db.Prepared("DELETE FROM next_visit_candidates WHERE campaign_id = ?1 AND run_date > ?2")
        .Bind(1, campaign_id)
        .Bind(2, kept)
        .Run();
    return Status();
  });
}

namespace {

// PRAGMA secure_delete off for its life, then as it was, however it is left.
class WithoutSecureDelete {
 public:
  explicit WithoutSecureDelete(sqlite::Connection& db) : db_(db) {
    auto& current = db_.Prepared("PRAGMA secure_delete");
    was_ = current.Step() ? current.Int(0) : 0;
    current.Reset();
    db_.Exec("PRAGMA secure_delete = 0");
  }
  ~WithoutSecureDelete() {
    try {
      db_.Exec("PRAGMA secure_delete = " + std::to_string(was_));
    } catch (const std::exception& error) {
      log::Error("secure_delete not restored on the writer", {{"error", error.what()}});
    }
  }
  WithoutSecureDelete(const WithoutSecureDelete&) = delete;
  WithoutSecureDelete& operator=(const WithoutSecureDelete&) = delete;

 private:
  sqlite::Connection& db_;
  std::int64_t was_ = 0;
};

}  // namespace

Result<std::int64_t> SqliteStore::DeleteReplacedNextVisitCandidates(std::size_t at_most) {
  std::int64_t deleted = 0;
  // Each campaign's earlier runs are a range of the key before its current run.
  const Status run = writer_->Run([&](sqlite::Connection& db) -> Status {
    // Without zeros written over them (the library's secure_delete, on in Debian's
    // build), which doubled the delete's time and its WAL: they hold products and
    // probabilities by customer id, nothing of a customer's details, which an erasure
    // deletes or cuts with it on.
    const WithoutSecureDelete plain(db);
    db.Prepared(
          "DELETE FROM next_visit_candidates WHERE rowid IN (SELECT n.rowid FROM"
          " campaign_budgets b JOIN next_visit_candidates n ON n.campaign_id = b.campaign_id"
          " AND n.run_date < b.run_date LIMIT ?1)")
        .Bind(1, static_cast<std::int64_t>(at_most))
        .Run();
    deleted = db.Changes();
    return Status();
  });
  if (!run.ok()) return run.error();
  return deleted;
}

}  // namespace loyalty::server
