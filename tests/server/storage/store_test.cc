#include "storage/open_store.h"

#include <algorithm>
#include <future>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "storage/sqlite_migrations.h"
#include "support/temp_dir.h"
#include "support/test_database.h"
#include "targeting/next_visit_planner.h"

namespace loyalty::server {
namespace {

const crypto::SigningKey& Key() {
  static const crypto::SigningKey key = crypto::SigningKey::Generate();
  return key;
}

Timestamp At(const char* text) { return ParseIso8601(text).value(); }

const Timestamp kDay1 = At("2026-11-23T16:10:00Z");
const Timestamp kDay2 = At("2026-11-25T10:00:00Z");
const Timestamp kDay3 = At("2026-11-27T10:00:00Z");

CardNumber Card(const char* body) { return CardNumber::FromBody(body).value(); }

std::vector<domain::Product> DemoProducts() {
  return {
      {"1001", "Whole milk", "GROCERY", "DAIRY", "MILK", "Farm", "1 L", 129, true},
      {"1002", "Cheddar", "GROCERY", "DAIRY", "CHEESE", "Farm", "200 G", 450, true},
      {"2001", "Baguette", "GROCERY", "BREAD", "BREAD:FRENCH", "Bakery", "1 PC", 249, true},
      {"3001", "Steak", "MEAT", "MEAT", "BEEF", "Ranch", "500 G", 899, true},
  };
}

struct LineSpec {
  std::string sku;
  std::int64_t quantity;
  std::int64_t unit_price;
};

domain::Purchase MakePurchase(std::optional<CardNumber> card, const std::vector<LineSpec>& lines,
                              Timestamp at,
                              const std::vector<domain::Redemption>& redemptions = {}) {
  domain::Purchase purchase;
  purchase.store_id = "S001";
  purchase.terminal_id = "T01";
  purchase.card = std::move(card);
  purchase.occurred_at = at;
  for (const auto& line : lines) {
    purchase.lines.push_back(
        {line.sku, line.quantity, line.unit_price, line.quantity * line.unit_price});
  }
  purchase.redemptions = redemptions;
  purchase.total_minor = purchase.SubtotalMinor() - purchase.DiscountMinor();
  return purchase;
}

// Wraps a planner and keeps the last profile it was shown.
class RecordingPlanner final : public NextVisitPlanner {
 public:
  std::vector<domain::Coupon> Plan(const CustomerProfile& profile, const CardNumber& card,
                                   Timestamp now) const override {
    profiles.push_back(profile);
    return inner.Plan(profile, card, now);
  }
  TopCategoryPlanner inner;
  mutable std::vector<CustomerProfile> profiles;
};

// Every test runs against both engines, each time on a fresh database.
class StoreTest : public ::testing::TestWithParam<testing::Engine> {
 protected:
  void SetUp() override {
    database_ = std::make_unique<testing::TestDatabase>(GetParam(), dir_);
    store_ = Open(planner_);
    ASSERT_TRUE(store_->ImportProducts(DemoProducts()).ok());
  }

  std::unique_ptr<Store> Open(const NextVisitPlanner& planner) {
    return OpenStore(ParseStoreUrl(database_->url(), "url").value(), planner, Key());
  }

  // Counts rows through a connection of its own, as another process would see them.
  std::int64_t Count(const std::string& table, const std::string& where = "TRUE") {
    return database_->Int("SELECT COUNT(*) FROM " + table + " WHERE " + where);
  }
  std::string Text(const std::string& sql) { return database_->Text(sql); }

  RecordedPurchase Record(const domain::Purchase& purchase, Timestamp now) {
    auto recorded = store_->RecordPurchase(purchase, now);
    EXPECT_TRUE(recorded.ok()) << recorded.error().ToString();
    return recorded.ok() ? std::move(recorded).value() : RecordedPurchase{};
  }

  // The history the scans' tests read: two cards' four purchases (Bob's one of sku 9999)
  // and a sale without a card; five of the cards' lines before kDay2, one at it.
  void RecordScannedHistory() {
    const auto ada = Card("212345678901");
    const auto bob = Card("298765432109");
    Record(MakePurchase(ada, {{"1001", 2, 129}, {"2001", 1, 249}}, kDay1), kDay2);
    Record(MakePurchase(std::nullopt, {{"3001", 1, 899}}, kDay1), kDay2);
    Record(MakePurchase(bob, {{"9999", 1, 100}}, kDay1 + std::chrono::hours(1)), kDay2);
    Record(MakePurchase(ada, {{"1002", 1, 450}, {"1001", 3, 129}}, kDay1 + std::chrono::hours(2)),
           kDay2);
    Record(MakePurchase(ada, {{"1002", 1, 450}}, kDay2), kDay2);
  }

  testing::TempDir dir_;
  testing::TempDir reference_dir_;
  std::unique_ptr<testing::TestDatabase> database_;
  RecordingPlanner planner_;
  std::unique_ptr<Store> store_;
};

INSTANTIATE_TEST_SUITE_P(Engines, StoreTest,
                         ::testing::Values(testing::Engine::kSqlite, testing::Engine::kPostgres),
                         [](const auto& engine) { return testing::EngineName(engine.param); });

TEST_P(StoreTest, RecordPurchaseStoresOnce) {
  const auto purchase =
      MakePurchase(Card("212345678901"), {{"1001", 2, 129}, {"2001", 1, 249}}, kDay1);
  const RecordedPurchase recorded = Record(purchase, kDay1);
  EXPECT_FALSE(recorded.replay);
  EXPECT_EQ(recorded.ack.purchase_id, purchase.id.str());
  EXPECT_EQ(Count("purchases"), 1);
  EXPECT_EQ(Count("purchase_lines", "purchase_seq = (SELECT seq FROM purchases WHERE id = '" +
                                        purchase.id.str() + "')"),
            2);
  EXPECT_EQ(Text("SELECT total_minor FROM purchases"), "507");
  EXPECT_EQ(Text("SELECT subtotal_minor FROM purchases"), "507");
}

TEST_P(StoreTest, ReplayReturnsTheSameAckAndStoresNothing) {
  const auto purchase =
      MakePurchase(Card("212345678901"), {{"1001", 2, 129}, {"3001", 1, 899}}, kDay1);
  const RecordedPurchase first = Record(purchase, kDay1);
  ASSERT_EQ(first.ack.next_visit_coupons.size(), 1u);
  const auto counts = [&] {
    return std::vector<std::int64_t>{
        Count("purchases"),         Count("purchase_lines"), Count("coupons"),
        Count("customers"),         Count("cards"),          Count("customer_category_stats"),
        Count("coupon_redemptions")};
  };
  const auto before = counts();
  const std::string visits_before =
      Text("SELECT visits || '/' || total_spend_minor FROM customers");

  const RecordedPurchase replay = Record(purchase, kDay2);
  EXPECT_TRUE(replay.replay);
  EXPECT_EQ(api::PurchaseAckToJson(replay.ack), api::PurchaseAckToJson(first.ack));
  EXPECT_EQ(counts(), before);
  EXPECT_EQ(Text("SELECT visits || '/' || total_spend_minor FROM customers"), visits_before);
  EXPECT_EQ(visits_before, "1/1157");
}

TEST_P(StoreTest, ReplayOfASaleWithoutCardReturnsTheSameAck) {
  const auto purchase = MakePurchase(std::nullopt, {{"2001", 1, 249}}, kDay1);
  const RecordedPurchase first = Record(purchase, kDay1);
  EXPECT_FALSE(first.ack.customer_id.has_value());
  EXPECT_TRUE(first.ack.next_visit_coupons.empty());
  const RecordedPurchase replay = Record(purchase, kDay1);
  EXPECT_TRUE(replay.replay);
  EXPECT_EQ(api::PurchaseAckToJson(replay.ack), api::PurchaseAckToJson(first.ack));
  EXPECT_EQ(Count("purchases"), 1);
  EXPECT_EQ(Count("customers"), 0);
  EXPECT_EQ(Text("SELECT customer_id FROM purchases"), "<null>");
}

TEST_P(StoreTest, SameIdWithADifferentBodyIsAConflict) {
  auto purchase = MakePurchase(Card("212345678901"), {{"1001", 1, 129}}, kDay1);
  Record(purchase, kDay1);
  auto changed = purchase;
  changed.lines[0].quantity = 2;
  changed.lines[0].amount_minor = 258;
  changed.total_minor = 258;
  auto result = store_->RecordPurchase(changed, kDay1);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, ErrorCode::kConflict);
  EXPECT_EQ(result.error().field, "id");
  EXPECT_EQ(Count("purchases"), 1);
  EXPECT_EQ(Text("SELECT quantity FROM purchase_lines"), "1");
  EXPECT_EQ(Text("SELECT visits FROM customers"), "1");

