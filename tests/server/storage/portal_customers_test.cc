// The portal's customer pages through Store, on both engines: the list's search keys,
// filters, stable keyset pages and store scoping; one customer's page; the contact log;
// erasure.
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <map>
#include <set>
#include <tuple>

#include "storage/open_store.h"
#include "support/temp_dir.h"
#include "support/test_database.h"
#include "targeting/customer_features.h"
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
    row.run_date = "2026-11-25";  // the night of kDay2, whose bands are written below
    row.visits = 1;
    row.last_visit_at = kDay1;
    row.days_between_visits = 7;
    row.lapse_risk = risks[i];
    row.next_visit_at = kDay2;
    rows.push_back(row);
  }
  ASSERT_TRUE(store_->WriteCustomerFeatures(rows).ok());
  // The run puts each one's band on their row with the segment (migration 0026).
  std::vector<CustomerSegmentRow> bands;
  for (std::size_t i = 0; i < risks.size(); ++i) {
    bands.push_back({ids[i], "loyal",
                     risks[i] >= 0.9   ? LapseRiskBand::kHigh
                     : risks[i] >= 0.7 ? LapseRiskBand::kMedium
                                       : LapseRiskBand::kLow});
  }
  ASSERT_TRUE(store_->SetCustomerSegments(bands, kDay2).ok());
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

namespace loyalty::server {
namespace {

const Timestamp kRunDay = At("2026-11-28T00:00:00Z");  // the run's history ends here

LapseRiskBand BandOf(double risk) {
  return risk >= targeting::kHighLapseRisk     ? LapseRiskBand::kHigh
         : risk >= targeting::kMediumLapseRisk ? LapseRiskBand::kMedium
                                               : LapseRiskBand::kLow;
}

// What the test knows of each customer, to sort them as the list must.
struct Customer {
  std::int64_t id = 0;
  std::optional<std::string> name;
  std::set<std::string> stores;
  std::string segment;
  std::int64_t visits = 0;
  std::int64_t spend = 0;
  std::int64_t last_visit = 0;
  double risk = 0;
};

// The nightly run's lapse-risk band on the customers' rows (migration 0026): the run's
// write of segments and bands (only the rows that change; a visit since the run's history
// wins), a visit moving its customer to "low", the migration's backfill, and the list by
// band in every sort, filter and page, a store manager's included, against the same
// customers sorted in C++.
class LapseRiskBandTest : public PortalCustomersTest {
 protected:
  void WriteFeatures(const std::vector<std::pair<std::int64_t, double>>& risks) {
    std::vector<CustomerFeaturesRecord> rows;
    for (const auto& [id, risk] : risks) {
      CustomerFeaturesRecord row;
      row.customer_id = id;
      row.run_date = "2026-11-28";
      row.visits = 1;
      row.last_visit_at = kRunDay;
      row.days_between_visits = 7;
      row.lapse_risk = risk;
      row.next_visit_at = kRunDay;
      rows.push_back(row);
    }
    ASSERT_TRUE(store_->WriteCustomerFeatures(rows).ok());
  }

  std::string Band(std::int64_t id) {
    return database_->Text("SELECT lapse_risk_band FROM customers WHERE id = " +
                           std::to_string(id));
  }
  double StoredRisk(std::int64_t id) {
    const auto features = store_->FindCustomerFeatures(id);
    EXPECT_TRUE(features.has_value()) << id;
    return features ? features->lapse_risk : -1;
  }

  // Every page of `query`, two rows each: the ids in order; checks each page's total.
  std::vector<std::int64_t> AllPages(CustomerListQuery query, std::int64_t expected_total) {
    query.limit = 2;
    std::vector<std::int64_t> ids;
    for (int page_no = 0; page_no < 50; ++page_no) {
      auto page = store_->ListCustomers(query);
      EXPECT_TRUE(page.ok()) << page.error().ToString();
      if (!page.ok()) break;
      EXPECT_EQ(page->total, expected_total);
      for (const auto& row : page->rows) ids.push_back(row.id);
      if (!page->next) break;
      query.after = page->next;
    }
    return ids;
  }

