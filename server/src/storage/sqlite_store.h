// The SQLite engine: one database file in WAL mode, commits at synchronous=FULL so an
// acknowledged purchase survives a crash of the process or the machine.
#pragma once

#include <mutex>
#include <string>

#include "loyalty/core/thread_annotations.h"
#include "loyalty/crypto/ed25519.h"
#include "loyalty/sqlite/sqlite.h"
#include "storage/store.h"

namespace loyalty::server {

class SqliteStore final : public Store {
 public:
  // Opens (creating and migrating if needed) the database at `path`. The planner and
  // key must outlive the store.
  SqliteStore(const std::string& path, const NextVisitPlanner& planner,
              const crypto::SigningKey& signing_key);

  Result<api::CardLookup> LookupCard(const CardNumber& card, Timestamp now) override;
  Result<RecordedPurchase> RecordPurchase(const domain::Purchase& purchase,
                                          Timestamp now) override;
  domain::Catalog LoadCatalog() override;
  Result<CatalogImportResult> ImportProducts(const std::vector<domain::Product>& products) override;

 private:
  std::vector<api::IssuedCoupon> LiveCoupons(std::int64_t customer_id, Timestamp now)
      REQUIRES(mutex_);
  std::vector<api::IssuedCoupon> CouponsIssuedBy(const std::string& purchase_id) REQUIRES(mutex_);
  api::IssuedCoupon DecodeStoredToken(const std::string& token) const;
  std::int64_t CustomerForCard(const CardNumber& card, Timestamp now) REQUIRES(mutex_);
  void RecordLines(const domain::Purchase& purchase, std::int64_t customer_id) REQUIRES(mutex_);
  void RecordRedemptions(const domain::Purchase& purchase, std::optional<std::int64_t> customer_id,
                         Timestamp now) REQUIRES(mutex_);
  CustomerProfile LoadProfile(std::int64_t customer_id, Timestamp now) REQUIRES(mutex_);

  const NextVisitPlanner& planner_;
  const crypto::SigningKey& signing_key_;
  // One connection, one writer at a time: SQLite serialises writers anyway, and holding
  // the lock across a transaction keeps BEGIN IMMEDIATE from ever waiting on busy_timeout.
  std::mutex mutex_;
  sqlite::Connection db_ GUARDED_BY(mutex_);
};

}  // namespace loyalty::server
