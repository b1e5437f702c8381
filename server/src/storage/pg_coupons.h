// Reading coupons back from PostgreSQL rows, shared by the engine's files.
#pragma once

#include <optional>
#include <vector>

#include "loyalty/api/terminal_api.h"
#include "loyalty/postgres/postgres.h"

// The columns UnsignedCoupons reads, in its order, of a coupons table aliased `p`.
#define PG_COUPON_COLUMNS_OF_P                                                         \
  "p.id, p.customer_id, p.card_number, p.campaign, p.title, p.target, p.target_value," \
  " p.discount_type, p.discount_value, p.min_spend_minor, p.max_discount_minor,"       \
  " p.currency, p.issued_at, p.expires_at, p.buy_quantity, p.get_quantity"

namespace loyalty::server {

// Coupons from rows holding PG_COUPON_COLUMNS_OF_P from `first_column` on, with their
// tokens still empty; rows where the coupon id is NULL (an outer join) are skipped.
std::vector<api::IssuedCoupon> UnsignedCoupons(const postgres::Rows& rows, int first_column);

}  // namespace loyalty::server