  auto other_card = purchase;
  other_card.card = Card("299999999999");
  EXPECT_EQ(store_->RecordPurchase(other_card, kDay1).error().code, ErrorCode::kConflict);
}

TEST_P(StoreTest, FirstUseOfACardCreatesACustomer) {
  const CardNumber card = Card("212345678901");
  auto before = store_->LookupCard(card, kDay1);
  ASSERT_TRUE(before.ok());
  EXPECT_FALSE(before->customer.has_value());
  EXPECT_TRUE(before->coupons.empty());
  EXPECT_EQ(Count("customers"), 0);

  const RecordedPurchase recorded = Record(MakePurchase(card, {{"1002", 1, 450}}, kDay1), kDay1);
  ASSERT_TRUE(recorded.ack.customer_id.has_value());
  EXPECT_EQ(Count("customers"), 1);
  EXPECT_EQ(Count("cards", "number = '" + card.digits() + "'"), 1);

  auto after = store_->LookupCard(card, kDay1);
  ASSERT_TRUE(after.ok());
  ASSERT_TRUE(after->customer.has_value());
  EXPECT_EQ(after->customer->id, *recorded.ack.customer_id);
  EXPECT_EQ(after->customer->visits, 1);
  EXPECT_EQ(after->customer->total_spend_minor, 450);
  EXPECT_EQ(after->customer->member_since, kDay1);
  EXPECT_FALSE(after->customer->segment.has_value());  // not sorted by a nightly run yet
  ASSERT_TRUE(
      store_->SetCustomerSegments({{*recorded.ack.customer_id, "at_risk", {}}}, kDay1).ok());
  EXPECT_EQ(store_->LookupCard(card, kDay1)->customer->segment, domain::Segment::kAtRisk);

  // The second purchase with the card finds the same customer.
  const RecordedPurchase second = Record(MakePurchase(card, {{"1001", 1, 129}}, kDay2), kDay2);
  EXPECT_EQ(second.ack.customer_id, recorded.ack.customer_id);
  EXPECT_EQ(Count("customers"), 1);
  // Another card is another customer.
  const RecordedPurchase other =
      Record(MakePurchase(Card("299999999999"), {{"1001", 1, 129}}, kDay2), kDay2);
  EXPECT_NE(other.ack.customer_id, recorded.ack.customer_id);
  EXPECT_EQ(Count("customers"), 2);
}

TEST_P(StoreTest, IssuedCouponsVerifyWithThePublicKey) {
  const CardNumber card = Card("212345678901");
  const RecordedPurchase recorded = Record(MakePurchase(card, {{"3001", 1, 899}}, kDay1), kDay1);
  ASSERT_EQ(recorded.ack.next_visit_coupons.size(), 1u);
  const auto& coupon = recorded.ack.next_visit_coupons[0].coupon;
  EXPECT_EQ(coupon.target_value, "MEAT");
  EXPECT_EQ(coupon.card_number, card.digits());
  EXPECT_EQ(coupon.customer_id, *recorded.ack.customer_id);
  auto terminal_key = crypto::VerifyKey::FromPem(Key().verify_key().ToPem());
  ASSERT_TRUE(terminal_key.ok());
  auto decoded = api::PurchaseAckFromJson(api::PurchaseAckToJson(recorded.ack), *terminal_key);
  ASSERT_TRUE(decoded.ok()) << decoded.error().ToString();
}

TEST_P(StoreTest, LookupCardReturnsLiveCouponsUntilRedeemed) {
  const CardNumber card = Card("212345678901");
  const RecordedPurchase first = Record(MakePurchase(card, {{"1002", 2, 450}}, kDay1), kDay1);
  ASSERT_EQ(first.ack.next_visit_coupons.size(), 1u);
  const domain::Coupon coupon = first.ack.next_visit_coupons[0].coupon;

  auto lookup = store_->LookupCard(card, kDay2);
  ASSERT_TRUE(lookup.ok());
  ASSERT_EQ(lookup->coupons.size(), 1u);
  EXPECT_EQ(lookup->coupons[0].coupon.id, coupon.id);
  EXPECT_EQ(lookup->coupons[0].token, first.ack.next_visit_coupons[0].token);

  // Past its expiry it is no longer offered.
  auto later = store_->LookupCard(card, coupon.expires_at);
  ASSERT_TRUE(later.ok());
  EXPECT_TRUE(later->coupons.empty());

  const domain::Redemption redemption{coupon.id, 90};
  Record(MakePurchase(card, {{"1002", 2, 450}}, kDay2, {redemption}), kDay2);
  EXPECT_EQ(Text("SELECT outcome FROM coupon_redemptions"), "redeemed");
  auto after = store_->LookupCard(card, kDay2);
  ASSERT_TRUE(after.ok());
  for (const auto& issued : after->coupons) {
    EXPECT_NE(issued.coupon.id, coupon.id) << "a redeemed coupon is still offered";
  }
}

TEST_P(StoreTest, RedeemingAnAlreadyRedeemedCouponIsRecordedAndChangesNothing) {
  const CardNumber card = Card("212345678901");
  const RecordedPurchase first = Record(MakePurchase(card, {{"1002", 2, 450}}, kDay1), kDay1);
  ASSERT_EQ(first.ack.next_visit_coupons.size(), 1u);
  const Uuid coupon_id = first.ack.next_visit_coupons[0].coupon.id;

  const auto second = MakePurchase(card, {{"1002", 1, 450}}, kDay2, {{coupon_id, 45}});
  Record(second, kDay2);
  const auto third = MakePurchase(card, {{"1002", 1, 450}}, kDay3, {{coupon_id, 45}});
  Record(third, kDay3);

  const std::string where = "coupon_id = '" + coupon_id.str() + "'";
  EXPECT_EQ(Count("coupon_redemptions", where), 2);
  EXPECT_EQ(
      Text("SELECT outcome FROM coupon_redemptions WHERE purchase_id = '" + second.id.str() + "'"),
      "redeemed");
  EXPECT_EQ(
      Text("SELECT outcome FROM coupon_redemptions WHERE purchase_id = '" + third.id.str() + "'"),
      "already_redeemed");
  EXPECT_EQ(Text("SELECT redeemed_by_purchase FROM coupons WHERE id = '" + coupon_id.str() + "'"),
            second.id.str());
  EXPECT_EQ(Text("SELECT redeemed_at FROM coupons WHERE id = '" + coupon_id.str() + "'"),
            std::to_string(ToUnixSeconds(kDay2)));
}

// Purchases that arrive together are written together (PostgreSQL writes them in one
// statement); the result must be what writing them one by one gives, which a SQLite
// store fed one purchase at a time shows.
TEST_P(StoreTest, PurchasesArrivingTogetherEndAsIfWrittenOneByOne) {
  std::vector<domain::Purchase> purchases;
  for (int i = 0; i < 60; ++i) {
    const std::string card = "20000000000" + std::to_string(i % 6);
    std::optional<CardNumber> holder;
    if (i % 6 != 5) holder = Card(card.c_str());  // every sixth sale is anonymous
    // Times go back and forth, as late uploads from offline tills make them.
    const Timestamp at = kDay1 + std::chrono::hours((i * 37) % 200);
    std::vector<LineSpec> lines{{"1001", 1 + i % 3, 129}, {i % 2 ? "2001" : "3001", 1, 249}};
    if (i % 7 == 0) lines.push_back({"NOPE-42", 2, 100});
    if (i % 4 == 0) lines.push_back({"1001", 1, 129});  // the same product twice
    purchases.push_back(MakePurchase(holder, lines, at));
  }
  purchases.push_back(purchases[10]);  // a retry: the same answer again
  auto reused = MakePurchase(Card("200000000001"), {{"1002", 1, 450}}, kDay2);
  reused.id = purchases[20].id;  // the same id for another sale: a conflict
  purchases.push_back(reused);

  const auto reference_planner = std::make_unique<RecordingPlanner>();
  testing::TestDatabase reference(testing::Engine::kSqlite, reference_dir_);
  auto one_by_one =
      OpenStore(ParseStoreUrl(reference.url(), "url").value(), *reference_planner, Key());
  ASSERT_TRUE(one_by_one->ImportProducts(DemoProducts()).ok());
  std::vector<std::string> expected_answers;
  for (const auto& purchase : purchases) {
    auto recorded = one_by_one->RecordPurchase(purchase, kDay3);
    expected_answers.push_back(recorded.ok()
                                   ? std::to_string(recorded->replay) + "/" +
                                         std::to_string(recorded->ack.next_visit_coupons.size())
                                   : std::string(ErrorCodeName(recorded.error().code)));
  }

  std::vector<std::promise<Result<RecordedPurchase>>> answers(purchases.size());
  for (std::size_t i = 0; i < purchases.size(); ++i) {
    store_->RecordPurchaseAsync(purchases[i], kDay3, [&answers, i](Result<RecordedPurchase> r) {
      answers[i].set_value(std::move(r));
    });
  }
  std::vector<std::string> got_answers;
  for (auto& answer : answers) {
    auto recorded = answer.get_future().get();
    got_answers.push_back(recorded.ok()
                              ? std::to_string(recorded->replay) + "/" +
                                    std::to_string(recorded->ack.next_visit_coupons.size())
                              : std::string(ErrorCodeName(recorded.error().code)));
  }
  EXPECT_EQ(got_answers, expected_answers);
  // They were written in fewer transactions than purchases, i.e. together.
  EXPECT_LT(store_->writer_stats().batches, purchases.size());

  for (const std::string sql : {
           "SELECT k.number || '|' || c.visits || '|' || c.total_spend_minor || '|' ||"
           " c.first_visit_at || '|' || c.last_visit_at || '|' || c.created_at FROM customers c"
           " JOIN cards k ON k.customer_id = c.id ORDER BY k.number",
           "SELECT k.number || '|' || s.category || '|' || s.spend_minor || '|' || s.items || '|'"
           " || s.last_bought_at FROM customer_category_stats s JOIN cards k"
           " ON k.customer_id = s.customer_id ORDER BY k.number, s.category",
           "SELECT k.number || '|' || s.sku || '|' || s.quantity || '|' || s.purchases || '|' ||"
           " s.last_bought_at || '|' || CAST(ROUND(s.score * 1000000) AS INTEGER) || '|' ||"
           " s.score_at FROM customer_product_stats s JOIN cards k"
           " ON k.customer_id = s.customer_id ORDER BY k.number, s.sku",
           "SELECT c.card_number || '|' || target || '|' || target_value || '|' || p.id"
           " FROM coupons c JOIN purchases p ON p.seq = c.issued_by_purchase"
           " ORDER BY c.card_number, p.id, target_value",
           "SELECT p.id || '|' || COALESCE(p.card_number, '-') || '|' || p.total_minor || '|' ||"
           " COUNT(l.line_no) || '|' || SUM(l.known_sku) || '|' || SUM(l.quantity)"
           " FROM purchases p JOIN purchase_lines l ON l.purchase_seq = p.seq"
           " GROUP BY p.id, p.card_number, p.total_minor ORDER BY p.id",
       }) {
    EXPECT_EQ(database_->Column(sql), reference.Column(sql)) << sql;
  }
}

TEST_P(StoreTest, PortalAccountsSessionsAndTheAuditLog) {
  ASSERT_TRUE(store_->AddStore({"S001", "Main St", "USD"}).ok());
  ASSERT_TRUE(store_->AddStore({"S002", "High St", "USD"}).ok());
  auto user = store_->CreatePortalUser(
      {"Ada@Example.COM", "Ada", PortalRole::kStoreManager, "hash-1", {"S002", "S001"}}, kDay1);
  ASSERT_TRUE(user.ok()) << user.error().ToString();
  EXPECT_EQ(user->email, "ada@example.com");
  EXPECT_EQ(user->stores, (std::vector<std::string>{"S001", "S002"}));
  EXPECT_EQ(
      store_->CreatePortalUser({"ada@example.com", "Again", PortalRole::kAdmin, "h", {}}, kDay1)
          .error()
          .code,
      ErrorCode::kAlreadyExists);
  EXPECT_EQ(store_
                ->CreatePortalUser(
                    {"bob@example.com", "Bob", PortalRole::kStoreManager, "h", {"S9"}}, kDay1)
                .error()
                .code,
            ErrorCode::kNotFound);

  auto login = store_->PortalUserForLogin("ADA@example.com");
  ASSERT_TRUE(login.ok());
  EXPECT_EQ(login->second, "hash-1");
  ASSERT_TRUE(store_->SetPortalPassword(user->id, "hash-2").ok());
  EXPECT_EQ(store_->PortalUserForLogin("ada@example.com")->second, "hash-2");
  EXPECT_EQ(store_->SetPortalPassword(user->id + 100, "h").error().code, ErrorCode::kNotFound);

  ASSERT_TRUE(store_
                  ->CreatePortalSession({"token-hash", user->id, "csrf", kDay1,
                                         kDay1 + std::chrono::hours(8), "127.0.0.1"})
                  .ok());
  auto session = store_->FindPortalSession("token-hash", kDay1 + std::chrono::hours(1));
  ASSERT_TRUE(session.ok());
  EXPECT_EQ(session->first.csrf_token, "csrf");
  EXPECT_EQ(session->second.id, user->id);
  EXPECT_EQ(store_->FindPortalSession("token-hash", kDay1 + std::chrono::hours(9)).error().code,
            ErrorCode::kUnauthenticated);
  database_->Exec("UPDATE portal_users SET disabled_at = 1");
  EXPECT_EQ(store_->FindPortalSession("token-hash", kDay1).error().code,
            ErrorCode::kUnauthenticated);
  ASSERT_TRUE(store_->DeletePortalSession("token-hash").ok());
  EXPECT_EQ(Count("portal_sessions"), 0);

  ASSERT_TRUE(store_
                  ->AppendAudit({kDay1, user->id, "login", "portal_user:1",
                                 nlohmann::json{{"ok", true}}, "127.0.0.1"})
                  .ok());
  ASSERT_TRUE(store_->AppendAudit({kDay1, std::nullopt, "store.add", "store:S002"}).ok());
  EXPECT_EQ(Count("audit_log"), 2);
  EXPECT_EQ(Text("SELECT detail FROM audit_log WHERE action = 'login'"), R"({"ok":true})");
  EXPECT_EQ(Text("SELECT user_id FROM audit_log WHERE action = 'store.add'"), "<null>");
}

TEST_P(StoreTest, AuditLogListsNewestFirstWithFiltersAndAKeyset) {
  ASSERT_TRUE(store_->AddStore({"S001", "Main St", "USD"}).ok());
  auto ada = store_->CreatePortalUser({"ada@example.com", "Ada", PortalRole::kAdmin, "h", {}},
                                      kDay1);
  ASSERT_TRUE(ada.ok());
  const auto at = [](int minutes) { return kDay1 + std::chrono::minutes(minutes); };
  ASSERT_TRUE(store_->AppendAudit({at(0), ada->id, "login", "portal_user:1", {}, "10.0.0.1"}).ok());
  ASSERT_TRUE(store_->AppendAudit({at(1), ada->id, "customer.merge", "customer:7",
                                   nlohmann::json{{"into", 8}}, "10.0.0.1"})
                  .ok());
  ASSERT_TRUE(store_->AppendAudit({at(2), std::nullopt, "customer_note.add", "customer:7"}).ok());
  ASSERT_TRUE(store_->AppendAudit({at(3), ada->id, "customer.erase", "customer:9"}).ok());

  auto all = store_->ListAudit({});
  ASSERT_TRUE(all.ok()) << all.error().ToString();
  ASSERT_EQ(all->size(), 4u);
  EXPECT_EQ((*all)[0].entry.action, "customer.erase");
  EXPECT_EQ((*all)[3].entry.action, "login");
  EXPECT_EQ((*all)[2].entry.detail, (nlohmann::json{{"into", 8}}));
  EXPECT_EQ((*all)[2].user_email, "ada@example.com");
  EXPECT_EQ((*all)[2].entry.remote_address, "10.0.0.1");
  EXPECT_EQ((*all)[1].entry.user_id, std::nullopt);
  EXPECT_EQ((*all)[1].user_name, std::nullopt);

  // "customer" is every customer.* action, not customer_note.*.
  AuditQuery customer;
  customer.action = "customer";
  auto customer_actions = store_->ListAudit(customer);
  ASSERT_TRUE(customer_actions.ok());
  ASSERT_EQ(customer_actions->size(), 2u);
  EXPECT_EQ((*customer_actions)[1].entry.action, "customer.merge");

  AuditQuery by_target;
  by_target.target = "customer:7";
  by_target.user_id = ada->id;
  EXPECT_EQ(store_->ListAudit(by_target)->size(), 1u);

  AuditQuery window;
  window.from = at(1);
  window.to = at(3);
  EXPECT_EQ(store_->ListAudit(window)->size(), 2u);

  AuditQuery page;
  page.limit = 3;
  auto first = store_->ListAudit(page);
  ASSERT_EQ(first->size(), 3u);
  page.before_seq = first->back().seq;
  auto second = store_->ListAudit(page);
  ASSERT_EQ(second->size(), 1u);
  EXPECT_EQ((*second)[0].entry.action, "login");
}

TEST_P(StoreTest, RecordsRedemptionsOfUnknownAndOtherCustomersCoupons) {
  const RecordedPurchase owner =
      Record(MakePurchase(Card("212345678901"), {{"1002", 2, 450}}, kDay1), kDay1);
  ASSERT_EQ(owner.ack.next_visit_coupons.size(), 1u);
  const Uuid coupon_id = owner.ack.next_visit_coupons[0].coupon.id;

  const auto stranger =
      MakePurchase(Card("299999999999"), {{"1002", 1, 450}}, kDay2, {{coupon_id, 45}});
  Record(stranger, kDay2);
  const auto anonymous = MakePurchase(std::nullopt, {{"1002", 1, 450}}, kDay2, {{coupon_id, 45}});
  Record(anonymous, kDay2);
  const Uuid unknown = Uuid::Random();
  const auto invented =
      MakePurchase(Card("212345678901"), {{"1002", 1, 450}}, kDay2, {{unknown, 45}});
  Record(invented, kDay2);

  const auto outcome = [&](const domain::Purchase& purchase) {
    return Text("SELECT outcome FROM coupon_redemptions WHERE purchase_id = '" + purchase.id.str() +
                "'");
  };
  EXPECT_EQ(outcome(stranger), "other_customer");
  EXPECT_EQ(outcome(anonymous), "other_customer");
  EXPECT_EQ(outcome(invented), "unknown_coupon");
  // None of them spent the coupon: its owner can still use it.
  EXPECT_EQ(Text("SELECT redeemed_by_purchase FROM coupons WHERE id = '" + coupon_id.str() + "'"),
            "<null>");
}

TEST_P(StoreTest, StoresUnknownSkusWithKnownSkuZero) {
  const auto purchase =
      MakePurchase(Card("212345678901"), {{"1001", 1, 129}, {"NOPE-42", 3, 100}}, kDay1);
  Record(purchase, kDay1);
  EXPECT_EQ(Count("purchase_lines"), 2);
  EXPECT_EQ(Text("SELECT known_sku FROM purchase_lines WHERE sku = 'NOPE-42'"), "0");
  EXPECT_EQ(Text("SELECT category FROM purchase_lines WHERE sku = 'NOPE-42'"), "<null>");
  EXPECT_EQ(Text("SELECT quantity * unit_price_minor FROM purchase_lines WHERE sku = 'NOPE-42'"),
            "300");
  EXPECT_EQ(Text("SELECT known_sku FROM purchase_lines WHERE sku = '1001'"), "1");
  EXPECT_EQ(Text("SELECT category FROM purchase_lines WHERE sku = '1001'"), "DAIRY");
  // The unknown line counts towards the spend but not towards any category.
  EXPECT_EQ(Text("SELECT total_spend_minor FROM customers"), "429");
  EXPECT_EQ(Count("customer_category_stats"), 1);
}

TEST_P(StoreTest, ImportProductsBumpsTheVersionOnlyWhenSomethingChanged) {
  // SetUp imported the demo catalog once.
  domain::Catalog catalog = store_->LoadCatalog();
  EXPECT_EQ(catalog.version, 1);
  ASSERT_EQ(catalog.products.size(), 4u);

  auto same = store_->ImportProducts(DemoProducts());
  ASSERT_TRUE(same.ok());
  EXPECT_EQ(same->changed, 0);
  EXPECT_EQ(same->version, 1);
  EXPECT_EQ(store_->LoadCatalog().version, 1);

  auto products = DemoProducts();
  products[2].price_minor = 259;
  auto changed = store_->ImportProducts(products);
  ASSERT_TRUE(changed.ok());
  EXPECT_EQ(changed->changed, 1);
  EXPECT_EQ(changed->version, 2);
  EXPECT_EQ(Text("SELECT version FROM products WHERE sku = '2001'"), "2");
  EXPECT_EQ(Text("SELECT version FROM products WHERE sku = '1001'"), "1");

  products[0].couponable = false;
  products.push_back({"4001", "Apples", "PRODUCE", "FRUIT", "", "", "1 KG", 300, true});
  auto added = store_->ImportProducts(products);
  ASSERT_TRUE(added.ok());
  EXPECT_EQ(added->changed, 2);
  EXPECT_EQ(added->version, 3);

  catalog = store_->LoadCatalog();
  EXPECT_EQ(catalog.version, 3);
  EXPECT_EQ(catalog.currency.code(), "USD");
  ASSERT_EQ(catalog.products.size(), 5u);
  EXPECT_EQ(catalog.products[0].sku, "1001");
  EXPECT_FALSE(catalog.products[0].couponable);
  EXPECT_EQ(catalog.products[2].price_minor, 259);
  EXPECT_EQ(domain::CatalogToJson(catalog)["products"][4], domain::ProductToJson(products[4]));

  auto empty = store_->ImportProducts({});
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(empty->version, 3);
}

TEST_P(StoreTest, KeepsProfileAggregatesOverSeveralPurchases) {
  const CardNumber card = Card("212345678901");
  Record(MakePurchase(card, {{"1001", 2, 129}, {"2001", 1, 249}}, kDay1), kDay1);  // 258 + 249
  Record(MakePurchase(card, {{"3001", 1, 899}, {"1002", 1, 450}}, kDay2), kDay2);  // 899 + 450
  Record(MakePurchase(card, {{"1001", 3, 129}}, kDay3), kDay3);                    // 387
  // A sale without the card changes nothing in the profile.
  Record(MakePurchase(std::nullopt, {{"3001", 5, 899}}, kDay3), kDay3);

  auto lookup = store_->LookupCard(card, kDay3);
  ASSERT_TRUE(lookup.ok());
  ASSERT_TRUE(lookup->customer.has_value());
  EXPECT_EQ(lookup->customer->visits, 3);
  EXPECT_EQ(lookup->customer->total_spend_minor, 258 + 249 + 899 + 450 + 387);

  EXPECT_EQ(Text("SELECT spend_minor || '/' || items FROM customer_category_stats"
                 " WHERE category = 'DAIRY'"),
            std::to_string(258 + 450 + 387) + "/6");
  EXPECT_EQ(Text("SELECT spend_minor || '/' || items FROM customer_category_stats"
                 " WHERE category = 'MEAT'"),
            "899/1");
  EXPECT_EQ(Text("SELECT spend_minor || '/' || items FROM customer_category_stats"
                 " WHERE category = 'BREAD'"),
            "249/1");
  EXPECT_EQ(Text("SELECT last_bought_at FROM customer_category_stats WHERE category = 'DAIRY'"),
            std::to_string(ToUnixSeconds(kDay3)));
  EXPECT_EQ(Text("SELECT first_visit_at || '/' || last_visit_at FROM customers"),
            std::to_string(ToUnixSeconds(kDay1)) + "/" + std::to_string(ToUnixSeconds(kDay3)));

  // What the planner saw at the last purchase: the aggregates including that purchase,
  // categories by spend, and the coupons already held.
  ASSERT_EQ(planner_.profiles.size(), 3u);
  const CustomerProfile& profile = planner_.profiles.back();
  EXPECT_EQ(profile.visits, 3);
  EXPECT_EQ(profile.total_spend_minor, 2243);
  ASSERT_EQ(profile.categories.size(), 3u);
  EXPECT_EQ(profile.categories[0].category, "DAIRY");
  EXPECT_EQ(profile.categories[0].spend_minor, 1095);
  EXPECT_EQ(profile.categories[1].category, "MEAT");
  EXPECT_EQ(profile.categories[2].category, "BREAD");
  EXPECT_EQ(profile.first_visit_at, kDay1);
  EXPECT_EQ(profile.last_visit_at, kDay3);
  EXPECT_EQ(profile.live_coupons.size(), 2u);  // DAIRY after day 1, MEAT after day 2
  EXPECT_EQ(Count("coupons"), 3);              // and BREAD after day 3
}

TEST_P(StoreTest, BlockedCardIsRefused) {
  const CardNumber card = Card("212345678901");
  Record(MakePurchase(card, {{"1001", 1, 129}}, kDay1), kDay1);
  database_->Exec("UPDATE cards SET status = 'blocked'");
  auto lookup = store_->LookupCard(card, kDay2);
  ASSERT_FALSE(lookup.ok());
  EXPECT_EQ(lookup.error().code, ErrorCode::kPermissionDenied);
}

TEST_P(StoreTest, ReopeningTheFileKeepsEverything) {
  const CardNumber card = Card("212345678901");
  const auto purchase = MakePurchase(card, {{"1001", 1, 129}}, kDay1);
  const RecordedPurchase first = Record(purchase, kDay1);
  store_.reset();
  store_ = Open(planner_);
  EXPECT_EQ(store_->LoadCatalog().version, 1);
  const RecordedPurchase replay = Record(purchase, kDay2);
  EXPECT_TRUE(replay.replay);
  EXPECT_EQ(api::PurchaseAckToJson(replay.ack), api::PurchaseAckToJson(first.ack));
}

// A planner that issues two coupons per purchase, in an order that is not sorted by id.
class TwoCouponPlanner final : public NextVisitPlanner {
 public:
  std::vector<domain::Coupon> Plan(const CustomerProfile& profile, const CardNumber& card,
                                   Timestamp now) const override {
    std::vector<domain::Coupon> coupons;
    for (const char* category : {"MEAT", "BREAD"}) {
      domain::Coupon coupon;
      coupon.customer_id = profile.customer_id;
      coupon.card_number = card.digits();
      coupon.campaign = "test";
      coupon.title = std::string("5% off ") + category;
      coupon.target = domain::CouponTarget::kCategory;
      coupon.target_value = category;
      coupon.discount_value = 5;
      coupon.issued_at = now;
      coupon.expires_at = now + std::chrono::days(7);
      coupons.push_back(coupon);
    }
    // Descending ids, so insertion order and id order disagree.
    std::sort(coupons.begin(), coupons.end(),
              [](const auto& a, const auto& b) { return a.id.str() > b.id.str(); });
    return coupons;
  }
};

TEST_P(StoreTest, ReplayReturnsSeveralCouponsInTheFirstAnswersOrder) {
  store_.reset();
  TwoCouponPlanner planner;
  const auto store = Open(planner);
  const auto purchase = MakePurchase(Card("212345678901"), {{"1001", 1, 129}}, kDay1);
  auto first = store->RecordPurchase(purchase, kDay1);
  ASSERT_TRUE(first.ok());
  ASSERT_EQ(first->ack.next_visit_coupons.size(), 2u);
  auto replay = store->RecordPurchase(purchase, kDay1);
  ASSERT_TRUE(replay.ok());
  EXPECT_TRUE(replay->replay);
  EXPECT_EQ(api::PurchaseAckToJson(replay->ack), api::PurchaseAckToJson(first->ack));
}

}  // namespace
}  // namespace loyalty::server

