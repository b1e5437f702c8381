// The server's storage, behind one interface so that SQLite (one file, the default)
// and PostgreSQL (a chain that outgrows one machine) are two engines of the same thing.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "loyalty/api/terminal_api.h"
#include "loyalty/core/card_number.h"
#include "loyalty/domain/catalog.h"
#include "loyalty/domain/customer.h"
#include "loyalty/domain/purchase.h"
#include "loyalty/domain/sale_return.h"

namespace loyalty::server {

struct CategoryStat {
  std::string category;
  std::int64_t spend_minor = 0;
  std::int64_t items = 0;
  Timestamp last_bought_at;
};

// What targeting sees of a customer: the aggregates kept up to date by every purchase.
struct CustomerProfile {
  std::int64_t customer_id = 0;
  std::string currency = "USD";  // of the purchase being recorded
  std::int64_t visits = 0;
  std::int64_t total_spend_minor = 0;
  Timestamp first_visit_at;
  Timestamp last_visit_at;
  // The top 20 by spend, highest first; not read when the planner would issue nothing.
  std::vector<CategoryStat> categories;
  std::vector<domain::Coupon> live_coupons;  // issued, unredeemed, unexpired

  // Spend per visit, minor units; 0 before the first visit.
  std::int64_t MeanBasketMinor() const { return visits > 0 ? total_spend_minor / visits : 0; }
  // The customer's own rhythm: mean days between visits, once there are two.
  std::optional<double> MeanDaysBetweenVisits() const {
    if (visits < 2) return std::nullopt;
    const auto span = std::chrono::duration<double>(last_visit_at - first_visit_at).count();
    return span / 86400.0 / static_cast<double>(visits - 1);
  }
};

// Picks the coupons a purchase earns for the next visit. It runs inside the purchase's
// transaction, so it must be quick and must not do I/O. Implementations are stateless
// and thread-safe.
class NextVisitPlanner {
 public:
  virtual ~NextVisitPlanner() = default;
  virtual std::vector<domain::Coupon> Plan(const CustomerProfile& profile, const CardNumber& card,
                                           Timestamp now) const = 0;
  // Asked with a profile holding everything but `categories`: false when Plan would
  // issue nothing whatever the categories, so the store can skip reading them.
  virtual bool WouldIssue(const CustomerProfile& profile) const {
    (void)profile;
    return true;
  }
};

struct RecordedPurchase {
  api::PurchaseAck ack;
  bool replay = false;  // the purchase was already stored; ack is the original answer
};

struct RecordedReturn {
  std::string return_id;
  bool replay = false;
  std::int64_t refund_minor = 0;
  // Unredeemed coupons the returned purchase had earned, voided now.
  std::vector<std::string> voided_coupons;
  // Coupons it had earned that were already spent: reported, since they cannot be undone.
  std::vector<std::string> already_redeemed_coupons;
};

struct CatalogImportResult {
  std::int64_t version = 0;  // catalog version after the import
  std::int64_t changed = 0;  // products added or changed
};

struct StoreInfo {
  std::string id;    // e.g. "S001"
  std::string name;  // e.g. "Springfield, Main St"
  std::string currency = "USD";
};

// Who a request comes from, once its credential checked out.
struct TerminalIdentity {
  std::string terminal_id;
  std::string store_id;
};

struct EnrolledTerminal {
  TerminalIdentity identity;
  std::string credential;  // handed to the terminal once; the server keeps its hash
};

struct TerminalRecord {
  TerminalIdentity identity;
  std::string name;
  std::string status;  // active, revoked
  Timestamp enrolled_at;
  std::optional<Timestamp> last_seen_at;
  std::optional<std::int64_t> backlog;
};

// Portal accounts. A store manager sees only `stores`; admins and analysts the chain.
enum class PortalRole { kAdmin, kStoreManager, kAnalyst };
const char* PortalRoleName(PortalRole role);  // "admin", "store_manager", "analyst"
Result<PortalRole> ParsePortalRole(const std::string& text);

// What portal accounts key on: an e-mail without surrounding spaces, in lower case, so
// "Ada@Example.com " and "ada@example.com" are one account and one throttle count.
std::string NormalisedEmail(std::string email);

struct PortalUser {
  std::int64_t id = 0;
  std::string email;  // lower case
  std::string name;
  PortalRole role = PortalRole::kAnalyst;
  std::vector<std::string> stores;
  bool disabled = false;
};

struct NewPortalUser {
  std::string email;
  std::string name;
  PortalRole role = PortalRole::kAnalyst;
  std::string password_hash;  // auth::HashPassword
  std::vector<std::string> stores;
};

struct PortalSession {
  std::string token_hash;  // auth::HashSecret of the cookie's token
  std::int64_t user_id = 0;
  std::string csrf_token;
  Timestamp created_at;
  Timestamp expires_at;
  std::string remote_address;
};

// A coupon redeemed by a second sale after its first redemption (two tills offline).
struct CouponConflict {
  std::string coupon_id;
  std::int64_t customer_id = 0;
  std::string first_purchase_id;
  std::string first_store_id;
  std::string first_terminal_id;
  Timestamp first_at;
  std::string second_purchase_id;
  std::string second_store_id;
  std::string second_terminal_id;
  Timestamp second_at;
  std::int64_t discount_minor = 0;  // what the second sale gave away
  bool verified_offline = false;    // the second till was offline
  Timestamp detected_at;
};

struct AuditEntry {
  Timestamp at;
  std::optional<std::int64_t> user_id;  // empty: an operator at the command line
  std::string action;
  std::string target;
  nlohmann::json detail = nlohmann::json::object();
  std::string remote_address;
};

// The portal dashboard's figures for a run of whole days in some stores.
struct DashboardQuery {
  std::vector<std::string> stores;  // empty: the whole chain
  Timestamp from;                   // the first day's start (the viewer's local midnight)
  int days = 1;                     // consecutive 24-hour buckets from `from`, 1 to 366
};

struct DashboardFigures {
  std::int64_t purchases = 0;
  std::int64_t sales_minor = 0;       // purchase totals, after discounts
  std::int64_t card_sales_minor = 0;  // the part of sales_minor sold with a loyalty card
  std::int64_t active_customers = 0;  // distinct customers who bought
  std::int64_t coupons_issued = 0;
  std::int64_t coupons_redeemed = 0;
};

struct Dashboard {
  std::string currency;  // the chain's (meta.currency), for every *_minor figure
  // Over the whole run: active_customers counts each customer once, so it is not the
  // sum of the days'.
  DashboardFigures total;
  std::vector<DashboardFigures> per_day;  // `days` entries, the first starting at `from`

