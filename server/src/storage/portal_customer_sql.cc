#include "storage/portal_customer_sql.h"

#include <cctype>

namespace loyalty::server {
namespace {

// Above every code point in UTF-8 byte order: the end of a prefix's range.
constexpr char kAfterEverything[] = "\xf4\x8f\xbf\xbf";

std::string AsciiLower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

std::string LikeEscaped(const std::string& text) {
  std::string escaped;
  for (char c : text) {
    if (c == '%' || c == '_' || c == '\\') escaped += '\\';
    escaped += c;
  }
  return escaped;
}

class Builder {
 public:
  explicit Builder(SqlDialect dialect) : dialect_(dialect) {}

  std::string Mark(SqlParam value, const char* postgres_type) {
    params_.push_back(std::move(value));
    const std::string n = std::to_string(params_.size());
    return dialect_ == SqlDialect::kSqlite ? "?" + n : "$" + n + "::" + postgres_type;
  }

  // " IN (...)" or " = ANY(...)": membership in a list of texts.
  std::string InList(const std::vector<std::string>& values) {
    if (dialect_ == SqlDialect::kPostgres) return " = ANY(" + Mark(values, "text[]") + ")";
    std::string marks;
    for (const auto& value : values) marks += (marks.empty() ? "" : ", ") + Mark(value, "text");
    return " IN (" + marks + ")";
  }

  // Names compare byte by byte on both engines, so that a prefix is one index range.
  std::string Lowered(const char* column) const {
    return std::string("lower(") + column + ")" +
           (dialect_ == SqlDialect::kPostgres ? " COLLATE \"C\"" : "");
  }

  std::vector<SqlParam>& params() { return params_; }

