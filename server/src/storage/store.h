// The server's storage, behind one interface so that SQLite (one file, the default)
// and PostgreSQL (a chain that outgrows one machine) are two engines of the same thing.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "loyalty/api/terminal_api.h"
#include "loyalty/core/card_number.h"
#include "loyalty/domain/campaign.h"
#include "loyalty/domain/catalog.h"
#include "loyalty/domain/customer.h"
#include "loyalty/domain/purchase.h"
#include "loyalty/domain/sale_return.h"
#include "loyalty/domain/segment.h"
#include "storage/portal_customers.h"

namespace loyalty::server {

struct CategoryStat {
  std::string category;
  std::int64_t spend_minor = 0;
  std::int64_t items = 0;
  Timestamp last_bought_at;
};

// One of a customer's priced offers the nightly batch kept for a running next_visit
// campaign (loyalty-batch coupons), which a purchase re-prices and may issue.
struct NextVisitCandidate {
  std::string campaign_id;
  std::string sku;
  std::string name;  // the product's, for the coupon's title
  std::string category;
  std::int64_t unit_price_minor = 0;
  double margin_rate = 0.3;
  double probability = 0;  // p0: P(buy at the next visit) without a coupon, at the run
  // Mean visits between the customer's purchases of the product; 0: bought once or never.
  double gap_visits = 0;
};

// A running next_visit campaign as a purchase sees it: its limits and what it has spent,
// as of the purchase (the store holds its budget row for the transaction).
struct NextVisitCampaign {
  domain::Campaign campaign;
  double shadow_price = 0;  // the nightly run's; 0: its budget did not bind
  double spent_minor = 0;   // expected cost of its treated offers so far
  std::int64_t issued = 0;  // its treated offers so far
  std::int64_t customer_offers = 0;  // this customer's offers of it (issued or held out)
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
  // Read only when the planner would issue, like `categories`: the products of the
  // purchase being recorded, the running next_visit campaigns, and the customer's
  // candidates of those campaigns from the last nightly run (none for a new card).
  std::vector<std::string> basket_skus;
  std::vector<NextVisitCampaign> campaigns;
  std::vector<NextVisitCandidate> candidates;

