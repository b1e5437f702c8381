#include "storage/sqlite_store.h"

#include <algorithm>
#include <map>

#include "loyalty/core/log.h"
#include "loyalty/crypto/coupon_token.h"
#include "loyalty/crypto/hash.h"
#include "storage/sqlite_migrations.h"

namespace loyalty::server {

void InsertCoupon(sqlite::Connection& db, const domain::Coupon& coupon,
                  std::optional<std::int64_t> issued_by_purchase) {
  db.Prepared(
        "INSERT INTO coupons(id, customer_id, card_number, campaign, title, target,"
        " target_value, discount_type, discount_value, min_spend_minor, max_discount_minor,"
        " currency, issued_at, expires_at, issued_by_purchase, buy_quantity, get_quantity)"
        " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)")
      .Bind(1, coupon.id.str())
      .Bind(2, coupon.customer_id)
      .Bind(3, coupon.card_number)
      .Bind(4, coupon.campaign)
      .Bind(5, coupon.title)
      .Bind(6, domain::CouponTargetName(coupon.target))
      .Bind(7, coupon.target_value)
      .Bind(8, domain::DiscountTypeName(coupon.discount_type))
      .Bind(9, coupon.discount_value)
      .Bind(10, coupon.min_spend_minor)
      .Bind(11, coupon.max_discount_minor)
      .Bind(12, coupon.currency)
      .Bind(13, ToUnixSeconds(coupon.issued_at))
      .Bind(14, ToUnixSeconds(coupon.expires_at))
      .Bind(15, issued_by_purchase)
      .Bind(16, coupon.buy_quantity)
      .Bind(17, coupon.get_quantity)
      .Run();
}

namespace {

// Columns read back into a domain::Coupon by UnsignedCoupons, in its order.
#define COUPON_COLUMNS                                                                  \
  "id, customer_id, card_number, campaign, title, target, target_value, discount_type," \
  " discount_value, min_spend_minor, max_discount_minor, currency, issued_at, expires_at," \
  " buy_quantity, get_quantity"
#define COUPON_COLUMNS_OF_C                                                            \
  "c.id, c.customer_id, c.card_number, c.campaign, c.title, c.target, c.target_value," \
  " c.discount_type, c.discount_value, c.min_spend_minor, c.max_discount_minor,"       \
  " c.currency, c.issued_at, c.expires_at, c.buy_quantity, c.get_quantity"

// How many of a customer's top categories the profile carries to the planner.
constexpr int kProfileCategories = 20;

// Reads of the first GiB of the database go through the page cache without copies.
constexpr std::int64_t kMmapBytes = 1LL << 30;

}  // namespace

SqliteStore::SqliteStore(const std::string& path, const NextVisitPlanner& planner,
                         const crypto::SigningKey& signing_key, WriterOptions writer_options,
                         BatchObserver observer)
    : path_(path),
      planner_(planner),
      signing_key_(signing_key),
      write_db_(path, {.synchronous = writer_options.sync_every_commit ? "FULL" : "NORMAL",
                       .cache_kib = 64 * 1024,
                       .mmap_bytes = kMmapBytes}) {
  sqlite::Migrate(write_db_, SqliteMigrations());
  RestoreLapseRiskIndex(write_db_);
  checkpointer_ = std::make_unique<WalCheckpointer>(path, write_db_);
  writer_ = std::make_unique<SqliteWriter>(write_db_, std::move(writer_options),
                                           std::move(observer), "sqlite-writer");
}

SqliteStore::~SqliteStore() {
  writer_.reset();
  checkpointer_.reset();
}

bool SqliteStore::SyncsEveryCommit() {
  bool full = true;
  (void)writer_->Run([&](sqlite::Connection& db) -> Status {
    auto& synchronous = db.Prepared("PRAGMA synchronous");
    full = synchronous.Step() && synchronous.Int(0) >= 2;  // FULL or EXTRA
    synchronous.Reset();
    return {};
  });
  return full;
}

void SqliteStore::Flush() {
  // The writer runs jobs in order, so this one finishing means all before it did.
  (void)writer_->Run([](sqlite::Connection&) -> Status { return {}; });
}

SqliteStore::ReadLease::~ReadLease() {
  std::lock_guard lock(store_.readers_mutex_);
  store_.idle_readers_.push_back(std::move(connection_));
}

SqliteStore::ReadLease SqliteStore::Read() {
  {
    std::lock_guard lock(readers_mutex_);
    if (!idle_readers_.empty()) {
      auto connection = std::move(idle_readers_.back());
      idle_readers_.pop_back();
      return ReadLease(*this, std::move(connection));
    }
  }
  return ReadLease(
      *this, std::make_unique<sqlite::Connection>(
                 path_, sqlite::ConnectionOptions{
                            .read_only = true, .cache_kib = 16 * 1024, .mmap_bytes = kMmapBytes}));
}

std::vector<api::IssuedCoupon> SqliteStore::UnsignedCoupons(sqlite::Statement& query) {
  std::vector<api::IssuedCoupon> coupons;
  while (query.Step()) {
    domain::Coupon coupon;
    auto id = Uuid::Parse(query.Text(0));
    if (!id.ok()) throw std::runtime_error("coupon with a malformed id in the database");
    coupon.id = *id;
    coupon.customer_id = query.Int(1);
    coupon.card_number = query.Text(2);
    coupon.campaign = query.Text(3);
    coupon.title = query.Text(4);
    const std::string target = query.Text(5);
    coupon.target = target == "product"    ? domain::CouponTarget::kProduct
                    : target == "category" ? domain::CouponTarget::kCategory
                                           : domain::CouponTarget::kBasket;
    coupon.target_value = query.Text(6);
    auto type = domain::ParseDiscountType(query.Text(7), "discount_type");
    if (!type.ok()) throw std::runtime_error("coupon with an unknown discount type in the database");
    coupon.discount_type = *type;
    coupon.discount_value = query.Int(8);
    coupon.min_spend_minor = query.Int(9);
    coupon.max_discount_minor = query.Int(10);
    coupon.currency = query.Text(11);
    coupon.issued_at = FromUnixSeconds(query.Int(12));
    coupon.expires_at = FromUnixSeconds(query.Int(13));
    coupon.buy_quantity = query.Int(14);
    coupon.get_quantity = query.Int(15);
    coupons.push_back({std::move(coupon), {}});
  }
  return coupons;
}

void SqliteStore::SignAll(std::vector<api::IssuedCoupon>& coupons) const {
  for (auto& issued : coupons) issued.token = crypto::SignCoupon(issued.coupon, signing_key_);
}

Result<api::CardLookup> SqliteStore::LookupCard(const CardNumber& card, Timestamp now) {
  auto lease = Read();
  sqlite::Connection& db = *lease;
  api::CardLookup lookup;
  lookup.card_number = card.digits();
  // One read transaction, so the customer and their coupons are one consistent snapshot.
  sqlite::ReadTransaction snapshot(db);
  auto& query = db.Prepared(
      "SELECT c.id, c.visits, c.total_spend_minor, c.created_at, k.status, c.segment "
      "FROM cards k JOIN customers c ON c.id = k.customer_id WHERE k.number = ?");
  query.Bind(1, card.digits());
  if (!query.Step()) return lookup;
  if (query.Text(4) == "blocked") {
    query.Reset();
    return Error{ErrorCode::kPermissionDenied, "card is blocked; ask for the replacement card",
                 "card_number"};
  }
  api::CustomerSummary customer;
  customer.id = query.Int(0);
  customer.visits = query.Int(1);
  customer.total_spend_minor = query.Int(2);
  customer.member_since = FromUnixSeconds(query.Int(3));
  customer.segment =
      StoredSegment(query.IsNull(5) ? std::nullopt : std::optional<std::string>(query.Text(5)));
  query.Reset();
  lookup.customer = customer;
  auto& coupons =
      db.Prepared("SELECT " COUPON_COLUMNS
                  " FROM coupons WHERE customer_id = ? AND expires_at > ? "
                  "AND redeemed_at IS NULL AND voided_at IS NULL ORDER BY issued_at, id");
  coupons.Bind(1, customer.id).Bind(2, ToUnixSeconds(now));
  lookup.coupons = UnsignedCoupons(coupons);
  SignAll(lookup.coupons);
  return lookup;
}

std::int64_t SqliteStore::CustomerForCard(sqlite::Connection& db, const CardNumber& card,
                                          Timestamp now) {
  auto& find = db.Prepared("SELECT customer_id FROM cards WHERE number = ?");
  find.Bind(1, card.digits());
  if (find.Step()) {
    const std::int64_t customer_id = find.Int(0);
    find.Reset();
    return customer_id;
  }
  // A card handed out at the till works at once: its first use makes an anonymous
  // customer, who may register details later.
  db.Prepared("INSERT INTO customers(created_at) VALUES (?)").Bind(1, ToUnixSeconds(now)).Run();
  const std::int64_t customer_id = db.LastInsertRowId();
  db.Prepared("INSERT INTO cards(number, customer_id, issued_at) VALUES (?, ?, ?)")
      .Bind(1, card.digits())
      .Bind(2, customer_id)
      .Bind(3, ToUnixSeconds(now))
      .Run();
  return customer_id;
}

const ProductLabels& SqliteStore::Labels(sqlite::Connection& db) {
  auto& version_query = db.Prepared("SELECT value FROM meta WHERE key = 'catalog_version'");
  version_query.Step();
  const std::int64_t version = std::stoll(version_query.Text(0));
  version_query.Reset();
  if (version != labels_version_) {
    labels_.clear();
    auto& products = db.Prepared("SELECT sku, name, category FROM products");
    while (products.Step()) {
      labels_.emplace(products.Text(0), ProductLabel{products.Text(1), products.Text(2)});
    }
    labels_version_ = version;
  }
  return labels_;
}

void SqliteStore::WriteLines(sqlite::Connection& db, const domain::Purchase& purchase,
                             std::int64_t purchase_seq, std::int64_t customer_id) {
  const ProductLabels& labels = Labels(db);
  struct CategoryTotal {
    std::int64_t spend = 0;
    std::int64_t items = 0;
  };
  std::map<std::string, CategoryTotal> by_category;
  std::map<std::string, std::int64_t> quantity_by_sku;
  for (std::size_t i = 0; i < purchase.lines.size(); ++i) {
    const auto& line = purchase.lines[i];
    const auto found = labels.find(line.sku);
    const bool known = found != labels.end();
    const std::string category = known ? found->second.category : std::string();
    auto& insert = db.Prepared(
        "INSERT INTO purchase_lines(purchase_seq, line_no, customer_id, sku, category, known_sku,"
        " quantity, unit_price_minor, amount_minor, weight_grams)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    insert.Bind(1, purchase_seq).Bind(2, static_cast<std::int64_t>(i + 1));
    if (customer_id > 0) {
      insert.Bind(3, customer_id);
    } else {
      insert.BindNull(3);
    }
    insert.Bind(4, line.sku);
    if (known) {
      insert.Bind(5, category);
    } else {
      insert.BindNull(5);
    }
    insert.Bind(6, std::int64_t{known ? 1 : 0})
        .Bind(7, line.quantity)
        .Bind(8, line.unit_price_minor)
        .Bind(9, line.amount_minor);
    if (line.weight_grams) {
      insert.Bind(10, *line.weight_grams);
    } else {
      insert.BindNull(10);
    }
    insert.Run();
    if (known && !category.empty()) {
      by_category[category].spend += line.amount_minor;
      by_category[category].items += line.quantity;
    }
    quantity_by_sku[line.sku] += line.quantity;
  }
  if (customer_id <= 0) return;
  // The score halves every 30 days (2,592,000 s). A purchase older than the stored score
  // (uploaded late from an offline till) adds its quantity already decayed.
  for (const auto& [sku, quantity] : quantity_by_sku) {
    db.Prepared(
          "INSERT INTO customer_product_stats(customer_id, sku, quantity, purchases,"
          " last_bought_at, score, score_at) VALUES (?1, ?2, ?3, 1, ?4, ?3, ?4)"
          " ON CONFLICT(customer_id, sku) DO UPDATE SET"
          " quantity = quantity + excluded.quantity, purchases = purchases + 1,"
          " last_bought_at = MAX(last_bought_at, excluded.last_bought_at),"
          " score = CASE WHEN excluded.score_at >= score_at"
          "   THEN score * pow(0.5, (excluded.score_at - score_at) / 2592000.0) + excluded.score"
          "   ELSE score + excluded.score * pow(0.5, (score_at - excluded.score_at) / 2592000.0)"
          " END,"
          " score_at = MAX(score_at, excluded.score_at)")
        .Bind(1, customer_id)
        .Bind(2, sku)
        .Bind(3, quantity)
        .Bind(4, ToUnixSeconds(purchase.occurred_at))
        .Run();
  }
  for (const auto& [category, total] : by_category) {
    db.Prepared(
          "INSERT INTO customer_category_stats(customer_id, category, spend_minor, items,"
          " last_bought_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT(customer_id, category) DO UPDATE"
          " SET spend_minor = spend_minor + excluded.spend_minor,"
          " items = items + excluded.items,"
          " last_bought_at = MAX(last_bought_at, excluded.last_bought_at)")
        .Bind(1, customer_id)
        .Bind(2, category)
        .Bind(3, total.spend)
        .Bind(4, total.items)
        .Bind(5, ToUnixSeconds(purchase.occurred_at))
        .Run();
  }
}

void SqliteStore::WriteRedemptions(sqlite::Connection& db, const domain::Purchase& purchase,
                                   std::optional<std::int64_t> customer_id, Timestamp now) {
  for (const auto& redemption : purchase.redemptions) {
    auto& coupon = db.Prepared(
        "SELECT customer_id, redeemed_by_purchase IS NOT NULL, voided_at IS NOT NULL,"
        " redeemed_by_purchase FROM coupons WHERE id = ?");
    coupon.Bind(1, redemption.coupon_id.str());
    std::string outcome;
    std::string first_purchase;
    if (!coupon.Step()) {
      outcome = "unknown_coupon";
    } else if (!customer_id || coupon.Int(0) != *customer_id) {
      outcome = "other_customer";
    } else if (coupon.Int(2) != 0) {
      outcome = "voided_coupon";  // its purchase was returned, e.g. while this till was offline
    } else if (coupon.Int(1) != 0) {
      // Spent before, e.g. at another terminal while offline: recorded as a conflict
      // for the portal, never counted twice.
      outcome = "already_redeemed";
      first_purchase = coupon.Text(3);
    } else {
      outcome = "redeemed";
    }
    coupon.Reset();
    if (outcome == "redeemed") {
      db.Prepared("UPDATE coupons SET redeemed_at = ?, redeemed_by_purchase = ? WHERE id = ?")
          .Bind(1, ToUnixSeconds(purchase.occurred_at))
          .Bind(2, purchase.id.str())
          .Bind(3, redemption.coupon_id.str())
          .Run();
    }
    db.Prepared(
          "INSERT INTO coupon_redemptions(coupon_id, purchase_id, customer_id, discount_minor,"
          " outcome, reported_at, verified_offline) VALUES (?, ?, ?, ?, ?, ?, ?)")
        .Bind(1, redemption.coupon_id.str())
        .Bind(2, purchase.id.str())
        .Bind(3, customer_id)
        .Bind(4, redemption.discount_minor)
        .Bind(5, outcome)
        .Bind(6, ToUnixSeconds(now))
        .Bind(7, std::int64_t{redemption.verified_offline ? 1 : 0})
        .Run();
    if (outcome == "already_redeemed") {
      db.Prepared(
            "INSERT INTO coupon_conflicts(coupon_id, customer_id, first_purchase_id,"
            " first_store_id, first_terminal_id, first_at, second_purchase_id, second_store_id,"
            " second_terminal_id, second_at, discount_minor, verified_offline, detected_at)"
            " SELECT ?1, ?2, p.id, p.store_id, p.terminal_id, p.occurred_at, ?3, ?4, ?5, ?6, ?7,"
            " ?8, ?9 FROM purchases p WHERE p.id = ?10")
          .Bind(1, redemption.coupon_id.str())
          .Bind(2, *customer_id)
          .Bind(3, purchase.id.str())
          .Bind(4, purchase.store_id)
          .Bind(5, purchase.terminal_id)
          .Bind(6, ToUnixSeconds(purchase.occurred_at))
          .Bind(7, redemption.discount_minor)
          .Bind(8, std::int64_t{redemption.verified_offline ? 1 : 0})
          .Bind(9, ToUnixSeconds(now))
          .Bind(10, first_purchase)
          .Run();
    }
  }
}

CustomerProfile SqliteStore::LoadProfile(sqlite::Connection& db, std::int64_t customer_id,
                                         Timestamp now) {
  CustomerProfile profile;
  profile.customer_id = customer_id;
  auto& customer = db.Prepared(
      "SELECT visits, total_spend_minor, first_visit_at, last_visit_at FROM customers"
      " WHERE id = ?");
  customer.Bind(1, customer_id);
  if (customer.Step()) {
    profile.visits = customer.Int(0);
    profile.total_spend_minor = customer.Int(1);
    profile.first_visit_at = FromUnixSeconds(customer.Int(2));
    profile.last_visit_at = FromUnixSeconds(customer.Int(3));
  }
  customer.Reset();
  // The planner needs only what each live coupon targets; reading the columns spares a
  // signature check per coupon inside the hot purchase transaction.
  auto& live = db.Prepared(
      "SELECT id, target, target_value FROM coupons WHERE customer_id = ? AND expires_at > ?"
      " AND redeemed_at IS NULL AND voided_at IS NULL");
  live.Bind(1, customer_id).Bind(2, ToUnixSeconds(now));
  while (live.Step()) {
    domain::Coupon coupon;
    if (auto id = Uuid::Parse(live.Text(0)); id.ok()) coupon.id = *id;
    const std::string target = live.Text(1);
    coupon.target = target == "product"    ? domain::CouponTarget::kProduct
                    : target == "category" ? domain::CouponTarget::kCategory
                                           : domain::CouponTarget::kBasket;
    coupon.target_value = live.Text(2);
    profile.live_coupons.push_back(std::move(coupon));
  }
  // The categories are the costly part (a loyal customer has hundreds); read them only
  // when the planner would issue anything to a customer holding these coupons.
  if (!planner_.WouldIssue(profile)) return profile;
  auto& categories = db.Prepared(
      "SELECT category, spend_minor, items, last_bought_at FROM customer_category_stats"
      " WHERE customer_id = ? ORDER BY spend_minor DESC, items DESC, category LIMIT ?");
  // The planner looks at the top categories only; a loyal customer may have hundreds.
  categories.Bind(1, customer_id).Bind(2, std::int64_t{kProfileCategories});
  while (categories.Step()) {
    profile.categories.push_back(CategoryStat{categories.Text(0), categories.Int(1),
                                              categories.Int(2),
                                              FromUnixSeconds(categories.Int(3))});
  }
  return profile;
}

void SqliteStore::RecordPurchaseAsync(domain::Purchase purchase, Timestamp now,
                                      PurchaseCallback done) {
  SubmitPurchase(std::move(purchase), {}, now, std::move(done));
}

void SqliteStore::SubmitPurchase(domain::Purchase purchase, PurchaseOrigin origin, Timestamp now,
                                 PurchaseCallback done) {
  // Hashing and the rest of the CPU work that needs no database happen here, on the
  // caller's thread, so the single writer spends its time on SQLite alone.
  auto body_hash = crypto::Sha256Hex(domain::PurchaseToJson(purchase).dump());
  auto state = std::make_shared<std::optional<Result<RecordedPurchase>>>();
  writer_->Submit(
      SqliteWriter::Job{[this, state, purchase = std::move(purchase),
                         body_hash = std::move(body_hash), origin,
                         now](sqlite::Connection& db) -> Status {
                          *state = WritePurchase(db, purchase, origin, body_hash, now);
                          return (*state)->status();
                        },
                        [this, state, done = std::move(done)](Status status) {
                          if (!status.ok()) return done(status.error());
                          // On the completion executor: signing costs the writer nothing. The
                          // purchase is stored; a coupon that cannot be signed is a server fault.
                          try {
                            SignAll((*state)->value().ack.next_visit_coupons);
                          } catch (const std::exception& e) {
                            log::Error("cannot sign next-visit coupons", {{"error", e.what()}});
                            return done(Internal("next-visit coupons could not be signed"));
                          }
                          done(std::move(**state));
                        }});
}

Result<RecordedPurchase> SqliteStore::WritePurchase(sqlite::Connection& db,
                                                    const domain::Purchase& purchase,
                                                    const PurchaseOrigin& origin,
                                                    const std::string& body_hash, Timestamp now) {
  auto& existing = db.Prepared("SELECT body_sha256, customer_id FROM purchases WHERE id = ?");
  existing.Bind(1, purchase.id.str());
  if (existing.Step()) {
    const bool same = existing.Text(0) == body_hash;
    std::optional<std::int64_t> customer_id;
    if (!existing.IsNull(1)) customer_id = existing.Int(1);
    existing.Reset();
    if (!same) {
      return Error{ErrorCode::kConflict,
                   "purchase id " + purchase.id.str() + " was already used for another purchase",
                   "id"};
    }
    RecordedPurchase replay;
    replay.replay = true;
    auto& issued = db.Prepared("SELECT " COUPON_COLUMNS_OF_C
                               " FROM coupons c JOIN purchases p"
                               " ON p.seq = c.issued_by_purchase"
                               " WHERE p.id = ? ORDER BY c.issued_at, c.id");
    issued.Bind(1, purchase.id.str());
    replay.ack = {purchase.id.str(), customer_id, UnsignedCoupons(issued)};
    return replay;  // nothing was written
  }
  existing.Reset();

  std::optional<std::int64_t> customer_id = origin.customer_id;
  if (!customer_id && purchase.card) customer_id = CustomerForCard(db, *purchase.card, now);

  db.Prepared(
        "INSERT INTO purchases(id, customer_id, card_number, store_id, terminal_id, occurred_at,"
        " received_at, currency, subtotal_minor, discount_minor, total_minor, body_sha256,"
        " cashier_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
      .Bind(1, purchase.id.str())
      .Bind(2, customer_id)
      .Bind(3, purchase.card ? std::optional(purchase.card->digits()) : std::nullopt)
      .Bind(4, purchase.store_id)
      .Bind(5, purchase.terminal_id)
      .Bind(6, ToUnixSeconds(purchase.occurred_at))
      .Bind(7, ToUnixSeconds(now))
      .Bind(8, purchase.currency.code())
      .Bind(9, purchase.SubtotalMinor())
      .Bind(10, purchase.DiscountMinor())
      .Bind(11, purchase.total_minor)
      .Bind(12, body_hash)
      .Bind(13, purchase.cashier_id)
      .Run();
  const std::int64_t purchase_seq = db.LastInsertRowId();
  WriteLines(db, purchase, purchase_seq, customer_id.value_or(0));
  WriteRedemptions(db, purchase, customer_id, now);

  RecordedPurchase recorded;
  recorded.ack.purchase_id = purchase.id.str();
  recorded.ack.customer_id = customer_id;
  if (customer_id) {
    db.Prepared(
          "UPDATE customers SET visits = visits + 1, total_spend_minor = total_spend_minor + ?1,"
          " first_visit_at = MIN(COALESCE(first_visit_at, ?2), ?2),"
          " last_visit_at = MAX(COALESCE(last_visit_at, ?2), ?2) WHERE id = ?3")
        .Bind(1, purchase.total_minor)
        .Bind(2, ToUnixSeconds(purchase.occurred_at))
        .Bind(3, *customer_id)
        .Run();
    NoteCustomerStore(db, *customer_id, purchase);
  }
  if (customer_id && origin.plan_coupons) {
    CustomerProfile profile = LoadProfile(db, *customer_id, now);
    profile.currency = purchase.currency.code();
    const auto planning_start = std::chrono::steady_clock::now();
    if (planner_.UsesCampaigns() && planner_.WouldIssue(profile)) {
      // WriteLines brought the labels up to this transaction's catalog.
      LoadNextVisitCampaigns(db, profile, purchase, now, labels_);
    }
    const auto offers = planner_.PlanOffers(profile, *purchase.card, now);
    for (std::size_t n = 0; n < offers.size(); ++n) {
      if (!offers[n].campaign_id.empty()) {
        RecordPlannedOffer(db, offers[n], *customer_id, purchase_seq, n, now);
      }
    }
    recorded.planning = std::chrono::steady_clock::now() - planning_start;
    for (const PlannedOffer& offer : offers) {
      if (offer.control) continue;
      InsertCoupon(db, offer.coupon, purchase_seq);
      // Signed after the commit, off this thread (RecordPurchaseAsync).
      recorded.ack.next_visit_coupons.push_back({offer.coupon, {}});
    }
    // A replay reads these back ORDER BY issued_at, id; answer in that order now, so a
    // replay's ack is identical to the first one whatever order the planner chose.
    std::sort(recorded.ack.next_visit_coupons.begin(), recorded.ack.next_visit_coupons.end(),
              [](const api::IssuedCoupon& a, const api::IssuedCoupon& b) {
                return std::pair(ToUnixSeconds(a.coupon.issued_at), a.coupon.id.str()) <
                       std::pair(ToUnixSeconds(b.coupon.issued_at), b.coupon.id.str());
              });
  }
  return recorded;
}

Result<Store::CouponStatus> SqliteStore::CouponState(const Uuid& coupon_id) {
  auto lease = Read();
  auto& query = (*lease).Prepared(
      "SELECT customer_id, redeemed_at IS NOT NULL, voided_at IS NOT NULL FROM coupons"
      " WHERE id = ?");
  query.Bind(1, coupon_id.str());
  if (!query.Step()) return NotFound("no coupon " + coupon_id.str());
  CouponStatus status{query.Int(0), query.Int(1) != 0, query.Int(2) != 0};
  query.Reset();
  return status;
}

domain::Catalog SqliteStore::LoadCatalog(std::int64_t since) {
  auto lease = Read();
  sqlite::Connection& db = *lease;
  sqlite::ReadTransaction snapshot(db);
  domain::Catalog catalog;
  auto& meta =
      db.Prepared("SELECT key, value FROM meta WHERE key IN ('catalog_version', 'currency')");
  while (meta.Step()) {
    if (meta.Text(0) == "catalog_version") {
      catalog.version = std::stoll(meta.Text(1));
    } else if (auto currency = Currency::FromCode(meta.Text(1)); currency.ok()) {
      catalog.currency = *currency;
    }
  }
  // A terminal claiming a version this server never had (a restored database) gets the
  // whole catalog rather than changes it cannot apply.
  if (since > catalog.version) since = 0;
  auto& products = db.Prepared(
      "SELECT sku, name, department, category, product_type, brand, package_size, price_minor,"
      " couponable, tax_rate_bp, barcode, sold_by FROM products WHERE version > ? ORDER BY sku");
  products.Bind(1, since);
  catalog.since = since;
  while (products.Step()) {
    catalog.products.push_back(domain::Product{
        products.Text(0), products.Text(1), products.Text(2), products.Text(3), products.Text(4),
        products.Text(5), products.Text(6), products.Int(7), products.Int(8) != 0,
        products.Int(9), products.Text(10),
        products.Text(11) == "kg" ? domain::SoldBy::kWeight : domain::SoldBy::kEach});
  }
  return catalog;
}

std::int64_t SqliteStore::CatalogVersion() {
  auto lease = Read();
  auto& query = (*lease).Prepared("SELECT value FROM meta WHERE key = 'catalog_version'");
  query.Step();
  const std::int64_t version = std::stoll(query.Text(0));
  query.Reset();
  return version;
}

Result<CatalogImportResult> SqliteStore::ImportProducts(
    const std::vector<domain::Product>& products) {
  CatalogImportResult result;
  const Status status = writer_->Run([&](sqlite::Connection& db) -> Status {
    auto& version_query = db.Prepared("SELECT value FROM meta WHERE key = 'catalog_version'");
    version_query.Step();
    const std::int64_t next_version = std::stoll(version_query.Text(0)) + 1;
    version_query.Reset();

    for (const auto& product : products) {
      if (!product.barcode.empty()) {
        // Checked here, not left to the unique index, to name both products. The
        // `barcode <> ''` lets the lookup use that partial index: without it, importing n
        // products read the table n times.
        auto& holder = db.Prepared(
            "SELECT sku FROM products WHERE barcode = ? AND barcode <> '' AND sku <> ?");
        holder.Bind(1, product.barcode).Bind(2, product.sku);
        if (holder.Step()) {
          const std::string other = holder.Text(0);
          holder.Reset();
          return InvalidArgument("barcode", "barcode " + product.barcode + " of sku " +
                                                product.sku + " is already on sku " + other);
        }
      }
      // The WHERE clause on the update keeps unchanged rows at their old version, so a
      // terminal syncing "changes since version N" gets only what really changed.
      db.Prepared(
            "INSERT INTO products(sku, name, department, category, product_type, brand,"
            " package_size, price_minor, couponable, tax_rate_bp, barcode, sold_by, version)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)"
            " ON CONFLICT(sku) DO UPDATE SET name = excluded.name,"
            " department = excluded.department, category = excluded.category,"
            " product_type = excluded.product_type, brand = excluded.brand,"
            " package_size = excluded.package_size, price_minor = excluded.price_minor,"
            " couponable = excluded.couponable, tax_rate_bp = excluded.tax_rate_bp,"
            " barcode = excluded.barcode, sold_by = excluded.sold_by, version = excluded.version"
            " WHERE (name, department, category, product_type, brand, package_size, price_minor,"
            " couponable, tax_rate_bp, barcode, sold_by) IS NOT (excluded.name,"
            " excluded.department, excluded.category, excluded.product_type, excluded.brand,"
            " excluded.package_size, excluded.price_minor, excluded.couponable,"
            " excluded.tax_rate_bp, excluded.barcode, excluded.sold_by)")
          .Bind(1, product.sku)
          .Bind(2, product.name)
          .Bind(3, product.department)
          .Bind(4, product.category)
          .Bind(5, product.product_type)
          .Bind(6, product.brand)
          .Bind(7, product.package_size)
          .Bind(8, product.price_minor)
          .Bind(9, std::int64_t{product.couponable ? 1 : 0})
          .Bind(10, product.tax_rate_bp)
          .Bind(11, product.barcode)
          .Bind(12, domain::SoldByName(product.sold_by))
          .Bind(13, next_version)
          .Run();
      result.changed += db.Changes();
    }
    result.version = next_version - 1;
    if (result.changed > 0) {
      db.Prepared("UPDATE meta SET value = ? WHERE key = 'catalog_version'")
          .Bind(1, std::to_string(next_version))
          .Run();
      result.version = next_version;
    }
    return Status();
  });
  if (!status.ok()) return status.error();
  return result;
}

}  // namespace loyalty::server
