// The portal's customer pages through Store, on both engines: the list's search keys,
// filters, stable keyset pages and store scoping; one customer's page; the contact log;
// erasure.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>

#include "storage/open_store.h"
#include "support/temp_dir.h"
#include "support/test_database.h"
#include "targeting/next_visit_planner.h"

namespace loyalty::server {
namespace {

Timestamp At(const char* text) { return ParseIso8601(text).value(); }

const Timestamp kDay1 = At("2026-11-23T10:00:00Z");
const Timestamp kDay2 = At("2026-11-25T10:00:00Z");
const Timestamp kDay3 = At("2026-11-27T10:00:00Z");

const crypto::SigningKey& Key() {
  static const crypto::SigningKey key = crypto::SigningKey::Generate();
  return key;
}

CardNumber Card(int n) {
  std::string body = std::to_string(n);
  return CardNumber::FromBody("2" + std::string(11 - body.size(), '0') + body).value();
}

class PortalCustomersTest : public ::testing::TestWithParam<testing::Engine> {
 protected:
  void SetUp() override {
    database_ = std::make_unique<testing::TestDatabase>(GetParam(), dir_);
    store_ = OpenStore(ParseStoreUrl(database_->url(), "url").value(), planner_, Key());
    ASSERT_TRUE(store_
                    ->ImportProducts({{"1001", "Whole milk", "GROCERY", "DAIRY", "MILK", "Farm",
                                       "1 L", 129, true},
                                      {"3001", "Steak", "MEAT", "MEAT", "BEEF", "Ranch", "500 G",
                                       899, true}})
                    .ok());
  }

  // A purchase of `quantity` steaks by card `n` in `store_id`; returns the customer id.
  std::int64_t Buy(int n, const std::string& store_id, Timestamp at, std::int64_t quantity = 1) {
    domain::Purchase purchase;
    purchase.store_id = store_id;
    purchase.terminal_id = "T01";
    purchase.card = Card(n);
    purchase.occurred_at = at;
    purchase.lines.push_back({"3001", quantity, 899, quantity * 899});
    purchase.total_minor = purchase.SubtotalMinor();
    auto recorded = store_->RecordPurchase(purchase, at);
    EXPECT_TRUE(recorded.ok()) << recorded.error().ToString();
    return recorded.ok() ? recorded->ack.customer_id.value_or(0) : 0;
  }

  std::int64_t Register(int n, const char* name, const char* email, const char* phone) {
    domain::CustomerDetails details;
    details.name = name;
    details.email = email;
    details.phone = phone;
    details.consent_email = true;
    auto id = store_->RegisterCustomer(Card(n), details, kDay1);
    EXPECT_TRUE(id.ok());
    return id.ok() ? *id : 0;
  }

  std::vector<std::int64_t> Ids(const CustomerListQuery& query) {
    auto page = store_->ListCustomers(query);
    EXPECT_TRUE(page.ok()) << page.error().ToString();
    std::vector<std::int64_t> ids;
    if (page.ok()) {
      for (const auto& row : page->rows) ids.push_back(row.id);
    }
    return ids;
  }

  std::int64_t Count(const std::string& sql) { return database_->Int(sql); }

