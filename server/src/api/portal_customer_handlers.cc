#include "api/portal_customer_handlers.h"

#include <algorithm>
#include <cstdio>

#include "api/customer_features_json.h"
#include "api/portal_auth.h"
#include "api/portal_csv.h"
#include "api/portal_query.h"
#include "loyalty/codec/json_reader.h"
#include "loyalty/core/base64.h"
#include "loyalty/core/number.h"
#include "targeting/customer_features.h"

namespace loyalty::server {
namespace {

const std::set<PortalRole> kReaders = {PortalRole::kAdmin, PortalRole::kStoreManager,
                                       PortalRole::kAnalyst};
const std::set<PortalRole> kEditors = {PortalRole::kAdmin, PortalRole::kStoreManager};

constexpr std::size_t kMaxPageSize = 200;
constexpr std::size_t kCsvPageSize = 500;

nlohmann::json OptionalTimeJson(const std::optional<Timestamp>& at) {
  return at ? nlohmann::json(FormatUtc(*at)) : nlohmann::json(nullptr);
}

template <typename T>
nlohmann::json OrNull(const std::optional<T>& value) {
  return value ? nlohmann::json(*value) : nlohmann::json(nullptr);
}

// Opaque to the portal: the last row's sort key and id.
std::string EncodeCursor(const CustomerListCursor& cursor) {
  return Base64UrlEncode(
      nlohmann::json::array({cursor.number_key, cursor.text_key, cursor.id}).dump());
}

Result<CustomerListCursor> DecodeCursor(const std::string& text) {
  const Error bad = InvalidArgument("cursor", "is not a cursor this list gave");
  const auto bytes = Base64UrlDecode(text);
  if (!bytes) return bad;
  const auto json = nlohmann::json::parse(bytes->begin(), bytes->end(), nullptr, false);
  if (!json.is_array() || json.size() != 3 || !json[0].is_number_integer() ||
      !json[1].is_string() || !json[2].is_number_integer()) {
    return bad;
  }
  return CustomerListCursor{json[0].get<std::int64_t>(), json[1].get<std::string>(),
                            json[2].get<std::int64_t>()};
}

// The list's query from the URL, narrowed to the caller's stores.
Result<CustomerListQuery> ListQuery(const http::Request& request, const PortalCaller& caller) {
  CustomerListQuery query;
  query.text = Query(request, "q").value_or("");
  if (query.text.size() > 200) return InvalidArgument("q", "at most 200 characters");
  const std::string match = Query(request, "match").value_or("prefix");
  if (match != "prefix" && match != "contains") {
    return InvalidArgument("match", "must be prefix or contains");
  }
  query.contains = match == "contains";
  if (const auto store_id = Query(request, "store")) {
    if (!caller.MaySeeStore(*store_id)) {
      return Error{ErrorCode::kPermissionDenied, "not one of your stores", "store"};
    }
    query.stores = {*store_id};
  } else if (caller.user.role == PortalRole::kStoreManager) {
    query.stores = caller.user.stores;
  }
  auto before = OptionalTime(request, "last_visit_before");
  if (!before.ok()) return before.error();
  query.last_visit_before = *before;
  auto after = OptionalTime(request, "last_visit_after");
  if (!after.ok()) return after.error();
  query.last_visit_after = *after;
  auto min_spend = OptionalNumber(request, "min_spend");
  if (!min_spend.ok()) return min_spend.error();
  query.min_spend_minor = *min_spend;
  auto max_spend = OptionalNumber(request, "max_spend");
  if (!max_spend.ok()) return max_spend.error();
  query.max_spend_minor = *max_spend;
  query.segment = Query(request, "segment");
  if (const auto band = Query(request, "lapse_risk")) {
    if (*band == "low") {
      query.lapse_risk_band = LapseRiskBand::kLow;
    } else if (*band == "medium") {
      query.lapse_risk_band = LapseRiskBand::kMedium;
    } else if (*band == "high") {
      query.lapse_risk_band = LapseRiskBand::kHigh;
    } else {
      return InvalidArgument("lapse_risk", "must be low, medium or high");
    }
  }
  if (const auto consent = Query(request, "consent")) {
    if (*consent != "email" && *consent != "sms") {
      return InvalidArgument("consent", "must be email or sms");
    }
    query.consent_email = *consent == "email";
    query.consent_sms = *consent == "sms";
  }
  const std::string sort = Query(request, "sort").value_or("last_visit");
  if (sort == "last_visit") {
    query.sort = CustomerSort::kLastVisit;
  } else if (sort == "spend") {
    query.sort = CustomerSort::kSpend;
  } else if (sort == "visits") {
    query.sort = CustomerSort::kVisits;
  } else if (sort == "name") {
    query.sort = CustomerSort::kName;
  } else if (sort == "lapse_risk") {
    query.sort = CustomerSort::kLapseRisk;
  } else {
    return InvalidArgument("sort", "must be last_visit, spend, visits, name or lapse_risk");
  }
  const std::string order =
      Query(request, "order").value_or(query.sort == CustomerSort::kName ? "asc" : "desc");
  if (order != "asc" && order != "desc") return InvalidArgument("order", "must be asc or desc");
  query.descending = order == "desc";
  if (const auto cursor = Query(request, "cursor")) {
    auto decoded = DecodeCursor(*cursor);
    if (!decoded.ok()) return decoded.error();
    query.after = *decoded;
  }
  auto limit = PageSize(request, 50, kMaxPageSize);
  if (!limit.ok()) return limit.error();
  query.limit = *limit;
  return query;
}

nlohmann::json ListRowJson(const CustomerListRow& row) {
  return {{"id", row.id},
          {"name", OrNull(row.name)},
          {"email", OrNull(row.email)},
          {"phone", OrNull(row.phone)},
          {"consent_email", row.consent_email},
          {"consent_sms", row.consent_sms},
          {"visits", row.visits},
          {"spend", row.total_spend_minor},
          {"last_visit_at", OptionalTimeJson(row.last_visit_at)},
          {"segment", OrNull(row.segment)},
          {"lapse_risk", OrNull(row.lapse_risk)},
          {"lapse_risk_band",
           row.lapse_risk ? nlohmann::json(targeting::LapseRiskBand(*row.lapse_risk)) : nullptr},
          {"erased", row.erased}};
}

// A risk in the CSV: as the page shows it, two decimals are enough.
std::string LapseRiskCsv(const std::optional<double>& lapse_risk) {
  if (!lapse_risk) return ",";
  char risk[16];
  std::snprintf(risk, sizeof risk, "%.2f", *lapse_risk);
  return std::string(risk) + "," + targeting::LapseRiskBand(*lapse_risk);
}

// Every matching customer, up to the count cap, a page at a time.
Result<http::Response> CustomersCsv(Store& store, CustomerListQuery query) {
  std::string csv =
      "id,name,email,phone,consent_email,consent_sms,visits,spend,last_visit_at,segment,"
      "lapse_risk,lapse_risk_band,currency\r\n";
  const std::string currency = ChainCurrency(store);
  query.limit = kCsvPageSize;
  query.after.reset();
  std::int64_t written = 0;
  while (written < kCustomerCountCap) {
    auto page = store.ListCustomers(query);
    if (!page.ok()) return page.error();
    for (const auto& row : page->rows) {
      csv += std::to_string(row.id) + "," + CsvField(row.name.value_or("")) + "," +
             CsvField(row.email.value_or("")) + "," + CsvField(row.phone.value_or("")) + "," +
             (row.consent_email ? "1" : "0") + "," + (row.consent_sms ? "1" : "0") + "," +
             std::to_string(row.visits) + "," + CsvMoney(row.total_spend_minor, currency) + "," +
             (row.last_visit_at ? FormatUtc(*row.last_visit_at) : "") + "," +
             CsvField(row.segment.value_or("")) + "," + LapseRiskCsv(row.lapse_risk) + "," +
             currency + "\r\n";
    }
    written += static_cast<std::int64_t>(page->rows.size());
    if (!page->next) break;
    query.after = page->next;
  }
  return CsvResponse(std::move(csv), "customers.csv");
}

// A customer's purchases, newest first, every one: a person's history is thousands of rows
// at most (as the export reads it).
Result<http::Response> PurchasesCsv(Store& store, std::int64_t customer_id) {
  auto purchases = store.ListCustomerPurchases(customer_id, std::nullopt, std::size_t{1} << 20);
  if (!purchases.ok()) return purchases.error();
  std::string csv = "id,occurred_at,store_id,currency,items,discount,total\r\n";
  for (const auto& purchase : *purchases) {
    std::int64_t items = 0;
    for (const auto& line : purchase.lines) items += line.quantity;
    csv += CsvField(purchase.id) + "," + FormatUtc(purchase.occurred_at) + "," +
           CsvField(purchase.store_id) + "," + CsvField(purchase.currency) + "," +
           std::to_string(items) + "," + CsvMoney(purchase.discount_minor, purchase.currency) +
           "," + CsvMoney(purchase.total_minor, purchase.currency) + "\r\n";
  }
  return CsvResponse(std::move(csv), "customer-" + std::to_string(customer_id) + "-purchases.csv");
}

http::Response FollowUpsCsv(const std::vector<CustomerContact>& contacts, Timestamp now) {
  std::string csv = "id,customer_id,kind,created_at,follow_up_due_at,overdue,text\r\n";
  for (const auto& contact : contacts) {
    csv += std::to_string(contact.id) + "," + std::to_string(contact.customer_id) + "," +
           CsvField(contact.kind) + "," + FormatUtc(contact.created_at) + "," +
           (contact.follow_up_due_at ? FormatUtc(*contact.follow_up_due_at) : "") + "," +
           (contact.Overdue(now) ? "1" : "0") + "," + CsvField(contact.body) + "\r\n";
  }
  return CsvResponse(std::move(csv), "follow-ups.csv");
}

// The customer, if the caller may see them: a store manager's view ends at their stores,
// and a customer outside it is as unknown as one that does not exist.
Result<CustomerRecord> VisibleCustomer(Store& store, const PortalCaller& caller,
                                       std::int64_t customer_id) {
  auto record = store.FindCustomer(customer_id, Now());
  if (!record.ok()) return record.error();
  if (caller.user.role == PortalRole::kStoreManager &&
      std::none_of(record->stores.begin(), record->stores.end(),
                   [&](const CustomerStoreVisits& visits) {
                     return caller.MaySeeStore(visits.store_id);
                   })) {
    return Error{ErrorCode::kNotFound, "no customer " + std::to_string(customer_id),
                 "customer_id"};
  }
  return record;
}

Result<CustomerRecord> VisibleCustomer(Store& store, const PortalCaller& caller,
                                       const http::Request& request) {
  auto id = PathId(request, "customer_id");
  if (!id.ok()) return id.error();
  return VisibleCustomer(store, caller, *id);
}

void Audit(Store& store, const PortalCaller& caller, const http::Request& request,
           const std::string& action, std::int64_t customer_id,
           nlohmann::json detail = nlohmann::json::object()) {
  AuditStoredAction(store,
                    {Now(), caller.user.id, action, "customer:" + std::to_string(customer_id),
                     std::move(detail), request.remote_address});
}

nlohmann::json DetailsJson(const CustomerRecord& record) {
  if (!record.details) return nullptr;
  auto json = domain::CustomerDetailsToJson(*record.details);
  json["registered_at"] = OptionalTimeJson(record.registered_at);
  return json;
}

nlohmann::json CardsJson(const CustomerRecord& record) {
  nlohmann::json cards = nlohmann::json::array();
  for (const auto& card : record.cards) {
    cards.push_back({{"number", card.number},
                     {"status", card.blocked ? "blocked" : "active"},
                     {"replaced_by", OrNull(card.replaced_by)},
                     {"issued_at", FormatUtc(card.issued_at)},
                     {"blocked_at", OptionalTimeJson(card.blocked_at)}});
  }
  return cards;
}

nlohmann::json ProfileJson(const CustomerRecord& record) {
  CustomerProfile profile;
  profile.visits = record.visits;
  profile.total_spend_minor = record.total_spend_minor;
  if (record.first_visit_at) profile.first_visit_at = *record.first_visit_at;
  if (record.last_visit_at) profile.last_visit_at = *record.last_visit_at;
  nlohmann::json stores = nlohmann::json::array();
  for (const auto& visits : record.stores) {
    stores.push_back({{"store_id", visits.store_id},
                      {"visits", visits.visits},
                      {"spend", visits.spend_minor},
                      {"last_visit_at", FormatUtc(visits.last_visit_at)}});
  }
  return {{"visits", record.visits},
          {"spend", record.total_spend_minor},
          {"mean_basket", profile.MeanBasketMinor()},
          {"mean_days_between_visits", OrNull(profile.MeanDaysBetweenVisits())},
          {"first_visit_at", OptionalTimeJson(record.first_visit_at)},
          {"last_visit_at", OptionalTimeJson(record.last_visit_at)},
          {"stores", std::move(stores)}};
}

nlohmann::json PurchasesJson(const std::vector<CustomerPurchase>& purchases) {
  nlohmann::json items = nlohmann::json::array();
  for (const auto& purchase : purchases) {
    nlohmann::json lines = nlohmann::json::array();
    for (const auto& line : purchase.lines) {
      lines.push_back({{"sku", line.sku},
                       {"category", OrNull(line.category)},
                       {"quantity", line.quantity},
                       {"amount", line.amount_minor}});
    }
    items.push_back({{"id", purchase.id},
                     {"store_id", purchase.store_id},
                     {"occurred_at", FormatUtc(purchase.occurred_at)},
                     {"currency", purchase.currency},
                     {"discount", purchase.discount_minor},
                     {"total", purchase.total_minor},
                     {"lines", std::move(lines)}});
  }
  return items;
}

// A page of purchases and the cursor of the next one (the last purchase's seq).
nlohmann::json PurchasePageJson(const std::vector<CustomerPurchase>& purchases,
                                std::size_t limit) {
  return {{"purchases", PurchasesJson(purchases)},
          {"next_cursor", purchases.size() == limit
                              ? nlohmann::json(std::to_string(purchases.back().seq))
                              : nlohmann::json(nullptr)}};
}

nlohmann::json CouponsJson(const std::vector<CustomerCoupon>& coupons, Timestamp now) {
  nlohmann::json items = nlohmann::json::array();
  for (const auto& coupon : coupons) {
    const char* status = coupon.redeemed_at          ? "redeemed"
                         : coupon.voided_at          ? "voided"
                         : coupon.expires_at <= now  ? "expired"
                                                     : "live";
    items.push_back({{"id", coupon.id},
                     {"campaign", coupon.campaign},
                     {"title", coupon.title},
                     {"status", status},
                     {"issued_at", FormatUtc(coupon.issued_at)},
                     {"expires_at", FormatUtc(coupon.expires_at)},
                     {"redeemed_at", OptionalTimeJson(coupon.redeemed_at)}});
  }
  return items;
}

nlohmann::json ContactJson(const CustomerContact& contact, Timestamp now) {
  return {{"id", contact.id},
          {"customer_id", contact.customer_id},
          {"kind", contact.kind},
          {"text", contact.body},
          {"author_user_id", OrNull(contact.author_user_id)},
          {"created_at", FormatUtc(contact.created_at)},
          {"follow_up_due_at", OptionalTimeJson(contact.follow_up_due_at)},
          {"done", contact.done_at.has_value()},
          {"done_at", OptionalTimeJson(contact.done_at)},
          {"overdue", contact.Overdue(now)}};
}

nlohmann::json ContactsJson(const std::vector<CustomerContact>& contacts, Timestamp now) {
  nlohmann::json items = nlohmann::json::array();
  for (const auto& contact : contacts) items.push_back(ContactJson(contact, now));
  return items;
}

nlohmann::json CustomerJson(const CustomerRecord& record) {
  nlohmann::json categories = nlohmann::json::array();
  for (const auto& [category, spend] : record.favourite_categories) {
    categories.push_back({{"category", category}, {"spend", spend}});
  }
  nlohmann::json products = nlohmann::json::array();
  for (const auto& product : record.favourite_products) {
    products.push_back({{"sku", product.sku},
                        {"name", product.name},
                        {"quantity", product.quantity},
                        {"purchases", product.purchases}});
  }
  return {{"id", record.id},
          {"created_at", FormatUtc(record.created_at)},
          {"details", DetailsJson(record)},
          {"segment", OrNull(record.segment)},
          {"erased_at", OptionalTimeJson(record.erased_at)},
          {"merged_into", OrNull(record.merged_into)},
          {"cards", CardsJson(record)},
          {"profile", ProfileJson(record)},
          {"favourite_categories", std::move(categories)},
          {"favourite_products", std::move(products)},
          {"coupon_counts",
           {{"issued", record.coupons.issued},
            {"redeemed", record.coupons.redeemed},
            {"expired", record.coupons.expired},
            {"live", record.coupons.live},
            {"voided", record.coupons.voided}}}};
}

Result<nlohmann::json> JsonBody(const http::Request& request) {
  auto json = codec::ParseJson(request.body);
  if (!json.ok()) return json.error();
  return *json;
}

void AddReadRoutes(http::Router& router, Store& store) {
  router.Add(http::Verb::get, "/portal/api/customers",
             PortalAuthenticated(store, kReaders,
                                 [&store](const http::Request& request,
                                          const PortalCaller& caller) -> Result<http::Response> {
                                   auto query = ListQuery(request, caller);
                                   if (!query.ok()) return query.error();
                                   // A store manager with no stores sees nobody.
                                   if (caller.user.role == PortalRole::kStoreManager &&
                                       query->stores.empty()) {
                                     query->stores = {""};
                                   }
                                   if (WantsCsv(request)) {
                                     auto csv = CustomersCsv(store, *query);
                                     // A bulk copy of personal data: who took it, and how
                                     // many rows, but not the search (it may be a name).
                                     if (csv.ok()) {
                                       const auto rows = std::count(csv->body.begin(),
                                                                    csv->body.end(), '\n');
                                       AuditStoredAction(store, {Now(),
                                                                 caller.user.id,
                                                                 "customers.export_csv",
                                                                 "customers",
                                                                 {{"rows", rows - 1}},
                                                                 request.remote_address});
                                     }
                                     return csv;
                                   }
                                   auto page = store.ListCustomers(*query);
                                   if (!page.ok()) return page.error();
                                   nlohmann::json rows = nlohmann::json::array();
                                   for (const auto& row : page->rows) {
                                     rows.push_back(ListRowJson(row));
                                   }
                                   return http::Response::Json(
                                       {{"customers", std::move(rows)},
                                        {"total", page->total},
                                        {"total_capped", page->total_capped},
                                        {"next_cursor", page->next ? nlohmann::json(EncodeCursor(
                                                                         *page->next))
                                                                   : nlohmann::json(nullptr)}});
                                 }));

  router.Add(
      http::Verb::get, "/portal/api/customers/{customer_id}",
      PortalAuthenticated(
          store, kReaders,
          [&store](const http::Request& request,
                   const PortalCaller& caller) -> Result<http::Response> {
            auto record = VisibleCustomer(store, caller, request);
            if (!record.ok()) return record.error();
            constexpr std::size_t kRecent = 10;
            auto purchases = store.ListCustomerPurchases(record->id, std::nullopt, kRecent);
            if (!purchases.ok()) return purchases.error();
            const Timestamp now = Now();
            auto json = CustomerJson(*record);
            json["recent_purchases"] = PurchasePageJson(*purchases, kRecent);
            json["features"] = CustomerFeaturesJson(store.FindCustomerFeatures(record->id));
            json["coupons"] = CouponsJson(store.ListCustomerCoupons(record->id, 50), now);
            const auto contacts = store.ListCustomerContacts(record->id);
            json["contacts"] = ContactsJson(contacts, now);
            json["overdue_follow_ups"] =
                std::count_if(contacts.begin(), contacts.end(),
                              [&](const CustomerContact& contact) { return contact.Overdue(now); });
            return http::Response::Json(json);
          }));

  router.Add(http::Verb::get, "/portal/api/customers/{customer_id}/purchases",
             PortalAuthenticated(
                 store, kReaders,
                 [&store](const http::Request& request,
                          const PortalCaller& caller) -> Result<http::Response> {
                   auto record = VisibleCustomer(store, caller, request);
                   if (!record.ok()) return record.error();
                   if (WantsCsv(request)) return PurchasesCsv(store, record->id);
                   auto limit = PageSize(request, 20, kMaxPageSize);
                   if (!limit.ok()) return limit.error();
                   auto before = OptionalNumber(request, "cursor");
                   if (!before.ok()) return before.error();
                   auto purchases = store.ListCustomerPurchases(record->id, *before, *limit);
                   if (!purchases.ok()) return purchases.error();
                   return http::Response::Json(PurchasePageJson(*purchases, *limit));
                 }));

  router.Add(http::Verb::get, "/portal/api/follow-ups",
             PortalAuthenticated(
                 store, kReaders,
                 [&store](const http::Request& request,
                          const PortalCaller& caller) -> Result<http::Response> {
                   const std::string overdue = Query(request, "overdue").value_or("0");
                   if (overdue != "0" && overdue != "1") {
                     return InvalidArgument("overdue", "must be 0 or 1");
                   }
                   auto limit = PageSize(request, 100, kMaxPageSize);
                   if (!limit.ok()) return limit.error();
                   std::vector<std::string> stores;
                   if (caller.user.role == PortalRole::kStoreManager) {
                     stores = caller.user.stores;
                     if (stores.empty()) stores = {""};
                   }
                   const Timestamp now = Now();
                   const auto follow_ups = store.ListFollowUps(stores, overdue == "1", now, *limit);
                   if (WantsCsv(request)) return FollowUpsCsv(follow_ups, now);
                   return http::Response::Json({{"follow_ups", ContactsJson(follow_ups, now)}});
                 }));
}

void AddContactRoutes(http::Router& router, Store& store) {
  router.Add(
      http::Verb::post, "/portal/api/customers/{customer_id}/contacts",
      PortalAuthenticated(
          store, kEditors,
          [&store](const http::Request& request,
                   const PortalCaller& caller) -> Result<http::Response> {
            auto record = VisibleCustomer(store, caller, request);
            if (!record.ok()) return record.error();
            auto json = JsonBody(request);
            if (!json.ok()) return json.error();
            codec::FieldErrors errors;
            codec::ObjectReader body(*json, "", errors);
            const std::string kind = body.RequiredString("kind", 20);
            const std::string text = body.RequiredString("text", 4000);
            const auto due_text = body.OptionalString("follow_up_due_at", 40);
            body.Finish();
            if (!errors.ok()) return errors.error();
            if (kind != "note" && kind != "complaint") {
              return InvalidArgument("kind", "must be note or complaint");
            }
            NewCustomerContact contact{record->id,
                                       kind == "note" ? ContactKind::kNote : ContactKind::kComplaint,
                                       text, caller.user.id, std::nullopt};
            if (due_text) {
              auto due = ParseIso8601(*due_text, "follow_up_due_at");
              if (!due.ok()) return due.error();
              contact.follow_up_due_at = *due;
            }
            const Timestamp now = Now();
            auto added = store.AddCustomerContact(contact, now);
            if (!added.ok()) return added.error();
            Audit(store, caller, request, "customer.contact_add", record->id,
                  {{"contact_id", added->id}, {"kind", kind}, {"follow_up", due_text.has_value()}});
            return http::Response::Json(ContactJson(*added, now), 201);
          }));

  router.Add(
      http::Verb::post, "/portal/api/customers/{customer_id}/contacts/{contact_id}/done",
      PortalAuthenticated(
          store, kEditors,
          [&store](const http::Request& request,
                   const PortalCaller& caller) -> Result<http::Response> {
            auto record = VisibleCustomer(store, caller, request);
            if (!record.ok()) return record.error();
            auto contact_id = PathId(request, "contact_id");
            if (!contact_id.ok()) return contact_id.error();
            const Timestamp now = Now();
            auto closed = store.CloseCustomerContact(record->id, *contact_id, caller.user.id, now);
            if (!closed.ok()) return closed.error();
            Audit(store, caller, request, "customer.contact_done", record->id,
                  {{"contact_id", *contact_id}});
            return http::Response::Json(ContactJson(*closed, now));
          }));
}

void AddEditRoutes(http::Router& router, Store& store) {
  // A new card handed out at the service desk, with its holder's details. A card someone
  // already holds is refused: changing their details is the customer page's edit.
  router.Add(
      http::Verb::post, "/portal/api/customers",
      PortalAuthenticated(
          store, kEditors,
          [&store](const http::Request& request,
                   const PortalCaller& caller) -> Result<http::Response> {
            auto json = JsonBody(request);
            if (!json.ok()) return json.error();
            codec::FieldErrors errors;
            codec::ObjectReader body(*json, "", errors);
            const std::string card_text = body.RequiredString("card_number", 13);
            const nlohmann::json details_json =
                json->is_object() && json->contains("details") ? json->at("details")
                                                                : nlohmann::json();
            body.MarkRead("details");
            body.Finish();
            if (!errors.ok()) return errors.error();
            auto card = CardNumber::Parse(card_text);
            if (!card.ok()) return card.error();
            if (!details_json.is_object()) {
              return InvalidArgument("details", "must be an object with the holder's details");
            }
            auto details = domain::CustomerDetailsFromJson(details_json);
            if (!details.ok()) return details.error();
            auto registered = store.RegisterNewCustomer(*card, *details, Now());
            if (!registered.ok()) return registered.error();
            Audit(store, caller, request, "customer.register", *registered,
                  {{"card", card->Masked()},
                   {"consent_email", details->consent_email},
                   {"consent_sms", details->consent_sms}});
            return http::Response::Json({{"customer_id", *registered}}, 201);
          }));

  router.Add(
      http::Verb::put, "/portal/api/customers/{customer_id}/details",
      PortalAuthenticated(
          store, kEditors,
          [&store](const http::Request& request,
                   const PortalCaller& caller) -> Result<http::Response> {
            auto record = VisibleCustomer(store, caller, request);
            if (!record.ok()) return record.error();
            if (record->erased_at || record->merged_into) {
              return Error{ErrorCode::kConflict, "the customer was erased or merged",
                           "customer_id"};
            }
            auto json = JsonBody(request);
            if (!json.ok()) return json.error();
            auto details = domain::CustomerDetailsFromJson(*json);
            if (!details.ok()) return details.error();
            const auto active = std::find_if(record->cards.begin(), record->cards.end(),
                                             [](const CustomerCard& card) { return !card.blocked; });
            if (active == record->cards.end()) {
              return Error{ErrorCode::kConflict, "the customer has no active card", "cards"};
            }
            auto card = CardNumber::Parse(active->number);
            if (!card.ok()) return card.error();
            auto registered = store.RegisterCustomer(*card, *details, Now());
            if (!registered.ok()) return registered.error();
            // Which consents were given, not the personal data itself.
            Audit(store, caller, request, "customer.details_update", record->id,
                  {{"consent_email", details->consent_email},
                   {"consent_sms", details->consent_sms}});
            auto updated = store.FindCustomer(record->id, Now());
            if (!updated.ok()) return updated.error();
            return http::Response::Json(CustomerJson(*updated));
          }));

  router.Add(
      http::Verb::post, "/portal/api/customers/{customer_id}/card-replacement",
      PortalAuthenticated(
          store, kEditors,
          [&store](const http::Request& request,
                   const PortalCaller& caller) -> Result<http::Response> {
            auto record = VisibleCustomer(store, caller, request);
            if (!record.ok()) return record.error();
            auto json = JsonBody(request);
            if (!json.ok()) return json.error();
            codec::FieldErrors errors;
            codec::ObjectReader body(*json, "", errors);
            const std::string lost_text = body.RequiredString("card_number", 13);
            const std::string new_text = body.RequiredString("new_card_number", 13);
            body.Finish();
            if (!errors.ok()) return errors.error();
            auto lost = CardNumber::Parse(lost_text);
            if (!lost.ok()) return lost.error();
            auto replacement = CardNumber::Parse(new_text, "new_card_number");
            if (!replacement.ok()) return replacement.error();
            if (std::none_of(record->cards.begin(), record->cards.end(),
                             [&](const CustomerCard& card) { return card.number == lost->digits(); })) {
              return Error{ErrorCode::kNotFound, "not a card of this customer", "card_number"};
            }
            auto replaced = store.ReplaceCard(*lost, *replacement, Now());
            if (!replaced.ok()) return replaced.error();
            Audit(store, caller, request, "customer.card_replace", record->id,
                  {{"blocked_card", lost->Masked()}, {"new_card", replacement->Masked()}});
            return http::Response::Json({{"customer_id", record->id},
                                         {"blocked_card", lost->digits()},
                                         {"active_card", replacement->digits()}});
          }));

  router.Add(
      http::Verb::post, "/portal/api/customers/{customer_id}/merge",
      PortalAuthenticated(
          store, kEditors,
          [&store](const http::Request& request,
                   const PortalCaller& caller) -> Result<http::Response> {
            auto into = VisibleCustomer(store, caller, request);
            if (!into.ok()) return into.error();
            auto json = JsonBody(request);
            if (!json.ok()) return json.error();
            codec::FieldErrors errors;
            codec::ObjectReader body(*json, "", errors);
            const std::int64_t from_id = body.RequiredInt("from", 1, INT64_MAX);
            body.Finish();
            if (!errors.ok()) return errors.error();
            auto from = VisibleCustomer(store, caller, from_id);
            if (!from.ok()) return Error{from.error().code, from.error().message, "from"};
            if (auto merged = store.MergeCustomers(into->id, from->id, Now()); !merged.ok()) {
              return merged.error();
            }
            Audit(store, caller, request, "customer.merge", into->id, {{"from", from->id}});
            auto updated = store.FindCustomer(into->id, Now());
            if (!updated.ok()) return updated.error();
            return http::Response::Json(CustomerJson(*updated));
          }));
}

// Erasing cannot be undone, so the request repeats whom it erases: the customer's
// number or one of their card numbers, as the manager typed it. Answers which of the
// two it was, for the audit log (never the card itself).
Result<std::string> ErasureConfirmation(const CustomerRecord& record, const nlohmann::json& json) {
  codec::FieldErrors errors;
  codec::ObjectReader body(json, "", errors);
  const std::string confirm = body.RequiredString("confirm", 32);
  body.Finish();
  if (!errors.ok()) {
    Error error = errors.error();
    if (error.field == "confirm" && !json.contains("confirm")) {
      error.message = "is required: repeat the customer's number or one of their card numbers";
    }
    return error;
  }
  if (confirm == std::to_string(record.id)) return std::string("customer_id");
  if (std::any_of(record.cards.begin(), record.cards.end(),
                  [&](const CustomerCard& card) { return card.number == confirm; })) {
    return std::string("card_number");
  }
  return InvalidArgument("confirm",
                         "does not match this customer's number or any of their card numbers");
}

void AddPrivacyRoutes(http::Router& router, Store& store) {
  router.Add(
      http::Verb::get, "/portal/api/customers/{customer_id}/export",
      PortalAuthenticated(
          store, kEditors,
          [&store](const http::Request& request,
                   const PortalCaller& caller) -> Result<http::Response> {
            auto record = VisibleCustomer(store, caller, request);
            if (!record.ok()) return record.error();
            // Everything, unpaged: one person's history is thousands of rows at most.
            auto purchases =
                store.ListCustomerPurchases(record->id, std::nullopt, std::size_t{1} << 20);
            if (!purchases.ok()) return purchases.error();
            const Timestamp now = Now();
            auto json = CustomerJson(*record);
            json["exported_at"] = FormatUtc(now);
            json["purchases"] = PurchasesJson(*purchases);
            json["features"] = CustomerFeaturesJson(store.FindCustomerFeatures(record->id));
            json["coupons"] = CouponsJson(store.ListCustomerCoupons(record->id, 1 << 20), now);
            json["contacts"] = ContactsJson(store.ListCustomerContacts(record->id), now);
            Audit(store, caller, request, "customer.export", record->id);
            auto response = http::Response::Json(json);
            response.headers.emplace_back(
                "Content-Disposition",
                "attachment; filename=\"customer-" + std::to_string(record->id) + ".json\"");
            return response;
          }));

  router.Add(
      http::Verb::post, "/portal/api/customers/{customer_id}/erase",
      PortalAuthenticated(
          store, {PortalRole::kAdmin},
          [&store](const http::Request& request,
                   const PortalCaller& caller) -> Result<http::Response> {
            auto record = VisibleCustomer(store, caller, request);
            if (!record.ok()) return record.error();
            // An empty body is the older call without a confirmation: the caller hears
            // which field is missing, not that the body is not JSON.
            Result<nlohmann::json> json =
                request.body.empty() ? Result<nlohmann::json>(nlohmann::json::object())
                                     : JsonBody(request);
            if (!json.ok()) return json.error();
            auto confirmed_by = ErasureConfirmation(*record, *json);
            if (!confirmed_by.ok()) return confirmed_by.error();
            auto erased = store.EraseCustomer(record->id, Now());
            if (!erased.ok()) return erased.error();
            if (*erased) {
              Audit(store, caller, request, "customer.erase", record->id,
                    {{"confirmed_by", *confirmed_by}});
            }
            return http::Response::Json({{"customer_id", record->id}, {"erased_now", *erased}});
          }));
}

}  // namespace

void AddPortalCustomerRoutes(http::Router& router, Store& store) {
  AddReadRoutes(router, store);
  AddContactRoutes(router, store);
  AddEditRoutes(router, store);
  AddPrivacyRoutes(router, store);
}

}  // namespace loyalty::server
