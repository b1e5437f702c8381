#include "storage/pg_store.h"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>

#include "loyalty/core/log.h"
#include "loyalty/crypto/coupon_token.h"
#include "loyalty/crypto/hash.h"
#include "storage/pg_coupons.h"
#include "storage/pg_next_visit.h"
#include "storage/pg_schema.h"

namespace loyalty::server {

namespace {

// How many of a customer's top categories the profile carries to the planner.
constexpr std::int64_t kProfileCategories = 20;

postgres::ConnectionOptions ServerConnection() {
  return {.connect_timeout_seconds = 10, .application_name = "loyalty-server"};
}

// The writer's connection: a session setting given at connect time, so that a
// reconnection (PQreset) keeps it.
postgres::ConnectionOptions WriterConnection(bool sync_every_commit) {
  postgres::ConnectionOptions options = ServerConnection();
  if (!sync_every_commit) options.session_settings = "-c synchronous_commit=off";
  return options;
}

domain::CouponTarget TargetFromName(const std::string& name) {
  return name == "product"    ? domain::CouponTarget::kProduct
         : name == "category" ? domain::CouponTarget::kCategory
                              : domain::CouponTarget::kBasket;
}

}  // namespace

std::vector<api::IssuedCoupon> UnsignedCoupons(const postgres::Rows& rows, int first_column) {
  std::vector<api::IssuedCoupon> coupons;
  for (int row = 0; row < rows.size(); ++row) {
    if (rows.IsNull(row, first_column)) continue;  // an outer join that found no coupon
    const auto column = [&](int offset) { return first_column + offset; };
    domain::Coupon coupon;
    auto id = Uuid::Parse(rows.Text(row, column(0)));
    if (!id.ok()) throw std::runtime_error("coupon with a malformed id in the database");
    coupon.id = *id;
    coupon.customer_id = rows.Int(row, column(1));
    coupon.card_number = rows.Text(row, column(2));
    coupon.campaign = rows.Text(row, column(3));
    coupon.title = rows.Text(row, column(4));
    coupon.target = TargetFromName(rows.Text(row, column(5)));
    coupon.target_value = rows.Text(row, column(6));
    auto type = domain::ParseDiscountType(rows.Text(row, column(7)), "discount_type");
    if (!type.ok())
      throw std::runtime_error("coupon with an unknown discount type in the database");
    coupon.discount_type = *type;
    coupon.discount_value = rows.Int(row, column(8));
    coupon.min_spend_minor = rows.Int(row, column(9));
    coupon.max_discount_minor = rows.Int(row, column(10));
    coupon.currency = rows.Text(row, column(11));
    coupon.issued_at = FromUnixSeconds(rows.Int(row, column(12)));
    coupon.expires_at = FromUnixSeconds(rows.Int(row, column(13)));
    coupon.buy_quantity = rows.Int(row, column(14));
    coupon.get_quantity = rows.Int(row, column(15));
    coupons.push_back({std::move(coupon), {}});
  }
  return coupons;
}

void AddPurchaseTallies(const domain::Purchase& purchase, Timestamp now,
                        std::vector<TallyRow>& rows) {
  // As migration 0016's triggers round: to the start of the hour.
  const auto hour = [](Timestamp at) {
    const std::int64_t seconds = ToUnixSeconds(at);
    return seconds - seconds % 3600;
  };
  rows.push_back({hour(purchase.occurred_at), purchase.store_id});
  rows.push_back({hour(now), purchase.store_id});
}

PostgresStore::PostgresStore(const std::string& url, const NextVisitPlanner& planner,
                             const crypto::SigningKey& signing_key, WriterOptions writer_options,
                             BatchObserver observer)
    : max_group_(writer_options.max_batch),
      completion_executor_(writer_options.completion_executor),
      url_(url),
      planner_(planner),
      signing_key_(signing_key),
      write_db_(url, WriterConnection(writer_options.sync_every_commit)) {
  MigratePostgres(write_db_);
  writer_ = std::make_unique<PostgresWriter>(
      write_db_, std::move(writer_options), std::move(observer), "pg-writer",
      [](postgres::Connection& db, std::optional<postgres::Transaction>& transaction) {
        try {
          transaction.emplace(db, kBeginLockingCampaigns);
        } catch (const postgres::PostgresError&) {
          // BEGIN may have run and the lock failed (a timeout): end that transaction, or
          // the connection would stay in it, refusing every later statement.
          try {
            db.Exec("ROLLBACK");
          } catch (const postgres::PostgresError&) {
            // The connection is gone; the writer reconnects.
          }
          throw;
        }
      },
      [](postgres::Connection& db, const std::vector<TallyRow>& rows) {
        // Adding nothing to each row (migration 0020's function creates the missing ones)
        // locks them in key order for the rest of the transaction.
        std::vector<std::int64_t> hours;
        std::vector<std::string> stores;
        for (const TallyRow& row : rows) {
          hours.push_back(row.hour);
          stores.push_back(row.store_id);
        }
        db.Run("SELECT dashboard_hours_add($1::bigint[], $2::text[], z, z, z, z, z, z)"
               " FROM (SELECT array_fill(0::bigint, ARRAY[cardinality($1::bigint[])]) AS z)"
               " AS zeros",
               postgres::Params().AddArray(hours).AddArray(stores));
      });
}

PostgresStore::~PostgresStore() { writer_.reset(); }

bool PostgresStore::SyncsEveryCommit() {
  bool on = true;
  (void)writer_->Run([&](postgres::Connection& db) -> Status {
    on = db.Run("SHOW synchronous_commit").Text(0, 0) != "off";
    return {};
  });
  return on;
}

void PostgresStore::Flush() {
  // The writer runs jobs in order, so this one finishing means all before it did.
  (void)writer_->Run([](postgres::Connection&) -> Status { return {}; });
}

PostgresStore::ReadLease::~ReadLease() {
  if (!connection_->healthy()) return;  // the server dropped it; the next lease reconnects
  std::lock_guard lock(store_.readers_mutex_);
  store_.idle_readers_.push_back(std::move(connection_));
}

PostgresStore::ReadLease PostgresStore::Read() {
  {
    std::lock_guard lock(readers_mutex_);
    if (!idle_readers_.empty()) {
      auto connection = std::move(idle_readers_.back());
      idle_readers_.pop_back();
      return ReadLease(*this, std::move(connection));
    }
  }
  return ReadLease(*this, std::make_unique<postgres::Connection>(url_, ServerConnection()));
}

void PostgresStore::SignAll(std::vector<api::IssuedCoupon>& coupons) const {
  for (auto& issued : coupons) issued.token = crypto::SignCoupon(issued.coupon, signing_key_);
}

Result<api::CardLookup> PostgresStore::LookupCard(const CardNumber& card, Timestamp now) {
  auto lease = Read();
  api::CardLookup lookup;
  lookup.card_number = card.digits();
  // One statement, so the customer and their coupons are one consistent snapshot.
  const auto rows = (*lease).Run(
      "SELECT c.id, c.visits, c.total_spend_minor, c.created_at, k.status, c.segment, "
      PG_COUPON_COLUMNS_OF_P
      " FROM cards k JOIN customers c ON c.id = k.customer_id"
      " LEFT JOIN coupons p ON p.customer_id = c.id AND p.expires_at > $2::bigint"
      "  AND p.redeemed_at IS NULL AND p.voided_at IS NULL"
      " WHERE k.number = $1::text ORDER BY p.issued_at, p.id",
      postgres::Params().Add(card.digits()).Add(ToUnixSeconds(now)));
  if (rows.empty()) return lookup;
  if (rows.Text(0, 4) == "blocked") {
    return Error{ErrorCode::kPermissionDenied, "card is blocked; ask for the replacement card",
                 "card_number"};
  }
  api::CustomerSummary customer;
  customer.id = rows.Int(0, 0);
  customer.visits = rows.Int(0, 1);
  customer.total_spend_minor = rows.Int(0, 2);
  customer.member_since = FromUnixSeconds(rows.Int(0, 3));
  customer.segment =
      StoredSegment(rows.IsNull(0, 5) ? std::nullopt : std::optional<std::string>(rows.Text(0, 5)));
  lookup.customer = customer;
  lookup.coupons = UnsignedCoupons(rows, 6);
  SignAll(lookup.coupons);
  return lookup;
}

std::int64_t PostgresStore::NewCustomerWithCard(postgres::Connection& db, const CardNumber& card,
                                                Timestamp now) {
  // A card handed out at the till works at once: its first use makes an anonymous
  // customer, who may register details later.
  return db
      .Run(
          "WITH c AS (INSERT INTO customers(created_at) VALUES ($2::bigint) RETURNING id),"
          " k AS (INSERT INTO cards(number, customer_id, issued_at)"
          "  SELECT $1::text, id, $2::bigint FROM c)"
          " SELECT id FROM c",
          postgres::Params().Add(card.digits()).Add(ToUnixSeconds(now)))
      .Int(0, 0);
}

std::int64_t PostgresStore::CustomerForCard(postgres::Connection& db, const CardNumber& card,
                                            Timestamp now) {
  const auto found = db.Run("SELECT customer_id FROM cards WHERE number = $1::text",
                            postgres::Params().Add(card.digits()));
  if (!found.empty()) return found.Int(0, 0);
  return NewCustomerWithCard(db, card, now);
}

std::vector<PostgresStore::Redemption> PostgresStore::Redeem(
    postgres::Connection& db, const domain::Purchase& purchase,
    std::optional<std::int64_t> customer_id) {
  std::vector<Redemption> outcomes;
  for (const auto& redemption : purchase.redemptions) {
    const auto coupon = db.Run(
        "SELECT customer_id, redeemed_by_purchase IS NOT NULL, voided_at IS NOT NULL,"
        " redeemed_by_purchase FROM coupons WHERE id = $1::text",
        postgres::Params().Add(redemption.coupon_id.str()));
    std::string outcome;
    std::optional<std::string> first_purchase;
    if (coupon.empty()) {
      outcome = "unknown_coupon";
    } else if (!customer_id || coupon.Int(0, 0) != *customer_id) {
      outcome = "other_customer";
    } else if (coupon.Text(0, 2) == "t") {
      outcome = "voided_coupon";  // its purchase was returned, e.g. while this till was offline
    } else if (coupon.Text(0, 1) == "t") {
      // Spent before, e.g. at another terminal while offline: recorded as a conflict
      // for the portal, never counted twice.
      outcome = "already_redeemed";
      first_purchase = coupon.Text(0, 3);
    } else {
      outcome = "redeemed";
      db.Run(
          "UPDATE coupons SET redeemed_at = $1::bigint, redeemed_by_purchase = $2::text"
          " WHERE id = $3::text",
          postgres::Params()
              .Add(ToUnixSeconds(purchase.occurred_at))
              .Add(purchase.id.str())
              .Add(redemption.coupon_id.str()));
    }
    outcomes.push_back({std::move(outcome), std::move(first_purchase)});
  }
  return outcomes;
}

void PostgresStore::RecordPurchaseAsync(domain::Purchase purchase, Timestamp now,
                                        PurchaseCallback done) {
  // Hashing and the rest of the CPU work that needs no database happen here, on the
  // caller's thread, so the single writer spends its time on the database alone.
  auto body_hash = crypto::Sha256Hex(domain::PurchaseToJson(purchase).dump());
  if (purchase.redemptions.empty()) {
    QueueInGroup({std::move(purchase), std::move(body_hash), now, std::move(done), std::nullopt});
    return;
  }
  auto state = std::make_shared<std::optional<Result<RecordedPurchase>>>();
  const bool plans = PlansWithCampaigns(purchase, {});
  std::vector<TallyRow> tallies;
  AddPurchaseTallies(purchase, now, tallies);
  writer_->Submit(PostgresWriter::Job{
      [this, state, purchase = std::move(purchase), body_hash = std::move(body_hash),
       now, plans](postgres::Connection& db) -> Status {
        *state = WritePurchase(db, purchase, body_hash, now, plans);
        return (*state)->status();
      },
      [this, state, done = std::move(done)](Status status) {
        if (!status.ok()) return done(status.error());
        try {
          SignAll((*state)->value().ack.next_visit_coupons);
        } catch (const std::exception& e) {
          log::Error("cannot sign next-visit coupons", {{"error", e.what()}});
          return done(Internal("next-visit coupons could not be signed"));
        }
        done(std::move(**state));
      },
      // Only a purchase that may spend a campaign's budget waits for the campaigns' lock.
      /*done_on_writer=*/false, nullptr, /*lock_first=*/plans,
      [tallies = std::move(tallies)](std::vector<TallyRow>& rows) {
        rows.insert(rows.end(), tallies.begin(), tallies.end());
      }});
}

Result<RecordedPurchase> PostgresStore::Replay(postgres::Connection& db,
                                               const domain::Purchase& purchase,
                                               const std::string& body_hash) {
  const auto existing = db.Run("SELECT body_sha256, customer_id FROM purchases WHERE id = $1::text",
                               postgres::Params().Add(purchase.id.str()));
  if (existing.Text(0, 0) != body_hash) {
    return Error{ErrorCode::kConflict,
                 "purchase id " + purchase.id.str() + " was already used for another purchase",
                 "id"};
  }
  RecordedPurchase replay;
  replay.replay = true;
  const auto issued = db.Run("SELECT " PG_COUPON_COLUMNS_OF_P
                             " FROM coupons p JOIN purchases s ON s.seq = p.issued_by_purchase"
                             " WHERE s.id = $1::text ORDER BY p.issued_at, p.id",
                             postgres::Params().Add(purchase.id.str()));
  replay.ack = {purchase.id.str(), existing.OptionalInt(0, 1), UnsignedCoupons(issued, 0)};
  return replay;  // nothing was written
}

Result<RecordedPurchase> PostgresStore::WritePurchase(postgres::Connection& db,
                                                      const domain::Purchase& purchase,
                                                      const std::string& body_hash, Timestamp now,
                                                      bool plans) {
  const std::optional<std::string> card =
      purchase.card ? std::optional(purchase.card->digits()) : std::nullopt;
  // Redemptions depend on who holds each coupon, so a purchase with some asks first
  // (one more round trip) whether it is new and whose card it is.
  std::vector<Redemption> redeemed;
  if (!purchase.redemptions.empty()) {
    const auto known = db.Run(
        "SELECT EXISTS (SELECT 1 FROM purchases WHERE id = $1::text),"
        " (SELECT customer_id FROM cards WHERE number = $2::text)",
        postgres::Params().Add(purchase.id.str()).Add(card));
    if (known.Text(0, 0) == "t") return Replay(db, purchase, body_hash);
    redeemed = Redeem(db, purchase, known.OptionalInt(0, 1));
  }
  std::vector<std::string> skus;
  std::vector<std::int64_t> quantities, unit_prices, amounts;
  std::vector<std::optional<std::int64_t>> weights;
  for (const auto& line : purchase.lines) {
    skus.push_back(line.sku);
    quantities.push_back(line.quantity);
    unit_prices.push_back(line.unit_price_minor);
    amounts.push_back(line.amount_minor);
    weights.push_back(line.weight_grams);
  }
  std::vector<std::string> coupon_ids, outcomes;
  std::vector<std::optional<std::string>> first_purchases;
  std::vector<std::int64_t> discounts, offline;
  for (std::size_t i = 0; i < purchase.redemptions.size(); ++i) {
    coupon_ids.push_back(purchase.redemptions[i].coupon_id.str());
    discounts.push_back(purchase.redemptions[i].discount_minor);
    offline.push_back(purchase.redemptions[i].verified_offline ? 1 : 0);
    outcomes.push_back(redeemed[i].outcome);
    first_purchases.push_back(redeemed[i].first_purchase);
  }

  // One statement, one round trip: the card's customer (made now for a card never seen),
  // the purchase (nothing at all if its id is stored already: a replay or a conflict,
  // told apart below), its lines with their categories from the catalog, redemptions,
  // the product, category and customer aggregates, and what the planner needs of the
  // profile after them. Sub-statements of one WITH see the same snapshot, so the final
  // SELECT computes the customer's top categories after this purchase from the rows
  // before it plus the purchase's own; the live coupons this statement does not change.
  // The score halves every 30 days (2,592,000 s); a purchase older than the stored
  // score (uploaded late from an offline till) adds its quantity already decayed.
  // With a planner of campaigns, the transaction holds the campaigns' lock already
  // (kBeginLockingCampaigns), so the statement also reads their budgets as they stand,
  // the customer's candidates and offers (pg_next_visit.h).
  static const std::string kWrite =
      "WITH k AS (SELECT customer_id FROM cards WHERE number = $2::text),"
      // A new customer starts with this visit: the UPDATE below cannot see the row, as
      // every part of one statement reads the snapshot from before it.
      " nc AS (INSERT INTO customers(created_at, visits, total_spend_minor, first_visit_at,"
      "   last_visit_at) SELECT $6::bigint, 1, $10::bigint, $5::bigint, $5::bigint"
      "   WHERE $2::text IS NOT NULL AND NOT EXISTS (SELECT 1 FROM k)"
      "   RETURNING id, visits, total_spend_minor, first_visit_at, last_visit_at),"
      " nk AS (INSERT INTO cards(number, customer_id, issued_at)"
      "   SELECT $2::text, id, $6::bigint FROM nc),"
      " p AS (INSERT INTO purchases(id, customer_id, card_number, store_id, terminal_id,"
      "   occurred_at, received_at, currency, subtotal_minor, discount_minor, total_minor,"
      "   body_sha256, cashier_id) SELECT $1::text,"
      "   (SELECT customer_id FROM k UNION ALL SELECT id FROM nc),"
      "   $2::text, $3::text, $4::text, $5::bigint, $6::bigint, $7::text, $8::bigint,"
      "   $9::bigint, $10::bigint, $11::text, $23::text ON CONFLICT (id) DO NOTHING"
      "   RETURNING seq, customer_id),"
      " u AS (SELECT u.*, pr.category COLLATE \"C\" AS category, pr.sku IS NOT NULL AS known"
      "   FROM unnest($12::text[],"
      "   $13::bigint[], $14::bigint[], $15::bigint[], $16::bigint[]) WITH ORDINALITY"
      "   AS u(sku, quantity, unit_price, amount, weight, ord)"
      // By key (LIMIT keeps the planner from flattening it into a join it may answer
      // by hashing the whole catalog).
      "   LEFT JOIN LATERAL (SELECT sku, category FROM products WHERE sku = u.sku LIMIT 1) AS pr"
      "   ON true),"
      " l AS (INSERT INTO purchase_lines(purchase_seq, line_no, customer_id, sku, category,"
      "   known_sku, quantity, unit_price_minor, amount_minor, weight_grams)"
      "   SELECT p.seq, u.ord, p.customer_id, u.sku, u.category, u.known::int, u.quantity,"
      "   u.unit_price, u.amount, u.weight FROM p, u),"
      " r AS (INSERT INTO coupon_redemptions(coupon_id, purchase_id, customer_id, discount_minor,"
      "   outcome, reported_at, verified_offline) SELECT x.coupon_id, $1::text, p.customer_id,"
      "   x.discount, x.outcome, $6::bigint, x.offline FROM p, unnest($17::text[],"
      "   $18::bigint[], $19::text[], $20::bigint[]) AS x(coupon_id, discount, outcome, offline)),"
      // A coupon spent twice: the conflict names both sales, for the portal.
      " cf AS (INSERT INTO coupon_conflicts(coupon_id, customer_id, first_purchase_id,"
      "   first_store_id, first_terminal_id, first_at, second_purchase_id, second_store_id,"
      "   second_terminal_id, second_at, discount_minor, verified_offline, detected_at)"
      "   SELECT x.coupon_id, p.customer_id, f.id, f.store_id, f.terminal_id, f.occurred_at,"
      "   $1::text, $3::text, $4::text, $5::bigint, x.discount, x.offline, $6::bigint"
      "   FROM p, unnest($17::text[], $18::bigint[], $20::bigint[], $21::text[])"
      "   AS x(coupon_id, discount, offline, first_purchase)"
      "   JOIN purchases f ON f.id = x.first_purchase),"
      " bought AS (SELECT category, SUM(amount) AS spend, SUM(quantity) AS items FROM u"
      "   WHERE known AND category <> '' GROUP BY category),"
      " ps AS (INSERT INTO customer_product_stats AS s(customer_id, sku, quantity, purchases,"
      "   last_bought_at, score, score_at)"
      "   SELECT p.customer_id, u.sku, SUM(u.quantity), 1, $5::bigint, SUM(u.quantity), $5::bigint"
      "   FROM p, u WHERE p.customer_id IS NOT NULL GROUP BY p.customer_id, u.sku"
      "   ON CONFLICT (customer_id, sku) DO UPDATE SET"
      "   quantity = s.quantity + excluded.quantity, purchases = s.purchases + 1,"
      "   last_bought_at = GREATEST(s.last_bought_at, excluded.last_bought_at),"
      "   score = CASE WHEN excluded.score_at >= s.score_at"
      "     THEN s.score * power(0.5::float8, (excluded.score_at - s.score_at) / 2592000.0::float8)"
      "       + excluded.score"
      "     ELSE s.score + excluded.score"
      "       * power(0.5::float8, (s.score_at - excluded.score_at) / 2592000.0::float8) END,"
      "   score_at = GREATEST(s.score_at, excluded.score_at)),"
      " cs AS (INSERT INTO customer_category_stats AS s(customer_id, category, spend_minor, items,"
      "   last_bought_at) SELECT p.customer_id, b.category, b.spend, b.items, $5::bigint"
      "   FROM p, bought b WHERE p.customer_id IS NOT NULL"
      "   ON CONFLICT (customer_id, category) DO UPDATE SET"
      "   spend_minor = s.spend_minor + excluded.spend_minor, items = s.items + excluded.items,"
      "   last_bought_at = GREATEST(s.last_bought_at, excluded.last_bought_at)),"
      " c AS (UPDATE customers SET visits = visits + 1,"
      "   total_spend_minor = total_spend_minor + $10::bigint,"
      "   first_visit_at = LEAST(COALESCE(first_visit_at, $5::bigint), $5::bigint),"
      "   last_visit_at = GREATEST(COALESCE(last_visit_at, $5::bigint), $5::bigint)"
      "   FROM p WHERE customers.id = p.customer_id"
      "   RETURNING visits, total_spend_minor, first_visit_at, last_visit_at)"
      " SELECT p.seq, p.customer_id, COALESCE(c.visits, nc.visits),"
      "  COALESCE(c.total_spend_minor, nc.total_spend_minor),"
      "  COALESCE(c.first_visit_at, nc.first_visit_at),"
      "  COALESCE(c.last_visit_at, nc.last_visit_at),"
      "  (SELECT COALESCE(json_agg(json_build_array(k.id, k.target, k.target_value)), '[]')"
      "   FROM coupons k WHERE k.customer_id = p.customer_id AND k.expires_at > $6::bigint"
      "   AND k.redeemed_at IS NULL AND k.voided_at IS NULL),"
      "  (SELECT COALESCE(json_agg(json_build_array(t.category, t.spend, t.items, t.last)), '[]')"
      "   FROM (SELECT a.category, SUM(a.spend) AS spend, SUM(a.items) AS items,"
      "     MAX(a.last) AS last FROM (SELECT category, spend_minor AS spend, items,"
      "       last_bought_at AS last FROM customer_category_stats"
      "       WHERE customer_id = p.customer_id"
      "       UNION ALL SELECT category, spend, items, $5::bigint FROM bought) AS a"
      "     GROUP BY a.category ORDER BY spend DESC, items DESC, a.category LIMIT $22::bigint)"
      "   AS t WHERE p.customer_id IS NOT NULL)" +
      PgNextVisitState::Columns("p.customer_id", "$6::bigint",
                                "($24::boolean AND p.customer_id IS NOT NULL)") +
      " FROM p LEFT JOIN c ON true LEFT JOIN nc ON true";
  const auto written = db.Run(
      kWrite,
      postgres::Params()
          .Add(purchase.id.str())
          .Add(card)
          .Add(purchase.store_id)
          .Add(purchase.terminal_id)
          .Add(ToUnixSeconds(purchase.occurred_at))
          .Add(ToUnixSeconds(now))
          .Add(purchase.currency.code())
          .Add(purchase.SubtotalMinor())
          .Add(purchase.DiscountMinor())
          .Add(purchase.total_minor)
          .Add(body_hash)
          .AddArray(skus)
          .AddArray(quantities)
          .AddArray(unit_prices)
          .AddArray(amounts)
          .AddArray(weights)
          .AddArray(coupon_ids)
          .AddArray(discounts)
          .AddArray(outcomes)
          .AddArray(offline)
          .AddArray(first_purchases)
          .Add(kProfileCategories)
          .Add(purchase.cashier_id)
          .Add(plans ? "true" : "false"));
  if (written.empty()) return Replay(db, purchase, body_hash);
  const std::int64_t purchase_seq = written.Int(0, 0);
  const std::optional<std::int64_t> customer_id = written.OptionalInt(0, 1);
  if (customer_id) NoteCustomerStores(db, {purchase_seq});

  RecordedPurchase recorded;
  recorded.ack.purchase_id = purchase.id.str();
  recorded.ack.customer_id = customer_id;
  if (!customer_id) return recorded;

  CustomerProfile profile;
  profile.customer_id = *customer_id;
  profile.currency = purchase.currency.code();
  profile.visits = written.Int(0, 2);
  profile.total_spend_minor = written.Int(0, 3);
  profile.first_visit_at = FromUnixSeconds(written.Int(0, 4));
  profile.last_visit_at = FromUnixSeconds(written.Int(0, 5));
  // The planner needs only what each live coupon targets.
  for (const auto& live : nlohmann::json::parse(written.Text(0, 6))) {
    domain::Coupon coupon;
    if (auto id = Uuid::Parse(live[0].get<std::string>()); id.ok()) coupon.id = *id;
    coupon.target = TargetFromName(live[1].get<std::string>());
    coupon.target_value = live[2].get<std::string>();
    profile.live_coupons.push_back(std::move(coupon));
  }
  // Read in the statement anyway (a round trip costs more than the rows); handed over
  // only when the planner looks at them, as the SQLite engine does.
  if (planner_.WouldIssue(profile)) {
    for (const auto& category : nlohmann::json::parse(written.Text(0, 7))) {
      profile.categories.push_back(CategoryStat{
          category[0].get<std::string>(), category[1].get<std::int64_t>(),
          category[2].get<std::int64_t>(), FromUnixSeconds(category[3].get<std::int64_t>())});
    }
  }
  const auto planning_start = std::chrono::steady_clock::now();
  PgNextVisitState next_visit;
  if (planner_.UsesCampaigns() && planner_.WouldIssue(profile)) {
    next_visit.Take(written, 0, 8, *customer_id);
    next_visit.Fill(profile, purchase);
  }
  const auto offers = planner_.PlanOffers(profile, *purchase.card, now);
  next_visit.Note(*customer_id, purchase_seq, offers, now);
  next_visit.Write(db);
  recorded.planning = std::chrono::steady_clock::now() - planning_start;
  for (const auto& offer : offers) {
    // Signed after the commit, off this thread (RecordPurchaseAsync).
    if (!offer.control) recorded.ack.next_visit_coupons.push_back({offer.coupon, {}});
  }
  // A replay reads these back ORDER BY issued_at, id; answer in that order now.
  std::sort(recorded.ack.next_visit_coupons.begin(), recorded.ack.next_visit_coupons.end(),
            [](const api::IssuedCoupon& a, const api::IssuedCoupon& b) {
              return std::pair(ToUnixSeconds(a.coupon.issued_at), a.coupon.id.str()) <
                     std::pair(ToUnixSeconds(b.coupon.issued_at), b.coupon.id.str());
            });
  return recorded;
}

Result<Store::CouponStatus> PostgresStore::CouponState(const Uuid& coupon_id) {
  auto lease = Read();
  const auto rows = (*lease).Run(
      "SELECT customer_id, redeemed_at IS NOT NULL, voided_at IS NOT NULL FROM coupons"
      " WHERE id = $1::text",
      postgres::Params().Add(coupon_id.str()));
  if (rows.empty()) return NotFound("no coupon " + coupon_id.str());
  return CouponStatus{rows.Int(0, 0), rows.Text(0, 1) == "t", rows.Text(0, 2) == "t"};
}

domain::Catalog PostgresStore::LoadCatalog(std::int64_t since) {
  auto lease = Read();
  postgres::Connection& db = *lease;
  // One snapshot for the version and the products; the products stream through a
  // cursor, so a large catalog is never held twice in memory.
  postgres::Transaction snapshot(db, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
  domain::Catalog catalog;
  const auto meta =
      db.Run("SELECT key, value FROM meta WHERE key IN ('catalog_version', 'currency')");
  for (int i = 0; i < meta.size(); ++i) {
    if (meta.Text(i, 0) == "catalog_version") {
      catalog.version = std::stoll(meta.Text(i, 1));
    } else if (auto currency = Currency::FromCode(meta.Text(i, 1)); currency.ok()) {
      catalog.currency = *currency;
    }
  }
  // A terminal claiming a version this server never had (a restored database) gets the
  // whole catalog rather than changes it cannot apply.
  if (since > catalog.version) since = 0;
  catalog.since = since;
  db.ForEachRow(
      "SELECT sku, name, department, category, product_type, brand, package_size, price_minor,"
      " couponable, tax_rate_bp, barcode, sold_by FROM products WHERE version > $1::bigint"
      " ORDER BY sku",
      postgres::Params().Add(since), [&](const postgres::Rows& rows, int row) {
        catalog.products.push_back(domain::Product{
            rows.Text(row, 0), rows.Text(row, 1), rows.Text(row, 2), rows.Text(row, 3),
            rows.Text(row, 4), rows.Text(row, 5), rows.Text(row, 6), rows.Int(row, 7),
            rows.Int(row, 8) != 0, rows.Int(row, 9), rows.Text(row, 10),
            rows.Text(row, 11) == "kg" ? domain::SoldBy::kWeight : domain::SoldBy::kEach});
      });
  snapshot.Commit();
  return catalog;
}

std::int64_t PostgresStore::CatalogVersion() {
  auto lease = Read();
  return std::stoll(
      (*lease).Run("SELECT value FROM meta WHERE key = 'catalog_version'").Text(0, 0));
}

Result<CatalogImportResult> PostgresStore::ImportProducts(
    const std::vector<domain::Product>& products) {
  CatalogImportResult result;
  const Status status = writer_->Run([&](postgres::Connection& db) -> Status {
    const std::int64_t next_version =
        std::stoll(
            db.Run("SELECT value FROM meta WHERE key = 'catalog_version' FOR UPDATE").Text(0, 0)) +
        1;
    result.changed = 0;
    for (const auto& product : products) {
      if (!product.barcode.empty()) {
        // Checked here, not left to the unique index, to name both products. The
        // `barcode <> ''` lets the lookup use that partial index.
        const auto holder = db.Run(
            "SELECT sku FROM products WHERE barcode = $1::text AND barcode <> '' AND"
            " sku <> $2::text",
            postgres::Params().Add(product.barcode).Add(product.sku));
        if (!holder.empty()) {
          return InvalidArgument("barcode", "barcode " + product.barcode + " of sku " +
                                                product.sku + " is already on sku " +
                                                holder.Text(0, 0));
        }
      }
      // The WHERE clause keeps unchanged rows at their old version, so a terminal
      // syncing "changes since version N" gets only what really changed.
      result.changed +=
          db.Run(
                "INSERT INTO products AS p(sku, name, department, category, product_type, brand,"
                " package_size, price_minor, couponable, tax_rate_bp, barcode, sold_by, version)"
                " VALUES ($1::text, $2::text, $3::text, $4::text, $5::text, $6::text, $7::text,"
                " $8::bigint, $9::bigint, $10::bigint, $11::text, $12::text, $13::bigint)"
                " ON CONFLICT (sku) DO UPDATE SET name = excluded.name,"
                " department = excluded.department, category = excluded.category,"
                " product_type = excluded.product_type, brand = excluded.brand,"
                " package_size = excluded.package_size, price_minor = excluded.price_minor,"
                " couponable = excluded.couponable, tax_rate_bp = excluded.tax_rate_bp,"
                " barcode = excluded.barcode, sold_by = excluded.sold_by,"
                " version = excluded.version"
                " WHERE (p.name, p.department, p.category, p.product_type, p.brand,"
                " p.package_size, p.price_minor, p.couponable, p.tax_rate_bp, p.barcode,"
                " p.sold_by) IS DISTINCT FROM (excluded.name, excluded.department,"
                " excluded.category, excluded.product_type, excluded.brand,"
                " excluded.package_size, excluded.price_minor, excluded.couponable,"
                " excluded.tax_rate_bp, excluded.barcode, excluded.sold_by)",
                postgres::Params()
                    .Add(product.sku)
                    .Add(product.name)
                    .Add(product.department)
                    .Add(product.category)
                    .Add(product.product_type)
                    .Add(product.brand)
                    .Add(product.package_size)
                    .Add(product.price_minor)
                    .Add(std::int64_t{product.couponable ? 1 : 0})
                    .Add(product.tax_rate_bp)
                    .Add(product.barcode)
                    .Add(domain::SoldByName(product.sold_by))
                    .Add(next_version))
              .affected();
    }
    result.version = next_version - 1;
    if (result.changed > 0) {
      db.Run("UPDATE meta SET value = $1::text WHERE key = 'catalog_version'",
             postgres::Params().Add(std::to_string(next_version)));
      result.version = next_version;
    }
    return Status();
  });
  if (!status.ok()) return status.error();
  return result;
}

}  // namespace loyalty::server
