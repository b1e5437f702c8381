// PostgresStore: registration, household cards, lost cards, merging customers.
#include "storage/pg_store.h"

namespace loyalty::server {
namespace {

using postgres::Params;

struct CardRow {
  std::int64_t customer_id = 0;
  bool blocked = false;
};

std::optional<CardRow> FindCard(postgres::Connection& db, const CardNumber& card) {
  const auto rows =
      db.Run("SELECT customer_id, status = 'blocked' FROM cards WHERE number = $1::text FOR UPDATE",
             Params().Add(card.digits()));
  if (rows.empty()) return std::nullopt;
  return CardRow{rows.Int(0, 0), rows.Text(0, 1) == "t"};
}

bool CustomerActive(postgres::Connection& db, std::int64_t customer_id) {
  const auto rows =
      db.Run("SELECT merged_into IS NULL FROM customers WHERE id = $1::bigint FOR UPDATE",
             Params().Add(customer_id));
  return !rows.empty() && rows.Text(0, 0) == "t";
}

bool HasDetails(postgres::Connection& db, std::int64_t customer_id) {
  return !db.Run("SELECT 1 FROM customer_details WHERE customer_id = $1::bigint FOR UPDATE",
                 Params().Add(customer_id))
              .empty();
}

void WriteDetails(postgres::Connection& db, std::int64_t customer_id,
                  const domain::CustomerDetails& details, Timestamp now) {
  db.Run(
      "INSERT INTO customer_details AS d(customer_id, name, email, phone, birthday,"
      " consent_email, consent_sms, acquisition_source, registered_at, updated_at)"
      " VALUES ($1::bigint, $2::text, $3::text, $4::text, $5::text, $6::bigint, $7::bigint,"
      " $8::text, $9::bigint, $9::bigint) ON CONFLICT (customer_id) DO UPDATE SET"
      " name = excluded.name, email = excluded.email, phone = excluded.phone,"
      " birthday = excluded.birthday, consent_email = excluded.consent_email,"
      " consent_sms = excluded.consent_sms,"
      " acquisition_source = COALESCE(d.acquisition_source, excluded.acquisition_source),"
      " updated_at = excluded.updated_at",
      Params()
          .Add(customer_id)
          .Add(details.name)
          .Add(details.email)
          .Add(details.phone)
          .Add(details.birthday)
          .Add(std::int64_t{details.consent_email ? 1 : 0})
          .Add(std::int64_t{details.consent_sms ? 1 : 0})
          .Add(details.acquisition_source)
          .Add(ToUnixSeconds(now)));
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
  const Status status = writer.Run([&](postgres::Connection& db) -> Status {
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

Result<std::int64_t> PostgresStore::RegisterCustomer(const CardNumber& card,
                                                     const domain::CustomerDetails& details,
                                                     Timestamp now) {
  return Register(
      *writer_, card, details, IfRegistered::kUpdate,
      [&](postgres::Connection& db) { return CustomerForCard(db, card, now); }, now);
}

Result<std::int64_t> PostgresStore::RegisterNewCustomer(const CardNumber& card,
                                                        const domain::CustomerDetails& details,
                                                        Timestamp now) {
  return Register(
      *writer_, card, details, IfRegistered::kRefuse,
      [&](postgres::Connection& db) { return CustomerForCard(db, card, now); }, now);
}

Status PostgresStore::AddCard(std::int64_t customer_id, const CardNumber& card, Timestamp now) {
  return writer_->Run([&](postgres::Connection& db) -> Status {
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
    db.Run(
        "INSERT INTO cards(number, customer_id, issued_at) VALUES ($1::text, $2::bigint,"
        " $3::bigint)",
        Params().Add(card.digits()).Add(customer_id).Add(ToUnixSeconds(now)));
    return {};
  });
}

Result<std::int64_t> PostgresStore::ReplaceCard(const CardNumber& lost,
                                                const CardNumber& replacement, Timestamp now) {
  std::int64_t customer_id = 0;
  const Status status = writer_->Run([&](postgres::Connection& db) -> Status {
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
    db.Run(
        "UPDATE cards SET status = 'blocked', blocked_at = $1::bigint, replaced_by = $2::text"
        " WHERE number = $3::text",
        Params().Add(ToUnixSeconds(now)).Add(replacement.digits()).Add(lost.digits()));
    db.Run(
        "INSERT INTO cards(number, customer_id, issued_at) VALUES ($1::text, $2::bigint,"
        " $3::bigint)",
        Params().Add(replacement.digits()).Add(customer_id).Add(ToUnixSeconds(now)));
    return {};
  });
  if (!status.ok()) return status.error();
  return customer_id;
}

Status PostgresStore::MergeCustomers(std::int64_t into, std::int64_t from, Timestamp now) {
  if (into == from) return InvalidArgument("from", "a customer cannot be merged into itself");
  return writer_->Run([&](postgres::Connection& db) -> Status {
    if (!CustomerActive(db, into)) {
      return Error{ErrorCode::kNotFound, "no customer " + std::to_string(into), "into"};
    }
    if (!CustomerActive(db, from)) {
      return Error{ErrorCode::kNotFound, "no customer " + std::to_string(from), "from"};
    }
    const auto both = Params().Add(into).Add(from);
    // Everything the customer owns carries customer_id; move it all.
    for (const char* table :
         {"cards", "purchases", "purchase_lines", "coupons", "coupon_redemptions",
          "coupon_conflicts", "returns", "return_lines"}) {
      db.Run(std::string("UPDATE ") + table +
                 " SET customer_id = $1::bigint WHERE customer_id = $2::bigint",
             both);
    }
    db.Run(
        "UPDATE customers SET visits = customers.visits + f.visits,"
        " total_spend_minor = customers.total_spend_minor + f.total_spend_minor,"
        " first_visit_at = CASE WHEN customers.first_visit_at IS NULL THEN f.first_visit_at"
        "   WHEN f.first_visit_at IS NULL THEN customers.first_visit_at"
        "   ELSE LEAST(customers.first_visit_at, f.first_visit_at) END,"
        " last_visit_at = GREATEST(COALESCE(customers.last_visit_at, 0),"
        "   COALESCE(f.last_visit_at, 0)),"
        " created_at = LEAST(customers.created_at, f.created_at)"
        " FROM (SELECT * FROM customers WHERE id = $2::bigint) AS f"
        " WHERE customers.id = $1::bigint",
        both);
    db.Run(
        "INSERT INTO customer_category_stats AS s(customer_id, category, spend_minor, items,"
        " last_bought_at) SELECT $1::bigint, category, spend_minor, items, last_bought_at"
        " FROM customer_category_stats WHERE customer_id = $2::bigint"
        " ON CONFLICT (customer_id, category) DO UPDATE SET"
        " spend_minor = s.spend_minor + excluded.spend_minor, items = s.items + excluded.items,"
        " last_bought_at = GREATEST(s.last_bought_at, excluded.last_bought_at)",
        both);
    // Scores are brought to the later of the two times before they add up.
    db.Run(
        "INSERT INTO customer_product_stats AS s(customer_id, sku, quantity, purchases,"
        " last_bought_at, score, score_at) SELECT $1::bigint, sku, quantity, purchases,"
        " last_bought_at, score, score_at FROM customer_product_stats"
        " WHERE customer_id = $2::bigint"
        " ON CONFLICT (customer_id, sku) DO UPDATE SET"
        " quantity = s.quantity + excluded.quantity,"
        " purchases = s.purchases + excluded.purchases,"
        " last_bought_at = GREATEST(s.last_bought_at, excluded.last_bought_at),"
        " score = s.score * power(0.5::float8,"
        "   (GREATEST(s.score_at, excluded.score_at) - s.score_at) / 2592000.0::float8)"
        "   + excluded.score * power(0.5::float8,"
        "   (GREATEST(s.score_at, excluded.score_at) - excluded.score_at) / 2592000.0::float8),"
        " score_at = GREATEST(s.score_at, excluded.score_at)",
        both);
    for (const char* table : {"customer_category_stats", "customer_product_stats"}) {
      db.Run(std::string("DELETE FROM ") + table + " WHERE customer_id = $1::bigint",
             Params().Add(from));
    }
    // Details: keep the surviving customer's, taking the other's where it has none.
    db.Run(
        "INSERT INTO customer_details AS d(customer_id, name, email, phone, birthday,"
        " consent_email, consent_sms, acquisition_source, registered_at, updated_at)"
        " SELECT $1::bigint, name, email, phone, birthday, consent_email, consent_sms,"
        " acquisition_source, registered_at, $3::bigint FROM customer_details"
        " WHERE customer_id = $2::bigint ON CONFLICT (customer_id) DO UPDATE SET"
        " email = COALESCE(d.email, excluded.email), phone = COALESCE(d.phone, excluded.phone),"
        " birthday = COALESCE(d.birthday, excluded.birthday),"
        " acquisition_source = COALESCE(d.acquisition_source, excluded.acquisition_source),"
        " updated_at = excluded.updated_at",
        Params().Add(into).Add(from).Add(ToUnixSeconds(now)));
    db.Run("DELETE FROM customer_details WHERE customer_id = $1::bigint", Params().Add(from));
    MergePortalRecords(db, into, from);
    db.Run(
        "UPDATE customers SET merged_into = $1::bigint, visits = 0, total_spend_minor = 0"
        " WHERE id = $2::bigint",
        both);
    return {};
  });
}

}  // namespace loyalty::server
