// PostgresStore: the portal's customer pages (list, page, purchases, coupons, contact
// log, erasure) and the customer-by-store rows every purchase keeps. The statements are
// SQLite's (portal_customer_sql.h) with $N parameters.
#include "storage/coupon_voids.h"
#include "storage/pg_store.h"
#include "storage/portal_customer_sql.h"
#include "storage/sql_params.h"

namespace loyalty::server {
namespace {

using postgres::Params;

// One row of a result, read like a SQLite statement so both engines share the readers.
struct PgRow {
  const postgres::Rows& rows;
  int row;
  std::int64_t Int(int column) const { return rows.Int(row, column); }
  std::string Text(int column) const { return rows.Text(row, column); }
  double Double(int column) const { return rows.Double(row, column); }
  bool IsNull(int column) const { return rows.IsNull(row, column); }
};

template <typename T, typename Read>
std::vector<T> RowsOf(const postgres::Rows& rows, Read read) {
  std::vector<T> out;
  for (int i = 0; i < rows.size(); ++i) out.push_back(read(PgRow{rows, i}));
  return out;
}

template <typename T, typename Read>
std::vector<T> RowsOf(postgres::Connection& db, const char* sql, std::int64_t customer_id,
                      Read read) {
  return RowsOf<T>(db.Run(ForPostgres(sql), Params().Add(customer_id)), read);
}

bool CustomerExists(postgres::Connection& db, std::int64_t customer_id) {
  return !db.Run("SELECT 1 FROM customers WHERE id = $1::bigint", Params().Add(customer_id))
              .empty();
}

Error NoCustomer(std::int64_t customer_id) {
  return Error{ErrorCode::kNotFound, "no customer " + std::to_string(customer_id),
               "customer_id"};
}

std::optional<CustomerContact> ContactById(postgres::Connection& db, std::int64_t contact_id) {
  const auto rows = db.Run(ForPostgres(kContactSql), Params().Add(contact_id));
  if (rows.empty()) return std::nullopt;
  return ReadContact(PgRow{rows, 0});
}

}  // namespace

void PostgresStore::NoteCustomerStores(postgres::Connection& db,
                                       const std::vector<std::int64_t>& purchase_seqs) {
  if (purchase_seqs.empty()) return;
  db.Run(
      "INSERT INTO customer_stores AS s(customer_id, store_id, visits, spend_minor,"
      " last_visit_at) SELECT customer_id, store_id, COUNT(*), SUM(total_minor),"
      " MAX(occurred_at) FROM purchases WHERE seq = ANY($1::bigint[])"
      " AND customer_id IS NOT NULL GROUP BY customer_id, store_id"
      " ORDER BY customer_id, store_id"
      " ON CONFLICT (customer_id, store_id) DO UPDATE SET visits = s.visits + excluded.visits,"
      " spend_minor = s.spend_minor + excluded.spend_minor,"
      " last_visit_at = GREATEST(s.last_visit_at, excluded.last_visit_at)",
      Params().AddArray(purchase_seqs));
}

void PostgresStore::MergePortalRecords(postgres::Connection& db, std::int64_t into,
                                       std::int64_t from) {
  for (const char* sql : kMergeCustomerStoresSql) {
    db.Run(ForPostgres(sql), Params().Add(into).Add(from));
  }
}

Result<CustomerListPage> PostgresStore::ListCustomers(const CustomerListQuery& query) {
  auto lease = Read();
  auto& db = *lease;
  // Both statements are short index walks that stop at a limit. A parallel plan splits
  // the walk between workers who each walk their part, and on a busy server (a portal's
  // case) their start-up and the extra rows cost more than they save: a word shared by
  // 20,000 customers took 170 ms with two workers, 77 ms without. One snapshot, too, so
  // that the count and the page agree.
  postgres::Transaction transaction(db, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
  db.Exec("SET LOCAL max_parallel_workers_per_gather = 0");
  CustomerListPage page;
  {
    // The count first: it says whether the page should walk the sort order.
    const auto sql = BuildCustomerListSql(query, SqlDialect::kPostgres);
    const auto count = db.RunOnce(sql.count, ParamsOf(sql.count_params)).Int(0, 0);
    page.total = std::min(count, kCustomerCountCap);
    page.total_capped = count > kCustomerCountCap;
  }
  const auto sql = BuildCustomerListSql(query, SqlDialect::kPostgres, page.total_capped);
  const auto rows = db.RunOnce(sql.page, ParamsOf(sql.page_params));
  for (int i = 0; i < rows.size(); ++i) {
    if (page.rows.size() == query.limit) {
      const PgRow last{rows, i - 1};
      constexpr int kKey = kCustomerListKeyColumn;
      page.next = {query.sort == CustomerSort::kName ? 0 : last.Int(kKey),
                   query.sort == CustomerSort::kName ? last.Text(kKey) : std::string(),
                   last.Int(0)};
      break;
    }
    page.rows.push_back(ReadCustomerListRow(PgRow{rows, i}));
  }
  transaction.Commit();
  return page;
}

Result<CustomerRecord> PostgresStore::FindCustomer(std::int64_t customer_id, Timestamp now) {
  auto lease = Read();
  auto& db = *lease;
  CustomerRecord record;
  record.id = customer_id;
  {
    const auto rows = db.Run(ForPostgres(kCustomerRowSql), Params().Add(customer_id));
    if (rows.empty()) return NoCustomer(customer_id);
    const PgRow row{rows, 0};
    record.created_at = FromUnixSeconds(row.Int(0));
    record.segment = OptionalText(row, 1);
    record.erased_at = OptionalTime(row, 2);
    if (!row.IsNull(3)) record.merged_into = row.Int(3);
    record.visits = row.Int(4);
    record.total_spend_minor = row.Int(5);
    record.first_visit_at = OptionalTime(row, 6);
    record.last_visit_at = OptionalTime(row, 7);
  }
  {
    const auto rows = db.Run(ForPostgres(kCustomerDetailsSql), Params().Add(customer_id));
    if (!rows.empty()) {
      const PgRow row{rows, 0};
      record.details = domain::CustomerDetails{
          row.Text(0),     OptionalText(row, 1), OptionalText(row, 2), OptionalText(row, 3),
          row.Int(4) != 0, row.Int(5) != 0,      OptionalText(row, 6)};
      record.registered_at = FromUnixSeconds(row.Int(7));
    }
  }
  record.cards = RowsOf<CustomerCard>(db, kCustomerCardsSql, customer_id, [](const auto& row) {
    return CustomerCard{row.Text(0), row.Int(1) != 0, OptionalText(row, 2),
                        FromUnixSeconds(row.Int(3)), OptionalTime(row, 4)};
  });
  record.stores =
      RowsOf<CustomerStoreVisits>(db, kCustomerStoresSql, customer_id, [](const auto& row) {
        return CustomerStoreVisits{row.Text(0), row.Int(1), row.Int(2),
                                   FromUnixSeconds(row.Int(3))};
      });
  record.favourite_categories = RowsOf<std::pair<std::string, std::int64_t>>(
      db, kFavouriteCategoriesSql, customer_id,
      [](const auto& row) { return std::pair(row.Text(0), row.Int(1)); });
  record.favourite_products =
      RowsOf<FavouriteProduct>(db, kFavouriteProductsSql, customer_id, [](const auto& row) {
        return FavouriteProduct{row.Text(0), row.Text(1), row.Int(2), row.Int(3)};
      });
  const auto coupons =
      db.Run(ForPostgres(kCouponCountsSql), Params().Add(customer_id).Add(ToUnixSeconds(now)));
  record.coupons = {coupons.Int(0, 0), coupons.Int(0, 1), coupons.Int(0, 2), coupons.Int(0, 3),
                    coupons.Int(0, 4)};
  return record;
}

Result<std::vector<CustomerPurchase>> PostgresStore::ListCustomerPurchases(
    std::int64_t customer_id, std::optional<std::int64_t> before_seq, std::size_t limit) {
  auto lease = Read();
  auto& db = *lease;
  if (!CustomerExists(db, customer_id)) return NoCustomer(customer_id);
  auto purchases = RowsOf<CustomerPurchase>(
      db.Run(ForPostgres(kCustomerPurchasesSql),
             Params()
                 .Add(customer_id)
                 .Add(before_seq.value_or(INT64_MAX))
                 .Add(static_cast<std::int64_t>(limit))),
      [](const auto& row) { return ReadCustomerPurchase(row); });
  for (auto& purchase : purchases) {
    purchase.lines = RowsOf<CustomerPurchaseLine>(
        db.Run(ForPostgres(kPurchaseLinesSql), Params().Add(purchase.seq)),
        [](const auto& row) {
          return CustomerPurchaseLine{row.Text(0), OptionalText(row, 1), row.Int(2), row.Int(3)};
        });
  }
  return purchases;
}

std::vector<CustomerCoupon> PostgresStore::ListCustomerCoupons(std::int64_t customer_id,
                                                               std::size_t limit) {
  auto lease = Read();
  return RowsOf<CustomerCoupon>(
      (*lease).Run(ForPostgres(kCustomerCouponsSql),
                   Params().Add(customer_id).Add(static_cast<std::int64_t>(limit))),
      [](const auto& row) { return ReadCustomerCoupon(row); });
}

Result<CustomerContact> PostgresStore::AddCustomerContact(const NewCustomerContact& contact,
                                                          Timestamp now) {
  std::optional<CustomerContact> added;
  const Status status = writer_->Run([&](postgres::Connection& db) -> Status {
    if (!CustomerExists(db, contact.customer_id)) return NoCustomer(contact.customer_id);
    const auto rows = db.Run(
        "INSERT INTO customer_contacts(customer_id, kind, body, author_user_id, created_at,"
        " follow_up_due_at) VALUES ($1::bigint, $2::text, $3::text, $4::bigint, $5::bigint,"
        " $6::bigint) RETURNING id",
        Params()
            .Add(contact.customer_id)
            .Add(ContactKindName(contact.kind))
            .Add(contact.body)
            .Add(contact.author_user_id)
            .Add(ToUnixSeconds(now))
            .Add(contact.follow_up_due_at
                     ? std::optional(ToUnixSeconds(*contact.follow_up_due_at))
                     : std::nullopt));
    added = ContactById(db, rows.Int(0, 0));
    return {};
  });
  if (!status.ok()) return status.error();
  return *added;
}

Result<CustomerContact> PostgresStore::CloseCustomerContact(std::int64_t customer_id,
                                                            std::int64_t contact_id,
                                                            std::optional<std::int64_t> user_id,
                                                            Timestamp now) {
  std::optional<CustomerContact> closed;
  const Status status = writer_->Run([&](postgres::Connection& db) -> Status {
    const auto updated = db.Run(
        ForPostgres(kCloseContactSql),
        Params().Add(contact_id).Add(customer_id).Add(ToUnixSeconds(now)).Add(user_id));
    if (updated.affected() == 0) {
      return Error{ErrorCode::kNotFound,
                   "no contact " + std::to_string(contact_id) + " of this customer",
                   "contact_id"};
    }
    closed = ContactById(db, contact_id);
    return {};
  });
  if (!status.ok()) return status.error();
  return *closed;
}

std::vector<CustomerContact> PostgresStore::ListCustomerContacts(std::int64_t customer_id) {
  auto lease = Read();
  return RowsOf<CustomerContact>(*lease, kCustomerContactsSql, customer_id,
                                 [](const auto& row) { return ReadContact(row); });
}

std::vector<CustomerContact> PostgresStore::ListFollowUps(const std::vector<std::string>& stores,
                                                          bool overdue_only, Timestamp now,
                                                          std::size_t limit) {
  const auto sql = BuildFollowUpsSql(stores, overdue_only, now, limit, SqlDialect::kPostgres);
  auto lease = Read();
  return RowsOf<CustomerContact>((*lease).RunOnce(sql.sql, ParamsOf(sql.params)),
                                 [](const auto& row) { return ReadContact(row); });
}

Result<bool> PostgresStore::EraseCustomer(std::int64_t customer_id, Timestamp now) {
  bool erased_now = false;
  const Status status = writer_->Run(
      [&](postgres::Connection& db) -> Status {
        const auto row =
            db.Run("SELECT erased_at IS NOT NULL FROM customers WHERE id = $1::bigint FOR UPDATE",
                   Params().Add(customer_id));
        if (row.empty()) return NoCustomer(customer_id);
        if (row.Text(0, 0) == "t") return {};
        const auto live = db.Run(ForPostgres(kEraseCustomerCouponsSql), Params().Add(customer_id));
        std::vector<std::string> coupon_ids;
        for (int r = 0; r < live.size(); ++r) coupon_ids.push_back(live.Text(r, 0));
        VoidUnspentCoupons(db, coupon_ids, kEraseVoidReason, now);
        for (const char* sql : kEraseCustomerSql) {
          Params params;
          params.Add(customer_id);
          if (TakesSecondParam(sql)) params.Add(ToUnixSeconds(now));
          db.Run(ForPostgres(sql), params);
        }
        erased_now = true;
        return {};
        // Voiding gives budget back: the campaigns' lock first, as every writer of
        // campaign_budgets takes it (pg_next_visit.h).
      },
      /*lock_first=*/true);
  if (!status.ok()) return status.error();
  return erased_now;
}

}  // namespace loyalty::server