  // Sets the totals that are sums of the days' (all but active_customers).
  void AddUpDays();
};

// The single writer's counters, for metrics and logs.
struct WriterStats {
  std::uint64_t jobs = 0;  // writes committed (a purchase, a heartbeat, ...)
  std::uint64_t batches = 0;
  std::size_t queue_depth = 0;
  std::size_t last_batch = 0;
};

// All methods are thread-safe.
class Store {
 public:
  virtual ~Store() = default;

  virtual WriterStats writer_stats() const = 0;
  // Returns once every write queued before the call has committed and been answered.
  virtual void Flush() = 0;

  // The customer holding `card` and their live coupons; no customer for a new card.
  virtual Result<api::CardLookup> LookupCard(const CardNumber& card, Timestamp now) = 0;

  using PurchaseCallback = std::function<void(Result<RecordedPurchase>)>;

  // Stores the purchase, its lines and redemptions, updates the profile, issues the
  // next-visit coupons, all in one transaction, and calls `done` once that is durable
  // (from a storage thread: post real work elsewhere). Idempotent on purchase.id: a
  // replay stores nothing and returns the first answer; the same id with a different
  // body is a kConflict.
  virtual void RecordPurchaseAsync(domain::Purchase purchase, Timestamp now,
                                   PurchaseCallback done) = 0;

  using ReturnCallback = std::function<void(Result<RecordedReturn>)>;

  // Stores a return of goods from an earlier purchase and nets it out of the profile in
  // one transaction: spend, category and product aggregates go down, and the coupons the
  // purchase earned are voided unless already spent. Refuses (kInvalidArgument) to take
  // back more of a product than the purchase sold, counting earlier returns; kNotFound
  // for an unknown purchase. Idempotent on the return's id, like purchases.
  virtual void RecordReturnAsync(domain::SaleReturn sale_return, Timestamp now,
                                 ReturnCallback done) = 0;
  Result<RecordedReturn> RecordReturn(const domain::SaleReturn& sale_return, Timestamp now);

  // RecordPurchaseAsync, waiting for the answer: for tools and tests.
  Result<RecordedPurchase> RecordPurchase(const domain::Purchase& purchase, Timestamp now);