  // Makes the database one from before migration 0026, whose features are stored, and
  // opens it again.
  void MigrateFrom25() {
    store_.reset();
    if (GetParam() == testing::Engine::kSqlite) {
      database_->Exec(
          "DROP TRIGGER customers_visit_ends_lapse_risk; DROP INDEX customers_at_risk_by_last_visit;"
          " DROP INDEX customers_at_risk_by_spend; DROP INDEX customers_at_risk_by_visits;"
          " ALTER TABLE customers DROP COLUMN lapse_risk_band;"
          " DELETE FROM schema_migrations WHERE version = 26");
    } else {
      database_->Exec(
          "DROP FUNCTION customers_visit_ends_lapse_risk CASCADE;"
          " ALTER TABLE customers DROP COLUMN lapse_risk_band;"
          " DELETE FROM schema_migrations WHERE version = 26");
    }
    store_ = OpenStore(ParseStoreUrl(database_->url(), "url").value(), planner_, Key());
    ASSERT_NE(store_, nullptr);
  }
};

INSTANTIATE_TEST_SUITE_P(Engines, LapseRiskBandTest,
                         ::testing::Values(testing::Engine::kSqlite, testing::Engine::kPostgres),
                         [](const auto& engine) { return testing::EngineName(engine.param); });

TEST_P(LapseRiskBandTest, NightlyWriteStoresSegmentAndBandOfChangedRowsOnly) {
  const Timestamp before = kRunDay - std::chrono::hours(72);
  const std::int64_t steady = Buy(1, "S001", before);
  const std::int64_t moving = Buy(2, "S001", before);
  const std::int64_t returned = Buy(3, "S001", before);
  const std::int64_t erased = Buy(4, "S001", before);
  const std::int64_t unscored = Buy(5, "S001", before);
  WriteFeatures({{steady, 0.95}, {moving, 0.2}, {returned, 0.8}});
  ASSERT_TRUE(store_->EraseCustomer(erased, before).value());
  // The customer who came back after the history's end: the run still finds them at risk.
  Buy(3, "S002", kRunDay + std::chrono::hours(2));

  std::vector<CustomerSegmentRow> rows = {{steady, "at_risk", LapseRiskBand::kHigh},
                                          {moving, "loyal", LapseRiskBand::kLow},
                                          {returned, "lost", LapseRiskBand::kMedium},
                                          {erased, "lost", LapseRiskBand::kHigh},
                                          {unscored, "new", std::nullopt},
                                          {999'999, "lost", LapseRiskBand::kHigh}};
  ASSERT_TRUE(store_->SetCustomerSegments(rows, kRunDay).ok());
  EXPECT_EQ(Band(steady), "2");
  EXPECT_EQ(Band(moving), "0");
  EXPECT_EQ(Band(returned), "0");  // visited since: low, and their risk 0
  EXPECT_EQ(StoredRisk(returned), 0);
  EXPECT_EQ(StoredRisk(steady), 0.95);
  EXPECT_EQ(Band(erased), "<null>");
  EXPECT_EQ(database_->Text("SELECT segment FROM customers WHERE id = " + std::to_string(erased)),
            "<null>");
  EXPECT_EQ(Band(unscored), "<null>");
  EXPECT_EQ(database_->Text("SELECT segment FROM customers WHERE id = " + std::to_string(unscored)),
            "new");
  EXPECT_EQ(database_->Int("SELECT COUNT(*) FROM customers"), 5);

  // Every UPDATE of a customer from here on is recorded: a rerun with one customer moved
  // writes that one row (and the one who came back, whose risk the features step rewrote).
  if (GetParam() == testing::Engine::kSqlite) {
    database_->Exec(
        "CREATE TABLE updated(id INTEGER); CREATE TRIGGER note_update AFTER UPDATE ON customers"
        " BEGIN INSERT INTO updated VALUES (new.id); END");
  } else {
    database_->Exec(
        "CREATE TABLE updated(id bigint); CREATE FUNCTION note_update() RETURNS trigger"
        " LANGUAGE plpgsql AS $$ BEGIN INSERT INTO updated VALUES (NEW.id); RETURN NULL; END $$;"
        " CREATE TRIGGER note_update AFTER UPDATE ON customers FOR EACH ROW"
        " EXECUTE FUNCTION note_update()");
  }
  rows[1].lapse_risk_band = LapseRiskBand::kMedium;
  ASSERT_TRUE(store_->SetCustomerSegments(rows, kRunDay).ok());
  EXPECT_EQ(Band(moving), "1");
  EXPECT_EQ(database_->Column("SELECT id FROM updated ORDER BY id"),
            (std::vector<std::string>{std::to_string(moving), std::to_string(returned)}));
  database_->Exec("DELETE FROM updated");
  rows[0].segment = "lost";
  rows[2].lapse_risk_band = LapseRiskBand::kLow;
  ASSERT_TRUE(store_->SetCustomerSegments(rows, kRunDay).ok());
  EXPECT_EQ(database_->Column("SELECT id FROM updated ORDER BY id"),
            (std::vector<std::string>{std::to_string(steady)}));
  EXPECT_EQ(database_->Text("SELECT segment FROM customers WHERE id = " + std::to_string(steady)),
            "lost");
}

// A chain's night writes its customers many rows a statement and many statements a
// transaction: each customer's row gets its own segment and band whichever statement
// carried it, and the ones who came back after the history ended are low, risk 0.
TEST_P(LapseRiskBandTest, ManyCustomersWrittenManyRowsAStatementGetTheirOwn) {
  const Timestamp before = kRunDay - std::chrono::hours(72);
  const std::vector<std::string> segments = {"loyal", "at_risk", "lost", "new"};
  const std::vector<std::optional<LapseRiskBand>> bands = {
      LapseRiskBand::kLow, LapseRiskBand::kHigh, LapseRiskBand::kMedium, std::nullopt};
  std::vector<std::int64_t> ids;
  std::vector<std::pair<std::int64_t, double>> risks;
  std::vector<CustomerSegmentRow> rows;
  for (int n = 1; n <= 330; ++n) {
    const std::int64_t id = Buy(n, "S001", before);
    ids.push_back(id);
    risks.emplace_back(id, 0.5 + n % 40 / 100.0);
    const auto u = static_cast<std::size_t>(n);
    rows.push_back({id, segments[u % 4], bands[u * 7 % 4]});
  }
  WriteFeatures(risks);
  // Back since the history ended: one at risk (to low), one not (left as the run says).
  Buy(78, "S002", kRunDay + std::chrono::hours(1));
  Buy(80, "S002", kRunDay + std::chrono::hours(1));
  ASSERT_EQ(rows[77].lapse_risk_band, LapseRiskBand::kMedium);
  ASSERT_EQ(rows[79].lapse_risk_band, LapseRiskBand::kLow);
  ASSERT_TRUE(store_->SetCustomerSegments(rows, kRunDay).ok());
  const auto check = [&] {
    for (std::size_t i = 0; i < rows.size(); ++i) {
      SCOPED_TRACE(i);
      const std::string id = std::to_string(ids[i]);
      EXPECT_EQ(database_->Text("SELECT segment FROM customers WHERE id = " + id), rows[i].segment);
      const bool came_back = i == 77;
      EXPECT_EQ(Band(ids[i]), came_back ? "0"
                              : rows[i].lapse_risk_band
                                  ? std::to_string(static_cast<int>(*rows[i].lapse_risk_band))
                                  : "<null>");
      EXPECT_EQ(StoredRisk(ids[i]), came_back ? 0.0 : risks[i].second);
    }
  };
  check();
  // The next night moves two thirds of them: their segments only, or their bands too.
  for (std::size_t i = 0; i < rows.size(); ++i) {
    if (i % 3 == 1) rows[i].segment = segments[(i + 1) % 4];
    if (i % 3 == 2) rows[i].lapse_risk_band = bands[(i * 7 + 1) % 4];
  }
  ASSERT_TRUE(store_->SetCustomerSegments(rows, kRunDay).ok());
  check();
}

// An older night run again (loyalty-batch coupons --date of an earlier day) leaves the
// customers a later night scored as that night left them, segment, band and risk; those
// with no later row it writes as usual.
TEST_P(LapseRiskBandTest, AnOlderNightRunAgainLeavesWhatALaterNightWrote) {
  const Timestamp before = kRunDay - std::chrono::hours(72);
  const std::int64_t scored = Buy(1, "S001", before);
  const std::int64_t back = Buy(2, "S001", before);
  const std::int64_t older = Buy(3, "S001", before);
  WriteFeatures({{scored, 0.95}, {back, 0.92}});  // the night of kRunDay
  ASSERT_TRUE(store_
                  ->SetCustomerSegments({{scored, "at_risk", LapseRiskBand::kHigh},
                                         {back, "at_risk", LapseRiskBand::kHigh}},
                                        kRunDay)
                  .ok());
  // The night three days before, run again: everyone had shopped since its history ended.
  const Timestamp older_night = kRunDay - std::chrono::hours(72);
  ASSERT_TRUE(store_
                  ->SetCustomerSegments({{scored, "lost", LapseRiskBand::kMedium},
                                         {back, "lost", LapseRiskBand::kHigh},
                                         {older, "lost", LapseRiskBand::kHigh}},
                                        older_night)
                  .ok());
  EXPECT_EQ(Band(scored), "2");
  EXPECT_EQ(database_->Text("SELECT segment FROM customers WHERE id = " + std::to_string(scored)),
            "at_risk");
  EXPECT_EQ(StoredRisk(scored), 0.95);
  EXPECT_EQ(Band(back), "2");
  EXPECT_EQ(StoredRisk(back), 0.92);
  // No later night scored this one: the older night's write stands, low since the visit.
  EXPECT_EQ(Band(older), "0");
  EXPECT_EQ(database_->Text("SELECT segment FROM customers WHERE id = " + std::to_string(older)),
            "lost");
}

// A purchase moves a customer at risk to "low" at once, with their stored risk; the list
// by band follows. A customer not at risk is left as they are.
TEST_P(LapseRiskBandTest, VisitEndsLapseRisk) {
  const Timestamp before = kRunDay - std::chrono::hours(72);
  const std::int64_t away = Buy(1, "S001", before);
  const std::int64_t regular = Buy(2, "S001", before);
  WriteFeatures({{away, 0.93}, {regular, 0.3}});
  ASSERT_TRUE(store_
                  ->SetCustomerSegments({{away, "at_risk", LapseRiskBand::kHigh},
                                         {regular, "loyal", LapseRiskBand::kLow}},
                                        kRunDay)
                  .ok());
  const auto listed = [&](LapseRiskBand band) {
    CustomerListQuery query;
    query.lapse_risk_band = band;
    std::vector<std::int64_t> ids;
    const auto page = store_->ListCustomers(query);
    EXPECT_TRUE(page.ok());
    if (page.ok()) {
      for (const auto& row : page->rows) ids.push_back(row.id);
    }
    return ids;
  };
  EXPECT_EQ(listed(LapseRiskBand::kHigh), std::vector<std::int64_t>{away});

  // A purchase uploaded late, from before the last visit, changes nothing.
  Buy(1, "S001", before - std::chrono::hours(24));
  EXPECT_EQ(Band(away), "2");
  Buy(1, "S002", kRunDay + std::chrono::hours(9));
  Buy(2, "S001", kRunDay + std::chrono::hours(10));
  EXPECT_EQ(Band(away), "0");
  EXPECT_EQ(StoredRisk(away), 0);
  EXPECT_EQ(Band(regular), "0");
  EXPECT_EQ(StoredRisk(regular), 0.3);
  EXPECT_TRUE(listed(LapseRiskBand::kHigh).empty());
  EXPECT_EQ(listed(LapseRiskBand::kLow), (std::vector<std::int64_t>{regular, away}));
  CustomerListQuery by_risk;
  by_risk.lapse_risk_band = LapseRiskBand::kLow;
  by_risk.sort = CustomerSort::kLapseRisk;
  auto page = store_->ListCustomers(by_risk);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->rows.size(), 2u);
  EXPECT_EQ(page->rows[0].id, regular);
  EXPECT_EQ(page->rows[1].id, away);
  EXPECT_EQ(page->rows[1].lapse_risk, 0.0);
}

TEST_P(LapseRiskBandTest, MigrationBackfillsBandsFromStoredFeatures) {
  const Timestamp before = kRunDay - std::chrono::hours(72);
  std::vector<std::int64_t> ids;
  for (int n = 1; n <= 6; ++n) ids.push_back(Buy(n, "S001", before));
  WriteFeatures({{ids[0], 0.1}, {ids[1], 0.6999999}, {ids[2], 0.7}, {ids[3], 0.8999},
                 {ids[4], 0.9}});
  ASSERT_TRUE(store_->EraseCustomer(ids[4], before).value());
  MigrateFrom25();
  std::vector<std::string> bands;
  for (const std::int64_t id : ids) bands.push_back(Band(id));
  EXPECT_EQ(bands, (std::vector<std::string>{"0", "0", "1", "1", "<null>", "<null>"}));
  // And the trigger came with it.
  Buy(3, "S001", kRunDay);
  EXPECT_EQ(Band(ids[2]), "0");
}

// Every band in every sort, both directions, with each filter and a store manager's
// stores, paged two rows at a time: the ids are the customers the test sorts itself.
TEST_P(LapseRiskBandTest, ListsEachBandInEverySortFilterAndPage) {
  const std::vector<std::string> stores = {"S001", "S002", "S003"};
  const std::vector<std::string> segments = {"loyal", "at_risk", "lost"};
  std::vector<Customer> customers;
  std::vector<std::pair<std::int64_t, double>> risks;
  std::vector<CustomerSegmentRow> rows;
  for (int n = 1; n <= 24; ++n) {
    const auto u = static_cast<std::size_t>(n);
    Customer customer;
    // Ties on purpose: four customers share each last visit, three each spend.
    const Timestamp last = kRunDay - std::chrono::hours(24 * (1 + n % 6));
    const std::int64_t quantity = 1 + n % 8;
    customer.id = Buy(n, stores[u % 3], last - std::chrono::hours(200), quantity);
    customer.stores.insert(stores[u % 3]);
    customer.visits = 1;
    customer.spend = quantity * 899;
    if (n % 4 != 1) {  // a second visit, in another store for some
      const std::string& second = stores[(u + u % 4 / 2) % 3];
      Buy(n, second, last, 1);
      customer.stores.insert(second);
      customer.visits = 2;
      customer.spend += 899;
    }
    customer.last_visit = ToUnixSeconds(customer.visits == 2 ? last : last - std::chrono::hours(200));
    if (n % 3 != 0) {
      domain::CustomerDetails details;
      details.name = std::string(1, static_cast<char>('a' + (n * 7) % 26)) + "na " +
                     std::to_string(n);
      ASSERT_EQ(store_->RegisterCustomer(Card(n), details, kRunDay).value(), customer.id);
      customer.name = details.name;
    }
    customer.segment = segments[u % 3];
    // Every band, ties among the risks too.
    customer.risk = std::vector<double>{0.1, 0.75, 0.95, 0.5, 0.8, 0.99, 0.95, 0.2}[u % 8];
    risks.emplace_back(customer.id, customer.risk);
    rows.push_back({customer.id, customer.segment, BandOf(customer.risk)});
    customers.push_back(customer);
  }
  WriteFeatures(risks);
  ASSERT_TRUE(store_->SetCustomerSegments(rows, kRunDay).ok());

  struct Filter {
    const char* what;
    std::function<void(CustomerListQuery&)> set;
    std::function<bool(const Customer&)> keeps;
  };
  const std::int64_t mid_visit = ToUnixSeconds(kRunDay) - 24 * 3600 * 3 - 1;
  const std::vector<Filter> filters = {
      {"none", [](auto&) {}, [](const auto&) { return true; }},
      {"store manager of S002", [](auto& q) { q.stores = {"S002"}; },
       [](const auto& c) { return c.stores.contains("S002"); }},
      {"two stores", [](auto& q) { q.stores = {"S001", "S003"}; },
       [](const auto& c) { return c.stores.contains("S001") || c.stores.contains("S003"); }},
      {"segment", [](auto& q) { q.segment = "lost"; },
       [](const auto& c) { return c.segment == "lost"; }},
      {"last visit before", [&](auto& q) { q.last_visit_before = FromUnixSeconds(mid_visit); },
       [&](const auto& c) { return c.last_visit < mid_visit; }},
      {"last visit after", [&](auto& q) { q.last_visit_after = FromUnixSeconds(mid_visit); },
       [&](const auto& c) { return c.last_visit >= mid_visit; }},
      {"spend between", [](auto& q) {
         q.min_spend_minor = 3 * 899;
         q.max_spend_minor = 6 * 899;
       },
       [](const auto& c) { return c.spend >= 3 * 899 && c.spend <= 6 * 899; }},
  };
  const auto key_of = [](const Customer& c, CustomerSort sort) -> std::tuple<std::int64_t, std::string> {
    switch (sort) {
      case CustomerSort::kLastVisit: return {c.last_visit, ""};
      case CustomerSort::kSpend: return {c.spend, ""};
      case CustomerSort::kVisits: return {c.visits, ""};
      case CustomerSort::kName: return {0, c.name.value_or("")};
      case CustomerSort::kLapseRisk: return {static_cast<std::int64_t>(c.risk * 1000000), ""};
    }
    return {};
  };
  int lists = 0;
  for (const auto band : {LapseRiskBand::kLow, LapseRiskBand::kMedium, LapseRiskBand::kHigh}) {
    for (const auto& filter : filters) {
      for (const auto sort : {CustomerSort::kLastVisit, CustomerSort::kSpend,
                              CustomerSort::kVisits, CustomerSort::kName,
                              CustomerSort::kLapseRisk}) {
        for (const bool descending : {true, false}) {
          std::vector<const Customer*> expected;
          for (const auto& c : customers) {
            if (BandOf(c.risk) != band || !filter.keeps(c)) continue;
            if (sort == CustomerSort::kName && !c.name) continue;
            expected.push_back(&c);
          }
          std::sort(expected.begin(), expected.end(), [&](const auto* a, const auto* b) {
            const auto ka = std::tuple_cat(key_of(*a, sort), std::make_tuple(a->id));
            const auto kb = std::tuple_cat(key_of(*b, sort), std::make_tuple(b->id));
            return descending ? kb < ka : ka < kb;
          });
          std::vector<std::int64_t> want;
          for (const auto* c : expected) want.push_back(c->id);
          CustomerListQuery query;
          query.lapse_risk_band = band;
          filter.set(query);
          query.sort = sort;
          query.descending = descending;
          EXPECT_EQ(AllPages(query, static_cast<std::int64_t>(want.size())), want)
              << "band " << static_cast<int>(band) << ", " << filter.what << ", sort "
              << static_cast<int>(sort) << (descending ? " descending" : " ascending");
          if (!want.empty()) ++lists;
        }
      }
    }
  }
  EXPECT_GT(lists, 150);  // the filters leave customers in most lists
}

}  // namespace
}  // namespace loyalty::server
