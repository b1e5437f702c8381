// The PostgreSQL engine, for a chain that outgrows one machine. The same design as the
// SQLite engine: one writer connection on one thread takes the writes that arrive
// together and commits them in one transaction (group commit), and a job's caller hears
// back only after that COMMIT returned, i.e. after the WAL is flushed at the server's
// synchronous_commit (on by default): an acknowledged purchase survives a crash of this
// process, of the database server and of its machine. (The nightly batch's store turns
// it off for its own connection: WriterOptions::sync_every_commit.)
//
// Purchases that redeem nothing (most of them) are written as a group: those that
// arrive while the writer is busy wait together, and one data-modifying WITH statement
// writes them all (customers for new cards, purchases, lines with their categories
// joined from the catalog, product, category and customer aggregates, each a multi-row
// statement from arrays) and returns each customer's profile from before the group. The
// planner then runs purchase by purchase in arrival order on that profile plus the
// purchases before it, exactly as if they had been written one by one, and one more
// statement inserts every coupon the group earned. So a group costs the database two
// statements, not two per purchase. A purchase that redeems coupons goes alone, since
// its redemptions depend on who holds each coupon. Reads use a pool of connections and
// never wait for the writer.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "loyalty/core/thread_annotations.h"
#include "loyalty/crypto/ed25519.h"
#include "loyalty/postgres/postgres.h"
#include "storage/group_commit_writer.h"
#include "storage/store.h"

namespace loyalty::server {

using PostgresWriter = GroupCommitWriter<postgres::Connection, postgres::Transaction>;

// The dashboard rows (TallyRow) a purchase adds to: its hour at its store, and the hour
// its coupons are issued in (`now`) at that store.
void AddPurchaseTallies(const domain::Purchase& purchase, Timestamp now,
                        std::vector<TallyRow>& rows);

class PostgresStore final : public Store {
 public:
  // Connects to `url` (postgresql://user@host:port/db), migrating the schema if needed.
  // Throws PostgresError when the database cannot be reached or its schema is not one
  // this program knows. The planner and key must outlive the store.
  PostgresStore(const std::string& url, const NextVisitPlanner& planner,
                const crypto::SigningKey& signing_key, WriterOptions writer_options = {},
                BatchObserver observer = nullptr);
  ~PostgresStore() override;

  WriterStats writer_stats() const override { return writer_->stats(); }
  bool SyncsEveryCommit() override;
  void Flush() override;

  Result<api::CardLookup> LookupCard(const CardNumber& card, Timestamp now) override;
  void RecordPurchaseAsync(domain::Purchase purchase, Timestamp now,
                           PurchaseCallback done) override;
  void RecordHistoricalPurchaseAsync(domain::Purchase purchase,
                                     std::optional<std::int64_t> customer_id, Timestamp now,
                                     PurchaseCallback done) override;
  Result<std::vector<ImportedCustomer>> CustomersForImportedIds(
      const std::vector<std::string>& source_ids, Timestamp now) override;
  Result<StoreInfo> FindStore(const std::string& store_id) override;
  void RecordReturnAsync(domain::SaleReturn sale_return, Timestamp now,
                         ReturnCallback done) override;
  domain::Catalog LoadCatalog(std::int64_t since = 0) override;
  std::int64_t CatalogVersion() override;
  Result<CatalogImportResult> ImportProducts(const std::vector<domain::Product>& products) override;
  Result<CouponStatus> CouponState(const Uuid& coupon_id) override;

  Result<std::int64_t> RegisterCustomer(const CardNumber& card,
                                        const domain::CustomerDetails& details,
                                        Timestamp now) override;
  Result<std::int64_t> RegisterNewCustomer(const CardNumber& card,
                                           const domain::CustomerDetails& details,
                                           Timestamp now) override;
  Status AddCard(std::int64_t customer_id, const CardNumber& card, Timestamp now) override;
  Result<std::int64_t> ReplaceCard(const CardNumber& lost, const CardNumber& replacement,
                                   Timestamp now) override;
  Status MergeCustomers(std::int64_t into, std::int64_t from, Timestamp now) override;

  Status AddStore(const StoreInfo& store) override;
  Result<std::string> CreateEnrollmentCode(const std::string& store_id,
                                           std::chrono::seconds valid_for, Timestamp now) override;
  Result<EnrolledTerminal> EnrollTerminal(const std::string& code, const std::string& name,
                                          Timestamp now) override;
  Result<TerminalIdentity> AuthenticateTerminal(const std::string& credential) override;
  Status RevokeTerminal(const std::string& terminal_id, Timestamp now) override;
  void RecordHeartbeat(const TerminalIdentity& terminal, std::int64_t backlog,
                       const std::string& software_version, Timestamp now) override;
  std::vector<TerminalRecord> ListTerminals() override;
  std::vector<StoreInfo> ListStores() override;

