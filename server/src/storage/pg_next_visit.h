// PostgresStore: what the per-purchase planner reads and writes, shared by the single
// purchase (pg_store.cc) and the grouped ones (pg_purchase_group.cc).
//
// Budgets and concurrency: a transaction that may spend or give back a campaign's budget
// (a purchase that plans, a return) begins by locking every next_visit campaign's row
// (kBeginLockingCampaigns, FOR NO KEY UPDATE in id order), before it writes anything.
// So two transactions (two servers on one database, a group and a single purchase)
// cannot both read the same money left and both spend it: the second waits at its BEGIN
// for the first to commit. And because the lock comes first, a transaction holding it
// never waits for one that holds rows it needs (dashboard_hours rows that the triggers
// on purchases and coupons lock, customers) while wanting the campaigns: no deadlock.
// Taken before the purchase's statement, the lock also lets that statement read the
// budgets, candidates and offers (Columns) fresh, with no round trip of their own, and
// the offers, the spend and the coupons go back in one more statement (Write).
// Within a group, purchases run one after the other on the state carried in memory.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "loyalty/postgres/postgres.h"
#include "storage/store.h"

namespace loyalty::server {

// The transaction's BEGIN for jobs marked lock_first (group_commit_writer.h): BEGIN and
// the campaigns' lock in one round trip. Every next_visit campaign, running or not: the
// set must cover whatever a later statement of the transaction finds running (a
// campaign resumed meanwhile included), and it stays small.
extern const char kBeginLockingCampaigns[];

class PgNextVisitState {
 public:
  // Three SQL columns for a purchase statement's SELECT list (each starting with ", "):
  // the running next_visit campaigns with their budgets, the customer's current
  // candidates and the customer's offers of each. `customer` is the SQL expression of
  // the customer's id, `now` of the purchase's Unix time, `plan` a boolean: false reads
  // nothing (NULLs).
  static std::string Columns(const std::string& customer, const std::string& now,
                             const std::string& plan);

  // Takes the columns of one row (`first_column` is the first of the three) for
  // `customer_id`. The campaigns are read from the first row taken: every row of one
  // statement holds the same.
  void Take(const postgres::Rows& rows, int row, int first_column, std::int64_t customer_id);
  bool empty() const { return campaigns_.empty(); }

  // Puts the campaigns as they stand, the customer's candidates and the purchase's
  // products into the profile.
  void Fill(CustomerProfile& profile, const domain::Purchase& purchase) const;
  // Counts the purchase's planned offers into the state (spend, the customer's offers),
  // and keeps them and the coupons to issue (any planner's) for Write.
  void Note(std::int64_t customer_id, std::int64_t purchase_seq,
            const std::vector<PlannedOffer>& offers, Timestamp now);
  // Records the noted offers in campaign_offers, adds their spend to the budgets and
  // inserts the coupons, in one statement; nothing when nothing was noted.
  void Write(postgres::Connection& db) const;

 private:
  struct Noted {
    PlannedOffer offer;
    std::int64_t customer_id = 0;
    std::int64_t purchase_seq = 0;
    std::int64_t n = 0;
    Timestamp now;
  };
  bool campaigns_read_ = false;
  std::vector<NextVisitCampaign> campaigns_;  // customer_offers unset
  std::map<std::int64_t, std::vector<NextVisitCandidate>> candidates_;
  std::map<std::pair<std::string, std::int64_t>, std::int64_t> customer_offers_;
  std::vector<Noted> noted_;  // offers of a campaign
  std::vector<std::pair<domain::Coupon, std::int64_t>> coupons_;  // and the purchase's seq
};

// A double as PostgreSQL reads it back exactly (shortest round-trip form), for float8[]
// parameters, which Params takes as text.
std::string DoubleText(double value);

// Coupons as the columns of one multi-row INSERT, so storing many costs one statement.
class CouponColumns {
 public:
  void Add(const domain::Coupon& coupon, std::optional<std::int64_t> issued_by_purchase);
  bool empty() const { return ids_.empty(); }
  // Appends the 17 arrays in the order Insert names them.
  void AppendTo(postgres::Params& params) const;
  // "INSERT INTO coupons(...) SELECT ... FROM unnest($first, ..., $first+16)"; `where`,
  // when not empty, filters the unnested rows (aliased u; u.id is the coupon's id).
  static std::string Insert(int first, const std::string& where = "");

 private:
  std::vector<std::string> ids_, card_numbers_, campaigns_, titles_, targets_, target_values_,
      types_, currencies_;
  std::vector<std::int64_t> customers_, discount_values_, min_spends_, max_discounts_, issued_at_,
      expires_at_, buy_, get_;
  std::vector<std::optional<std::int64_t>> issued_by_;
};

}  // namespace loyalty::server