namespace loyalty::server {
namespace {

domain::SaleReturn MakeReturn(const domain::Purchase& original,
                              const std::vector<domain::ReturnLine>& lines, Timestamp at) {
  domain::SaleReturn sale_return;
  sale_return.original_purchase_id = original.id;
  sale_return.store_id = original.store_id;
  sale_return.terminal_id = original.terminal_id;
  sale_return.occurred_at = at;
  sale_return.lines = lines;
  for (const auto& line : lines) sale_return.total_minor += line.amount_minor;
  return sale_return;
}

TEST_P(StoreTest, ReturnNetsOutOfTheProfileAndVoidsTheCouponsItEarned) {
  const auto card = Card("200000000001");
  const auto purchase = MakePurchase(card, {{"3001", 2, 899}, {"1001", 1, 129}}, kDay1);
  const auto recorded = Record(purchase, kDay1);
  ASSERT_EQ(recorded.ack.next_visit_coupons.size(), 1u);
  const std::string earned = recorded.ack.next_visit_coupons[0].coupon.id.str();

  auto returned = store_->RecordReturn(MakeReturn(purchase, {{"3001", 2, 1798}}, kDay2), kDay2);
  ASSERT_TRUE(returned.ok()) << returned.error().ToString();
  EXPECT_EQ(returned->refund_minor, 1798);
  EXPECT_EQ(returned->voided_coupons, std::vector<std::string>{earned});
  EXPECT_TRUE(returned->already_redeemed_coupons.empty());

  EXPECT_EQ(Text("SELECT total_spend_minor FROM customers"), "129");
  EXPECT_EQ(Text("SELECT spend_minor || '/' || items FROM customer_category_stats"
                 " WHERE category = 'MEAT'"),
            "0/0");
  EXPECT_EQ(Text("SELECT quantity FROM customer_product_stats WHERE sku = '3001'"), "0");
  // The voided coupon is no longer live, and redeeming it later counts as nothing.
  auto lookup = store_->LookupCard(card, kDay2);
  ASSERT_TRUE(lookup.ok());
  EXPECT_TRUE(lookup->coupons.empty());
  auto state = store_->CouponState(*Uuid::Parse(earned));
  ASSERT_TRUE(state.ok());
  EXPECT_TRUE(state->voided);
  const auto spend_it = MakePurchase(card, {{"3001", 1, 899}}, kDay3, {{*Uuid::Parse(earned), 89}});
  Record(spend_it, kDay3);
  EXPECT_EQ(Text("SELECT outcome FROM coupon_redemptions"), "voided_coupon");
}

TEST_P(StoreTest, ReturnCannotTakeBackMoreThanWasSold) {
  const auto purchase = MakePurchase(Card("200000000002"), {{"1002", 2, 450}}, kDay1);
  Record(purchase, kDay1);
  ASSERT_TRUE(store_->RecordReturn(MakeReturn(purchase, {{"1002", 1, 450}}, kDay2), kDay2).ok());
  // One cheese is left to return: two is too many, even split across returns.
  auto too_many = store_->RecordReturn(MakeReturn(purchase, {{"1002", 2, 900}}, kDay2), kDay2);
  ASSERT_FALSE(too_many.ok());
  EXPECT_EQ(too_many.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(too_many.error().message.find("1 left to return"), std::string::npos);
  auto never_sold = store_->RecordReturn(MakeReturn(purchase, {{"2001", 1, 249}}, kDay2), kDay2);
  EXPECT_FALSE(never_sold.ok());
  auto overpaid = store_->RecordReturn(MakeReturn(purchase, {{"1002", 1, 451}}, kDay2), kDay2);
  ASSERT_FALSE(overpaid.ok());
  EXPECT_NE(overpaid.error().message.find("more than"), std::string::npos);
  domain::Purchase unknown = purchase;
  unknown.id = Uuid::TimeOrdered();
  auto no_purchase = store_->RecordReturn(MakeReturn(unknown, {{"1002", 1, 450}}, kDay2), kDay2);
  ASSERT_FALSE(no_purchase.ok());
  EXPECT_EQ(no_purchase.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(Count("returns"), 1);
}

TEST_P(StoreTest, ReturnIsIdempotentOnItsId) {
  const auto purchase = MakePurchase(Card("200000000003"), {{"1002", 2, 450}}, kDay1);
  Record(purchase, kDay1);
  const auto sale_return = MakeReturn(purchase, {{"1002", 1, 450}}, kDay2);
  ASSERT_TRUE(store_->RecordReturn(sale_return, kDay2).ok());
  auto replay = store_->RecordReturn(sale_return, kDay2);
  ASSERT_TRUE(replay.ok());
  EXPECT_TRUE(replay->replay);
  EXPECT_EQ(Count("returns"), 1);
  EXPECT_EQ(Text("SELECT total_spend_minor FROM customers"), "450");
  auto other_body = sale_return;
  other_body.lines[0].amount_minor = 400;
  other_body.total_minor = 400;
  auto reused = store_->RecordReturn(other_body, kDay2);
  ASSERT_FALSE(reused.ok());
  EXPECT_EQ(reused.error().code, ErrorCode::kConflict);
}

TEST_P(StoreTest, ProductScoresDecayWithTimeAndAddUp) {
  const auto card = Card("200000000004");
  Record(MakePurchase(card, {{"1001", 2, 129}}, kDay1), kDay1);
  // Thirty days later the first two milks count for one, plus the new one.
  const Timestamp later = kDay1 + std::chrono::days(30);
  Record(MakePurchase(card, {{"1001", 1, 129}}, later), later);
  EXPECT_EQ(Text("SELECT quantity || '/' || purchases FROM customer_product_stats"), "3/2");
  EXPECT_EQ(Text("SELECT CAST(ROUND(score * 1000) AS INTEGER) FROM customer_product_stats"),
            "2000");
  // A purchase uploaded late, older than the score, adds its quantity already decayed.
  Record(MakePurchase(card, {{"1001", 4, 129}}, kDay1), later);
  EXPECT_EQ(Text("SELECT CAST(ROUND(score * 1000) AS INTEGER) FROM customer_product_stats"),
            "4000");
}

// More products than one cursor fetch, so the scan goes round several times.
TEST_P(StoreTest, LoadCatalogReadsEveryProductOfALargeCatalog) {
  std::vector<domain::Product> products;
  for (int i = 0; i < 4500; ++i) {
    products.push_back({"9" + std::to_string(100000 + i), "Item", "GROCERY", "MISC", "MISC",
                        "Brand", "1 PC", 100 + i, true});
  }
  ASSERT_TRUE(store_->ImportProducts(products).ok());
  const auto catalog = store_->LoadCatalog();
  ASSERT_EQ(catalog.products.size(), products.size() + DemoProducts().size());
  EXPECT_EQ(catalog.products.front().sku, "1001");
  EXPECT_EQ(catalog.products.back().sku, "9104499");
  EXPECT_EQ(catalog.products.back().price_minor, 4599);
}

TEST_P(StoreTest, CatalogSinceAVersionHoldsOnlyWhatChanged) {
  const std::int64_t first = store_->CatalogVersion();
  auto changed = DemoProducts();
  changed[0].price_minor = 139;
  ASSERT_TRUE(store_->ImportProducts(changed).ok());
  const auto update = store_->LoadCatalog(first);
  EXPECT_EQ(update.since, first);
  EXPECT_EQ(update.version, first + 1);
  ASSERT_EQ(update.products.size(), 1u);
  EXPECT_EQ(update.products[0].sku, "1001");
  // A version from another database gets the whole catalog, not changes it cannot use.
  EXPECT_EQ(store_->LoadCatalog(first + 100).since, 0);
  EXPECT_EQ(store_->LoadCatalog(first + 100).products.size(), DemoProducts().size());
  domain::Catalog old_copy = store_->LoadCatalog(0);
  old_copy.version = first;
  auto merged = domain::ApplyCatalogUpdate(old_copy, update);
  ASSERT_TRUE(merged.ok());
  EXPECT_EQ(merged->version, first + 1);
  EXPECT_EQ(merged->products.size(), DemoProducts().size());
  old_copy.version = first - 1;
  EXPECT_FALSE(domain::ApplyCatalogUpdate(old_copy, update).ok());
}

}  // namespace
}  // namespace loyalty::server

namespace loyalty::server {
namespace {

domain::CustomerDetails Details(const char* name) {
  domain::CustomerDetails details;
  details.name = name;
  details.email = std::string(name) + "@example.com";
  details.consent_email = true;
  details.acquisition_source = "flyer";
  return details;
}

TEST_P(StoreTest, RegistrationAddsDetailsToTheCardsCustomerAndMakesOneForANewCard) {
  const auto used = Card("200000000011");
  const auto recorded = Record(MakePurchase(used, {{"1001", 1, 129}}, kDay1), kDay1);
  auto registered = store_->RegisterCustomer(used, Details("ada"), kDay2);
  ASSERT_TRUE(registered.ok()) << registered.error().ToString();
  EXPECT_EQ(*registered, *recorded.ack.customer_id);
  auto fresh = store_->RegisterCustomer(Card("200000000012"), Details("bob"), kDay2);
  ASSERT_TRUE(fresh.ok());
  EXPECT_NE(*fresh, *registered);
  EXPECT_EQ(Count("customers"), 2);
  // Registering again updates; the first acquisition source stays.
  auto again = Details("ada lovelace");
  again.acquisition_source = "friend";
  ASSERT_TRUE(store_->RegisterCustomer(used, again, kDay3).ok());
  EXPECT_EQ(Text("SELECT name || '/' || acquisition_source FROM customer_details"
                 " WHERE customer_id = " +
                 std::to_string(*registered)),
            "ada lovelace/flyer");
}

TEST_P(StoreTest, RegisteringANewHolderSucceedsOnceEvenFromDesksRacing) {
  // A card used at a till before its holder registered takes the details.
  const auto used = Card("200000000013");
  const auto recorded = Record(MakePurchase(used, {{"1001", 1, 129}}, kDay1), kDay1);
  auto registered = store_->RegisterNewCustomer(used, Details("ada"), kDay2);
  ASSERT_TRUE(registered.ok()) << registered.error().ToString();
  EXPECT_EQ(*registered, *recorded.ack.customer_id);
  auto again = store_->RegisterNewCustomer(used, Details("impostor"), kDay2);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, ErrorCode::kConflict);
  EXPECT_EQ(again.error().field, "card_number");