  Result<PortalUser> CreatePortalUser(const NewPortalUser& user, Timestamp now) override;
  Result<std::pair<PortalUser, std::string>> PortalUserForLogin(const std::string& email) override;
  Status SetPortalPassword(std::int64_t user_id, const std::string& password_hash) override;
  Status CreatePortalSession(const PortalSession& session) override;
  Result<std::pair<PortalSession, PortalUser>> FindPortalSession(const std::string& token_hash,
                                                                 Timestamp now) override;
  Status DeletePortalSession(const std::string& token_hash) override;
  Status AppendAudit(const AuditEntry& entry) override;
  Result<std::vector<AuditRecord>> ListAudit(const AuditQuery& query) override;
  Result<RecordedOffers> RecordCampaignOffers(const std::vector<CampaignOfferRecord>& offers,
                                              Timestamp now) override;
  Status RecordNextVisitCandidates(
      const std::vector<PackedCandidateRow>& rows) override;  // pg_next_visit.cc
  Status SetNextVisitRun(const std::string& campaign_id, const std::string& run_date,
                         double shadow_price, Timestamp now) override;
  Result<std::int64_t> DeleteReplacedNextVisitCandidates(std::size_t at_most) override;
  Result<std::int64_t> PrewarmNightlyRewrites() override;
  std::map<std::string, CampaignIssuance> CampaignIssuanceExcept(
      const std::string& run_date) override;
  std::vector<CampaignOutcome> CampaignOutcomes(const std::string& campaign_id,
                                                std::chrono::seconds validity) override;
  CampaignDays CampaignCouponDays(const std::string& campaign_id) override;
  Status StartBatchRun(const std::string& run_date, Timestamp now) override;
  Status FinishBatchRun(const std::string& run_date, const nlohmann::json& summary,
                        Timestamp now) override;
  std::optional<BatchRun> FindBatchRun(const std::string& run_date) override;
  Result<BatchLockAttempt> TryTakeBatchLock(const std::string& name,
                                            const BatchLockHolder& holder, LeaseTime now,
                                            std::chrono::milliseconds lease) override;
  Result<bool> HeartbeatBatchLock(const std::string& name, const std::string& token,
                                  LeaseTime now, std::chrono::milliseconds lease) override;
  Status ReleaseBatchLock(const std::string& name, const std::string& token) override;
  void ScanPurchaseHistory(Timestamp before, const HistoryLineFunction& line) override;
  void ScanPurchaseHistoryKeyRanges(Timestamp before, const std::vector<PurchaseSeqRange>& ranges,
                                    const HistoryKeyLineFunction& line,
                                    const std::function<void()>& range_done) override;
  std::int64_t PurchaseSeqEnd() override;
  std::vector<std::pair<std::int64_t, std::string>> ListBirthdays() override;
  std::vector<std::int64_t> ListCardholders() override;
  Status SetCustomerSegments(const std::vector<CustomerSegmentRow>& rows,
                             Timestamp history_end) override;
  Status WriteCustomerFeatures(const std::vector<CustomerFeaturesRecord>& rows) override;
  Status BeginCustomerFeaturesRewrite() override;
  Status EndCustomerFeaturesRewrite() override;
  Status DropCustomerFeaturesBefore(const std::string& run_date) override;
  std::optional<CustomerFeaturesRecord> FindCustomerFeatures(std::int64_t customer_id) override;
  std::vector<CouponConflict> ListCouponConflicts(const std::vector<std::string>& stores,
                                                  std::size_t limit) override;
  Result<StoredCampaign> CreateCampaign(const domain::Campaign& campaign,
                                        std::optional<std::int64_t> created_by,
                                        Timestamp now) override;
  Result<StoredCampaign> UpdateCampaign(const domain::Campaign& campaign, Timestamp now) override;
  Result<StoredCampaign> GetCampaign(const std::string& campaign_id) override;
  std::vector<StoredCampaign> ListCampaigns(std::optional<Timestamp> running_at) override;
  Status SetCampaignPaused(const std::string& campaign_id, bool paused, Timestamp now) override;
  Result<CustomerListPage> ListCustomers(const CustomerListQuery& query) override;
  Result<CustomerRecord> FindCustomer(std::int64_t customer_id, Timestamp now) override;
  Result<std::vector<CustomerPurchase>> ListCustomerPurchases(
      std::int64_t customer_id, std::optional<std::int64_t> before_seq,
      std::size_t limit) override;
  std::vector<CustomerCoupon> ListCustomerCoupons(std::int64_t customer_id,
                                                  std::size_t limit) override;
  Result<CustomerContact> AddCustomerContact(const NewCustomerContact& contact,
                                             Timestamp now) override;
  Result<CustomerContact> CloseCustomerContact(std::int64_t customer_id, std::int64_t contact_id,
                                               std::optional<std::int64_t> user_id,
                                               Timestamp now) override;
  std::vector<CustomerContact> ListCustomerContacts(std::int64_t customer_id) override;
  std::vector<CustomerContact> ListFollowUps(const std::vector<std::string>& stores,
                                             bool overdue_only, Timestamp now,
                                             std::size_t limit) override;
  Result<bool> EraseCustomer(std::int64_t customer_id, Timestamp now) override;
  Dashboard LoadDashboard(const DashboardQuery& query) override;  // *_dashboard.cc
  // *_acquisition.cc
  std::vector<AcquisitionSource> ListAcquisitionSources() override;
  Status SetAcquisitionSourceName(const std::string& source, const std::string& display_name,
                                  Timestamp now) override;
  Status SetAcquisitionCost(const std::string& source, const AcquisitionCost& cost,
                            Timestamp now) override;
  std::vector<AcquiredCustomers> ListAcquiredCustomers(const AcquisitionQuery& query) override;
  Performance LoadPerformance(const DashboardQuery& query) override;  // *_dashboard.cc

