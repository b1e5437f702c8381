// The terminal's journal: one SQLite file holding every finished sale until the server
// acknowledges it, the ledger of coupons redeemed here, and the last good catalog. A sale is durable (synchronous=FULL,
// committed) before Append returns, so it survives a crash of the terminal.
// One Journal per thread; several may open the same file (WAL).
#pragma once

#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "loyalty/domain/catalog.h"
#include "loyalty/domain/coupon.h"
#include "loyalty/domain/purchase.h"
#include "loyalty/sqlite/sqlite.h"

namespace loyalty::terminal {

struct JournaledSale {
  std::int64_t seq = 0;
  std::string id;
  std::string body;  // purchase JSON
  std::int64_t attempts = 0;
};

class Journal {
 public:
  explicit Journal(const std::string& path);

  // The sale, and the coupons it redeemed in the ledger, in one transaction.
  void Append(const domain::Purchase& purchase, const std::vector<domain::Coupon>& redeemed = {});
  // Which of `coupons` this till has redeemed, and when.
  std::unordered_map<std::string, Timestamp> SpentCoupons(
      const std::vector<domain::Coupon>& coupons);
  // Forgets the redemptions of coupons expired before `now`; returns how many.
  std::int64_t PruneLedger(Timestamp now);
  // The oldest pending sales, in the order they were finished.
  std::vector<JournaledSale> Pending(std::size_t limit);
  std::int64_t PendingCount();
  void MarkUploaded(const std::string& id, const std::string& ack_json);
  // The server refused the sale for good (bad request): kept for an operator, not retried.
  void MarkRejected(const std::string& id, const std::string& error);
  void RecordFailedAttempt(const std::string& id, const std::string& error);

  std::optional<domain::Catalog> LoadCatalog();
  void SaveCatalog(const domain::Catalog& catalog);

 private:
  sqlite::Connection db_;
};

}  // namespace loyalty::terminal
