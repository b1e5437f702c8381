// PostgresStore: what the per-purchase planner reads and writes, shared by the single
// purchase (pg_store.cc) and the grouped ones (pg_purchase_group.cc).
//
// Budgets and concurrency: the rows of the running next_visit campaigns are locked
// (FOR NO KEY UPDATE, in id order) before their budgets are read, and every purchase that
// spends a campaign's budget takes that lock first, so two transactions (two servers on
// one database, or a group and a single purchase) cannot both read the same money left
// and both spend it: the second waits for the first to commit and then reads its spend.
// Within a group, purchases run one after the other on the state carried in memory.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "loyalty/postgres/postgres.h"
#include "storage/store.h"

namespace loyalty::server {

class PgNextVisitState {
 public:
  // Locks and reads the running next_visit campaigns, their budgets, and for `customers`
  // their candidates and their offers of each campaign so far. Reads nothing more when
  // no next_visit campaign runs.
  static PgNextVisitState Load(postgres::Connection& db, const std::vector<std::int64_t>& customers,
                               Timestamp now);

  // Puts the campaigns as they stand, the customer's candidates and the purchase's
  // products into the profile.
  void Fill(CustomerProfile& profile, const domain::Purchase& purchase) const;
  // Counts the purchase's planned offers into the state (spend, the customer's offers),
  // and keeps them for Write.
  void Note(std::int64_t customer_id, std::int64_t purchase_seq,
            const std::vector<PlannedOffer>& offers, Timestamp now);
  // Records the noted offers in campaign_offers and adds their spend to the budgets.
  void Write(postgres::Connection& db) const;

 private:
  struct Noted {
    PlannedOffer offer;
    std::int64_t customer_id = 0;
    std::int64_t purchase_seq = 0;
    std::int64_t n = 0;
    Timestamp now;
  };
  std::vector<NextVisitCampaign> campaigns_;  // customer_offers unset
  std::map<std::int64_t, std::vector<NextVisitCandidate>> candidates_;
  std::map<std::pair<std::string, std::int64_t>, std::int64_t> customer_offers_;
  std::vector<Noted> noted_;
};

// Adds treated offers' expected cost and count to the campaign's budget row.
void AddToCampaignBudget(postgres::Connection& db, const std::string& campaign_id,
                         double cost_minor, std::int64_t issued, Timestamp now);

}  // namespace loyalty::server
