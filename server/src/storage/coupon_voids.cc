#include "storage/coupon_voids.h"

#include <map>
#include <set>
#include <utility>

namespace loyalty::server {
namespace {

// The ids of `all` that are in `voided`, in the order of `all`.
std::vector<std::string> InOrder(const std::vector<std::string>& all,
                                 const std::set<std::string>& voided) {
  std::vector<std::string> ordered;
  for (const auto& id : all) {
    if (voided.count(id) > 0) ordered.push_back(id);
  }
  return ordered;
}

}  // namespace

std::vector<std::string> VoidUnspentCoupons(sqlite::Connection& db,
                                            const std::vector<std::string>& coupon_ids,
                                            const std::string& reason, Timestamp now) {
  std::set<std::string> voided;
  std::map<std::string, std::pair<double, std::int64_t>> given_back;  // by campaign
  for (const auto& id : coupon_ids) {
    if (voided.count(id) > 0) continue;
    // The one writer runs this transaction alone: what this reads stays so until it ends.
    auto& offer = db.Prepared(
        "SELECT c.campaign, o.expected_cost_minor FROM coupons c"
        " LEFT JOIN campaign_offers o ON o.campaign_id = c.campaign"
        "  AND o.customer_id = c.customer_id AND o.coupon_id = c.id AND o.control = 0"
        " WHERE c.id = ? AND c.redeemed_at IS NULL AND c.voided_at IS NULL");
    offer.Bind(1, id);
    if (!offer.Step()) {
      offer.Reset();
      continue;
    }
    if (!offer.IsNull(1)) {
      auto& back = given_back[offer.Text(0)];
      back.first += offer.Double(1);
      back.second += 1;
    }
    offer.Reset();
    db.Prepared("UPDATE coupons SET voided_at = ?, void_reason = ? WHERE id = ?")
        .Bind(1, ToUnixSeconds(now))
        .Bind(2, reason)
        .Bind(3, id)
        .Run();
    voided.insert(id);
  }
  for (const auto& [campaign_id, back] : given_back) {
    db.Prepared(
          "UPDATE campaign_budgets SET spent_minor = MAX(0, spent_minor - ?1),"
          " issued = MAX(0, issued - ?2), updated_at = ?3 WHERE campaign_id = ?4")
        .BindDouble(1, back.first)
        .Bind(2, back.second)
        .Bind(3, ToUnixSeconds(now))
        .Bind(4, campaign_id)
        .Run();
  }
  return InOrder(coupon_ids, voided);
}

std::vector<std::string> VoidUnspentCoupons(postgres::Connection& db,
                                            const std::vector<std::string>& coupon_ids,
                                            const std::string& reason, Timestamp now) {
  if (coupon_ids.empty()) return {};
  // One statement: the UPDATE's WHERE is checked again on a row another transaction
  // changed meanwhile (a redemption), so only coupons this one voids give anything back.
  const auto rows = db.Run(
      "WITH v AS (UPDATE coupons SET voided_at = $1::bigint, void_reason = $2::text"
      "   WHERE id = ANY($3::text[]) AND redeemed_at IS NULL AND voided_at IS NULL"
      "   RETURNING id, campaign, customer_id),"
      " g AS (SELECT o.campaign_id, SUM(o.expected_cost_minor) AS cost, COUNT(*) AS offers"
      "   FROM v JOIN campaign_offers o ON o.campaign_id = v.campaign"
      "   AND o.customer_id = v.customer_id AND o.coupon_id = v.id"
      "   WHERE o.control = 0 GROUP BY o.campaign_id),"
      " b AS (UPDATE campaign_budgets AS b SET spent_minor = GREATEST(0, b.spent_minor - g.cost),"
      "   issued = GREATEST(0, b.issued - g.offers), updated_at = $1::bigint"
      "   FROM g WHERE b.campaign_id = g.campaign_id)"
      " SELECT id FROM v",
      postgres::Params().Add(ToUnixSeconds(now)).Add(reason).AddArray(coupon_ids));
  std::set<std::string> voided;
  for (int r = 0; r < rows.size(); ++r) voided.insert(rows.Text(r, 0));
  return InOrder(coupon_ids, voided);
}

}  // namespace loyalty::server