  // Spend per visit, minor units; 0 before the first visit.
  std::int64_t MeanBasketMinor() const { return visits > 0 ? total_spend_minor / visits : 0; }
  // The customer's own rhythm: mean days between visits, once there are two.
  std::optional<double> MeanDaysBetweenVisits() const {
    if (visits < 2) return std::nullopt;
    const auto span = std::chrono::duration<double>(last_visit_at - first_visit_at).count();
    return span / 86400.0 / static_cast<double>(visits - 1);
  }
};

// One offer a purchase makes for the next visit. With a campaign, the store records it
// in campaign_offers and adds a treated offer's expected cost to the campaign's spend, in
// the purchase's transaction; a held-out (control) offer is recorded, never issued.
struct PlannedOffer {
  domain::Coupon coupon;    // the coupon (for a held-out customer, the one they would get)
  std::string campaign_id;  // empty: the configured rule, no campaign
  bool control = false;
  std::int64_t depth_percent = 0;
  std::int64_t discount_minor = 0;
  double probability = 0;
  double probability_with_coupon = 0;
  double expected_cost_minor = 0;
  double expected_value_minor = 0;
};

// Picks the coupons a purchase earns for the next visit. It runs inside the purchase's
// transaction, so it must be quick and must not do I/O. Implementations are stateless
// and thread-safe.
class NextVisitPlanner {
 public:
  virtual ~NextVisitPlanner() = default;
  virtual std::vector<domain::Coupon> Plan(const CustomerProfile& profile, const CardNumber& card,
                                           Timestamp now) const = 0;
  // What the stores call: Plan's coupons, as offers of no campaign, unless overridden.
  virtual std::vector<PlannedOffer> PlanOffers(const CustomerProfile& profile,
                                               const CardNumber& card, Timestamp now) const {
    std::vector<PlannedOffer> offers;
    for (auto& coupon : Plan(profile, card, now)) offers.push_back({std::move(coupon)});
    return offers;
  }
  // Whether the store should read the campaigns and candidates into the profile.
  virtual bool UsesCampaigns() const { return false; }
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
  // Time the store spent on the next_visit campaigns inside the transaction: reading the
  // campaigns, budgets and candidates, planning, and writing the offers' records (for
  // the ingest benchmark; a purchase in a PostgreSQL group is charged the group's read
  // only if it is the first to plan).
  std::chrono::nanoseconds planning{0};
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

// What the nightly run writes on a customer's row (Store::SetCustomerSegments).
struct CustomerSegmentRow {
  std::int64_t customer_id = 0;
  std::string segment;                           // a name of domain::SegmentName
  std::optional<LapseRiskBand> lapse_risk_band;  // empty: not scored (no visit to judge)
};

// A customer's segment as `customers.segment` holds it: NULL until the nightly run sorts
// the customer; a name this build does not know (a newer run's) also reads as none.
std::optional<domain::Segment> StoredSegment(const std::optional<std::string>& name);

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

// Which audit entries to list, newest first. Empty fields match everything.
struct AuditQuery {
  std::optional<std::int64_t> user_id;
  std::string action;  // "customer.merge" exactly, or "customer" for every customer.* action
  std::string target;  // exactly, e.g. "customer:42"
  std::optional<Timestamp> from;           // at or after
  std::optional<Timestamp> to;             // before
  std::optional<std::int64_t> before_seq;  // the keyset: entries older than this one
  std::size_t limit = 100;
};

struct AuditRecord {
  std::int64_t seq = 0;
  AuditEntry entry;
  std::optional<std::string> user_email;  // empty for the command line
  std::optional<std::string> user_name;
};

// One line of a stored purchase, as the nightly batch reads the history.
struct HistoryLine {
  std::int64_t customer_id = 0;
  std::string purchase_id;
  Timestamp occurred_at;
  std::string sku;
  std::string category;  // as stored with the sale; empty for a product not in the catalog
  std::int64_t quantity = 0;
  std::int64_t amount_minor = 0;
};

// A line of the purchase history as the nightly batch reads it in bulk: the purchase
// named by its integer sequence instead of its id, the text borrowed from the scan.
struct HistoryKeyLine {
  std::int64_t customer_id = 0;
  std::int64_t purchase_seq = 0;  // one per purchase, ascending in the order stored
  std::int64_t occurred_at = 0;   // Unix seconds, UTC
  std::string_view sku;           // valid during the call only
  std::string_view category;      // likewise; empty for a product not in the catalog
  std::int64_t quantity = 0;
  std::int64_t amount_minor = 0;
};

// A category a customer buys more often than the chain's shoppers do
// (targeting/customer_features.h): the lift of their share of baskets holding it over
// the population's, shrunk towards 1.
struct CategoryAffinity {
  std::string category;
  double lift = 0;
  std::int64_t baskets = 0;  // the customer's baskets holding it
};

// The nightly run's derived features of one customer, as of its run date's midnight
// (docs/targeting.md, "Customer features").
struct CustomerFeaturesRecord {
  std::int64_t customer_id = 0;
  std::string run_date;  // YYYY-MM-DD
  std::int64_t visits = 0;
  Timestamp last_visit_at;
  double days_since_last_visit = 0;
  double days_between_visits = 0;  // the usual (median) gap
  double lapse_risk = 0;           // 0-1
  Timestamp next_visit_at;         // last visit + the usual gap; in the past when overdue
  std::vector<CategoryAffinity> top_categories;  // highest lift first
};

// One offer of the nightly batch (loyalty-batch coupons), keyed by run date, campaign,
// customer and rank.
struct CampaignOfferRecord {
  std::string run_date;  // YYYY-MM-DD, UTC
  std::string campaign_id;
  std::int64_t customer_id = 0;
  std::int64_t offer_rank = 0;  // the customer's n-th offer of the campaign in this run
  std::string sku;
  bool control = false;         // held out: recorded, never issued
  // The chosen depth in the campaign's unit (the column predates other discount types):
  // percent for percent_off and buy_x_get_y, minor units for amount_off, 0 for free_item.
  std::int64_t depth_percent = 0;
  std::int64_t discount_minor = 0;
  double probability = 0;
  double probability_with_coupon = 0;
  double expected_cost_minor = 0;
  double expected_value_minor = 0;
  // Treated offers: the coupon to issue, its id derived from the key so that a rerun
  // makes the same one; the store gives it to the customer's newest active card.
  std::optional<domain::Coupon> coupon;
};

// One next_visit candidate the nightly batch keeps for the purchases (NextVisitCandidate
// under its run and rank).
struct NextVisitCandidateRecord {
  std::string run_date;  // YYYY-MM-DD, UTC
  std::int64_t customer_id = 0;
  std::int64_t rank = 0;  // 0: the best value for cost at the run
  NextVisitCandidate candidate;
};

// One row of next_visit_candidates: a customer's candidates of one campaign and run,
// packed into one value (packed_candidates.h).
struct PackedCandidateRow {
  std::string campaign_id;
  std::string run_date;
  std::int64_t customer_id = 0;
  std::string candidates;  // packed
};

struct RecordedOffers {
  std::int64_t stored = 0;           // offers new to the store
  std::int64_t already_present = 0;  // stored by an earlier (or killed) run of the date
  std::int64_t coupons_issued = 0;
  std::int64_t without_card = 0;     // treated, but the customer has no active card
  // Not stored: by the time the offer was stored the campaign's budget (money or count)
  // had been spent by others (purchases, another writer) since the run planned, or the
  // customer had reached the campaign's cap.
  std::int64_t over_budget = 0;
  std::int64_t over_cap = 0;
};

// What one campaign gave out in batch runs, for the next run's budget and caps.
struct CampaignIssuance {
  // Treated offers and their expected cost, but for those whose coupon was voided (a
  // return, an erasure): those gave their cost back to campaign_budgets, and the nightly
  // run must not hold it back a second time.
  double spent_minor = 0;
  std::int64_t issued = 0;
  // Customer id, offers issued or held out, voided or not: all count against the per-customer cap, so
  // the control group is offered no more often than the treated.
  std::vector<std::pair<std::int64_t, std::int64_t>> per_customer;
};

// One customer's part in a campaign, for its report: their group, and what they bought
// from the day of their first offer to the end of its life (the same length for every
// customer, treated or held out).
struct CampaignOutcome {
  std::int64_t customer_id = 0;
  bool control = false;
  std::int64_t offers = 0;          // offers recorded (issued or held out)
  std::int64_t coupons_issued = 0;
  std::int64_t coupons_redeemed = 0;
  std::int64_t visits = 0;
  std::int64_t sales_minor = 0;     // what they paid, after discounts
  std::int64_t discount_minor = 0;  // every coupon discount in those purchases
};

// One UTC day of a campaign's coupons (those its batch offers issued), for its chart.
struct CampaignDay {
  std::string date;                 // YYYY-MM-DD, UTC
  std::int64_t issued = 0;          // coupons issued that day
  std::int64_t redeemed = 0;        // coupons redeemed that day
  std::int64_t discount_minor = 0;  // what that day's redemptions gave away
};

struct CampaignDays {
  std::string currency;           // the chain's (meta.currency), of discount_minor
  std::vector<CampaignDay> days;  // ascending; only days with something issued or redeemed
};

struct BatchRun {
  std::string run_date;
  Timestamp started_at;
  std::optional<Timestamp> finished_at;
  nlohmann::json summary;  // null until finished
};

// A batch lock's times are kept to the millisecond: a lease a few seconds long must
// not lose a second to rounding.
using LeaseTime = std::chrono::sys_time<std::chrono::milliseconds>;
LeaseTime LeaseNow();

// Who holds a batch job's lock (migrations 0018, 0021), so a second run can name them.
struct BatchLockHolder {
  std::string token;  // random per holder: only it may heartbeat or release
  std::string host;
  std::int64_t pid = 0;
  std::string detail;  // what it runs, e.g. "coupons --date 2026-12-05"
  Timestamp started_at;
  LeaseTime heartbeat_at;
  // The holder's own lease: each heartbeat moves `expires_at` to heartbeat + lease.
  std::chrono::milliseconds lease{0};
  LeaseTime expires_at;
};

// What TryTakeBatchLock found.
struct BatchLockAttempt {
  bool taken = false;
  // Not taken: the live holder. Taken: the stale holder it replaced, if any.
  std::optional<BatchLockHolder> other;
};

// A campaign as stored, with who made it and when.
struct StoredCampaign {
  domain::Campaign campaign;
  Timestamp created_at;
  Timestamp updated_at;
  std::optional<std::int64_t> created_by;  // portal user; empty: the command line
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

// What a marketing team spent on one acquisition source over a run of days.
struct AcquisitionCost {
  std::string period_start;  // YYYY-MM-DD, the first day
  std::string period_end;    // YYYY-MM-DD, the last day, inclusive
  std::int64_t cost_minor = 0;
  Timestamp updated_at;
};

// A source as the portal names it; `source` is the token registration stores.
struct AcquisitionSource {
  std::string source;
  std::string display_name;
  std::vector<AcquisitionCost> costs;  // by period_start
};

// The customers who joined (their customer record was made) in [from, to).
struct AcquisitionQuery {
  std::vector<std::string> stores;  // empty: the whole chain; else customers who shopped there
  Timestamp from;
  Timestamp to;
};

struct AcquiredCustomers {
  std::string source;  // empty: the customer gave none
  std::int64_t customers = 0;
  // Everything they paid since they joined (returns netted out); with `stores` given,
  // only what they paid in those stores.
  std::int64_t revenue_minor = 0;
};

// Sales of a run of days summed one way: a store's, or one cashier's in one store.
struct SalesFigures {
  std::int64_t purchases = 0;
  std::int64_t sales_minor = 0;       // purchase totals, after discounts
  std::int64_t card_purchases = 0;    // purchases where the shopper showed a loyalty card
  std::int64_t card_sales_minor = 0;  // the part of sales_minor sold with a card
  std::int64_t discount_minor = 0;    // coupon discounts given at the till
  std::int64_t coupons_redeemed = 0;  // coupons these sales redeemed (first redemptions only)