  testing::TempDir dir_;
  std::unique_ptr<testing::TestDatabase> database_;
  TopCategoryPlanner planner_;
  std::unique_ptr<Store> store_;
};

INSTANTIATE_TEST_SUITE_P(Engines, PortalCustomersTest,
                         ::testing::Values(testing::Engine::kSqlite, testing::Engine::kPostgres),
                         [](const auto& engine) { return testing::EngineName(engine.param); });

TEST_P(PortalCustomersTest, SearchFindsByNameEmailCardAndPhone) {
  const auto ada = Buy(1, "S001", kDay1);
  Register(1, "Ada Lovelace", "Ada@Example.com", "+44 20 7946-0001");
  const auto grace = Buy(2, "S001", kDay2);
  Register(2, "Grace Hopper", "grace@navy.mil", "555 0102");
  Buy(3, "S001", kDay3);  // never registered

  CustomerListQuery query;
  query.text = "ada";
  EXPECT_EQ(Ids(query), std::vector<std::int64_t>{ada});
  query.text = "LOVE";  // inside the name, any case
  EXPECT_TRUE(Ids(query).empty());
  query.contains = true;
  EXPECT_EQ(Ids(query), std::vector<std::int64_t>{ada});
  query = {};
  query.text = "ada@ex";
  EXPECT_EQ(Ids(query), std::vector<std::int64_t>{ada});
  query.text = Card(2).digits();
  EXPECT_EQ(Ids(query), std::vector<std::int64_t>{grace});
  query.text = "44 20 7946 0001";  // typed otherwise than at registration
  EXPECT_EQ(Ids(query), std::vector<std::int64_t>{ada});
  query.text = "%";  // not a wildcard
  query.contains = true;
  EXPECT_TRUE(Ids(query).empty());
}

TEST_P(PortalCustomersTest, PagesAreStableAndFiltersNarrow) {
  std::vector<std::int64_t> customers;
  for (int n = 1; n <= 7; ++n) {
    // Ties on last visit and spend: the id must break them.
    customers.push_back(Buy(n, n % 2 == 0 ? "S002" : "S001", n <= 4 ? kDay1 : kDay2, n % 3 + 1));
  }
  for (const auto sort : {CustomerSort::kLastVisit, CustomerSort::kSpend, CustomerSort::kVisits}) {
    for (const bool descending : {true, false}) {
      CustomerListQuery query;
      query.sort = sort;
      query.descending = descending;
      query.limit = 3;
      std::vector<std::int64_t> seen;
      for (int page_no = 0; page_no < 5; ++page_no) {
        auto page = store_->ListCustomers(query);
        ASSERT_TRUE(page.ok());
        EXPECT_EQ(page->total, 7);
        for (const auto& row : page->rows) seen.push_back(row.id);
        if (!page->next) break;
        query.after = page->next;
      }
      EXPECT_EQ(seen.size(), 7u);
      EXPECT_EQ(std::set<std::int64_t>(seen.begin(), seen.end()).size(), 7u);
    }
  }
  CustomerListQuery in_s002;
  in_s002.stores = {"S002"};
  EXPECT_EQ(Ids(in_s002).size(), 3u);
  CustomerListQuery lapsed;
  lapsed.last_visit_before = kDay2;
  EXPECT_EQ(Ids(lapsed).size(), 4u);
  CustomerListQuery big_spenders;
  big_spenders.min_spend_minor = 3 * 899;
  EXPECT_EQ(Ids(big_spenders).size(), 2u);  // n = 2 and 5
  ASSERT_EQ(Count("SELECT COUNT(*) FROM customer_stores"), 7);
}

TEST_P(PortalCustomersTest, SortsByNameAndFiltersBySegment) {
  const auto zed = Buy(1, "S001", kDay1);
  Register(1, "zed", "zed@example.com", "555 0001");
  const auto amy = Buy(2, "S001", kDay1);
  Register(2, "Amy", "amy@example.com", "555 0002");
  CustomerListQuery by_name;
  by_name.sort = CustomerSort::kName;
  by_name.descending = false;
  by_name.limit = 1;
  auto first = store_->ListCustomers(by_name);
  ASSERT_TRUE(first.ok() && first->next);
  EXPECT_EQ(first->rows.at(0).id, amy);
  by_name.after = first->next;
  EXPECT_EQ(Ids(by_name), std::vector<std::int64_t>{zed});

  database_->Exec("UPDATE customers SET segment = 'loyal' WHERE id = " + std::to_string(zed));
  CustomerListQuery loyal;
  loyal.segment = "loyal";
  EXPECT_EQ(Ids(loyal), std::vector<std::int64_t>{zed});
}

TEST_P(PortalCustomersTest, CustomerPageHoldsProfileCardsStoresAndCoupons) {
  const auto id = Buy(1, "S001", kDay1, 2);
  Buy(1, "S002", kDay3, 1);
  Register(1, "Ada", "ada@example.com", "555 0001");
  ASSERT_TRUE(store_->ReplaceCard(Card(1), Card(9), kDay3).ok());
  auto record = store_->FindCustomer(id, kDay3);
  ASSERT_TRUE(record.ok()) << record.error().ToString();
  EXPECT_EQ(record->visits, 2);
  EXPECT_EQ(record->total_spend_minor, 3 * 899);
  ASSERT_TRUE(record->details.has_value());
  EXPECT_EQ(record->details->name, "Ada");
  EXPECT_TRUE(record->details->consent_email);
  ASSERT_EQ(record->cards.size(), 2u);
  EXPECT_TRUE(record->cards[0].blocked);
  EXPECT_EQ(record->cards[0].replaced_by, Card(9).digits());
  ASSERT_EQ(record->stores.size(), 2u);
  EXPECT_EQ(record->favourite_categories.at(0).first, "MEAT");
  EXPECT_EQ(record->favourite_products.at(0).name, "Steak");
  EXPECT_EQ(record->coupons.issued, record->coupons.live + record->coupons.expired +
                                        record->coupons.redeemed + record->coupons.voided);

  auto newest = store_->ListCustomerPurchases(id, std::nullopt, 1);
  ASSERT_TRUE(newest.ok());
  ASSERT_EQ(newest->size(), 1u);
  EXPECT_EQ(newest->at(0).store_id, "S002");
  EXPECT_EQ(newest->at(0).lines.at(0).sku, "3001");
  auto older = store_->ListCustomerPurchases(id, newest->at(0).seq, 10);
  ASSERT_TRUE(older.ok());
  ASSERT_EQ(older->size(), 1u);
  EXPECT_EQ(older->at(0).store_id, "S001");
  EXPECT_EQ(store_->FindCustomer(9999, kDay3).error().code, ErrorCode::kNotFound);
}

TEST_P(PortalCustomersTest, ContactLogFlagsOverdueFollowUpsUntilDone) {
  const auto id = Buy(1, "S001", kDay1);
  const auto other = Buy(2, "S002", kDay1);
  auto note = store_->AddCustomerContact({id, ContactKind::kNote, "asked about gluten", {}, {}},
                                         kDay1);
  ASSERT_TRUE(note.ok()) << note.error().ToString();
  auto complaint =
      store_->AddCustomerContact({id, ContactKind::kComplaint, "cold steak", {}, kDay2}, kDay1);
  ASSERT_TRUE(complaint.ok());
  ASSERT_TRUE(
      store_->AddCustomerContact({other, ContactKind::kNote, "call back", {}, kDay3}, kDay1).ok());
  EXPECT_FALSE(complaint->Overdue(kDay1));
  EXPECT_TRUE(complaint->Overdue(kDay3));

  auto overdue = store_->ListFollowUps({}, true, kDay3, 10);
  ASSERT_EQ(overdue.size(), 1u);
  EXPECT_EQ(overdue[0].id, complaint->id);
  EXPECT_EQ(store_->ListFollowUps({}, false, kDay3, 10).size(), 2u);
  EXPECT_EQ(store_->ListFollowUps({"S002"}, false, kDay3, 10).size(), 1u);

  auto done = store_->CloseCustomerContact(id, complaint->id, std::nullopt, kDay3);
  ASSERT_TRUE(done.ok());
  EXPECT_TRUE(done->done_at.has_value());
  EXPECT_TRUE(store_->ListFollowUps({}, true, kDay3, 10).empty());
  EXPECT_EQ(store_->CloseCustomerContact(other, complaint->id, std::nullopt, kDay3).error().code,
            ErrorCode::kNotFound);
  EXPECT_EQ(store_->ListCustomerContacts(id).size(), 2u);
  EXPECT_EQ(store_->AddCustomerContact({999, ContactKind::kNote, "x", {}, {}}, kDay1).error().code,
            ErrorCode::kNotFound);
}

TEST_P(PortalCustomersTest, MergeMovesStoreVisitsAndContacts) {
  const auto into = Buy(1, "S001", kDay1);
  const auto from = Buy(2, "S002", kDay2);
  ASSERT_TRUE(store_->AddCustomerContact({from, ContactKind::kNote, "n", {}, {}}, kDay2).ok());
  ASSERT_TRUE(store_->MergeCustomers(into, from, kDay3).ok());
  CustomerListQuery in_s002;
  in_s002.stores = {"S002"};
  EXPECT_EQ(Ids(in_s002), std::vector<std::int64_t>{into});
  EXPECT_EQ(store_->ListCustomerContacts(into).size(), 1u);
}

TEST_P(PortalCustomersTest, ErasureKeepsPurchasesAnonymousAndIsHarmlessTwice) {
  const auto id = Buy(1, "S001", kDay1);
  Buy(1, "S001", kDay2);
  Register(1, "Ada", "ada@example.com", "555 0001");
  ASSERT_TRUE(store_->AddCustomerContact({id, ContactKind::kComplaint, "lives at 1 Main St", {},
                                          {}},
                                         kDay2)
                  .ok());
  auto erased = store_->EraseCustomer(id, kDay3);
  ASSERT_TRUE(erased.ok()) << erased.error().ToString();
  EXPECT_TRUE(*erased);

  const std::string of = " WHERE customer_id = " + std::to_string(id);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM purchases" + of), 2);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM purchases" + of + " AND card_number IS NOT NULL"), 0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM customer_details" + of), 0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM cards" + of), 0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM coupons" + of + " AND card_number <> ''"), 0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM customer_contacts" + of + " AND body <> ''"), 0);
  auto record = store_->FindCustomer(id, kDay3);
  ASSERT_TRUE(record.ok());
  EXPECT_TRUE(record->erased_at.has_value());
  EXPECT_FALSE(record->details.has_value());
  EXPECT_EQ(record->visits, 2);  // the reports' figures stay

  auto again = store_->EraseCustomer(id, kDay3);
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(*again);
  // The card, swiped again, is a stranger now.
  EXPECT_NE(Buy(1, "S001", kDay3), id);
  EXPECT_EQ(store_->EraseCustomer(9999, kDay3).error().code, ErrorCode::kNotFound);
}

}  // namespace
}  // namespace loyalty::server

