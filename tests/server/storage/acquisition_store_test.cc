// Acquisition sources and stores on both engines: names and costs kept and replaced by
// period, the customers who joined in a period grouped by source (for the chain, and for
// some stores with only what they paid there), merged customers left out; the store list;
// a second revocation of a terminal keeps the first one's time.
#include <gtest/gtest.h>

#include <algorithm>
#include <tuple>

#include "storage/open_store.h"
#include "support/temp_dir.h"
#include "support/test_database.h"
#include "targeting/next_visit_planner.h"

namespace loyalty::server {
namespace {

Timestamp At(const char* text) { return ParseIso8601(text).value(); }
CardNumber Card(const char* body) { return CardNumber::FromBody(body).value(); }

class AcquisitionStoreTest : public ::testing::TestWithParam<testing::Engine> {
 protected:
  void SetUp() override {
    database_ = std::make_unique<testing::TestDatabase>(GetParam(), dir_);
    store_ = OpenStore(ParseStoreUrl(database_->url(), "url").value(), planner_, key_);
    ASSERT_TRUE(store_
                    ->ImportProducts({{"1002", "Cheddar", "GROCERY", "DAIRY", "CHEESE", "Farm",
                                       "200 G", 450, true}})
                    .ok());
  }

  // Registers the holder of `card` at `at`, with `source` when given; the customer id.
  std::int64_t Register(const char* card, const char* name, std::optional<const char*> source,
                        const char* at) {
    domain::CustomerDetails details;
    details.name = name;
    if (source) details.acquisition_source = *source;
    auto id = store_->RegisterCustomer(Card(card), details, At(at));
    EXPECT_TRUE(id.ok()) << id.error().ToString();
    return id.ok() ? *id : 0;
  }

  void Buy(const char* store, const char* card, std::int64_t quantity, const char* at) {
    domain::Purchase purchase;
    purchase.store_id = store;
    purchase.terminal_id = std::string(store) + "-T01";
    purchase.card = Card(card);
    purchase.occurred_at = At(at);
    purchase.lines.push_back({"1002", quantity, 450, quantity * 450});
    purchase.total_minor = purchase.SubtotalMinor();
    auto recorded = store_->RecordPurchase(purchase, At(at));
    EXPECT_TRUE(recorded.ok()) << recorded.error().ToString();
  }

  // Source, customers, revenue: by source.
  using Group = std::tuple<std::string, std::int64_t, std::int64_t>;
  std::vector<Group> Acquired(std::vector<std::string> stores) {
    std::vector<Group> groups;
    for (const auto& group : store_->ListAcquiredCustomers(
             {std::move(stores), At("2026-11-01T00:00:00Z"), At("2026-12-01T00:00:00Z")})) {
      groups.emplace_back(group.source, group.customers, group.revenue_minor);
    }
    std::sort(groups.begin(), groups.end());
    return groups;
  }