  void Add(const SalesFigures& other);
};

struct CashierPerformance {
  std::string store_id;
  std::optional<std::string> cashier_id;  // none: sales from tills without sign-on
  SalesFigures figures;
};

struct StorePerformance {
  std::string store_id;
  std::string name;      // empty for a store the stores table does not know
  SalesFigures figures;  // the sum of its cashiers'
  std::int64_t returns = 0;
  std::int64_t refund_minor = 0;
};

// The portal's performance page for a run of whole days in some stores (a
// DashboardQuery: the same run and scope as the dashboard's).
struct Performance {
  std::string currency;                      // the chain's, for every *_minor figure
  std::vector<StorePerformance> stores;      // each store with sales or returns, by id
  std::vector<CashierPerformance> cashiers;  // by store id, then cashier id (none first)

  // For the engines, once they have filled `cashiers`, and `stores` with only the
  // returns: sums each store's cashiers into its figures (adding the stores without
  // returns), names the stores from `names` (id to name) and orders them by id.
  void AddUpStores(const std::map<std::string, std::string>& names);
};

// The single writer's counters, for metrics and logs.
struct WriterStats {
  std::uint64_t jobs = 0;  // writes committed (a purchase, a heartbeat, ...)
  std::uint64_t batches = 0;
  std::size_t queue_depth = 0;
  std::size_t last_batch = 0;
};

// For the engines: whose purchase it is and whether it earns coupons. A till's purchase
// takes the defaults; RecordHistoricalPurchaseAsync names its customer and plans none.
struct PurchaseOrigin {
  std::optional<std::int64_t> customer_id;  // set: this customer, whatever the card says
  bool plan_coupons = true;
};

// All methods are thread-safe.
class Store {
 public:
  virtual ~Store() = default;

