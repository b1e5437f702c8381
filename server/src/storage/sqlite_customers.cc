// SqliteStore: registration, household cards, lost cards, merging customers.
#include "storage/sqlite_store.h"

namespace loyalty::server {
namespace {

struct CardRow {
  std::int64_t customer_id = 0;
  bool blocked = false;
};

std::optional<CardRow> FindCard(sqlite::Connection& db, const CardNumber& card) {
  auto& query = db.Prepared("SELECT customer_id, status = 'blocked' FROM cards WHERE number = ?");
  query.Bind(1, card.digits());
  if (!query.Step()) return std::nullopt;
  CardRow row{query.Int(0), query.Int(1) != 0};
  query.Reset();
  return row;
}

bool CustomerActive(sqlite::Connection& db, std::int64_t customer_id) {
  auto& query = db.Prepared("SELECT merged_into IS NULL FROM customers WHERE id = ?");
  query.Bind(1, customer_id);
  const bool active = query.Step() && query.Int(0) != 0;
  query.Reset();
  return active;
}

bool HasDetails(sqlite::Connection& db, std::int64_t customer_id) {
  auto& query = db.Prepared("SELECT 1 FROM customer_details WHERE customer_id = ?");
  query.Bind(1, customer_id);
  const bool found = query.Step();
  query.Reset();
  return found;
}

void WriteDetails(sqlite::Connection& db, std::int64_t customer_id,
                  const domain::CustomerDetails& details, Timestamp now) {
  db.Prepared(
        "INSERT INTO customer_details(customer_id, name, email, phone, birthday, consent_email,"
        " consent_sms, acquisition_source, registered_at, updated_at)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9) ON CONFLICT(customer_id) DO UPDATE SET"
        " name = excluded.name, email = excluded.email, phone = excluded.phone,"
        " birthday = excluded.birthday, consent_email = excluded.consent_email,"
        " consent_sms = excluded.consent_sms,"
        " acquisition_source = COALESCE(acquisition_source, excluded.acquisition_source),"
        " updated_at = excluded.updated_at")
      .Bind(1, customer_id)
      .Bind(2, details.name)
      .Bind(3, details.email)
      .Bind(4, details.phone)
      .Bind(5, details.birthday)
      .Bind(6, std::int64_t{details.consent_email ? 1 : 0})
      .Bind(7, std::int64_t{details.consent_sms ? 1 : 0})
      .Bind(8, details.acquisition_source)
      .Bind(9, ToUnixSeconds(now))
      .Run();
}

enum class IfRegistered { kUpdate, kRefuse };

// The one write behind both registrations: the details of the card's customer (made now
// for a card never used), with the "registered already" check inside the write.
template <typename Writer, typename CustomerForCardFn>
Result<std::int64_t> Register(Writer& writer, const CardNumber& card,
                              const domain::CustomerDetails& details, IfRegistered if_registered,
                              CustomerForCardFn customer_for_card, Timestamp now) {
  const bool refuse = if_registered == IfRegistered::kRefuse;
  std::int64_t customer_id = 0;
  const Status status = writer.Run([&](sqlite::Connection& db) -> Status {
    if (auto row = FindCard(db, card); row && row->blocked) {
      if (refuse) return Error{ErrorCode::kConflict, "the card is blocked", "card_number"};
      return Error{ErrorCode::kPermissionDenied, "card is blocked; register the replacement card",
                   "card_number"};
    }
    customer_id = customer_for_card(db);
    if (refuse && HasDetails(db, customer_id)) {
      return Error{ErrorCode::kConflict, "the card's holder is registered already", "card_number"};
    }
    WriteDetails(db, customer_id, details, now);
    return {};
  });
  if (!status.ok()) return status.error();
  return customer_id;
}

}  // namespace

Result<std::int64_t> SqliteStore::RegisterCustomer(const CardNumber& card,
                                                   const domain::CustomerDetails& details,
                                                   Timestamp now) {
  return Register(
      *writer_, card, details, IfRegistered::kUpdate,
      [&](sqlite::Connection& db) { return CustomerForCard(db, card, now); }, now);
}

Result<std::int64_t> SqliteStore::RegisterNewCustomer(const CardNumber& card,
                                                      const domain::CustomerDetails& details,
                                                      Timestamp now) {
  return Register(
      *writer_, card, details, IfRegistered::kRefuse,
      [&](sqlite::Connection& db) { return CustomerForCard(db, card, now); }, now);
}

Status SqliteStore::AddCard(std::int64_t customer_id, const CardNumber& card, Timestamp now) {
  return writer_->Run([&](sqlite::Connection& db) -> Status {
    if (!CustomerActive(db, customer_id)) {
      return Error{ErrorCode::kNotFound, "no customer " + std::to_string(customer_id),
                   "customer_id"};
    }
    if (auto row = FindCard(db, card)) {
      return Error{ErrorCode::kAlreadyExists,
                   row->customer_id == customer_id ? "the customer holds this card already"
                                                   : "this card belongs to another customer",
                   "card_number"};
    }
    db.Prepared("INSERT INTO cards(number, customer_id, issued_at) VALUES (?, ?, ?)")
        .Bind(1, card.digits())
        .Bind(2, customer_id)
        .Bind(3, ToUnixSeconds(now))
        .Run();
    return {};
  });
}

Result<std::int64_t> SqliteStore::ReplaceCard(const CardNumber& lost, const CardNumber& replacement,
                                              Timestamp now) {
  std::int64_t customer_id = 0;
  const Status status = writer_->Run([&](sqlite::Connection& db) -> Status {
    const auto old_row = FindCard(db, lost);
    if (!old_row) return Error{ErrorCode::kNotFound, "no such card", "card_number"};
    if (old_row->blocked) {
      return Error{ErrorCode::kConflict, "the card was blocked and replaced already",
                   "card_number"};
    }
    if (FindCard(db, replacement)) {
      return Error{ErrorCode::kAlreadyExists, "the replacement card is in use already",
                   "new_card_number"};
    }
    customer_id = old_row->customer_id;
    db.Prepared(
          "UPDATE cards SET status = 'blocked', blocked_at = ?, replaced_by = ? WHERE number = ?")
        .Bind(1, ToUnixSeconds(now))
        .Bind(2, replacement.digits())
        .Bind(3, lost.digits())
        .Run();
    db.Prepared("INSERT INTO cards(number, customer_id, issued_at) VALUES (?, ?, ?)")
        .Bind(1, replacement.digits())
        .Bind(2, customer_id)
        .Bind(3, ToUnixSeconds(now))
        .Run();
    return {};
  });
  if (!status.ok()) return status.error();
  return customer_id;
}

Status SqliteStore::MergeCustomers(std::int64_t into, std::int64_t from, Timestamp now) {
  if (into == from) return InvalidArgument("from", "a customer cannot be merged into itself");
  return writer_->Run([&](sqlite::Connection& db) -> Status {
    if (!CustomerActive(db, into)) {
      return Error{ErrorCode::kNotFound, "no customer " + std::to_string(into), "into"};
    }
    if (!CustomerActive(db, from)) {
      return Error{ErrorCode::kNotFound, "no customer " + std::to_string(from), "from"};
    }
    // Everything the customer owns carries customer_id; move it all.
    for (const char* table :
         {"cards", "purchases", "purchase_lines", "coupons", "coupon_redemptions",
          "coupon_conflicts", "returns", "return_lines"}) {
      db.Prepared(std::string("UPDATE ") + table + " SET customer_id = ? WHERE customer_id = ?")
          .Bind(1, into)
          .Bind(2, from)
          .Run();
    }
    db.Prepared(
          "UPDATE customers SET visits = customers.visits + f.visits,"
          " total_spend_minor = customers.total_spend_minor + f.total_spend_minor,"
          " first_visit_at = CASE WHEN customers.first_visit_at IS NULL THEN f.first_visit_at"
          "   WHEN f.first_visit_at IS NULL THEN customers.first_visit_at"
          "   ELSE MIN(customers.first_visit_at, f.first_visit_at) END,"
          " last_visit_at = MAX(COALESCE(customers.last_visit_at, 0),"
          "   COALESCE(f.last_visit_at, 0)),"
          " created_at = MIN(customers.created_at, f.created_at)"
          " FROM (SELECT * FROM customers WHERE id = ?2) AS f WHERE customers.id = ?1")
        .Bind(1, into)
        .Bind(2, from)
        .Run();
    db.Prepared(
          "INSERT INTO customer_category_stats(customer_id, category, spend_minor, items,"
          " last_bought_at) SELECT ?1, category, spend_minor, items, last_bought_at"
          " FROM customer_category_stats WHERE customer_id = ?2 AND true"
          " ON CONFLICT(customer_id, category) DO UPDATE SET"
          " spend_minor = spend_minor + excluded.spend_minor, items = items + excluded.items,"
          " last_bought_at = MAX(last_bought_at, excluded.last_bought_at)")
        .Bind(1, into)
        .Bind(2, from)
        .Run();
    // Scores are brought to the later of the two times before they add up.
    db.Prepared(
          "INSERT INTO customer_product_stats(customer_id, sku, quantity, purchases,"
          " last_bought_at, score, score_at) SELECT ?1, sku, quantity, purchases, last_bought_at,"
          " score, score_at FROM customer_product_stats WHERE customer_id = ?2 AND true"
          " ON CONFLICT(customer_id, sku) DO UPDATE SET"
          " quantity = quantity + excluded.quantity, purchases = purchases + excluded.purchases,"
          " last_bought_at = MAX(last_bought_at, excluded.last_bought_at),"
          " score = score * pow(0.5, (MAX(score_at, excluded.score_at) - score_at) / 2592000.0)"
          "   + excluded.score * pow(0.5, (MAX(score_at, excluded.score_at) - excluded.score_at)"
          "   / 2592000.0),"
          " score_at = MAX(score_at, excluded.score_at)")
        .Bind(1, into)
        .Bind(2, from)
        .Run();
    for (const char* table : {"customer_category_stats", "customer_product_stats"}) {
      db.Prepared(std::string("DELETE FROM ") + table + " WHERE customer_id = ?")
          .Bind(1, from)
          .Run();
    }
    // Details: keep the surviving customer's, taking the other's where it has none.
    db.Prepared(
          "INSERT INTO customer_details(customer_id, name, email, phone, birthday, consent_email,"
          " consent_sms, acquisition_source, registered_at, updated_at)"
          " SELECT ?1, name, email, phone, birthday, consent_email, consent_sms,"
          " acquisition_source, registered_at, ?3 FROM customer_details WHERE customer_id = ?2"
          " AND true ON CONFLICT(customer_id) DO UPDATE SET"
          " email = COALESCE(email, excluded.email), phone = COALESCE(phone, excluded.phone),"
          " birthday = COALESCE(birthday, excluded.birthday),"
          " acquisition_source = COALESCE(acquisition_source, excluded.acquisition_source),"
          " updated_at = excluded.updated_at")
        .Bind(1, into)
        .Bind(2, from)
        .Bind(3, ToUnixSeconds(now))
        .Run();
    db.Prepared("DELETE FROM customer_details WHERE customer_id = ?").Bind(1, from).Run();
    MergePortalRecords(db, into, from);
    db.Prepared(
          "UPDATE customers SET merged_into = ?, visits = 0, total_spend_minor = 0 WHERE id = ?")
        .Bind(1, into)
        .Bind(2, from)
        .Run();
    return {};
  });
}

}  // namespace loyalty::server