namespace loyalty::server {
namespace {

// `match=contains` (migration 0015): each word typed starts a word of the name, in any
// order, case and accents folded, the same on both engines; the index follows every
// change of a name.
TEST_P(PortalCustomersTest, WordSearchFoldsCaseAndAccentsAndFollowsChanges) {
  const auto jose = Buy(1, "S001", kDay1);
  Register(1, "José Ruiz", "j@example.com", "555 0001");
  const auto angela = Buy(2, "S001", kDay1);
  Register(2, "Ängela Smith-Jones", "a@example.com", "555 0002");
  const auto emile = Buy(3, "S001", kDay1);
  Register(3, "ÉMILE Zola", "e@example.com", "555 0003");
  const auto sean = Buy(4, "S001", kDay1);
  Register(4, "Sean O'Brien", "s@example.com", "555 0004");
  const auto bjorn = Buy(5, "S001", kDay1);
  Register(5, "Bjørn Berg", "b@example.com", "555 0005");
  const auto words = [this](const char* text) {
    CustomerListQuery query;
    query.text = text;
    query.contains = true;
    auto ids = Ids(query);
    return std::set<std::int64_t>(ids.begin(), ids.end());
  };
  using Found = std::set<std::int64_t>;
  EXPECT_EQ(words("jose"), Found{jose});
  EXPECT_EQ(words("JOSÉ"), Found{jose});
  EXPECT_EQ(words("ruiz jo"), Found{jose});  // any order
  EXPECT_EQ(words("ru"), Found{jose});        // a word's start
  EXPECT_EQ(words("uiz"), Found{});           // not a word's start
  EXPECT_EQ(words("jose zola"), Found{});     // every word must match
  EXPECT_EQ(words("angela"), Found{angela});
  EXPECT_EQ(words("jones"), Found{angela});
  EXPECT_EQ(words("smith-jo"), Found{angela});
  EXPECT_EQ(words("émi"), Found{emile});
  EXPECT_EQ(words("Emile"), Found{emile});
  EXPECT_EQ(words("brien"), Found{sean});
  EXPECT_EQ(words("o'brien"), Found{sean});
  EXPECT_EQ(words("bjørn"), Found{bjorn});
  // ø is a letter of its own for both engines, not an o with an accent.
  EXPECT_EQ(words("bjorn"), Found{});
  EXPECT_EQ(words("\"*"), Found{});  // neither engine's query syntax
  EXPECT_EQ(words("b"), (Found{sean, bjorn}));

  // A name changed is found by its new words only.
  domain::CustomerDetails renamed;
  renamed.name = "Josefa Núñez";
  ASSERT_TRUE(store_->RegisterCustomer(Card(1), renamed, kDay2).ok());
  EXPECT_EQ(words("ruiz"), Found{});
  EXPECT_EQ(words("nunez jos"), Found{jose});

  // Erased: no longer found.
  ASSERT_TRUE(store_->EraseCustomer(emile, kDay2).ok());
  EXPECT_EQ(words("zola"), Found{});

  // Merged: the one left keeps its own name; the other's name finds nobody.
  ASSERT_TRUE(store_->MergeCustomers(angela, sean, kDay3).ok());
  EXPECT_EQ(words("brien"), Found{});
  EXPECT_EQ(words("angela"), Found{angela});
  // One never registered takes the other's name along.
  const auto stranger = Buy(6, "S002", kDay2);
  ASSERT_TRUE(store_->MergeCustomers(stranger, bjorn, kDay3).ok());
  EXPECT_EQ(words("berg"), Found{stranger});
}

}  // namespace
}  // namespace loyalty::server

