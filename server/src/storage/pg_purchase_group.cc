// PostgresStore: purchases that redeem nothing, written as a group (see pg_store.h).
#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>

#include "loyalty/core/log.h"
#include "loyalty/crypto/coupon_token.h"
#include "storage/pg_next_visit.h"
#include "storage/pg_store.h"

namespace loyalty::server {
namespace {

// How many of a customer's top categories the profile carries to the planner.
constexpr std::size_t kProfileCategories = 20;

// All the group's rows in one statement. Its parts read one snapshot, from before the
// statement, so a customer made here gets its visit totals at once, the UPDATE covers
// only customers that existed, and the final SELECT returns each customer's profile as
// it was before the group (the caller adds the group's purchases in order).
//   fresh:    the group's purchases whose id is not stored yet, one per id; `customer`
//             is set for an imported purchase that names its customer (no card)
//   newcards: cards never seen, each with a customer id drawn now and its totals
//   p/pn:     the purchases written, with their seq and customer
//   u/ul:     the lines, with their catalog category (NULL for an unknown SKU), looked up
//             by key: a plain join (or a LATERAL one without LIMIT, which the planner
//             flattens into one) let it hash the whole catalog on every call, which
//             cost more than the rest of the statement
//   bought:   each purchase's spend and items per category, for the planner
// A product's score halves every 30 days (2,592,000 s): the group's quantities of one
// product are decayed to the latest of their times before they join the stored score,
// which gives what adding them one by one would. With a planner of campaigns, the
// transaction holds the campaigns' lock already, and each row also carries the running
// campaigns' budgets, the customer's candidates and offers (pg_next_visit.h).
const std::string kWriteGroup =
    "WITH pin AS (SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[],"
    "   $5::bigint[], $6::bigint[], $7::text[], $8::bigint[], $9::bigint[], $10::bigint[],"
    "   $11::text[], $19::bigint[], $20::text[]) WITH ORDINALITY AS x(id, card, store_id,"
    "   terminal_id, occurred_at, received_at, currency, subtotal, discount, total, hash,"
    "   customer, cashier, n)),"
    " fresh AS (SELECT DISTINCT ON (x.id) x.* FROM pin x"
    "   WHERE NOT EXISTS (SELECT 1 FROM purchases q WHERE q.id = x.id) ORDER BY x.id, x.n),"
    " known AS (SELECT k.number, k.customer_id FROM cards k"
    "   WHERE k.number IN (SELECT card FROM fresh)),"
    " newcards AS (SELECT f.card, nextval(pg_get_serial_sequence('customers', 'id')) AS id,"
    "   (array_agg(f.received_at ORDER BY f.n))[1] AS created_at, COUNT(*) AS visits,"
    "   SUM(f.total) AS spend, MIN(f.occurred_at) AS first_at, MAX(f.occurred_at) AS last_at"
    "   FROM fresh f WHERE f.customer IS NULL AND f.card IS NOT NULL"
    "   AND f.card NOT IN (SELECT number FROM known)"
    "   GROUP BY f.card),"
    " nc AS (INSERT INTO customers(id, created_at, visits, total_spend_minor, first_visit_at,"
    "   last_visit_at) SELECT id, created_at, visits, spend, first_at, last_at FROM newcards),"
    " nk AS (INSERT INTO cards(number, customer_id, issued_at)"
    "   SELECT card, id, created_at FROM newcards),"
    " cust AS (SELECT number AS card, customer_id FROM known"
    "   UNION ALL SELECT card, id FROM newcards),"
    " p AS (INSERT INTO purchases(id, customer_id, card_number, store_id, terminal_id,"
    "   occurred_at, received_at, currency, subtotal_minor, discount_minor, total_minor,"
    "   body_sha256, cashier_id) SELECT f.id, COALESCE(f.customer, cu.customer_id), f.card,"
    "   f.store_id, f.terminal_id, f.occurred_at, f.received_at, f.currency, f.subtotal,"
    "   f.discount, f.total, f.hash, f.cashier"
    "   FROM fresh f LEFT JOIN cust cu ON cu.card = f.card ORDER BY f.n"
    "   ON CONFLICT (id) DO NOTHING RETURNING seq, id, customer_id),"
    " pn AS (SELECT p.seq, p.customer_id, f.n, f.occurred_at, f.received_at, f.total"
    "   FROM p JOIN fresh f ON f.id = p.id),"
    " u AS (SELECT u.*, pr.category COLLATE \"C\" AS category, pr.sku IS NOT NULL AS known"
    "   FROM unnest($12::bigint[], $13::bigint[], $14::text[], $15::bigint[], $16::bigint[],"
    "   $17::bigint[], $18::bigint[])"
    "   AS u(n, line_no, sku, quantity, unit_price, amount, weight)"
    "   LEFT JOIN LATERAL (SELECT sku, category FROM products WHERE sku = u.sku LIMIT 1) AS pr"
    "   ON true),"
    " l AS (INSERT INTO purchase_lines(purchase_seq, line_no, customer_id, sku, category,"
    "   known_sku, quantity, unit_price_minor, amount_minor, weight_grams)"
    "   SELECT pn.seq, u.line_no, pn.customer_id, u.sku, u.category, u.known::int, u.quantity,"
    "   u.unit_price, u.amount, u.weight FROM u JOIN pn ON pn.n = u.n),"
    " ul AS (SELECT pn.customer_id, pn.seq, pn.occurred_at, u.sku, u.category, u.known,"
    "   u.quantity, u.amount FROM u JOIN pn ON pn.n = u.n WHERE pn.customer_id IS NOT NULL),"
    " ps AS (INSERT INTO customer_product_stats AS s(customer_id, sku, quantity, purchases,"
    "   last_bought_at, score, score_at)"
    "   SELECT customer_id, sku, SUM(quantity), COUNT(DISTINCT seq), MAX(occurred_at),"
    "   SUM(quantity * power(0.5::float8, (latest - occurred_at) / 2592000.0::float8)), latest"
    "   FROM (SELECT ul.*, MAX(occurred_at) OVER (PARTITION BY customer_id, sku) AS latest"
    "     FROM ul) AS t GROUP BY customer_id, sku, latest"
    "   ON CONFLICT (customer_id, sku) DO UPDATE SET"
    "   quantity = s.quantity + excluded.quantity, purchases = s.purchases + excluded.purchases,"
    "   last_bought_at = GREATEST(s.last_bought_at, excluded.last_bought_at),"
    "   score = CASE WHEN excluded.score_at >= s.score_at"
    "     THEN s.score * power(0.5::float8, (excluded.score_at - s.score_at) / 2592000.0::float8)"
    "       + excluded.score"
    "     ELSE s.score + excluded.score"
    "       * power(0.5::float8, (s.score_at - excluded.score_at) / 2592000.0::float8) END,"
    "   score_at = GREATEST(s.score_at, excluded.score_at)),"
    " cs AS (INSERT INTO customer_category_stats AS s(customer_id, category, spend_minor, items,"
    "   last_bought_at) SELECT customer_id, category, SUM(amount), SUM(quantity),"
    "   MAX(occurred_at) FROM ul WHERE known AND category <> '' GROUP BY customer_id, category"
    "   ON CONFLICT (customer_id, category) DO UPDATE SET"
    "   spend_minor = s.spend_minor + excluded.spend_minor, items = s.items + excluded.items,"
    "   last_bought_at = GREATEST(s.last_bought_at, excluded.last_bought_at)),"
    " c AS (UPDATE customers SET visits = customers.visits + d.visits,"
    "   total_spend_minor = customers.total_spend_minor + d.spend,"
    "   first_visit_at = LEAST(COALESCE(customers.first_visit_at, d.first_at), d.first_at),"
    "   last_visit_at = GREATEST(COALESCE(customers.last_visit_at, d.last_at), d.last_at)"
    "   FROM (SELECT customer_id, COUNT(*) AS visits, SUM(total) AS spend,"
    "     MIN(occurred_at) AS first_at, MAX(occurred_at) AS last_at FROM pn"
    "     WHERE customer_id IS NOT NULL AND customer_id NOT IN (SELECT id FROM newcards)"
    "     GROUP BY customer_id) AS d"
    "   WHERE customers.id = d.customer_id),"
    " bought AS (SELECT n, json_agg(json_build_array(category, spend, items)) AS categories"
    "   FROM (SELECT n, category, SUM(amount) AS spend, SUM(quantity) AS items FROM u"
    "     WHERE known AND category <> '' GROUP BY n, category) AS x GROUP BY n)"
    " SELECT pn.n, pn.seq, pn.customer_id, cu.visits, cu.total_spend_minor, cu.first_visit_at,"
    "  cu.last_visit_at,"
    "  (SELECT COALESCE(json_agg(json_build_array(k.id, k.target, k.target_value)), '[]')"
    "   FROM coupons k WHERE k.customer_id = pn.customer_id AND k.expires_at > pn.received_at"
    "   AND k.redeemed_at IS NULL AND k.voided_at IS NULL),"
    "  (SELECT COALESCE(json_agg(json_build_array(t.category, t.spend_minor, t.items,"
    "   t.last_bought_at)), '[]') FROM customer_category_stats t"
    "   WHERE t.customer_id = pn.customer_id),"
    "  COALESCE(b.categories, '[]')" +
    PgNextVisitState::Columns("pn.customer_id", "$22::bigint",
                              "($21::boolean AND pn.customer_id IS NOT NULL)") +
    " FROM pn LEFT JOIN customers cu ON cu.id = pn.customer_id LEFT JOIN bought b ON b.n = pn.n"
    " ORDER BY pn.n";

domain::CouponTarget TargetFromName(const std::string& name) {
  return name == "product"    ? domain::CouponTarget::kProduct
         : name == "category" ? domain::CouponTarget::kCategory
                              : domain::CouponTarget::kBasket;
}

// A customer as the planner sees them, carried from one purchase of the group to the
// next.
struct RunningProfile {
  std::int64_t visits = 0;
  std::int64_t spend = 0;
  std::optional<std::int64_t> first_at;
  std::optional<std::int64_t> last_at;
  std::map<std::string, CategoryStat> categories;
  std::vector<domain::Coupon> live_coupons;
};

RunningProfile ProfileBeforeGroup(const postgres::Rows& rows, int row) {
  RunningProfile profile;
  if (!rows.IsNull(row, 3)) {  // NULL: a customer made by this group
    profile.visits = rows.Int(row, 3);
    profile.spend = rows.Int(row, 4);
    profile.first_at = rows.OptionalInt(row, 5);
    profile.last_at = rows.OptionalInt(row, 6);
  }
  for (const auto& live : nlohmann::json::parse(rows.Text(row, 7))) {
    domain::Coupon coupon;
    if (auto id = Uuid::Parse(live[0].get<std::string>()); id.ok()) coupon.id = *id;
    coupon.target = TargetFromName(live[1].get<std::string>());
    coupon.target_value = live[2].get<std::string>();
    profile.live_coupons.push_back(std::move(coupon));
  }
  for (const auto& stat : nlohmann::json::parse(rows.Text(row, 8))) {
    const std::string category = stat[0].get<std::string>();
    profile.categories[category] =
        CategoryStat{category, stat[1].get<std::int64_t>(), stat[2].get<std::int64_t>(),
                     FromUnixSeconds(stat[3].get<std::int64_t>())};
  }
  return profile;
}

// Adds one purchase to the running profile, as the statement added it to the tables.
void AddPurchase(RunningProfile& profile, const domain::Purchase& purchase,
                 const nlohmann::json& bought) {
  const std::int64_t at = ToUnixSeconds(purchase.occurred_at);
  profile.visits += 1;
  profile.spend += purchase.total_minor;
  profile.first_at = std::min(profile.first_at.value_or(at), at);
  profile.last_at = std::max(profile.last_at.value_or(at), at);
  for (const auto& delta : bought) {
    const std::string category = delta[0].get<std::string>();
    auto [it, added] = profile.categories.try_emplace(category);
    CategoryStat& stat = it->second;
    if (added) {
      stat.category = category;
      stat.last_bought_at = purchase.occurred_at;
    }
    stat.spend_minor += delta[1].get<std::int64_t>();
    stat.items += delta[2].get<std::int64_t>();
    stat.last_bought_at = std::max(stat.last_bought_at, purchase.occurred_at);
  }
}

// The top categories by spend, then items, then name: the engines' ORDER BY.
std::vector<CategoryStat> TopCategories(const RunningProfile& profile) {
  std::vector<CategoryStat> top;
  for (const auto& [name, stat] : profile.categories) top.push_back(stat);
  std::sort(top.begin(), top.end(), [](const CategoryStat& a, const CategoryStat& b) {
    return std::tie(b.spend_minor, b.items, a.category) <
           std::tie(a.spend_minor, a.items, b.category);
  });
  if (top.size() > kProfileCategories) top.resize(kProfileCategories);
  return top;
}

}  // namespace

bool PostgresStore::PlansWithCampaigns(const domain::Purchase& purchase,
                                       const PurchaseOrigin& origin) const {
  return planner_.UsesCampaigns() && origin.plan_coupons && purchase.card.has_value();
}

void PostgresStore::QueueInGroup(PendingPurchase pending) {
  const bool plans = PlansWithCampaigns(pending.purchase, pending.origin);
  std::shared_ptr<PurchaseGroup> opened;
  {
    std::lock_guard lock(group_mutex_);
    auto& open_group = open_groups_[plans ? 1 : 0];
    if (!open_group || open_group->purchases.size() >= max_group_) {
      open_group = std::make_shared<PurchaseGroup>();
      open_group->plans = plans;
      opened = open_group;
    }
    open_group->purchases.push_back(std::move(pending));
  }
  if (!opened) return;  // the group's job is queued already
  writer_->Submit(
      PostgresWriter::Job{[this, opened](postgres::Connection& db) -> Status {
                            {
                              // From now on the group is closed: later purchases open the next one.
                              // Run a second time (the batch retried), it writes the same purchases
                              // again.
                              std::lock_guard lock(group_mutex_);
                              auto& open_group = open_groups_[opened->plans ? 1 : 0];
                              if (open_group == opened) open_group.reset();
                            }
                            WritePurchaseGroup(db, *opened);
                            return {};
                          },
                          [this, opened](Status status) { AnswerGroup(*opened, status); },
                          /*done_on_writer=*/false, [opened] { return opened->purchases.size(); },
                          /*lock_first=*/opened->plans,
                          [this, opened](std::vector<TallyRow>& rows) {
                            // The group closes as its batch begins: the rows locked then
                            // are those of every purchase it will write.
                            std::lock_guard lock(group_mutex_);
                            auto& open_group = open_groups_[opened->plans ? 1 : 0];
                            if (open_group == opened) open_group.reset();
                            for (const auto& queued : opened->purchases) {
                              AddPurchaseTallies(queued.purchase, queued.now, rows);
                            }
                          }});
}

void PostgresStore::AnswerGroup(PurchaseGroup& group, const Status& status) {
  for (auto& pending : group.purchases) {
    auto answer = [this, status, result = std::move(pending.result),
                   done = std::move(pending.done)]() mutable {
      if (!status.ok()) return done(status.error());
      if (!result) return done(Internal("the purchase was not written"));
      if (result->ok()) {
        // The purchase is stored; a coupon that cannot be signed is a server fault.
        try {
          SignAll(result->value().ack.next_visit_coupons);
        } catch (const std::exception& e) {
          log::Error("cannot sign next-visit coupons", {{"error", e.what()}});
          return done(Internal("next-visit coupons could not be signed"));
        }
      }
      done(std::move(*result));
    };
    // Each answer on its own, so signing spreads over the I/O threads.
    if (completion_executor_) {
      completion_executor_(std::move(answer));
    } else {
      answer();
    }
  }
}

void PostgresStore::WritePurchaseGroup(postgres::Connection& db, PurchaseGroup& group) {
  std::vector<std::string> ids, stores, terminals, currencies, hashes, skus;
  std::vector<std::optional<std::string>> cards, cashiers;
  std::vector<std::int64_t> occurred, received, subtotals, discounts, totals;
  std::vector<std::int64_t> line_purchase, line_no, quantities, unit_prices, amounts;
  std::vector<std::optional<std::int64_t>> weights, named_customers;
  for (std::size_t i = 0; i < group.purchases.size(); ++i) {
    const auto& pending = group.purchases[i];
    const auto& purchase = pending.purchase;
    ids.push_back(purchase.id.str());
    cards.push_back(purchase.card ? std::optional(purchase.card->digits()) : std::nullopt);
    named_customers.push_back(pending.origin.customer_id);
    stores.push_back(purchase.store_id);
    terminals.push_back(purchase.terminal_id);
    cashiers.push_back(purchase.cashier_id);
    occurred.push_back(ToUnixSeconds(purchase.occurred_at));
    received.push_back(ToUnixSeconds(pending.now));
    currencies.push_back(purchase.currency.code());
    subtotals.push_back(purchase.SubtotalMinor());
    discounts.push_back(purchase.DiscountMinor());
    totals.push_back(purchase.total_minor);
    hashes.push_back(pending.body_hash);
    for (std::size_t l = 0; l < purchase.lines.size(); ++l) {
      const auto& line = purchase.lines[l];
      line_purchase.push_back(static_cast<std::int64_t>(i + 1));
      line_no.push_back(static_cast<std::int64_t>(l + 1));
      skus.push_back(line.sku);
      quantities.push_back(line.quantity);
      unit_prices.push_back(line.unit_price_minor);
      amounts.push_back(line.amount_minor);
      weights.push_back(line.weight_grams);
    }
  }
  const auto written = db.Run(kWriteGroup, postgres::Params()
                                               .AddArray(ids)
                                               .AddArray(cards)
                                               .AddArray(stores)
                                               .AddArray(terminals)
                                               .AddArray(occurred)
                                               .AddArray(received)
                                               .AddArray(currencies)
                                               .AddArray(subtotals)
                                               .AddArray(discounts)
                                               .AddArray(totals)
                                               .AddArray(hashes)
                                               .AddArray(line_purchase)
                                               .AddArray(line_no)
                                               .AddArray(skus)
                                               .AddArray(quantities)
                                               .AddArray(unit_prices)
                                               .AddArray(amounts)
                                               .AddArray(weights)
                                               .AddArray(named_customers)
                                               .AddArray(cashiers)
                                               .Add(group.plans ? "true" : "false")
                                               .Add(ToUnixSeconds(group.purchases.front().now)));
  std::vector<std::int64_t> written_seqs;
  for (int row = 0; row < written.size(); ++row) written_seqs.push_back(written.Int(row, 1));
  NoteCustomerStores(db, written_seqs);

  // The planner, purchase by purchase in arrival order, each customer's profile carried
  // from one of their purchases to the next.
  std::map<std::int64_t, RunningProfile> profiles;
  PgNextVisitState next_visit;
  std::vector<bool> stored(group.purchases.size(), false);
  for (int row = 0; row < written.size(); ++row) {
    const auto index = static_cast<std::size_t>(written.Int(row, 0) - 1);
    auto& pending = group.purchases[index];
    stored[index] = true;
    const std::int64_t purchase_seq = written.Int(row, 1);
    RecordedPurchase recorded;
    recorded.ack.purchase_id = pending.purchase.id.str();
    recorded.ack.customer_id = written.OptionalInt(row, 2);
    if (recorded.ack.customer_id) {
      const std::int64_t customer_id = *recorded.ack.customer_id;
      auto found = profiles.find(customer_id);
      if (found == profiles.end()) {
        found = profiles.emplace(customer_id, ProfileBeforeGroup(written, row)).first;
      }
      RunningProfile& running = found->second;
      AddPurchase(running, pending.purchase, nlohmann::json::parse(written.Text(row, 9)));
      CustomerProfile profile;
      profile.customer_id = customer_id;
      profile.currency = pending.purchase.currency.code();
      profile.visits = running.visits;
      profile.total_spend_minor = running.spend;
      profile.first_visit_at = FromUnixSeconds(*running.first_at);
      profile.last_visit_at = FromUnixSeconds(*running.last_at);
      profile.live_coupons = running.live_coupons;
      if (!pending.origin.plan_coupons) {
        pending.result = std::move(recorded);
        continue;
      }
      const auto planning_start = std::chrono::steady_clock::now();
      if (planner_.WouldIssue(profile)) {
        profile.categories = TopCategories(running);
        if (group.plans) {
          next_visit.Take(written, row, 10, customer_id);
          next_visit.Fill(profile, pending.purchase);
        }
      }
      auto offers = planner_.PlanOffers(profile, *pending.purchase.card, pending.now);
      next_visit.Note(customer_id, purchase_seq, offers, pending.now);
      recorded.planning = std::chrono::steady_clock::now() - planning_start;
      for (auto& offer : offers) {
        if (offer.control) continue;
        running.live_coupons.push_back(offer.coupon);
        recorded.ack.next_visit_coupons.push_back({std::move(offer.coupon), {}});
      }
      // A replay reads these back ORDER BY issued_at, id; answer in that order now.
      std::sort(recorded.ack.next_visit_coupons.begin(), recorded.ack.next_visit_coupons.end(),
                [](const api::IssuedCoupon& a, const api::IssuedCoupon& b) {
                  return std::pair(ToUnixSeconds(a.coupon.issued_at), a.coupon.id.str()) <
                         std::pair(ToUnixSeconds(b.coupon.issued_at), b.coupon.id.str());
                });
    }
    pending.result = std::move(recorded);
  }

  // The write is the planning's too; each purchase that planned is charged the group's
  // (one statement, whatever the group's size).
  const auto write_start = std::chrono::steady_clock::now();
  next_visit.Write(db);
  const auto write_time = std::chrono::steady_clock::now() - write_start;
  for (auto& pending : group.purchases) {
    if (pending.result && pending.result->ok() && pending.result->value().planning.count() > 0) {
      pending.result->value().planning += write_time;
    }
  }
  // Ids stored before the group, or twice in it: the first answer again, or a conflict.
  // After the coupons, so a retry within the group sees those its first copy earned.
  for (std::size_t i = 0; i < group.purchases.size(); ++i) {
    if (stored[i]) continue;
    auto& pending = group.purchases[i];
    pending.result = Replay(db, pending.purchase, pending.body_hash);
  }
}

}  // namespace loyalty::server