  virtual WriterStats writer_stats() const = 0;
  // Whether the writer's connection waits for the disk at every commit
  // (WriterOptions::sync_every_commit), as the engine reports it.
  virtual bool SyncsEveryCommit() = 0;
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

  // History from another system (loyalty-batch import): stored, idempotent and added to
  // the profile (visits, spend, first and last visit, category and product aggregates)
  // at the purchase's occurred_at, as RecordPurchaseAsync does, but it earns no coupon:
  // the shopper is not at a till, and the visit may be years old. The customer is
  // `customer_id` (an existing one; the purchase then carries no card) or else the
  // card's, made on first use. A purchase with redemptions is refused (kInvalidArgument):
  // the other system's coupons are not ours to spend.
  virtual void RecordHistoricalPurchaseAsync(domain::Purchase purchase,
                                             std::optional<std::int64_t> customer_id, Timestamp now,
                                             PurchaseCallback done) = 0;

  // The customers another system knew as `source_ids`, in their order, each made now
  // (with no card) the first time its id is seen: the same id always gives the same
  // customer. One transaction, so an import maps thousands at a time.
  struct ImportedCustomer {
    std::int64_t id = 0;
    bool created = false;  // by this call
  };
  virtual Result<std::vector<ImportedCustomer>> CustomersForImportedIds(
      const std::vector<std::string>& source_ids, Timestamp now) = 0;

