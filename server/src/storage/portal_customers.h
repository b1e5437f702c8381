// What the portal's customer pages read and write through Store: the customer list
// (search, filters, keyset pages), one customer's page, their purchases, coupons and
// contact log, and erasure. Personal data: never logged, never in the audit log.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "loyalty/core/time.h"
#include "loyalty/domain/customer.h"

namespace loyalty::server {

// kLapseRisk: the nightly run's lapse risk (customer_features); the list then holds only
// the customers the run scored.
enum class CustomerSort { kLastVisit, kSpend, kVisits, kName, kLapseRisk };

// The bands of targeting::LapseRiskBand: low, medium, high.
// customers.lapse_risk_band holds the number of the band (migration 0026).
enum class LapseRiskBand { kLow = 0, kMedium = 1, kHigh = 2 };

// Where a page ended: the last row's sort key and id; the next page starts after it.
struct CustomerListCursor {
  // Last visit (unix seconds, 0: never), spend, visits or lapse risk (in millionths).
  std::int64_t number_key = 0;
  std::string text_key;         // the name in lower case, for CustomerSort::kName
  std::int64_t id = 0;
};

struct CustomerListQuery {
  // A name's start, an e-mail's start, a card number or a phone number's digits; empty:
  // everybody. With `contains`, a name with a word starting with each word of `text`
  // (case and accents folded alike on both engines: migration 0015).
  std::string text;
  bool contains = false;
  std::vector<std::string> stores;  // shopped in one of these; empty: any store
  std::optional<Timestamp> last_visit_before;
  std::optional<Timestamp> last_visit_after;
  std::optional<std::int64_t> min_spend_minor;
  std::optional<std::int64_t> max_spend_minor;
  std::optional<std::string> segment;
  // Scored by the nightly run with a lapse risk in this band.
  std::optional<LapseRiskBand> lapse_risk_band;
  // Only those who agreed to offers by e-mail (or by text message): what a marketing
  // export must be limited to.
  bool consent_email = false;
  bool consent_sms = false;
  CustomerSort sort = CustomerSort::kLastVisit;
  bool descending = true;
  std::optional<CustomerListCursor> after;
  std::size_t limit = 50;
};

struct CustomerListRow {
  std::int64_t id = 0;
  std::optional<std::string> name;  // empty: never registered, or erased
  std::optional<std::string> email;
  std::optional<std::string> phone;
  bool consent_email = false;
  bool consent_sms = false;
  std::int64_t visits = 0;
  std::int64_t total_spend_minor = 0;
  std::optional<Timestamp> last_visit_at;
  std::optional<std::string> segment;
  bool erased = false;
  std::optional<double> lapse_risk;  // 0-1; empty: not scored by the nightly run yet
};

// How many rows a list's total counts at most: beyond it the portal shows "10000+".
inline constexpr std::int64_t kCustomerCountCap = 10000;

struct CustomerListPage {
  std::vector<CustomerListRow> rows;
  std::optional<CustomerListCursor> next;  // empty on the last page
  std::int64_t total = 0;                  // matching customers, at most kCustomerCountCap
  bool total_capped = false;
};

struct CustomerCard {
  std::string number;
  bool blocked = false;
  std::optional<std::string> replaced_by;
  Timestamp issued_at;
  std::optional<Timestamp> blocked_at;
};

struct CustomerStoreVisits {
  std::string store_id;
  std::int64_t visits = 0;
  std::int64_t spend_minor = 0;
  Timestamp last_visit_at;
};

struct FavouriteProduct {
  std::string sku;
  std::string name;  // empty for a SKU no longer in the catalog
  std::int64_t quantity = 0;
  std::int64_t purchases = 0;
};

struct CouponCounts {
  std::int64_t issued = 0;
  std::int64_t redeemed = 0;
  std::int64_t expired = 0;  // neither redeemed nor voided before it expired
  std::int64_t live = 0;
  std::int64_t voided = 0;
};

// One customer's page. `merged_into` set: the customer is only a pointer now.
struct CustomerRecord {
  std::int64_t id = 0;
  Timestamp created_at;
  std::optional<domain::CustomerDetails> details;
  std::optional<Timestamp> registered_at;
  std::optional<std::string> segment;
  std::optional<Timestamp> erased_at;
  std::optional<std::int64_t> merged_into;
  std::int64_t visits = 0;
  std::int64_t total_spend_minor = 0;
  std::optional<Timestamp> first_visit_at;
  std::optional<Timestamp> last_visit_at;
  std::vector<CustomerCard> cards;
  std::vector<CustomerStoreVisits> stores;
  std::vector<std::pair<std::string, std::int64_t>> favourite_categories;  // spend, top 5
  std::vector<FavouriteProduct> favourite_products;                         // top 5
  CouponCounts coupons;
};

struct CustomerPurchaseLine {
  std::string sku;
  std::optional<std::string> category;
  std::int64_t quantity = 0;
  std::int64_t amount_minor = 0;
};

struct CustomerPurchase {
  std::int64_t seq = 0;  // the cursor of the purchase history
  std::string id;
  std::string store_id;
  Timestamp occurred_at;
  std::string currency;
  std::int64_t discount_minor = 0;
  std::int64_t total_minor = 0;
  std::vector<CustomerPurchaseLine> lines;
};

struct CustomerCoupon {
  std::string id;
  std::string campaign;
  std::string title;
  Timestamp issued_at;
  Timestamp expires_at;
  std::optional<Timestamp> redeemed_at;
  std::optional<Timestamp> voided_at;
};

enum class ContactKind { kNote, kComplaint };
const char* ContactKindName(ContactKind kind);  // "note", "complaint"

struct NewCustomerContact {
  std::int64_t customer_id = 0;
  ContactKind kind = ContactKind::kNote;
  std::string body;
  std::optional<std::int64_t> author_user_id;
  std::optional<Timestamp> follow_up_due_at;
};

struct CustomerContact {
  std::int64_t id = 0;
  std::int64_t customer_id = 0;
  std::string kind;
  std::string body;  // empty once the customer was erased
  std::optional<std::int64_t> author_user_id;
  Timestamp created_at;
  std::optional<Timestamp> follow_up_due_at;
  std::optional<Timestamp> done_at;
  std::optional<std::int64_t> done_by_user_id;

  bool Overdue(Timestamp now) const {
    return follow_up_due_at && !done_at && *follow_up_due_at < now;
  }
};

}  // namespace loyalty::server