  // Desks registering one new card at the same moment: one wins, the rest are told.
  const auto fresh = Card("200000000014");
  constexpr std::size_t kDesks = 8;
  std::vector<Result<std::int64_t>> outcomes(kDesks, Result<std::int64_t>(std::int64_t{0}));
  {
    std::vector<std::thread> desks;
    for (std::size_t desk = 0; desk < kDesks; ++desk) {
      desks.emplace_back([&, desk] {
        outcomes[desk] = store_->RegisterNewCustomer(fresh, Details("a desk"), kDay2);
      });
    }
    for (auto& desk : desks) desk.join();
  }
  int winners = 0;
  for (const auto& outcome : outcomes) {
    if (outcome.ok()) {
      ++winners;
    } else {
      EXPECT_EQ(outcome.error().code, ErrorCode::kConflict);
    }
  }
  EXPECT_EQ(winners, 1);
  EXPECT_EQ(Count("customer_details"), 2);

  const auto lost = Card("200000000015");
  Record(MakePurchase(lost, {{"1001", 1, 129}}, kDay1), kDay1);
  ASSERT_TRUE(store_->ReplaceCard(lost, Card("200000000016"), kDay2).ok());
  auto blocked = store_->RegisterNewCustomer(lost, Details("finder"), kDay2);
  ASSERT_FALSE(blocked.ok());
  EXPECT_EQ(blocked.error().code, ErrorCode::kConflict);
}

TEST_P(StoreTest, HouseholdCardsShareOneCustomer) {
  const auto first = Card("200000000021");
  const auto recorded = Record(MakePurchase(first, {{"1001", 1, 129}}, kDay1), kDay1);
  const std::int64_t customer = *recorded.ack.customer_id;
  const auto second = Card("200000000022");
  ASSERT_TRUE(store_->AddCard(customer, second, kDay1).ok());
  Record(MakePurchase(second, {{"1002", 1, 450}}, kDay2), kDay2);
  auto lookup = store_->LookupCard(second, kDay2);
  ASSERT_TRUE(lookup.ok());
  ASSERT_TRUE(lookup->customer.has_value());
  EXPECT_EQ(lookup->customer->id, customer);
  EXPECT_EQ(lookup->customer->visits, 2);
  const auto taken = store_->AddCard(customer, first, kDay2);
  ASSERT_FALSE(taken.ok());
  EXPECT_EQ(taken.error().code, ErrorCode::kAlreadyExists);
  EXPECT_EQ(store_->AddCard(999, Card("200000000023"), kDay2).error().code, ErrorCode::kNotFound);
}

TEST_P(StoreTest, LostCardIsBlockedAndReplacedWithItsHistoryAndCoupons) {
  const auto lost = Card("200000000031");
  const auto recorded = Record(MakePurchase(lost, {{"3001", 2, 899}}, kDay1), kDay1);
  const auto replacement = Card("200000000032");
  auto replaced = store_->ReplaceCard(lost, replacement, kDay2);
  ASSERT_TRUE(replaced.ok()) << replaced.error().ToString();
  EXPECT_EQ(*replaced, *recorded.ack.customer_id);
  auto old_lookup = store_->LookupCard(lost, kDay2);
  ASSERT_FALSE(old_lookup.ok());
  EXPECT_EQ(old_lookup.error().code, ErrorCode::kPermissionDenied);
  auto new_lookup = store_->LookupCard(replacement, kDay2);
  ASSERT_TRUE(new_lookup.ok());
  EXPECT_EQ(new_lookup->customer->visits, 1);
  EXPECT_EQ(new_lookup->coupons.size(), 1u);  // the coupon the old card earned
  EXPECT_EQ(store_->ReplaceCard(lost, Card("200000000033"), kDay2).error().code,
            ErrorCode::kConflict);
}

TEST_P(StoreTest, MergingMovesEverythingAndAddsUpTheProfile) {
  const auto a = Card("200000000041");
  const auto b = Card("200000000042");
  const auto into = *Record(MakePurchase(a, {{"1001", 2, 129}}, kDay1), kDay1).ack.customer_id;
  const auto from =
      *Record(MakePurchase(b, {{"1001", 1, 129}, {"3001", 1, 899}}, kDay2), kDay2).ack.customer_id;
  ASSERT_TRUE(store_->RegisterCustomer(b, Details("bea"), kDay2).ok());
  const Status merged = store_->MergeCustomers(into, from, kDay3);
  ASSERT_TRUE(merged.ok()) << merged.error().ToString();
  auto lookup = store_->LookupCard(b, kDay3);
  ASSERT_TRUE(lookup.ok());
  EXPECT_EQ(lookup->customer->id, into);
  EXPECT_EQ(lookup->customer->visits, 2);
  EXPECT_EQ(lookup->customer->total_spend_minor, 2 * 129 + 129 + 899);
  EXPECT_EQ(Count("purchases", "customer_id = " + std::to_string(into)), 2);
  EXPECT_EQ(Text("SELECT quantity FROM customer_product_stats WHERE sku = '1001'"), "3");
  EXPECT_EQ(Count("customer_product_stats", "customer_id = " + std::to_string(from)), 0);
  EXPECT_EQ(Text("SELECT name FROM customer_details WHERE customer_id = " + std::to_string(into)),
            "bea");
  EXPECT_EQ(Text("SELECT merged_into FROM customers WHERE id = " + std::to_string(from)),
            std::to_string(into));
  EXPECT_EQ(store_->MergeCustomers(into, from, kDay3).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store_->MergeCustomers(into, into, kDay3).error().code, ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace loyalty::server

namespace loyalty::server {
namespace {

TEST_P(StoreTest, ReturnNeverRefundsMoreThanTheShopperPaid) {
  const auto card = Card("200000000051");
  const auto first = Record(MakePurchase(card, {{"3001", 1, 899}}, kDay1), kDay1);
  const auto coupon = first.ack.next_visit_coupons.at(0).coupon.id;  // 10% off MEAT
  // 2 steaks, 17.98, with a 1.80 coupon: 16.18 paid.
  const auto purchase = MakePurchase(card, {{"3001", 2, 899}}, kDay2, {{coupon, 180}});
  Record(purchase, kDay2);
  auto full_price = store_->RecordReturn(MakeReturn(purchase, {{"3001", 2, 1798}}, kDay3), kDay3);
  ASSERT_FALSE(full_price.ok());
  EXPECT_EQ(full_price.error().field, "total");
  ASSERT_TRUE(store_->RecordReturn(MakeReturn(purchase, {{"3001", 1, 899}}, kDay3), kDay3).ok());
  auto rest = store_->RecordReturn(MakeReturn(purchase, {{"3001", 1, 899}}, kDay3), kDay3);
  ASSERT_FALSE(rest.ok());  // 16.18 - 8.99 = 7.19 left
  ASSERT_TRUE(store_->RecordReturn(MakeReturn(purchase, {{"3001", 1, 719}}, kDay3), kDay3).ok());
  EXPECT_EQ(Text("SELECT total_spend_minor FROM customers"), "899");
}

TEST_P(StoreTest, ACouponSpentAgainIsAConflictNamingBothTills) {
  const CardNumber card = Card("212345678901");
  const RecordedPurchase first = Record(MakePurchase(card, {{"1002", 2, 450}}, kDay1), kDay1);
  ASSERT_EQ(first.ack.next_visit_coupons.size(), 1u);
  const Uuid coupon_id = first.ack.next_visit_coupons[0].coupon.id;
  auto at_till_one = MakePurchase(card, {{"1002", 1, 450}}, kDay2, {{coupon_id, 45, true}});
  at_till_one.terminal_id = "S001-T01";
  auto at_till_two = MakePurchase(card, {{"1002", 1, 450}}, kDay2, {{coupon_id, 45, true}});
  at_till_two.terminal_id = "S001-T02";
  Record(at_till_one, kDay3);
  Record(at_till_two, kDay3);

  EXPECT_EQ(Count("coupon_conflicts"), 1);
  EXPECT_EQ(Text("SELECT first_terminal_id || ' ' || second_terminal_id || ' ' ||"
                 " second_purchase_id || ' ' || discount_minor || ' ' || verified_offline"
                 " FROM coupon_conflicts"),
            "S001-T01 S001-T02 " + at_till_two.id.str() + " 45 1");
  // The second sale is stored whole: the shopper paid what the till charged.
  EXPECT_EQ(Count("purchases", "id = '" + at_till_two.id.str() + "'"), 1);

  // What the portal lists: the whole chain, or one store's share of it.
  const auto all = store_->ListCouponConflicts({}, 10);
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].coupon_id, coupon_id.str());
  EXPECT_EQ(all[0].first_purchase_id, at_till_one.id.str());
  EXPECT_EQ(all[0].second_terminal_id, "S001-T02");
  EXPECT_EQ(all[0].second_at, kDay2);
  EXPECT_EQ(all[0].detected_at, kDay3);
  EXPECT_EQ(all[0].discount_minor, 45);
  EXPECT_TRUE(all[0].verified_offline);
  EXPECT_EQ(store_->ListCouponConflicts({"S002", "S001"}, 10).size(), 1u);
  EXPECT_TRUE(store_->ListCouponConflicts({"S002"}, 10).empty());
  EXPECT_TRUE(store_->ListCouponConflicts({}, 0).empty());
}

TEST_P(StoreTest, CatalogCarriesTaxBarcodeAndSaleUnitAndVersionsTheirChanges) {
  auto products = DemoProducts();
  products[0].tax_rate_bp = 225;
  products[0].barcode = "4006381333931";
  products[3].sold_by = domain::SoldBy::kWeight;
  ASSERT_TRUE(store_->ImportProducts(products).ok());
  const std::int64_t version = store_->CatalogVersion();
  const auto catalog = store_->LoadCatalog(version - 1);
  ASSERT_EQ(catalog.products.size(), 2u);  // only the milk and the steak changed
  EXPECT_EQ(catalog.products[0].tax_rate_bp, 225);
  EXPECT_EQ(catalog.products[0].barcode, "4006381333931");
  EXPECT_EQ(catalog.products[1].sold_by, domain::SoldBy::kWeight);
  products[0].tax_rate_bp = 1025;  // a tax change alone is a change
  ASSERT_TRUE(store_->ImportProducts(products).ok());
  EXPECT_EQ(store_->CatalogVersion(), version + 1);
}

TEST_P(StoreTest, StoresTheWeightOfAWeighedLine) {
  auto purchase = MakePurchase(std::nullopt, {{"3001", 1, 899}}, kDay1);
  purchase.lines[0].weight_grams = 1250;
  purchase.lines[0].amount_minor = domain::LineAmountMinor(1, 899, 1250);
  purchase.total_minor = purchase.SubtotalMinor();
  Record(purchase, kDay1);
  EXPECT_EQ(Text("SELECT weight_grams || ' ' || amount_minor FROM purchase_lines"), "1250 1124");
}

TEST(SqliteMigrations, Version5RebuildsCouponsKeepingEveryRow) {
  testing::TempDir dir;
  sqlite::Connection db(dir.File("old.db"));
  const auto& all = SqliteMigrations();
  ASSERT_GE(all.size(), 5u);
  const std::vector<std::pair<std::string_view, std::string_view>> up_to_4(all.begin(),
                                                                            all.begin() + 4);
  sqlite::Migrate(db, up_to_4);
  db.Exec("INSERT INTO customers(id, created_at) VALUES (7, 1)");
  db.Exec(
      "INSERT INTO coupons(id, customer_id, card_number, campaign, title, target, target_value,"
      " discount_type, discount_value, min_spend_minor, max_discount_minor, currency, issued_at,"
      " expires_at, voided_at, void_reason) VALUES ('c1', 7, '2000000000015', 'next-visit',"
      " '10% off BREAD', 'category', 'BREAD', 'percent_off', 10, 0, 500, 'USD', 1, 2, 3, 'return')");
  sqlite::Migrate(db, all);
  auto& coupon = db.Prepared(
      "SELECT title || ' ' || voided_at || ' ' || void_reason || ' ' || get_quantity FROM coupons"
      " WHERE id = 'c1'");
  ASSERT_TRUE(coupon.Step());
  EXPECT_EQ(coupon.Text(0), "10% off BREAD 3 return 0");
  coupon.Reset();
  // The new kinds are accepted now; nonsense still is not.
  db.Exec(
      "INSERT INTO coupons(id, customer_id, card_number, campaign, title, target, target_value,"
      " discount_type, discount_value, min_spend_minor, max_discount_minor, currency, issued_at,"
      " expires_at, get_quantity) VALUES ('c2', 7, '', 'x', 'Free coffee', 'product', '822629',"
      " 'free_item', 0, 3000, 0, 'USD', 1, 2, 1)");
  EXPECT_THROW(db.Exec("UPDATE coupons SET discount_type = 'free_lunch' WHERE id = 'c2'"),
               std::exception);
}

TEST_P(StoreTest, ADisabledPortalAccountNeitherLogsInNorKeepsItsSessions) {
  ASSERT_TRUE(store_->AddStore({"S001", "Main St", "USD"}).ok());
  auto user = store_->CreatePortalUser(
      {"Sam@Example.com", "Sam", PortalRole::kStoreManager, "$scrypt$hash", {"S001"}}, kDay1);
  ASSERT_TRUE(user.ok()) << user.error().ToString();
  EXPECT_EQ(user->email, "sam@example.com");
  EXPECT_EQ(user->stores, std::vector<std::string>{"S001"});
  EXPECT_FALSE(user->disabled);
  ASSERT_TRUE(store_->CreatePortalSession({"hash1", user->id, "csrf", kDay1,
                                           kDay1 + std::chrono::hours(8), "127.0.0.1"})
                  .ok());
  EXPECT_TRUE(store_->FindPortalSession("hash1", kDay1 + std::chrono::hours(1)).ok());
  EXPECT_EQ(store_->FindPortalSession("hash1", kDay1 + std::chrono::hours(9)).error().code,
            ErrorCode::kUnauthenticated);  // expired

  database_->Exec("UPDATE portal_users SET disabled_at = 1");
  auto login = store_->PortalUserForLogin("SAM@example.com");
  ASSERT_TRUE(login.ok());
  EXPECT_TRUE(login->first.disabled);
  EXPECT_EQ(store_->FindPortalSession("hash1", kDay1 + std::chrono::hours(1)).error().code,
            ErrorCode::kUnauthenticated);
  EXPECT_EQ(store_->CreatePortalUser({"sam@example.com", "Sam", PortalRole::kAnalyst, "x", {}},
                                     kDay1)
                .error()
                .code,
            ErrorCode::kAlreadyExists);
  EXPECT_EQ(store_->CreatePortalUser({"kim@example.com", "Kim", PortalRole::kStoreManager, "x",
                                      {"S999"}},
                                     kDay1)
                .error()
                .field,
            "stores");
}

TEST_P(StoreTest, ABarcodeNamesOneProductAcrossImports) {
  auto products = DemoProducts();
  products[0].barcode = "4006381333931";
  ASSERT_TRUE(store_->ImportProducts(products).ok());
  const std::int64_t version = store_->CatalogVersion();
  auto clash = DemoProducts();
  clash[0].barcode = "4006381333931";
  clash[1].barcode = "4006381333931";  // the cheddar takes the milk's code
  clash[2].price_minor = 1;            // a change that must not land half-way
  auto refused = store_->ImportProducts(clash);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().message,
            "barcode 4006381333931 of sku 1002 is already on sku 1001");
  EXPECT_EQ(store_->CatalogVersion(), version);
  EXPECT_EQ(Text("SELECT price_minor FROM products WHERE sku = '2001'"), "249");
}

TEST_P(StoreTest, ScanPurchaseHistoryGivesEveryCardholdersLineBeforeTheCutOff) {
  const auto ada = Card("212345678901");
  const auto bob = Card("298765432109");
  const auto first = MakePurchase(ada, {{"1001", 2, 129}, {"2001", 1, 249}}, kDay1);
  const auto anonymous = MakePurchase(std::nullopt, {{"3001", 1, 899}}, kDay1);
  const auto second = MakePurchase(bob, {{"9999", 1, 100}}, kDay1 + std::chrono::hours(1));
  const auto late = MakePurchase(ada, {{"1002", 1, 450}}, kDay2);
  for (const auto* purchase : {&first, &anonymous, &second, &late}) Record(*purchase, kDay2);

  std::vector<HistoryLine> lines;
  store_->ScanPurchaseHistory(kDay2, [&](const HistoryLine& line) { lines.push_back(line); });
  ASSERT_EQ(lines.size(), 3u);  // no sale without a card, nothing at or after the cut-off
  EXPECT_EQ(lines[0].purchase_id, first.id.str());
  EXPECT_EQ(lines[0].sku, "1001");
  EXPECT_EQ(lines[0].category, "DAIRY");
  EXPECT_EQ(lines[0].quantity, 2);
  EXPECT_EQ(lines[0].amount_minor, 258);
  EXPECT_EQ(lines[0].occurred_at, kDay1);
  EXPECT_EQ(lines[1].sku, "2001");
  EXPECT_EQ(lines[1].customer_id, lines[0].customer_id);
  EXPECT_EQ(lines[2].purchase_id, second.id.str());
  EXPECT_EQ(lines[2].category, "");  // not in the catalog: kept, with no category
  EXPECT_NE(lines[2].customer_id, lines[0].customer_id);

  domain::CustomerDetails details;
  details.name = "Ada";
  details.birthday = "1990-12-10";
  ASSERT_TRUE(store_->RegisterCustomer(ada, details, kDay2).ok());
  EXPECT_EQ(store_->ListBirthdays(),
            (std::vector<std::pair<std::int64_t, std::string>>{{lines[0].customer_id,
                                                                "1990-12-10"}}));

  std::size_t all = 0;
  store_->ScanPurchaseHistory(kDay2 + std::chrono::seconds(1), [&](const HistoryLine&) { ++all; });
  EXPECT_EQ(all, 4u);
}

TEST_P(StoreTest, ScanPurchaseHistoryKeysGivesTheSameLinesUnderEachPurchasesSequence) {
  RecordScannedHistory();

  std::vector<HistoryLine> lines;
  store_->ScanPurchaseHistory(kDay2, [&](const HistoryLine& line) { lines.push_back(line); });
  struct Seen {
    std::int64_t customer_id, seq, occurred_at, quantity, amount_minor;
    std::string sku, category;
  };
  std::vector<Seen> keyed;
  store_->ScanPurchaseHistoryKeys(kDay2, [&](const HistoryKeyLine& line) {
    keyed.push_back({line.customer_id, line.purchase_seq, line.occurred_at, line.quantity,
                     line.amount_minor, std::string(line.sku), std::string(line.category)});
  });
  ASSERT_EQ(lines.size(), 5u);
  ASSERT_EQ(keyed.size(), lines.size());
  for (std::size_t i = 0; i < lines.size(); ++i) {
    EXPECT_EQ(keyed[i].customer_id, lines[i].customer_id) << i;
    EXPECT_EQ(keyed[i].occurred_at, ToUnixSeconds(lines[i].occurred_at)) << i;
    EXPECT_EQ(keyed[i].sku, lines[i].sku) << i;
    EXPECT_EQ(keyed[i].category, lines[i].category) << i;
    EXPECT_EQ(keyed[i].quantity, lines[i].quantity) << i;
    EXPECT_EQ(keyed[i].amount_minor, lines[i].amount_minor) << i;
    // One sequence number per purchase, growing in the order purchases were stored.
    if (i > 0) {
      EXPECT_EQ(keyed[i].seq == keyed[i - 1].seq,
                lines[i].purchase_id == lines[i - 1].purchase_id) << i;
      EXPECT_GE(keyed[i].seq, keyed[i - 1].seq) << i;
    }
  }
  EXPECT_EQ(keyed[4].category, "DAIRY");
}

TEST_P(StoreTest, ScanPurchaseHistoryKeyRangesGivesEachRangesLinesInTheScansOrder) {
  RecordScannedHistory();

  const auto text = [](const HistoryKeyLine& line) {
    return std::to_string(line.customer_id) + "/" + std::to_string(line.purchase_seq) + "/" +
           std::string(line.sku) + "/" + std::string(line.category) + "/" +
           std::to_string(line.quantity) + "/" + std::to_string(line.amount_minor) + "/" +
           std::to_string(line.occurred_at);
  };
  std::vector<std::string> scanned;
  store_->ScanPurchaseHistoryKeys(
      kDay2, [&](const HistoryKeyLine& line) { scanned.push_back(text(line)); });
  ASSERT_EQ(scanned.size(), 5u);

  const std::int64_t end = store_->PurchaseSeqEnd();
  // Every purchase's sequence is below the end, and the end is one past the last.
  std::int64_t last_seq = 0;
  store_->ScanPurchaseHistoryKeys(kDay2 + std::chrono::hours(1), [&](const HistoryKeyLine& line) {
    last_seq = std::max(last_seq, line.purchase_seq);
  });
  EXPECT_EQ(end, last_seq + 1);

  // Ranges of one sequence each, and one over everything: the same lines, the same order,
  // each range's end reported after its lines.
  for (const std::int64_t width : {std::int64_t{1}, std::int64_t{2}, end}) {
    std::vector<Store::PurchaseSeqRange> ranges;
    for (std::int64_t from = 0; from < end; from += width) {
      ranges.push_back({from, std::min(end, from + width)});
    }
    std::vector<std::string> read;
    std::vector<std::size_t> ends;
    store_->ScanPurchaseHistoryKeyRanges(
        kDay2, ranges, [&](const HistoryKeyLine& line) { read.push_back(text(line)); },
        [&] { ends.push_back(read.size()); });
    EXPECT_EQ(read, scanned) << width;
    ASSERT_EQ(ends.size(), ranges.size()) << width;
    EXPECT_EQ(ends.back(), read.size()) << width;
  }

  // Ranges around Bob's purchase: everyone's lines but his.
  std::int64_t bobs = 0;
  std::vector<std::string> expected;
  store_->ScanPurchaseHistoryKeys(kDay2, [&](const HistoryKeyLine& line) {
    if (line.sku == "9999") {
      bobs = line.purchase_seq;
    } else {
      expected.push_back(text(line));
    }
  });
  ASSERT_GT(bobs, 0);
  std::vector<std::string> around;
  store_->ScanPurchaseHistoryKeyRanges(
      kDay2, {{0, bobs}, {bobs + 1, end}},
      [&](const HistoryKeyLine& line) { around.push_back(text(line)); }, {});
  EXPECT_EQ(around, expected);
  EXPECT_EQ(around.size(), scanned.size() - 1);
}

TEST_P(StoreTest, SegmentsSkipUnknownAndErasedCustomers) {
  std::vector<std::int64_t> ids;
  for (const char* number : {"212345678901", "298765432109", "299999999999"}) {
    ids.push_back(*Record(MakePurchase(Card(number), {{"1001", 1, 129}}, kDay1), kDay1)
                       .ack.customer_id);
  }
  ASSERT_TRUE(store_->EraseCustomer(ids[2], kDay2).value());
  // Unknown customers among them, as a nightly run's history holds merged-away ids.
  std::vector<CustomerSegmentRow> segments;
  for (std::int64_t n = 0; n < 700; ++n) segments.push_back({1'000'000 + n, "champions", {}});
  segments[0] = {ids[0], "champions", {}};
  segments[340] = {ids[1], "at_risk", {}};
  segments[699] = {ids[2], "lost", {}};
  ASSERT_TRUE(store_->SetCustomerSegments(segments, kDay2).ok());
  EXPECT_EQ(Text("SELECT segment FROM customers WHERE id = " + std::to_string(ids[0])),
            "champions");
  EXPECT_EQ(Text("SELECT segment FROM customers WHERE id = " + std::to_string(ids[1])),
            "at_risk");
  EXPECT_EQ(Count("customers", "id = " + std::to_string(ids[2]) + " AND segment IS NULL"), 1);
  EXPECT_EQ(Count("customers", "segment IS NOT NULL"), 2);

  // A rerun with one customer moved changes that one row.
  segments[340].segment = "lost";
  ASSERT_TRUE(store_->SetCustomerSegments(segments, kDay2).ok());
  EXPECT_EQ(Text("SELECT segment FROM customers WHERE id = " + std::to_string(ids[1])), "lost");
  EXPECT_EQ(Text("SELECT segment FROM customers WHERE id = " + std::to_string(ids[0])),
            "champions");
}

}  // namespace
}  // namespace loyalty::server

namespace loyalty::server {
namespace {

CampaignOfferRecord Offer(std::int64_t customer_id, std::int64_t rank, bool control,
                          const std::string& run_date = "2026-12-04") {
  CampaignOfferRecord offer;
  offer.run_date = run_date;
  offer.campaign_id = "winback";
  offer.customer_id = customer_id;
  offer.offer_rank = rank;
  offer.sku = "1002";
  offer.control = control;
  offer.depth_percent = 15;
  offer.discount_minor = 67;
  offer.probability = 0.1;
  offer.probability_with_coupon = 0.19;
  offer.expected_cost_minor = 12.73;
  offer.expected_value_minor = 4.5;
  if (!control) {
    domain::Coupon coupon;
    coupon.customer_id = customer_id;
    coupon.campaign = "winback";
    coupon.title = "15% off Cheddar";
    coupon.target = domain::CouponTarget::kProduct;
    coupon.target_value = "1002";
    coupon.discount_value = 15;
    coupon.issued_at = kDay2;
    coupon.expires_at = kDay2 + std::chrono::days(14);
    offer.coupon = coupon;
  }
  return offer;
}

TEST_P(StoreTest, CampaignOffersAreStoredOnceAndIssueTheTreatedOnesCoupons) {
  const auto ada_card = Card("212345678901");
  Record(MakePurchase(ada_card, {{"1001", 1, 129}}, kDay1), kDay1);
  Record(MakePurchase(Card("298765432109"), {{"1001", 1, 129}}, kDay1), kDay1);
  const std::int64_t ada = store_->LookupCard(ada_card, kDay1).value().customer.value().id;
  const std::int64_t bob = ada == 1 ? 2 : 1;
  const std::int64_t coupons_before = Count("coupons");

  ASSERT_TRUE(store_->StartBatchRun("2026-12-04", kDay2).ok());
  const auto first = store_->RecordCampaignOffers({Offer(ada, 0, false), Offer(bob, 0, true)}, kDay2);
  ASSERT_TRUE(first.ok()) << first.error().ToString();
  EXPECT_EQ(first.value().stored, 2);
  EXPECT_EQ(first.value().coupons_issued, 1);
  EXPECT_EQ(Count("coupons"), coupons_before + 1);
  EXPECT_EQ(Text("SELECT card_number FROM coupons WHERE campaign = 'winback'"),
            ada_card.digits());
  // The customer's next card lookup shows the coupon.
  const auto lookup = store_->LookupCard(ada_card, kDay2).value();
  EXPECT_TRUE(std::any_of(lookup.coupons.begin(), lookup.coupons.end(),
                          [](const auto& issued) { return issued.coupon.campaign == "winback"; }));

  // A rerun of the date (new coupon ids, same keys) stores and issues nothing.
  const auto again = store_->RecordCampaignOffers({Offer(ada, 0, false), Offer(bob, 0, true)}, kDay2);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again.value().stored, 0);
  EXPECT_EQ(again.value().already_present, 2);
  EXPECT_EQ(Count("coupons"), coupons_before + 1);
  EXPECT_EQ(Count("campaign_offers"), 2);