namespace loyalty::server {
namespace {

// The nightly run's lapse risk in the list: a band filters (each bound as
// targeting::LapseRiskBand places it), the sort pages by risk with ties broken by id, and
// customers the run has not scored are in neither (but in every other list, with no risk).
TEST_P(PortalCustomersTest, FiltersByLapseRiskBandAndSortsByLapseRisk) {
  std::vector<std::int64_t> ids;
  for (int n = 1; n <= 8; ++n) ids.push_back(Buy(n, n % 2 == 0 ? "S002" : "S001", kDay1));
  const std::vector<double> risks = {0.1, 0.7, 0.6999999, 0.95, 0.9, 0.95, 0.3};
  std::vector<CustomerFeaturesRecord> rows;
  std::map<std::int64_t, double> risk_of;
  for (std::size_t i = 0; i < risks.size(); ++i) {
    risk_of[ids[i]] = risks[i];
    CustomerFeaturesRecord row;
    row.customer_id = ids[i];
    row.run_date = "2026-11-28";
    row.visits = 1;
    row.last_visit_at = kDay1;
    row.days_between_visits = 7;
    row.lapse_risk = risks[i];
    row.next_visit_at = kDay2;
    rows.push_back(row);
  }
  ASSERT_TRUE(store_->WriteCustomerFeatures(rows).ok());
  const std::int64_t unscored = ids[7];

  const auto band = [&](LapseRiskBand value, std::vector<std::string> stores = {}) {
    CustomerListQuery query;
    query.lapse_risk_band = value;
    query.stores = std::move(stores);
    auto page = store_->ListCustomers(query);
    EXPECT_TRUE(page.ok());
    std::set<std::int64_t> found;
    if (!page.ok()) return found;
    for (const auto& row : page->rows) found.insert(row.id);
    EXPECT_EQ(page->total, static_cast<std::int64_t>(found.size()));
    return found;
  };
  EXPECT_EQ(band(LapseRiskBand::kLow), (std::set<std::int64_t>{ids[0], ids[2], ids[6]}));
  EXPECT_EQ(band(LapseRiskBand::kMedium), (std::set<std::int64_t>{ids[1]}));
  EXPECT_EQ(band(LapseRiskBand::kHigh), (std::set<std::int64_t>{ids[3], ids[4], ids[5]}));
  EXPECT_EQ(band(LapseRiskBand::kHigh, {"S002"}), (std::set<std::int64_t>{ids[3], ids[5]}));

  for (const bool descending : {true, false}) {
    CustomerListQuery query;
    query.sort = CustomerSort::kLapseRisk;
    query.descending = descending;
    query.limit = 2;
    std::vector<std::int64_t> seen;
    std::vector<double> seen_risks;
    for (int page_no = 0; page_no < 6; ++page_no) {
      auto page = store_->ListCustomers(query);
      ASSERT_TRUE(page.ok()) << page.error().ToString();
      EXPECT_EQ(page->total, 7);
      for (const auto& row : page->rows) {
        seen.push_back(row.id);
        ASSERT_TRUE(row.lapse_risk.has_value());
        seen_risks.push_back(*row.lapse_risk);
      }
      if (!page->next) break;
      query.after = page->next;
    }
    std::vector<std::int64_t> expected = {ids[0], ids[6], ids[2], ids[1],
                                          ids[4], ids[3], ids[5]};
    if (descending) std::reverse(expected.begin(), expected.end());
    EXPECT_EQ(seen, expected) << (descending ? "descending" : "ascending");
    EXPECT_EQ(std::find(seen.begin(), seen.end(), unscored), seen.end());
    EXPECT_DOUBLE_EQ(seen_risks.front(), descending ? 0.95 : 0.1);
  }

  // Every other list shows each row's risk, or none for a customer not scored.
  CustomerListQuery everybody;
  auto page = store_->ListCustomers(everybody);
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->total, 8);
  for (const auto& row : page->rows) {
    if (row.id == unscored) {
      EXPECT_FALSE(row.lapse_risk.has_value());
    } else {
      ASSERT_TRUE(row.lapse_risk.has_value()) << row.id;
      EXPECT_DOUBLE_EQ(*row.lapse_risk, risk_of.at(row.id));
    }
  }
}

}  // namespace
}  // namespace loyalty::server
