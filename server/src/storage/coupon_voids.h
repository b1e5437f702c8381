// Voiding coupons, on either engine, for every path that does it (a return, a customer
// erased from the portal). A voided coupon is never redeemed, so the expected cost and
// the count its treated offer spent go back to the campaign's budget (docs/targeting.md,
// "A return"); a coupon voided or redeemed before is left alone, so whatever voids it
// again gives nothing back twice.
#pragma once

#include <string>
#include <vector>

#include "loyalty/core/time.h"
#include "loyalty/postgres/postgres.h"
#include "loyalty/sqlite/sqlite.h"

namespace loyalty::server {

// Voids those of `coupon_ids` neither redeemed nor voided yet, with `reason`, gives their
// offers' spend back, and returns the ids it voided, in the order given. Runs inside the
// caller's transaction; on PostgreSQL that transaction must have begun with the
// campaigns' lock (kBeginLockingCampaigns), as every writer of campaign_budgets does.
std::vector<std::string> VoidUnspentCoupons(sqlite::Connection& db,
                                            const std::vector<std::string>& coupon_ids,
                                            const std::string& reason, Timestamp now);
std::vector<std::string> VoidUnspentCoupons(postgres::Connection& db,
                                            const std::vector<std::string>& coupon_ids,
                                            const std::string& reason, Timestamp now);

}  // namespace loyalty::server