  // The whole catalog, or with since > 0 the products changed after that version.
  virtual domain::Catalog LoadCatalog(std::int64_t since = 0) = 0;
  virtual std::int64_t CatalogVersion() = 0;

  // Stores and terminals. Codes and credentials are hashed before they are stored.
  virtual Status AddStore(const StoreInfo& store) = 0;
  // A one-time code, valid `valid_for`, that enrolls one terminal into `store_id`.
  virtual Result<std::string> CreateEnrollmentCode(const std::string& store_id,
                                                   std::chrono::seconds valid_for,
                                                   Timestamp now) = 0;
  virtual Result<EnrolledTerminal> EnrollTerminal(const std::string& code, const std::string& name,
                                                  Timestamp now) = 0;
  // kUnauthenticated for an unknown credential, kPermissionDenied for a revoked terminal.
  virtual Result<TerminalIdentity> AuthenticateTerminal(const std::string& credential) = 0;
  virtual Status RevokeTerminal(const std::string& terminal_id, Timestamp now) = 0;
  // Queued, not waited for: a heartbeat is news, not a record anyone must not lose.
  virtual void RecordHeartbeat(const TerminalIdentity& terminal, std::int64_t backlog,
                               const std::string& software_version, Timestamp now) = 0;
  virtual std::vector<TerminalRecord> ListTerminals() = 0;

  // Customers and cards.
  // Adds or updates the personal details of the holder of `card`; a card never used
  // before gets its customer now. Returns the customer id.
  virtual Result<std::int64_t> RegisterCustomer(const CardNumber& card,
                                                const domain::CustomerDetails& details,
                                                Timestamp now) = 0;
  // Gives a customer another card (a household shares one account). kAlreadyExists if
  // the card belongs to someone already.
  virtual Status AddCard(std::int64_t customer_id, const CardNumber& card, Timestamp now) = 0;
  // A lost card: blocks it and gives its customer the replacement, history and coupons
  // kept. Returns the customer id.
  virtual Result<std::int64_t> ReplaceCard(const CardNumber& lost, const CardNumber& replacement,
                                           Timestamp now) = 0;
  // Two customers found to be one person: `from`'s cards, purchases, coupons and
  // aggregates move to `into`; `from` remains as a pointer to `into`.
  virtual Status MergeCustomers(std::int64_t into, std::int64_t from, Timestamp now) = 0;

  // Where a coupon stands, for a check at checkout. kNotFound if never issued.
  struct CouponStatus {
    std::int64_t customer_id = 0;
    bool redeemed = false;
    bool voided = false;
  };
  virtual Result<CouponStatus> CouponState(const Uuid& coupon_id) = 0;

  // Adds or updates products in one transaction; the catalog version grows only if
  // something changed.
  virtual Result<CatalogImportResult> ImportProducts(
      const std::vector<domain::Product>& products) = 0;

  // Portal accounts. kAlreadyExists for an e-mail in use, kNotFound for an unknown store.
  virtual Result<PortalUser> CreatePortalUser(const NewPortalUser& user, Timestamp now) = 0;
  // The account and its password hash, for a login; kNotFound for an unknown e-mail.
  virtual Result<std::pair<PortalUser, std::string>> PortalUserForLogin(
      const std::string& email) = 0;
  virtual Status SetPortalPassword(std::int64_t user_id, const std::string& password_hash) = 0;
  virtual Status CreatePortalSession(const PortalSession& session) = 0;
  // The live session and its user; kUnauthenticated when unknown, expired or the
  // account is disabled.
  virtual Result<std::pair<PortalSession, PortalUser>> FindPortalSession(
      const std::string& token_hash, Timestamp now) = 0;
  virtual Status DeletePortalSession(const std::string& token_hash) = 0;
  virtual Status AppendAudit(const AuditEntry& entry) = 0;

  // Coupon conflicts, newest first, at most `limit`; with `stores` given, only those in
  // which one of the two sales was made in one of them.
  virtual std::vector<CouponConflict> ListCouponConflicts(const std::vector<std::string>& stores,
                                                          std::size_t limit) = 0;

  // Sales, card share, active customers and coupons for the portal's dashboard. With
  // `stores` given, coupons count only when the sale that issued (or redeemed) them was
  // made in one of those stores, so coupons the batch issues count for the chain only.
  virtual Dashboard LoadDashboard(const DashboardQuery& query) = 0;
};

}  // namespace loyalty::server