  // The store `store_id`; kNotFound when there is none.
  virtual Result<StoreInfo> FindStore(const std::string& store_id) = 0;

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
  // Revoking a revoked terminal changes nothing (it keeps the first revocation's time).
  virtual Status RevokeTerminal(const std::string& terminal_id, Timestamp now) = 0;
  // Queued, not waited for: a heartbeat is news, not a record anyone must not lose.
  virtual void RecordHeartbeat(const TerminalIdentity& terminal, std::int64_t backlog,
                               const std::string& software_version, Timestamp now) = 0;
  virtual std::vector<TerminalRecord> ListTerminals() = 0;
  // Every store, by id.
  virtual std::vector<StoreInfo> ListStores() = 0;

  // Customers and cards.
  // Adds or updates the personal details of the holder of `card`; a card never used
  // before gets its customer now. Returns the customer id.
  virtual Result<std::int64_t> RegisterCustomer(const CardNumber& card,
                                                const domain::CustomerDetails& details,
                                                Timestamp now) = 0;
  // Registers the holder of a card nobody has registered yet: a new card, or one used at
  // tills before its holder gave details. kConflict naming card_number when the card is
  // blocked or its customer has details already. The check is inside the write, so two
  // service desks registering the same card at once cannot both succeed.
  virtual Result<std::int64_t> RegisterNewCustomer(const CardNumber& card,
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
  virtual Result<std::vector<AuditRecord>> ListAudit(const AuditQuery& query) = 0;

  // Calls `line` for every line of every purchase by a customer (sales without a card
  // are skipped) that occurred before `before`, in the order purchases were stored,
  // lines of a purchase together. Reads one consistent snapshot with flat memory, so a
  // nightly run over tens of millions of lines does not hold them twice. Returned goods
  // are not netted out here.
  using HistoryLineFunction = std::function<void(const HistoryLine&)>;
  virtual void ScanPurchaseHistory(Timestamp before, const HistoryLineFunction& line) = 0;
  // The same lines in the same order, each purchase by its sequence number and its text
  // borrowed from the scan: the nightly batch reads tens of millions of lines, and a
  // purchase's UUID copied onto every one of them cost more than the scan itself. One
  // range of ScanPurchaseHistoryKeyRanges, over every sequence.
  using HistoryKeyLineFunction = std::function<void(const HistoryKeyLine&)>;
  void ScanPurchaseHistoryKeys(Timestamp before, const HistoryKeyLineFunction& line);
  // The same lines of the purchases whose sequence is in each of `ranges` ([from, to),
  // ascending, apart), range after range, from one snapshot; `range_done` is called after
  // each range's lines. Several of them, on threads of their own, read the history
  // faster than one scan (batch/history_read.h). Their snapshots differ, but a purchase
  // and its lines are written once, together, and never changed in what these read (an
  // erasure clears the card number only), so below a PurchaseSeqEnd read before them
  // they see the same purchases; PostgreSQL may commit a sequence out of order, and a
  // purchase committed meanwhile is then read whole by the one scan of its range, or
  // not at all.
  struct PurchaseSeqRange {
    std::int64_t from = 0;
    std::int64_t to = 0;
  };
  virtual void ScanPurchaseHistoryKeyRanges(Timestamp before,
                                            const std::vector<PurchaseSeqRange>& ranges,
                                            const HistoryKeyLineFunction& line,
                                            const std::function<void()>& range_done) = 0;
  // One past the highest purchase sequence stored; 1 when there is none.
  virtual std::int64_t PurchaseSeqEnd() = 0;
  // Customers holding an active card, whom a coupon can reach; ascending.
  virtual std::vector<std::int64_t> ListCardholders() = 0;
  // Every customer who gave a birthday at registration: customer id, YYYY-MM-DD.
  virtual std::vector<std::pair<std::int64_t, std::string>> ListBirthdays() = 0;
  // The nightly batch's segment and lapse-risk band for each customer given, computed
  // from the history before `history_end`; only the rows that change are written, in
  // transactions of a few thousand, so a night touches only the customers who moved. A
  // customer who visited since `history_end` gets "low" rather than a band at risk (the
  // visit moved them there already, see migration 0026), and their stored risk 0.
  // Unknown and erased customers are skipped.
  virtual Status SetCustomerSegments(const std::vector<CustomerSegmentRow>& rows,
                                     Timestamp history_end) = 0;
  // The nightly run's customer features, in one transaction (the run sends them a few
  // ten thousand at a time); a customer's earlier row is replaced. Unknown, merged and
  // erased customers are skipped.
  virtual Status WriteCustomerFeatures(const std::vector<CustomerFeaturesRecord>& rows) = 0;
  // Around the nightly run's writes of every customer's row: between the two, an engine
  // may leave an index of the rows out of step and rebuild it in one pass at the end.
  // Reads answer the same meanwhile, some of them slower. SQLite sets aside the portal's
  // index by lapse risk: every row's risk moves every night, and moving a million entries
  // one by one cost a fifth of the whole night, five times the rebuild. The end is
  // also called after a failed rewrite, and a start-up rebuilds an index a killed run
  // left out.
  virtual Status BeginCustomerFeaturesRewrite() = 0;
  virtual Status EndCustomerFeaturesRewrite() = 0;
  // Deletes the features rows of run dates before `run_date`: the customers that run did
  // not see (no purchase any more, merged away) keep no stale row. A re-run of an older
  // date neither deletes nor overwrites (WriteCustomerFeatures) a newer run's rows.
  virtual Status DropCustomerFeaturesBefore(const std::string& run_date) = 0;
  // The customer's features from the latest run; empty before any run saw them.
  virtual std::optional<CustomerFeaturesRecord> FindCustomerFeatures(std::int64_t customer_id) = 0;

  // The batch's offers, in one transaction: offers already stored for their key are
  // left as they are (and their coupons not issued again); new treated ones issue their
  // coupon. The campaigns' rows are locked first (on PostgreSQL FOR NO KEY UPDATE in id
  // order, as a purchase locks them) and their spend read after the lock, so a new offer
  // is stored only if it still fits the campaign's budget and the customer's cap as they
  // stand then (campaign_room.h); the others are counted as over_budget or over_cap. A
  // campaign id with no campaign row has no limits. kNotFound for an unknown customer.
  virtual Result<RecordedOffers> RecordCampaignOffers(
      const std::vector<CampaignOfferRecord>& offers, Timestamp now) = 0;
  // The nightly run's next_visit candidates, in one transaction: one row per (campaign,
  // run date, customer) holding that customer's candidates in rank order, packed
  // (packed_candidates.h: PackCandidateRows from records); a row stored already is left
  // as it is. Purchases do not see them until SetNextVisitRun names their run.
  virtual Status RecordNextVisitCandidates(const std::vector<PackedCandidateRow>& rows) = 0;
  // Makes `run_date`'s candidates of the campaign the ones purchases choose from, with the
  // run's shadow price, and drops the campaign's candidates of later runs (a killed run's);
  // unless a later run date is current already (an older date run again), which then
  // stays current. The candidates of earlier runs stay until
  // DropReplacedNextVisitCandidates: no purchase reads them again.
  virtual Status SetNextVisitRun(const std::string& campaign_id, const std::string& run_date,
                                 double shadow_price, Timestamp now) = 0;
  // Deletes every campaign's candidates of runs before its current one, at most
  // `rows_per_transaction` rows a transaction, so that purchases' writes go between them.
  // Returns the rows deleted. No purchase or run reads those rows, so it needs no lock.
  // The nightly run calls it while it reads the history, when the store's writer is
  // otherwise idle: at the run's end, in SetNextVisitRun's one transaction, a million
  // customers' took the store phase from 4-5 s to 13-17 s, and every purchase waited.
  Result<std::int64_t> DropReplacedNextVisitCandidates(std::size_t rows_per_transaction);
  // One transaction of DropReplacedNextVisitCandidates: deletes at most `at_most` of
  // those rows, and returns how many it deleted.
  virtual Result<std::int64_t> DeleteReplacedNextVisitCandidates(std::size_t at_most) = 0;
  // Reads every page of the two tables the nightly run rewrites customer by customer
  // (customer_features and customers) once, so that the machine's cache holds them when
  // the run writes. It takes no lock and holds up no write: the run calls it while it
  // reads the history. On a machine that had paged them out (idle pages reclaimed), the
  // features' write otherwise read them a page at a time on the run's critical path, at
  // a million customers 17 s instead of 7 (docs/benchmarks.md, "Tables paged out").
  // Returns the rows read.
  virtual Result<std::int64_t> PrewarmNightlyRewrites() = 0;
  // Per campaign id, what batch runs other than `run_date` gave out (treated offers), and
  // what purchases gave out whatever their date.
  virtual std::map<std::string, CampaignIssuance> CampaignIssuanceExcept(
      const std::string& run_date) = 0;
  // Every customer the campaign made an offer to (or held one back from), with the
  // purchases of their window: the first offer's date to that + `validity`.
  virtual std::vector<CampaignOutcome> CampaignOutcomes(const std::string& campaign_id,
                                                        std::chrono::seconds validity) = 0;
  // The campaign's coupons per day (CampaignDay); an unknown campaign has no days.
  virtual CampaignDays CampaignCouponDays(const std::string& campaign_id) = 0;
  // A run's bookkeeping: started (kept from the first start when resumed), finished.
  virtual Status StartBatchRun(const std::string& run_date, Timestamp now) = 0;
  virtual Status FinishBatchRun(const std::string& run_date, const nlohmann::json& summary,
                                Timestamp now) = 0;
  virtual std::optional<BatchRun> FindBatchRun(const std::string& run_date) = 0;
  // A batch job's lock, one row per job name, taken atomically: by `holder` with a lease
  // until now + `lease` when nobody holds it or the holder's lease ended before `now` (a
  // killed run's); otherwise the live holder is returned and nothing changes. Whether a
  // lease ended is the holder's word (its own lease length), never the taker's.
  virtual Result<BatchLockAttempt> TryTakeBatchLock(const std::string& name,
                                                    const BatchLockHolder& holder, LeaseTime now,
                                                    std::chrono::milliseconds lease) = 0;
  // The holder `token` says it is alive and extends its lease to now + `lease`; false when
  // it no longer holds the lock (taken over after its lease ended).
  virtual Result<bool> HeartbeatBatchLock(const std::string& name, const std::string& token,
                                          LeaseTime now, std::chrono::milliseconds lease) = 0;
  // Frees the lock if `token` still holds it.
  virtual Status ReleaseBatchLock(const std::string& name, const std::string& token) = 0;

  // Coupon conflicts, newest first, at most `limit`; with `stores` given, only those in
  // which one of the two sales was made in one of them.
  virtual std::vector<CouponConflict> ListCouponConflicts(const std::vector<std::string>& stores,
                                                          std::size_t limit) = 0;

  // Campaigns, checked by domain::CampaignFromJson before they come here.
  // kAlreadyExists (field "id") for an id in use.
  virtual Result<StoredCampaign> CreateCampaign(const domain::Campaign& campaign,
                                                std::optional<std::int64_t> created_by,
                                                Timestamp now) = 0;
  // Replaces every field of the campaign with `campaign.id`, paused included. Returns
  // the version it replaced, so the caller can tell what changed; kNotFound for an
  // unknown id.
  virtual Result<StoredCampaign> UpdateCampaign(const domain::Campaign& campaign,
                                                Timestamp now) = 0;
  virtual Result<StoredCampaign> GetCampaign(const std::string& campaign_id) = 0;
  // Newest first (by creation); with `running_at`, only the campaigns that run then
  // (Campaign::RunsAt: not paused, started, not ended).
  virtual std::vector<StoredCampaign> ListCampaigns(std::optional<Timestamp> running_at) = 0;
  // kNotFound for an unknown id; pausing a paused campaign changes nothing.
  virtual Status SetCampaignPaused(const std::string& campaign_id, bool paused,
                                   Timestamp now) = 0;
  // The portal's customer pages (storage/portal_customers.h). Merged customers are left
  // out of lists; kNotFound for an unknown customer.
  virtual Result<CustomerListPage> ListCustomers(const CustomerListQuery& query) = 0;
  virtual Result<CustomerRecord> FindCustomer(std::int64_t customer_id, Timestamp now) = 0;
  // Newest first, at most `limit`, those with seq below `before_seq` when given.
  virtual Result<std::vector<CustomerPurchase>> ListCustomerPurchases(
      std::int64_t customer_id, std::optional<std::int64_t> before_seq, std::size_t limit) = 0;
  // Newest first, at most `limit`.
  virtual std::vector<CustomerCoupon> ListCustomerCoupons(std::int64_t customer_id,
                                                          std::size_t limit) = 0;
  virtual Result<CustomerContact> AddCustomerContact(const NewCustomerContact& contact,
                                                     Timestamp now) = 0;
  // Marks a follow-up done; closing it again keeps the first time. kNotFound unless the
  // contact belongs to `customer_id`.
  virtual Result<CustomerContact> CloseCustomerContact(std::int64_t customer_id,
                                                       std::int64_t contact_id,
                                                       std::optional<std::int64_t> user_id,
                                                       Timestamp now) = 0;
  // Newest first.
  virtual std::vector<CustomerContact> ListCustomerContacts(std::int64_t customer_id) = 0;
  // Open follow-ups, earliest due first (only those due before `now` when
  // `overdue_only`); with `stores` given, of customers who shopped in one of them.
  virtual std::vector<CustomerContact> ListFollowUps(const std::vector<std::string>& stores,
                                                     bool overdue_only, Timestamp now,
                                                     std::size_t limit) = 0;
  // Removes the customer's personal data: details, contact notes' text, the cards' link
  // to them (cards are blocked and detached) and the purchases' card numbers; purchases
  // and aggregates stay for reports under the bare customer id. Returns false when the
  // customer had been erased before (nothing changes).
  virtual Result<bool> EraseCustomer(std::int64_t customer_id, Timestamp now) = 0;
  // Sales, card share, active customers and coupons for the portal's dashboard. With
  // `stores` given, coupons count only when the sale that issued (or redeemed) them was
  // made in one of those stores, so coupons the batch issues count for the chain only.
  virtual Dashboard LoadDashboard(const DashboardQuery& query) = 0;

  // Acquisition sources: names and costs, by source token.
  virtual std::vector<AcquisitionSource> ListAcquisitionSources() = 0;
  // Names a source (a token as domain::IsAcquisitionSource accepts), adding it if new.
  virtual Status SetAcquisitionSourceName(const std::string& source,
                                          const std::string& display_name, Timestamp now) = 0;
  // Adds the cost of `source` for its period, or replaces the one booked for exactly that
  // period; a source not named yet is added under its token.
  virtual Status SetAcquisitionCost(const std::string& source, const AcquisitionCost& cost,
                                    Timestamp now) = 0;
  // Per source, the customers who joined in the query's period and their revenue.
  // Merged customers are left out (their purchases count for the one they merged into).
  virtual std::vector<AcquiredCustomers> ListAcquiredCustomers(const AcquisitionQuery& query) = 0;
  // Sales per store and per cashier within each store, and each store's returns, for
  // the portal's performance page. Coupons redeemed count by the sale that redeemed them.
  virtual Performance LoadPerformance(const DashboardQuery& query) = 0;
};

// Appends an action to the audit log once the action is stored. A failed write is
// logged as an error, not reported as a failed action, which would invite the caller
// to make it twice.
void AuditStoredAction(Store& store, const AuditEntry& entry);

}  // namespace loyalty::server
