// The SQLite engine: one database file in WAL mode. Writes go through one writer thread
// that groups concurrent purchases into one transaction and commits at
// synchronous=FULL, so an acknowledged purchase survives a crash of the process or the
// machine (the nightly batch's store commits at NORMAL: WriterOptions::sync_every_commit);
// reads use a pool of read-only connections and never wait for the writer.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "loyalty/core/thread_annotations.h"
#include "loyalty/crypto/ed25519.h"
#include "loyalty/sqlite/sqlite.h"
#include "storage/group_commit_writer.h"
#include "storage/packed_candidates.h"
#include "storage/store.h"
#include "storage/wal_checkpointer.h"

namespace loyalty::server {

using SqliteWriter = GroupCommitWriter<sqlite::Connection, sqlite::Transaction>;

// Inserts an issued coupon (at a purchase, or by the nightly batch with no purchase).
void InsertCoupon(sqlite::Connection& db, const domain::Coupon& coupon,
                  std::optional<std::int64_t> issued_by_purchase);

class SqliteStore final : public Store {
 public:
  // Opens (creating and migrating if needed) the database at `path`. The planner and
  // key must outlive the store. `observer` hears of every committed batch (metrics).
  SqliteStore(const std::string& path, const NextVisitPlanner& planner,
              const crypto::SigningKey& signing_key, WriterOptions writer_options = {},
              BatchObserver observer = nullptr);
  ~SqliteStore() override;

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
  std::int64_t CatalogVersion() override;
  Result<CatalogImportResult> ImportProducts(const std::vector<domain::Product>& products) override;

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
      const std::vector<PackedCandidateRow>& rows) override;  // *_next_visit.cc
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

  WriterStats writer_stats() const override { return writer_->stats(); }
  bool SyncsEveryCommit() override;
  void Flush() override;

 private:
  // A read-only connection borrowed from the pool for one call.
  class ReadLease {
   public:
    ReadLease(SqliteStore& store, std::unique_ptr<sqlite::Connection> connection)
        : store_(store), connection_(std::move(connection)) {}
    ~ReadLease();
    ReadLease(const ReadLease&) = delete;
    ReadLease& operator=(const ReadLease&) = delete;
    sqlite::Connection& operator*() { return *connection_; }

   private:
    SqliteStore& store_;
    std::unique_ptr<sqlite::Connection> connection_;
  };
  ReadLease Read();

  // Queues the purchase for the writer (both RecordPurchaseAsync and the historical one).
  void SubmitPurchase(domain::Purchase purchase, PurchaseOrigin origin, Timestamp now,
                      PurchaseCallback done);

  // These run on the writer thread, inside its transaction.
  Result<RecordedPurchase> WritePurchase(sqlite::Connection& db, const domain::Purchase& purchase,
                                         const PurchaseOrigin& origin, const std::string& body_hash,
                                         Timestamp now);
  Result<RecordedReturn> WriteReturn(sqlite::Connection& db, const domain::SaleReturn& sale_return,
                                     const std::string& body_hash, Timestamp now);
  std::int64_t CustomerForCard(sqlite::Connection& db, const CardNumber& card, Timestamp now);
  // The portal's customer-by-store row (sqlite_portal_customers.cc): for each purchase
  // with a customer, and for a merge.
  static void NoteCustomerStore(sqlite::Connection& db, std::int64_t customer_id,
                                const domain::Purchase& purchase);
  static void MergePortalRecords(sqlite::Connection& db, std::int64_t into, std::int64_t from);
  // The index by lapse risk a features rewrite sets aside (BeginCustomerFeaturesRewrite),
  // built again if it is missing: at the rewrite's end, and at a start after a killed run.
  static void RestoreLapseRiskIndex(sqlite::Connection& db);
  void WriteLines(sqlite::Connection& db, const domain::Purchase& purchase,
                  std::int64_t purchase_seq, std::int64_t customer_id);
  void WriteRedemptions(sqlite::Connection& db, const domain::Purchase& purchase,
                        std::optional<std::int64_t> customer_id, Timestamp now);
  CustomerProfile LoadProfile(sqlite::Connection& db, std::int64_t customer_id, Timestamp now);
  // sqlite_next_visit.cc: the running next_visit campaigns with their budgets and this
  // customer's offers of each, their candidates (named from `labels`) and the purchase's
  // products, into the profile; a planned offer recorded, with its spend.
  static void LoadNextVisitCampaigns(sqlite::Connection& db, CustomerProfile& profile,
                                     const domain::Purchase& purchase, Timestamp now,
                                     const ProductLabels& labels);
  static void RecordPlannedOffer(sqlite::Connection& db, const PlannedOffer& offer,
                                 std::int64_t customer_id, std::int64_t purchase_seq,
                                 std::size_t n, Timestamp now);
  // Adds treated offers' expected cost and count to the campaign's budget row.
  static void AddToBudget(sqlite::Connection& db, const std::string& campaign_id,
                          double cost_minor, std::int64_t issued, Timestamp now);

  // Coupons from a query selecting COUPON_COLUMNS, with their tokens still empty.
  static std::vector<api::IssuedCoupon> UnsignedCoupons(sqlite::Statement& query);
  // Tokens are not stored: Ed25519 is deterministic, so signing the same fields again
  // gives the token the shopper holds.
  void SignAll(std::vector<api::IssuedCoupon>& coupons) const;

  // The name and category of every known SKU, for the writer alone: a purchase's lines
  // need the categories and its next-visit candidates both, and asking SQLite ten times
  // per purchase cost the writer more than the map does. Reloaded when the catalog
  // version moves (an import, maybe by another process).
  const ProductLabels& Labels(sqlite::Connection& db);
  ProductLabels labels_;
  std::int64_t labels_version_ = -1;

  std::string path_;
  const NextVisitPlanner& planner_;
  const crypto::SigningKey& signing_key_;
  std::mutex readers_mutex_;
  std::vector<std::unique_ptr<sqlite::Connection>> idle_readers_ GUARDED_BY(readers_mutex_);
  sqlite::Connection write_db_;
  // After the connection whose commits it checkpoints, before the writer that commits.
  std::unique_ptr<WalCheckpointer> checkpointer_;
  // Last, so it is destroyed first: it finishes every queued job while the rest lives.
  std::unique_ptr<SqliteWriter> writer_;
};

}  // namespace loyalty::server
