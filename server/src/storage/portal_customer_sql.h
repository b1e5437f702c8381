// The portal customer pages' SQL, written once for both engines: the statements are
// SQLite text with ?N parameters, which PostgreSQL runs through ForPostgres(); the
// customer list is built from the query (filters become WHERE terms, the sort an index
// order, the cursor a row comparison). Row readers work on both engines' rows.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "storage/portal_customers.h"

namespace loyalty::server {

enum class SqlDialect { kSqlite, kPostgres };

// A parameter: a number, a text, or (PostgreSQL only) a text array; SQLite gets one
// parameter per element of a list.
using SqlParam = std::variant<std::int64_t, std::string, std::vector<std::string>>;

struct CustomerListSql {
  // Selects CustomerListRow's columns in order, then the sort key (text or number,
  // column kCustomerListKeyColumn),
  // `limit` + 1 rows so the caller knows whether a next page exists.
  std::string page;
  std::vector<SqlParam> page_params;
  // Counts the matching rows, at most kCustomerCountCap + 1.
  std::string count;
  std::vector<SqlParam> count_params;
};

struct SqlWithParams {
  std::string sql;
  std::vector<SqlParam> params;
};

// `many_matches`: the count passed kCustomerCountCap. SQLite, which plans before it sees
// the search's text, then walks the sort order's index and skips the customers who do
// not match (a hundred rows per match at most) rather than gather and sort them all
// (20,000 for a common first name: 230 ms); few matches are quicker gathered and sorted.
// PostgreSQL, which plans for the values, then tests a word search on each name it meets
// as it walks, rather than read every match's row from the word index first.
CustomerListSql BuildCustomerListSql(const CustomerListQuery& query, SqlDialect dialect,
                                     bool many_matches = false);
// Selects a contact's columns (ReadContact) for ListFollowUps.
SqlWithParams BuildFollowUpsSql(const std::vector<std::string>& stores, bool overdue_only,
                                Timestamp now, std::size_t limit, SqlDialect dialect);

// "A digit string": a card number or a phone number as digits, with what people type
// between them (spaces, dashes, +, parentheses) dropped; empty when `text` is not one.
std::string DigitsOf(const std::string& text);

// `sql` with each ?N made $N.
std::string ForPostgres(std::string_view sql);
// Whether `sql` takes a second parameter: PostgreSQL refuses parameters a statement
// does not use, SQLite binding past the last one.
inline bool TakesSecondParam(std::string_view sql) {
  return sql.find("?2") != std::string_view::npos;
}

// Statements shared by both engines. ?1 is the customer id unless said otherwise.
inline constexpr char kCustomerRowSql[] =
    "SELECT created_at, segment, erased_at, merged_into, visits, total_spend_minor,"
    " first_visit_at, last_visit_at FROM customers WHERE id = ?1";
inline constexpr char kCustomerDetailsSql[] =
    "SELECT name, email, phone, birthday, consent_email, consent_sms, acquisition_source,"
    " registered_at FROM customer_details WHERE customer_id = ?1";
inline constexpr char kCustomerCardsSql[] =
    "SELECT number, CASE WHEN status = 'blocked' THEN 1 ELSE 0 END, replaced_by, issued_at,"
    " blocked_at FROM cards WHERE customer_id = ?1 ORDER BY issued_at, number";
inline constexpr char kCustomerStoresSql[] =
    "SELECT store_id, visits, spend_minor, last_visit_at FROM customer_stores"
    " WHERE customer_id = ?1 ORDER BY visits DESC, store_id";
inline constexpr char kFavouriteCategoriesSql[] =
    "SELECT category, spend_minor FROM customer_category_stats WHERE customer_id = ?1"
    " ORDER BY spend_minor DESC, category LIMIT 5";
inline constexpr char kFavouriteProductsSql[] =
    "SELECT s.sku, COALESCE(p.name, ''), s.quantity, s.purchases FROM customer_product_stats s"
    " LEFT JOIN products p ON p.sku = s.sku WHERE s.customer_id = ?1"
    " ORDER BY s.score DESC, s.sku LIMIT 5";
// ?2: now.
inline constexpr char kCouponCountsSql[] =
    "SELECT COUNT(*), COUNT(*) FILTER (WHERE redeemed_at IS NOT NULL),"
    " COUNT(*) FILTER (WHERE redeemed_at IS NULL AND voided_at IS NULL AND expires_at <= ?2),"
    " COUNT(*) FILTER (WHERE redeemed_at IS NULL AND voided_at IS NULL AND expires_at > ?2),"
    " COUNT(*) FILTER (WHERE redeemed_at IS NULL AND voided_at IS NOT NULL)"
    " FROM coupons WHERE customer_id = ?1";
// ?2: the seq to start below (the largest seq + 1 for the first page), ?3: the limit.
inline constexpr char kCustomerPurchasesSql[] =
    "SELECT seq, id, store_id, occurred_at, currency, discount_minor, total_minor"
    " FROM purchases WHERE customer_id = ?1 AND seq < ?2 ORDER BY seq DESC LIMIT ?3";
// ?1: the purchase's seq.
inline constexpr char kPurchaseLinesSql[] =
    "SELECT sku, category, quantity, amount_minor FROM purchase_lines WHERE purchase_seq = ?1"
    " ORDER BY line_no";
// ?2: the limit.
inline constexpr char kCustomerCouponsSql[] =
    "SELECT id, campaign, title, issued_at, expires_at, redeemed_at, voided_at FROM coupons"
    " WHERE customer_id = ?1 ORDER BY issued_at DESC, id LIMIT ?2";
inline constexpr char kContactColumns[] =
    "SELECT id, customer_id, kind, body, author_user_id, created_at, follow_up_due_at, done_at,"
    " done_by_user_id FROM customer_contacts";
inline constexpr char kCustomerContactsSql[] =
    "SELECT id, customer_id, kind, body, author_user_id, created_at, follow_up_due_at, done_at,"
    " done_by_user_id FROM customer_contacts WHERE customer_id = ?1 ORDER BY id DESC";
// ?1: the contact id.
inline constexpr char kContactSql[] =
    "SELECT id, customer_id, kind, body, author_user_id, created_at, follow_up_due_at, done_at,"
    " done_by_user_id FROM customer_contacts WHERE id = ?1";
// ?1: contact, ?2: customer, ?3: now, ?4: the user closing it.
inline constexpr char kCloseContactSql[] =
    "UPDATE customer_contacts SET done_at = COALESCE(done_at, ?3),"
    " done_by_user_id = COALESCE(done_by_user_id, ?4) WHERE id = ?1 AND customer_id = ?2";
// ?1: customer. The coupons an erasure voids (VoidUnspentCoupons, before kEraseCustomerSql).
inline constexpr char kEraseCustomerCouponsSql[] =
    "SELECT id FROM coupons WHERE customer_id = ?1 AND redeemed_at IS NULL AND voided_at IS NULL"
    " ORDER BY id";
inline constexpr char kEraseVoidReason[] = "customer erased";
// ?1 customer, ?2 now: erasure, in this order, in one transaction, once the live coupons
// are voided (they carry the card number they were issued to): every card number the
// customer's rows hold is cut, the cards removed, the details deleted.
inline constexpr const char* kEraseCustomerSql[] = {
    "UPDATE coupons SET card_number = '' WHERE customer_id = ?1",
    "UPDATE purchases SET card_number = NULL WHERE customer_id = ?1",
    "DELETE FROM cards WHERE customer_id = ?1",
    "DELETE FROM customer_details WHERE customer_id = ?1",
    "UPDATE customer_contacts SET body = '' WHERE customer_id = ?1",
    "DELETE FROM customer_features WHERE customer_id = ?1",
    "UPDATE customers SET erased_at = ?2, segment = NULL, lapse_risk_band = NULL WHERE id = ?1",
};
// ?1: customer, ?2: the store, ?3: the purchase's total, ?4: when it was made.
inline constexpr char kNoteCustomerStoreSql[] =
    "INSERT INTO customer_stores AS s(customer_id, store_id, visits, spend_minor, last_visit_at)"
    " VALUES (?1, ?2, 1, ?3, ?4) ON CONFLICT (customer_id, store_id) DO UPDATE SET"
    " visits = s.visits + 1, spend_minor = s.spend_minor + excluded.spend_minor,"
    " last_visit_at = CASE WHEN excluded.last_visit_at > s.last_visit_at"
    " THEN excluded.last_visit_at ELSE s.last_visit_at END";
// ?1: into, ?2: from: a merge moves the store visits and contacts along.
inline constexpr const char* kMergeCustomerStoresSql[] = {
    "INSERT INTO customer_stores AS s(customer_id, store_id, visits, spend_minor, last_visit_at)"
    " SELECT ?1, store_id, visits, spend_minor, last_visit_at FROM customer_stores"
    " WHERE customer_id = ?2 ORDER BY store_id ON CONFLICT (customer_id, store_id) DO UPDATE SET"
    " visits = s.visits + excluded.visits, spend_minor = s.spend_minor + excluded.spend_minor,"
    " last_visit_at = CASE WHEN excluded.last_visit_at > s.last_visit_at"
    " THEN excluded.last_visit_at ELSE s.last_visit_at END",
    "DELETE FROM customer_stores WHERE customer_id = ?2 AND customer_id <> ?1",
    "UPDATE customer_contacts SET customer_id = ?1 WHERE customer_id = ?2",
    // Derived from the history of the customer merged away; the next run computes the
    // survivor's from both.
    "DELETE FROM customer_features WHERE customer_id = ?2 AND customer_id <> ?1",
};

// Reads the current row of either engine (sqlite::Statement, or PgRow below) into the
// records the pages show.
template <typename Row>
std::optional<std::string> OptionalText(const Row& row, int column) {
  if (row.IsNull(column)) return std::nullopt;
  return row.Text(column);
}
template <typename Row>
std::optional<Timestamp> OptionalTime(const Row& row, int column) {
  if (row.IsNull(column)) return std::nullopt;
  return FromUnixSeconds(row.Int(column));
}

template <typename Row>
CustomerListRow ReadCustomerListRow(const Row& row) {
  return {row.Int(0),
          OptionalText(row, 1),
          OptionalText(row, 2),
          OptionalText(row, 3),
          row.Int(4) != 0,
          row.Int(5) != 0,
          row.Int(6),
          row.Int(7),
          OptionalTime(row, 8),
          OptionalText(row, 9),
          row.Int(10) != 0,
          row.IsNull(11) ? std::nullopt : std::optional<double>(row.Double(11))};
}

// The column of a customer list's page that holds the sort key (CustomerListCursor).
inline constexpr int kCustomerListKeyColumn = 12;

template <typename Row>
CustomerContact ReadContact(const Row& row) {
  CustomerContact contact;
  contact.id = row.Int(0);
  contact.customer_id = row.Int(1);
  contact.kind = row.Text(2);
  contact.body = row.Text(3);
  if (!row.IsNull(4)) contact.author_user_id = row.Int(4);
  contact.created_at = FromUnixSeconds(row.Int(5));
  contact.follow_up_due_at = OptionalTime(row, 6);
  contact.done_at = OptionalTime(row, 7);
  if (!row.IsNull(8)) contact.done_by_user_id = row.Int(8);
  return contact;
}

template <typename Row>
CustomerPurchase ReadCustomerPurchase(const Row& row) {
  return {row.Int(0),  row.Text(1), row.Text(2), FromUnixSeconds(row.Int(3)),
          row.Text(4), row.Int(5),  row.Int(6),  {}};
}

template <typename Row>
CustomerCoupon ReadCustomerCoupon(const Row& row) {
  return {row.Text(0),  row.Text(1),  row.Text(2), FromUnixSeconds(row.Int(3)),
          FromUnixSeconds(row.Int(4)), OptionalTime(row, 5), OptionalTime(row, 6)};
}

}  // namespace loyalty::server