  testing::TempDir dir_;
  std::unique_ptr<testing::TestDatabase> database_;
  TopCategoryPlanner planner_;
  crypto::SigningKey key_ = crypto::SigningKey::Generate();
  std::unique_ptr<Store> store_;
};

INSTANTIATE_TEST_SUITE_P(Engines, AcquisitionStoreTest,
                         ::testing::Values(testing::Engine::kSqlite, testing::Engine::kPostgres),
                         [](const auto& engine) { return testing::EngineName(engine.param); });

TEST_P(AcquisitionStoreTest, GroupsTheCustomersWhoJoinedInThePeriodBySource) {
  const std::int64_t ada = Register("212345678901", "Ada", "flyer", "2026-11-02T10:00:00Z");
  Buy("S001", "212345678901", 2, "2026-11-02T10:05:00Z");  // 900
  Buy("S002", "212345678901", 1, "2026-12-15T09:00:00Z");  // 450, after the period: counts
  Register("212345678902", "Bob", "friend", "2026-11-20T10:00:00Z");
  Buy("S002", "212345678902", 3, "2026-11-20T10:05:00Z");  // 1350
  Buy("S001", "212345678903", 1, "2026-11-30T23:59:59Z");  // Cy: a card, no details
  // Before the period, and at its end (excluded): not acquired in it.
  Register("212345678904", "Dee", "flyer", "2026-10-31T23:59:59Z");
  Buy("S001", "212345678904", 5, "2026-11-03T10:00:00Z");
  Register("212345678905", "Eve", "flyer", "2026-12-01T00:00:00Z");
  // Fay joined from the radio and turned out to be Ada: merged, she counts no more.
  const std::int64_t fay = Register("212345678906", "Fay", "radio", "2026-11-05T10:00:00Z");
  ASSERT_TRUE(store_->MergeCustomers(ada, fay, At("2026-11-06T10:00:00Z")).ok());

  EXPECT_EQ(Acquired({}),
            (std::vector<Group>{{"", 1, 450}, {"flyer", 1, 1350}, {"friend", 1, 1350}}));
  // A store's view: customers who shopped there, and only what they paid there.
  EXPECT_EQ(Acquired({"S001"}), (std::vector<Group>{{"", 1, 450}, {"flyer", 1, 900}}));
  EXPECT_EQ(Acquired({"S002"}), (std::vector<Group>{{"flyer", 1, 450}, {"friend", 1, 1350}}));
  EXPECT_EQ(Acquired({"S001", "S002"}),
            (std::vector<Group>{{"", 1, 450}, {"flyer", 1, 1350}, {"friend", 1, 1350}}));
  EXPECT_TRUE(Acquired({"S999"}).empty());
}

// A customer whose history predates their row (imported from another POS, or a till's
// sales uploaded after the card's holder registered) joined at their first purchase.
TEST_P(AcquisitionStoreTest, CountsACustomerAsJoinedAtAFirstPurchaseBeforeTheirRegistration) {
  Register("212345678901", "Ada", "flyer", "2026-12-10T10:00:00Z");
  for (const char* at : {"2026-11-10T10:00:00Z", "2026-11-20T10:00:00Z"}) {
    domain::Purchase purchase;
    purchase.store_id = "S001";
    purchase.terminal_id = "import";
    purchase.card = Card("212345678901");
    purchase.occurred_at = At(at);
    purchase.lines.push_back({"1002", 1, 450, 450});
    purchase.total_minor = purchase.SubtotalMinor();
    ASSERT_TRUE(store_->RecordPurchase(purchase, At("2026-12-11T08:00:00Z")).ok());
  }
  // Joined in November, with what they bought since; not again in December.
  EXPECT_EQ(Acquired({}), (std::vector<Group>{{"flyer", 1, 900}}));
  EXPECT_EQ(Acquired({"S001"}), (std::vector<Group>{{"flyer", 1, 900}}));
  EXPECT_TRUE(store_
                  ->ListAcquiredCustomers(
                      {{}, At("2026-12-01T00:00:00Z"), At("2027-01-01T00:00:00Z")})
                  .empty());
}

TEST_P(AcquisitionStoreTest, KeepsNamesAndCostsAndReplacesTheCostOfTheSamePeriod) {
  const Timestamp now = At("2026-12-01T08:00:00Z");
  EXPECT_TRUE(store_->ListAcquisitionSources().empty());
  ASSERT_TRUE(
      store_->SetAcquisitionCost("radio", {"2026-11-01", "2026-11-30", 50000, {}}, now).ok());
  ASSERT_TRUE(store_->SetAcquisitionSourceName("flyer", "Door-to-door flyers", now).ok());
  ASSERT_TRUE(store_->SetAcquisitionSourceName("radio", "Radio ads", now).ok());
  ASSERT_TRUE(
      store_->SetAcquisitionCost("radio", {"2026-11-01", "2026-11-30", 65000, {}}, now).ok());
  ASSERT_TRUE(
      store_->SetAcquisitionCost("radio", {"2026-10-01", "2026-10-31", 20000, {}}, now).ok());

  const auto sources = store_->ListAcquisitionSources();
  ASSERT_EQ(sources.size(), 2u);
  EXPECT_EQ(sources[0].source, "flyer");
  EXPECT_EQ(sources[0].display_name, "Door-to-door flyers");
  EXPECT_TRUE(sources[0].costs.empty());
  EXPECT_EQ(sources[1].source, "radio");
  EXPECT_EQ(sources[1].display_name, "Radio ads");
  ASSERT_EQ(sources[1].costs.size(), 2u);
  EXPECT_EQ(sources[1].costs[0].period_start, "2026-10-01");
  EXPECT_EQ(sources[1].costs[0].cost_minor, 20000);
  EXPECT_EQ(sources[1].costs[1].period_end, "2026-11-30");
  EXPECT_EQ(sources[1].costs[1].cost_minor, 65000);
  EXPECT_EQ(sources[1].costs[1].updated_at, now);

  // Refused before anything is written, naming the field.
  EXPECT_EQ(
      store_->SetAcquisitionCost("Radio", {"2026-11-01", "2026-11-30", 1, {}}, now).error().field,
      "source");
  EXPECT_EQ(
      store_->SetAcquisitionCost("radio", {"2026-11-31", "2026-11-30", 1, {}}, now).error().field,
      "period_start");
  EXPECT_EQ(
      store_->SetAcquisitionCost("radio", {"2026-11-01", "2026-11-30", -5, {}}, now).error().field,
      "cost");
  EXPECT_EQ(store_->SetAcquisitionSourceName("radio", "", now).error().field, "display_name");
  EXPECT_EQ(store_->ListAcquisitionSources()[1].costs.size(), 2u);
}

TEST_P(AcquisitionStoreTest, ListsStoresAndASecondRevocationKeepsTheFirstTime) {
  ASSERT_TRUE(store_->AddStore({"S002", "Second", "USD"}).ok());
  ASSERT_TRUE(store_->AddStore({"S001", "First", "USD"}).ok());
  const auto stores = store_->ListStores();
  ASSERT_EQ(stores.size(), 2u);
  EXPECT_EQ(stores[0].id, "S001");
  EXPECT_EQ(stores[0].name, "First");
  EXPECT_EQ(stores[1].id, "S002");

  const Timestamp now = At("2026-12-01T08:00:00Z");
  auto code = store_->CreateEnrollmentCode("S001", std::chrono::hours(1), now);
  ASSERT_TRUE(code.ok());
  auto terminal = store_->EnrollTerminal(*code, "Till 1", now);
  ASSERT_TRUE(terminal.ok()) << terminal.error().ToString();
  const std::string id = terminal->identity.terminal_id;
  ASSERT_TRUE(store_->RevokeTerminal(id, now + std::chrono::minutes(1)).ok());
  ASSERT_TRUE(store_->RevokeTerminal(id, now + std::chrono::minutes(9)).ok());
  EXPECT_EQ(database_->Text("SELECT revoked_at FROM terminals WHERE id = '" + id + "'"),
            std::to_string(ToUnixSeconds(now + std::chrono::minutes(1))));
  EXPECT_EQ(store_->AuthenticateTerminal(terminal->credential).error().code,
            ErrorCode::kPermissionDenied);
  EXPECT_EQ(store_->RevokeTerminal("S001-T99", now).error().code, ErrorCode::kNotFound);
}

}  // namespace
}  // namespace loyalty::server
