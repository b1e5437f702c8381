// Batch jobs' locks in storage, on both engines: taken once, named to the next taker,
// heartbeated, taken over once the holder's own lease has ended, freed only by their
// holder.
#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "storage/open_store.h"
#include "support/temp_dir.h"
#include "support/test_database.h"
#include "targeting/next_visit_planner.h"

namespace loyalty::server {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

const crypto::SigningKey& Key() {
  static const crypto::SigningKey key = crypto::SigningKey::Generate();
  return key;
}

Timestamp At(const char* text) { return ParseIso8601(text).value(); }
LeaseTime Ms(const char* text) { return LeaseTime(At(text)); }

BatchLockHolder Holder(const std::string& token, std::int64_t pid, const char* started) {
  return {token, "host-" + token, pid, "coupons --date 2026-12-05", At(started), Ms(started)};
}

class BatchLockStoreTest : public ::testing::TestWithParam<testing::Engine> {
 protected:
  void SetUp() override {
    database_ = std::make_unique<testing::TestDatabase>(GetParam(), dir_);
    store_ = OpenStore(ParseStoreUrl(database_->url(), "url").value(), planner_, Key());
  }

  testing::TempDir dir_;
  std::unique_ptr<testing::TestDatabase> database_;
  TopCategoryPlanner planner_;
  std::unique_ptr<Store> store_;
};

INSTANTIATE_TEST_SUITE_P(Engines, BatchLockStoreTest,
                         ::testing::Values(testing::Engine::kSqlite, testing::Engine::kPostgres),
                         [](const auto& engine) { return testing::EngineName(engine.param); });

TEST_P(BatchLockStoreTest, OneHolderAtATimeAndTheNextIsToldWho) {
  const auto first = Holder("a", 101, "2026-12-05T01:00:00Z");
  auto taken = store_->TryTakeBatchLock("coupons", first, Ms("2026-12-05T01:00:00Z"), seconds(60));
  ASSERT_TRUE(taken.ok()) << taken.error().ToString();
  EXPECT_TRUE(taken->taken);
  EXPECT_FALSE(taken->other.has_value());

  const auto second = Holder("b", 202, "2026-12-05T01:00:30Z");
  auto refused =
      store_->TryTakeBatchLock("coupons", second, Ms("2026-12-05T01:00:30Z"), seconds(60));
  ASSERT_TRUE(refused.ok());
  EXPECT_FALSE(refused->taken);
  ASSERT_TRUE(refused->other.has_value());
  EXPECT_EQ(refused->other->token, "a");
  EXPECT_EQ(refused->other->host, "host-a");
  EXPECT_EQ(refused->other->pid, 101);
  EXPECT_EQ(refused->other->detail, "coupons --date 2026-12-05");
  EXPECT_EQ(refused->other->started_at, At("2026-12-05T01:00:00Z"));

  // Another job's lock is another row.
  EXPECT_TRUE(
      store_->TryTakeBatchLock("report", second, Ms("2026-12-05T01:00:30Z"), seconds(60))->taken);

  // The holder's heartbeat keeps it alive past the staleness counted from its start.
  EXPECT_TRUE(*store_->HeartbeatBatchLock("coupons", "a", Ms("2026-12-05T01:00:50Z"), seconds(60)));
  EXPECT_FALSE(*store_->HeartbeatBatchLock("coupons", "b", Ms("2026-12-05T01:00:50Z"), seconds(60)));
  EXPECT_FALSE(
      store_->TryTakeBatchLock("coupons", second, Ms("2026-12-05T01:01:30Z"), seconds(60))->taken);

  // Freed by its holder only; then the next takes it.
  ASSERT_TRUE(store_->ReleaseBatchLock("coupons", "b").ok());
  EXPECT_FALSE(
      store_->TryTakeBatchLock("coupons", second, Ms("2026-12-05T01:01:30Z"), seconds(60))->taken);
  ASSERT_TRUE(store_->ReleaseBatchLock("coupons", "a").ok());
  auto next = store_->TryTakeBatchLock("coupons", second, Ms("2026-12-05T01:01:31Z"), seconds(60));
  EXPECT_TRUE(next->taken);
  EXPECT_FALSE(next->other.has_value());
  EXPECT_EQ(database_->Int("SELECT pid FROM batch_locks WHERE name = 'coupons'"), 202);
}

TEST_P(BatchLockStoreTest, AStaleLockIsTakenOverAndItsHolderLearnsItLostIt) {
  const auto killed = Holder("a", 101, "2026-12-05T01:00:00Z");
  ASSERT_TRUE(
      store_->TryTakeBatchLock("coupons", killed, Ms("2026-12-05T01:00:00Z"), seconds(60))->taken);
  const auto next = Holder("b", 202, "2026-12-05T01:01:00Z");
  // Exactly at the end of its lease: still alive.
  EXPECT_FALSE(
      store_->TryTakeBatchLock("coupons", next, Ms("2026-12-05T01:01:00Z"), seconds(60))->taken);
  auto over = store_->TryTakeBatchLock("coupons", next, Ms("2026-12-05T01:01:01Z"), seconds(60));
  ASSERT_TRUE(over.ok());
  EXPECT_TRUE(over->taken);
  ASSERT_TRUE(over->other.has_value());
  EXPECT_EQ(over->other->pid, 101);  // whom it replaced, for the log
  EXPECT_EQ(over->other->heartbeat_at, Ms("2026-12-05T01:00:00Z"));
  EXPECT_EQ(over->other->expires_at, Ms("2026-12-05T01:01:00Z"));
  EXPECT_EQ(over->other->lease, seconds(60));

  // The stopped holder comes back: its heartbeat fails and its release frees nothing.
  EXPECT_FALSE(*store_->HeartbeatBatchLock("coupons", "a", Ms("2026-12-05T01:02:00Z"), seconds(60)));
  ASSERT_TRUE(store_->ReleaseBatchLock("coupons", "a").ok());
  EXPECT_EQ(database_->Int("SELECT pid FROM batch_locks WHERE name = 'coupons'"), 202);
  EXPECT_TRUE(*store_->HeartbeatBatchLock("coupons", "b", Ms("2026-12-05T01:02:00Z"), seconds(60)));
}

// The lease is the holder's: a taker with a shorter one cannot judge it dead, and each
// heartbeat, to the millisecond, extends it by the holder's length.
TEST_P(BatchLockStoreTest, OnlyTheHoldersOwnLeaseDecidesWhenItEnds) {
  const auto holder = Holder("a", 101, "2026-12-05T01:00:00Z");
  ASSERT_TRUE(
      store_->TryTakeBatchLock("coupons", holder, Ms("2026-12-05T01:00:00Z"), seconds(120))->taken);
  const auto hasty = Holder("b", 202, "2026-12-05T01:00:40Z");
  // 40 s after the holder's last heartbeat: a taker whose own lease would be 1 s refuses.
  auto refused =
      store_->TryTakeBatchLock("coupons", hasty, Ms("2026-12-05T01:00:40Z"), seconds(1));
  ASSERT_TRUE(refused.ok());
  EXPECT_FALSE(refused->taken);
  EXPECT_EQ(refused->other->lease, seconds(120));
  EXPECT_EQ(refused->other->expires_at, Ms("2026-12-05T01:02:00Z"));

  // A heartbeat 1.5 s later extends the lease to that instant + 120 s.
  const LeaseTime beat = Ms("2026-12-05T01:01:00Z") + milliseconds(1500);
  EXPECT_TRUE(*store_->HeartbeatBatchLock("coupons", "a", beat, seconds(120)));
  EXPECT_FALSE(
      store_->TryTakeBatchLock("coupons", hasty, beat + seconds(120), seconds(1))->taken);
  auto over = store_->TryTakeBatchLock("coupons", hasty, beat + seconds(120) + milliseconds(1),
                                       seconds(1));
  ASSERT_TRUE(over.ok());
  EXPECT_TRUE(over->taken);
  EXPECT_EQ(over->other->heartbeat_at, beat);
  // The new holder's lease is its own 1 s.
  EXPECT_EQ(database_->Int("SELECT lease_ms FROM batch_locks"), 1000);
}

// A run of the binary from before the lease (migration 0021) goes on through the upgrade,
// heartbeating only heartbeat_at, in seconds: its lease runs from that heartbeat.
TEST_P(BatchLockStoreTest, ARunFromBeforeTheLeaseKeepsItsLockWhileItHeartbeats) {
  ASSERT_TRUE(store_->TryTakeBatchLock("coupons", Holder("old", 101, "2026-12-05T01:00:00Z"),
                                       Ms("2026-12-05T01:00:00Z"), seconds(120))
                  ->taken);
  database_->Exec("UPDATE batch_locks SET heartbeat_at = " +
                  std::to_string(ToUnixSeconds(At("2026-12-05T01:03:00Z"))));
  const auto next = Holder("new", 202, "2026-12-05T01:04:00Z");
  auto refused = store_->TryTakeBatchLock("coupons", next, Ms("2026-12-05T01:04:00Z"), seconds(1));
  ASSERT_TRUE(refused.ok());
  EXPECT_FALSE(refused->taken);
  EXPECT_EQ(refused->other->expires_at, Ms("2026-12-05T01:05:00Z"));
  EXPECT_TRUE(store_->TryTakeBatchLock("coupons", next,
                                       Ms("2026-12-05T01:05:00Z") + milliseconds(1), seconds(1))
                  ->taken);
}

}  // namespace
}  // namespace loyalty::server