  // Another date's offers count as given out before it: the held-out ones against the
  // per-customer cap only.
  ASSERT_TRUE(store_->RecordCampaignOffers({Offer(ada, 0, false, "2026-12-05")}, kDay3).ok());
  const auto issuance = store_->CampaignIssuanceExcept("2026-12-05");
  ASSERT_EQ(issuance.count("winback"), 1u);
  EXPECT_EQ(issuance.at("winback").issued, 1);
  EXPECT_NEAR(issuance.at("winback").spent_minor, 12.73, 1e-9);
  auto per_customer = issuance.at("winback").per_customer;
  std::sort(per_customer.begin(), per_customer.end());
  EXPECT_EQ(per_customer,
            (std::vector<std::pair<std::int64_t, std::int64_t>>{{std::min(ada, bob), 1},
                                                                {std::max(ada, bob), 1}}));

  const auto unknown = store_->RecordCampaignOffers({Offer(999, 0, false)}, kDay2);
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(Count("campaign_offers"), 3);  // nothing of the refused call

  // The report's view: Ada redeems her coupon within the window; Bob, held out, shops
  // once within it and once after it.
  const auto coupon_id = Uuid::Parse(Text("SELECT id FROM coupons WHERE campaign = 'winback'"));
  ASSERT_TRUE(coupon_id.ok());
  Record(MakePurchase(ada_card, {{"1002", 1, 450}}, At("2026-12-06T10:00:00Z"),
                      {{*coupon_id, 67}}),
         At("2026-12-06T10:00:00Z"));
  const auto bob_card = Card("298765432109");
  Record(MakePurchase(bob_card, {{"1001", 2, 129}}, At("2026-12-07T10:00:00Z")),
         At("2026-12-07T10:00:00Z"));
  Record(MakePurchase(bob_card, {{"1001", 1, 129}}, At("2026-12-30T10:00:00Z")),
         At("2026-12-30T10:00:00Z"));
  const auto outcomes = store_->CampaignOutcomes("winback", std::chrono::days(14));
  ASSERT_EQ(outcomes.size(), 2u);
  const auto& ada_outcome = outcomes[0].customer_id == ada ? outcomes[0] : outcomes[1];
  const auto& bob_outcome = outcomes[0].customer_id == ada ? outcomes[1] : outcomes[0];
  EXPECT_FALSE(ada_outcome.control);
  EXPECT_EQ(ada_outcome.offers, 2);  // 2026-12-04 and 2026-12-05
  EXPECT_EQ(ada_outcome.coupons_issued, 2);
  EXPECT_EQ(ada_outcome.coupons_redeemed, 1);
  EXPECT_EQ(ada_outcome.visits, 1);
  EXPECT_EQ(ada_outcome.sales_minor, 450 - 67);
  EXPECT_EQ(ada_outcome.discount_minor, 67);
  EXPECT_TRUE(bob_outcome.control);
  EXPECT_EQ(bob_outcome.coupons_issued, 0);
  EXPECT_EQ(bob_outcome.visits, 1);  // 2026-12-30 is after 2026-12-04 + 14 days
  EXPECT_EQ(bob_outcome.sales_minor, 258);

  ASSERT_TRUE(store_->FinishBatchRun("2026-12-04", {{"coupons", 1}}, kDay3).ok());
  const auto run = store_->FindBatchRun("2026-12-04");
  ASSERT_TRUE(run.has_value());
  EXPECT_EQ(run->started_at, kDay2);
  EXPECT_EQ(run->finished_at, kDay3);
  EXPECT_EQ(run->summary["coupons"], 1);
  EXPECT_FALSE(store_->FindBatchRun("2026-12-06").has_value());
  EXPECT_FALSE(store_->FinishBatchRun("2026-12-06", {}, kDay3).ok());
}

}  // namespace
}  // namespace loyalty::server
