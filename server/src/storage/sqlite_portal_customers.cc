// SqliteStore: the portal's customer pages (list, page, purchases, coupons, contact log,
// erasure) and the customer-by-store rows every purchase keeps.
#include "storage/coupon_voids.h"
#include "storage/portal_customer_sql.h"
#include "storage/sql_params.h"
#include "storage/sqlite_store.h"

namespace loyalty::server {
namespace {

// Every row of a statement bound to the customer id, read by `read`.
template <typename T, typename Read>
std::vector<T> RowsOf(sqlite::Connection& db, const char* sql, std::int64_t customer_id,
                      Read read) {
  auto& query = db.Prepared(std::string(sql));
  query.Bind(1, customer_id);
  std::vector<T> rows;
  while (query.Step()) rows.push_back(read(query));
  return rows;
}

bool CustomerExists(sqlite::Connection& db, std::int64_t customer_id) {
  auto& query = db.Prepared("SELECT 1 FROM customers WHERE id = ?");
  query.Bind(1, customer_id);
  const bool found = query.Step();
  query.Reset();
  return found;
}

Error NoCustomer(std::int64_t customer_id) {
  return Error{ErrorCode::kNotFound, "no customer " + std::to_string(customer_id),
               "customer_id"};
}

std::optional<CustomerContact> ContactById(sqlite::Connection& db, std::int64_t contact_id) {
  auto& query = db.Prepared(kContactSql);
  query.Bind(1, contact_id);
  if (!query.Step()) return std::nullopt;
  auto contact = ReadContact(query);
  query.Reset();
  return contact;
}

}  // namespace

void SqliteStore::NoteCustomerStore(sqlite::Connection& db, std::int64_t customer_id,
                                    const domain::Purchase& purchase) {
  db.Prepared(kNoteCustomerStoreSql)
      .Bind(1, customer_id)
      .Bind(2, purchase.store_id)
      .Bind(3, purchase.total_minor)
      .Bind(4, ToUnixSeconds(purchase.occurred_at))
      .Run();
}

void SqliteStore::MergePortalRecords(sqlite::Connection& db, std::int64_t into,
                                     std::int64_t from) {
  for (const char* sql : kMergeCustomerStoresSql) {
    db.Prepared(std::string(sql)).Bind(1, into).Bind(2, from).Run();
  }
}

Result<CustomerListPage> SqliteStore::ListCustomers(const CustomerListQuery& query) {
  auto lease = Read();
  auto& db = *lease;
  CustomerListPage page;
  {
    const auto sql = BuildCustomerListSql(query, SqlDialect::kSqlite);
    auto& count = Bound(db, sql.count, sql.count_params);
    count.Step();
    page.total = std::min(count.Int(0), kCustomerCountCap);
    page.total_capped = count.Int(0) > kCustomerCountCap;
    count.Reset();
  }
  const auto sql = BuildCustomerListSql(query, SqlDialect::kSqlite, page.total_capped);
  auto& rows = Bound(db, sql.page, sql.page_params);
  CustomerListCursor last;
  while (rows.Step()) {
    if (page.rows.size() == query.limit) {
      page.next = last;
      break;
    }
    page.rows.push_back(ReadCustomerListRow(rows));
    constexpr int kKey = kCustomerListKeyColumn;
    last = {query.sort == CustomerSort::kName ? 0 : rows.Int(kKey),
            query.sort == CustomerSort::kName ? rows.Text(kKey) : std::string(), rows.Int(0)};
  }
  rows.Reset();
  return page;
}

Result<CustomerRecord> SqliteStore::FindCustomer(std::int64_t customer_id, Timestamp now) {
  auto lease = Read();
  auto& db = *lease;
  CustomerRecord record;
  record.id = customer_id;
  {
    auto& row = db.Prepared(kCustomerRowSql);
    row.Bind(1, customer_id);
    if (!row.Step()) return NoCustomer(customer_id);
    record.created_at = FromUnixSeconds(row.Int(0));
    record.segment = OptionalText(row, 1);
    record.erased_at = OptionalTime(row, 2);
    if (!row.IsNull(3)) record.merged_into = row.Int(3);
    record.visits = row.Int(4);
    record.total_spend_minor = row.Int(5);
    record.first_visit_at = OptionalTime(row, 6);
    record.last_visit_at = OptionalTime(row, 7);
    row.Reset();
  }
  {
    auto& row = db.Prepared(kCustomerDetailsSql);
    row.Bind(1, customer_id);
    if (row.Step()) {
      record.details = domain::CustomerDetails{
          row.Text(0),       OptionalText(row, 1), OptionalText(row, 2), OptionalText(row, 3),
          row.Int(4) != 0,   row.Int(5) != 0,      OptionalText(row, 6)};
      record.registered_at = FromUnixSeconds(row.Int(7));
    }
    row.Reset();
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
  auto& coupons = db.Prepared(kCouponCountsSql);
  coupons.Bind(1, customer_id).Bind(2, ToUnixSeconds(now));
  coupons.Step();
  record.coupons = {coupons.Int(0), coupons.Int(1), coupons.Int(2), coupons.Int(3),
                    coupons.Int(4)};
  coupons.Reset();
  return record;
}

Result<std::vector<CustomerPurchase>> SqliteStore::ListCustomerPurchases(
    std::int64_t customer_id, std::optional<std::int64_t> before_seq, std::size_t limit) {
  auto lease = Read();
  auto& db = *lease;
  if (!CustomerExists(db, customer_id)) return NoCustomer(customer_id);
  std::vector<CustomerPurchase> purchases;
  {
    auto& query = db.Prepared(kCustomerPurchasesSql);
    query.Bind(1, customer_id)
        .Bind(2, before_seq.value_or(INT64_MAX))
        .Bind(3, static_cast<std::int64_t>(limit));
    while (query.Step()) purchases.push_back(ReadCustomerPurchase(query));
  }
  for (auto& purchase : purchases) {
    auto& lines = db.Prepared(kPurchaseLinesSql);
    lines.Bind(1, purchase.seq);
    while (lines.Step()) {
      purchase.lines.push_back(
          {lines.Text(0), OptionalText(lines, 1), lines.Int(2), lines.Int(3)});
    }
  }
  return purchases;
}

std::vector<CustomerCoupon> SqliteStore::ListCustomerCoupons(std::int64_t customer_id,
                                                             std::size_t limit) {
  auto lease = Read();
  auto& query = (*lease).Prepared(kCustomerCouponsSql);
  query.Bind(1, customer_id).Bind(2, static_cast<std::int64_t>(limit));
  std::vector<CustomerCoupon> coupons;
  while (query.Step()) coupons.push_back(ReadCustomerCoupon(query));
  return coupons;
}

Result<CustomerContact> SqliteStore::AddCustomerContact(const NewCustomerContact& contact,
                                                        Timestamp now) {
  std::optional<CustomerContact> added;
  const Status status = writer_->Run([&](sqlite::Connection& db) -> Status {
    if (!CustomerExists(db, contact.customer_id)) return NoCustomer(contact.customer_id);
    db.Prepared(
          "INSERT INTO customer_contacts(customer_id, kind, body, author_user_id, created_at,"
          " follow_up_due_at) VALUES (?, ?, ?, ?, ?, ?)")
        .Bind(1, contact.customer_id)
        .Bind(2, ContactKindName(contact.kind))
        .Bind(3, contact.body)
        .Bind(4, contact.author_user_id)
        .Bind(5, ToUnixSeconds(now))
        .Bind(6, contact.follow_up_due_at ? std::optional(ToUnixSeconds(*contact.follow_up_due_at))
                                          : std::nullopt)
        .Run();
    added = ContactById(db, db.LastInsertRowId());
    return {};
  });
  if (!status.ok()) return status.error();
  return *added;
}

Result<CustomerContact> SqliteStore::CloseCustomerContact(std::int64_t customer_id,
                                                          std::int64_t contact_id,
                                                          std::optional<std::int64_t> user_id,
                                                          Timestamp now) {
  std::optional<CustomerContact> closed;
  const Status status = writer_->Run([&](sqlite::Connection& db) -> Status {
    db.Prepared(kCloseContactSql)
        .Bind(1, contact_id)
        .Bind(2, customer_id)
        .Bind(3, ToUnixSeconds(now))
        .Bind(4, user_id)
        .Run();
    if (db.Changes() == 0) {
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

std::vector<CustomerContact> SqliteStore::ListCustomerContacts(std::int64_t customer_id) {
  auto lease = Read();
  return RowsOf<CustomerContact>(*lease, kCustomerContactsSql, customer_id,
                                 [](const auto& row) { return ReadContact(row); });
}

std::vector<CustomerContact> SqliteStore::ListFollowUps(const std::vector<std::string>& stores,
                                                        bool overdue_only, Timestamp now,
                                                        std::size_t limit) {
  const auto sql = BuildFollowUpsSql(stores, overdue_only, now, limit, SqlDialect::kSqlite);
  auto lease = Read();
  auto& query = Bound(*lease, sql.sql, sql.params);
  std::vector<CustomerContact> contacts;
  while (query.Step()) contacts.push_back(ReadContact(query));
  return contacts;
}

Result<bool> SqliteStore::EraseCustomer(std::int64_t customer_id, Timestamp now) {
  bool erased_now = false;
  const Status status = writer_->Run([&](sqlite::Connection& db) -> Status {
    auto& row = db.Prepared("SELECT erased_at IS NOT NULL FROM customers WHERE id = ?");
    row.Bind(1, customer_id);
    if (!row.Step()) return NoCustomer(customer_id);
    const bool erased_before = row.Int(0) != 0;
    row.Reset();
    if (erased_before) return {};
    std::vector<std::string> coupon_ids;
    auto& live = db.Prepared(kEraseCustomerCouponsSql);
    live.Bind(1, customer_id);
    while (live.Step()) coupon_ids.push_back(live.Text(0));
    VoidUnspentCoupons(db, coupon_ids, kEraseVoidReason, now);
    for (const char* sql : kEraseCustomerSql) {
      auto& statement = db.Prepared(std::string(sql));
      statement.Bind(1, customer_id);
      if (TakesSecondParam(sql)) statement.Bind(2, ToUnixSeconds(now));
      statement.Run();
    }
    erased_now = true;
    return {};
  });
  if (!status.ok()) return status.error();
  return erased_now;
}

}  // namespace loyalty::server