 private:
  SqlDialect dialect_;
  std::vector<SqlParam> params_;
};

std::string SortKey(CustomerSort sort, const Builder& builder) {
  switch (sort) {
    case CustomerSort::kLastVisit: return "COALESCE(c.last_visit_at, 0)";
    case CustomerSort::kSpend: return "c.total_spend_minor";
    case CustomerSort::kVisits: return "c.visits";
    case CustomerSort::kName: return builder.Lowered("d.name");
  }
  return "c.id";
}

}  // namespace

std::string DigitsOf(const std::string& text) {
  std::string digits;
  for (char c : text) {
    if (std::isdigit(static_cast<unsigned char>(c))) {
      digits += c;
    } else if (c != ' ' && c != '-' && c != '+' && c != '(' && c != ')') {
      return {};
    }
  }
  return digits;
}

std::string ForPostgres(std::string_view sql) {
  std::string converted(sql);
  for (std::size_t at = converted.find('?'); at != std::string::npos;
       at = converted.find('?', at + 1)) {
    converted[at] = '$';
  }
  return converted;
}

SqlWithParams BuildFollowUpsSql(const std::vector<std::string>& stores, bool overdue_only,
                                Timestamp now, std::size_t limit, SqlDialect dialect) {
  Builder builder(dialect);
  std::string sql = std::string(kContactColumns) +
                    " WHERE done_at IS NULL AND follow_up_due_at IS NOT NULL";
  if (overdue_only) {
    sql += " AND follow_up_due_at < " + builder.Mark(ToUnixSeconds(now), "bigint");
  }
  if (!stores.empty()) {
    sql += " AND customer_id IN (SELECT customer_id FROM customer_stores WHERE store_id" +
           builder.InList(stores) + ")";
  }
  sql += " ORDER BY follow_up_due_at, id LIMIT " +
         builder.Mark(static_cast<std::int64_t>(limit), "bigint");
  return {std::move(sql), std::move(builder.params())};
}

// The filters of `query` as a WHERE clause. The page finds a store's customers by
// probing customer_stores row by row as it walks the sort order (EXISTS); the count has
// no order to keep and reads the store's customers from their index (IN), which is what
// keeps counting a store with a hundred thousand customers quick.
std::string Filters(const CustomerListQuery& query, Builder& builder, bool for_count,
                    bool& needs_details) {
  needs_details = query.sort == CustomerSort::kName;
  std::string where = " WHERE c.merged_into IS NULL";
  if (!query.text.empty()) {
    const std::string digits = DigitsOf(query.text);
    if (query.text.find('@') != std::string::npos) {
      const std::string prefix = AsciiLower(query.text);
      where += " AND " + builder.Lowered("d.email") + " >= " + builder.Mark(prefix, "text") +
               " AND " + builder.Lowered("d.email") + " < " +
               builder.Mark(prefix + kAfterEverything, "text");
      needs_details = true;
    } else if (!digits.empty()) {
      // A card number, or a phone number however it was typed at registration.
      where += " AND c.id IN (SELECT customer_id FROM cards WHERE number = " +
               builder.Mark(digits, "text") +
               " UNION SELECT customer_id FROM customer_details WHERE replace(replace(replace("
               "replace(replace(phone, ' ', ''), '-', ''), '+', ''), '(', ''), ')', '') = " +
               builder.Mark(digits, "text") + ")";
    } else if (query.contains) {
      where += " AND " + builder.Lowered("d.name") + " LIKE " +
               builder.Mark("%" + LikeEscaped(AsciiLower(query.text)) + "%", "text") +
               " ESCAPE '\\'";
      needs_details = true;
    } else {
      const std::string prefix = AsciiLower(query.text);
      where += " AND " + builder.Lowered("d.name") + " >= " + builder.Mark(prefix, "text") +
               " AND " + builder.Lowered("d.name") + " < " +
               builder.Mark(prefix + kAfterEverything, "text");
      needs_details = true;
    }
  }
  if (!query.stores.empty() && for_count) {
    where += " AND c.id IN (SELECT customer_id FROM customer_stores WHERE store_id" +
             builder.InList(query.stores) + ")";
  } else if (!query.stores.empty()) {
    where += " AND EXISTS (SELECT 1 FROM customer_stores s WHERE s.customer_id = c.id AND"
             " s.store_id" +
             builder.InList(query.stores) + ")";
  }
  if (query.last_visit_before) {
    where += " AND COALESCE(c.last_visit_at, 0) < " +
             builder.Mark(ToUnixSeconds(*query.last_visit_before), "bigint");
  }
  if (query.last_visit_after) {
    where += " AND COALESCE(c.last_visit_at, 0) >= " +
             builder.Mark(ToUnixSeconds(*query.last_visit_after), "bigint");
  }
  if (query.min_spend_minor) {
    where += " AND c.total_spend_minor >= " + builder.Mark(*query.min_spend_minor, "bigint");
  }
  if (query.max_spend_minor) {
    where += " AND c.total_spend_minor <= " + builder.Mark(*query.max_spend_minor, "bigint");
  }
  if (query.segment) where += " AND c.segment = " + builder.Mark(*query.segment, "text");
  if (query.consent_email) where += " AND d.consent_email = 1";
  if (query.consent_sms) where += " AND d.consent_sms = 1";
  needs_details = needs_details || query.consent_email || query.consent_sms;
  return where;
}

CustomerListSql BuildCustomerListSql(const CustomerListQuery& query, SqlDialect dialect) {
  bool needs_details = false;
  Builder count_builder(dialect);
  const std::string count_where = Filters(query, count_builder, true, needs_details);
  Builder builder(dialect);
  std::string where = Filters(query, builder, false, needs_details);

  const std::string from =
      std::string(" FROM customers c ") + (needs_details ? "JOIN" : "LEFT JOIN") +
      " customer_details d ON d.customer_id = c.id";
  CustomerListSql sql;
  sql.count = "SELECT COUNT(*) FROM (SELECT 1" + from + count_where + " LIMIT " +
              std::to_string(kCustomerCountCap + 1) + ") AS matching";
  sql.count_params = std::move(count_builder.params());

  const std::string key = SortKey(query.sort, builder);
  const char* direction = query.descending ? " DESC" : "";
  if (query.after) {
    const std::string key_mark =
        query.sort == CustomerSort::kName ? builder.Mark(query.after->text_key, "text")
                                          : builder.Mark(query.after->number_key, "bigint");
    // Spelt out rather than as a row value (key, id) < (a, b): SQLite walks an index on
    // an expression only for a plain bound on the expression.
    const char* before = query.descending ? "<" : ">";
    const std::string id_mark = builder.Mark(query.after->id, "bigint");
    where += " AND " + key + " " + before + "= " + key_mark + " AND (" + key + " " + before +
             " " + key_mark + " OR c.id " + before + " " + id_mark + ")";
  }
  sql.page = "SELECT c.id, d.name, d.email, d.phone, COALESCE(d.consent_email, 0),"
             " COALESCE(d.consent_sms, 0), c.visits, c.total_spend_minor, c.last_visit_at,"
             " c.segment, CASE WHEN c.erased_at IS NULL THEN 0 ELSE 1 END, " +
             key + from + where + " ORDER BY " + key + direction + ", c.id" + direction +
             " LIMIT " + builder.Mark(static_cast<std::int64_t>(query.limit + 1), "bigint");
  sql.page_params = std::move(builder.params());
  return sql;
}

}  // namespace loyalty::server

namespace loyalty::server {

const char* ContactKindName(ContactKind kind) {
  return kind == ContactKind::kComplaint ? "complaint" : "note";
}

}  // namespace loyalty::server