 private:
  // A connection borrowed from the read pool for one call; one the server dropped is
  // not returned to the pool.
  class ReadLease {
   public:
    ReadLease(PostgresStore& store, std::unique_ptr<postgres::Connection> connection)
        : store_(store), connection_(std::move(connection)) {}
    ~ReadLease();
    ReadLease(const ReadLease&) = delete;
    ReadLease& operator=(const ReadLease&) = delete;
    postgres::Connection& operator*() { return *connection_; }

   private:
    PostgresStore& store_;
    std::unique_ptr<postgres::Connection> connection_;
  };
  ReadLease Read();

  // Purchases waiting to be written together by one writer job (see the top).
  struct PendingPurchase {
    domain::Purchase purchase;
    std::string body_hash;
    Timestamp now;
    PurchaseCallback done;
    std::optional<Result<RecordedPurchase>> result;  // set by WritePurchaseGroup
    PurchaseOrigin origin;
  };
  struct PurchaseGroup {
    std::vector<PendingPurchase> purchases;
    // Its purchases may spend a campaign's budget: its transaction takes the campaigns'
    // lock at BEGIN. The others (no card, imported) never wait for that lock.
    bool plans = false;
  };
  // Whether a purchase may plan against the next_visit campaigns (and so needs their
  // lock): a till's purchase with a card, under a planner of campaigns.
  bool PlansWithCampaigns(const domain::Purchase& purchase, const PurchaseOrigin& origin) const;
  // Queues a purchase that redeems nothing into the open group of its kind (planning or
  // not), opening one (and submitting its job) when there is none or it is full.
  void QueueInGroup(PendingPurchase pending);
  // Answers every purchase of a group, on the completion executor one by one.
  void AnswerGroup(PurchaseGroup& group, const Status& status);

  // These run on the writer thread, inside its transaction.
  void WritePurchaseGroup(postgres::Connection& db, PurchaseGroup& group);
  // `plans`: the job took the campaigns' lock at BEGIN (PlansWithCampaigns), so the
  // statement may plan next-visit coupons; decided once, where the job is made.
  Result<RecordedPurchase> WritePurchase(postgres::Connection& db, const domain::Purchase& purchase,
                                         const std::string& body_hash, Timestamp now, bool plans);
  Result<RecordedReturn> WriteReturn(postgres::Connection& db,
                                     const domain::SaleReturn& sale_return,
                                     const std::string& body_hash, Timestamp now);
  // The answer to a purchase whose id is stored already: the first answer again, or a
  // kConflict when the body differs.
  Result<RecordedPurchase> Replay(postgres::Connection& db, const domain::Purchase& purchase,
                                  const std::string& body_hash);
  std::int64_t NewCustomerWithCard(postgres::Connection& db, const CardNumber& card, Timestamp now);
  std::int64_t CustomerForCard(postgres::Connection& db, const CardNumber& card, Timestamp now);
  // The portal's customer-by-store rows (pg_portal_customers.cc): for the purchases
  // just written (their seqs), and for a merge.
  static void NoteCustomerStores(postgres::Connection& db,
                                 const std::vector<std::int64_t>& purchase_seqs);
  static void MergePortalRecords(postgres::Connection& db, std::int64_t into, std::int64_t from);
  struct Redemption {
    std::string outcome;                        // redeemed, already_redeemed, unknown_coupon, ...
    std::optional<std::string> first_purchase;  // already_redeemed: the sale that spent it
  };
  // The outcome of each of the purchase's redemptions, marking the coupons that count
  // as redeemed.
  std::vector<Redemption> Redeem(postgres::Connection& db, const domain::Purchase& purchase,
                                 std::optional<std::int64_t> customer_id);
  void SignAll(std::vector<api::IssuedCoupon>& coupons) const;

  std::mutex group_mutex_;
  // The groups new purchases join, [0] not planning and [1] planning; null once its job
  // has started running.
  std::shared_ptr<PurchaseGroup> open_groups_[2] GUARDED_BY(group_mutex_);
  std::size_t max_group_;
  std::function<void(std::function<void()>)> completion_executor_;

  std::string url_;
  const NextVisitPlanner& planner_;
  const crypto::SigningKey& signing_key_;
  std::mutex readers_mutex_;
  std::vector<std::unique_ptr<postgres::Connection>> idle_readers_ GUARDED_BY(readers_mutex_);
  postgres::Connection write_db_;
  // Last, so it is destroyed first: it finishes every queued job while the rest lives.
  std::unique_ptr<PostgresWriter> writer_;
};

}  // namespace loyalty::server
