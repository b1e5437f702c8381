#include "storage/portal_customer_sql.h"

#include <algorithm>
#include <cctype>
#include <cstdio>

#include "targeting/customer_features.h"

namespace loyalty::server {
namespace {

// Above every code point in UTF-8 byte order: the end of a prefix's range.
constexpr char kAfterEverything[] = "\xf4\x8f\xbf\xbf";

std::string AsciiLower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

// The words of a name search, split where both engines' tokenizers split a name: at
// spaces and ASCII punctuation. Bytes of multi-byte characters (accented letters) stay
// inside words; the engines fold them.
std::vector<std::string> SearchWords(const std::string& text) {
  std::vector<std::string> words(1);
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte >= 0x80 || std::isalnum(byte)) {
      words.back() += c;
    } else if (!words.back().empty()) {
      words.emplace_back();
    }
  }
  if (words.back().empty()) words.pop_back();
  return words;
}

// Every word as the start of a word of the name: an FTS5 query ("ann"* "smi"*) or a
// PostgreSQL tsquery ('ann':* & 'smi':*). The words hold no quote of either syntax.
std::string WordPrefixQuery(const std::vector<std::string>& words, SqlDialect dialect) {
  std::string query;
  for (const auto& word : words) {
    if (dialect == SqlDialect::kSqlite) {
      query += (query.empty() ? "\"" : " \"") + word + "\"*";
    } else {
      query += (query.empty() ? "'" : " & '") + word + "':*";
    }
  }
  return query;
}

// What a count reads. Its customers are counted from the index of what narrows them,
// without reading a row of customers when no filter needs one: a name's start
// (customer_details_by_lower_name holds the id), a word (the word index), one store
// (customer_stores_by_store, PostgreSQL only: SQLite counts the stores' rows, below);
// "not merged away" is then a look-up among the merged customers (a partial index,
// empty but for merges). On PostgreSQL a count that joined customers read the whole
// table into a hash to stop at the cap: 270 ms for a store, 430 ms for a first name,
// against 3 and 40 ms; on SQLite, 10 ms of CPU for a first name against 1.
enum class CountSource { kCustomers, kDetails, kOneStore };

class Builder {
 public:
  explicit Builder(SqlDialect dialect) : dialect_(dialect) {}

  std::string Mark(SqlParam value, const char* postgres_type) {
    params_.push_back(std::move(value));
    const std::string n = std::to_string(params_.size());
    return dialect_ == SqlDialect::kSqlite ? "?" + n : "$" + n + "::" + postgres_type;
  }

  // " IN (...)" or " = ANY(...)": membership in a list of texts. One value is compared
  // with "=": PostgreSQL then knows that an index on (value, id) gives ids in order, and
  // can merge it with another such index (a segment within one store: 400 ms to 40).
  std::string InList(const std::vector<std::string>& values) {
    if (dialect_ == SqlDialect::kPostgres && values.size() == 1) {
      return " = " + Mark(values.front(), "text");
    }
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

  // Customers with a name holding a word that starts with each of `words`, through
  // migration 0015's word index (FTS5 on SQLite, a GIN tsvector index on PostgreSQL).
  std::string NameWordsMatch(const std::vector<std::string>& words) {
    if (words.empty()) return "0 = 1";  // nothing typed that could start a word
    if (dialect_ == SqlDialect::kSqlite) {
      return Matching("rowid FROM customer_name_words WHERE customer_name_words MATCH " +
                      Mark(WordPrefixQuery(words, dialect_), "text"));
    }
    const bool on_details_row = walk_sort_order_ || source_ == CountSource::kDetails;
    const std::string matches = "to_tsvector('pg_catalog.simple', customer_name_fold(" +
                                std::string(on_details_row ? "d." : "") +
                                "name)) @@ to_tsquery('pg_catalog.simple', customer_name_fold(" +
                                Mark(WordPrefixQuery(words, dialect_), "text") + "))";
    // A count reading customer_details has no order to walk: the GIN index it is. With
    // many matches the page walks the sort order and tests each name it meets (about a
    // hundred per match), cheaper than reading every match to sort them.
    if (on_details_row) return matches;
    // ARRAY(...) is worked out once, from the GIN index: written as a condition on
    // d.name, PostgreSQL may instead walk the sort order and fold every name it meets
    // (18 s for a rare word at a million customers).
    return "c.id = ANY(ARRAY(SELECT customer_id FROM customer_details WHERE " + matches + "))";
  }

  // `c.id IN (SELECT <ids_from>)`, the ids of the customers a search matches. With
  // walk_sort_order, `+c.id` bars SQLite from reading the customers by those ids and
  // sorting them, so it walks the sort order's index and looks each one up in the ids.
  std::string Matching(const std::string& ids_from) const {
    return std::string(walk_sort_order_ && dialect_ == SqlDialect::kSqlite ? "+" : "") + id() +
           " IN (SELECT " + ids_from + ")";
  }

  // The table a PostgreSQL count reads; everything else reads customers `c`.
  void set_count_source(CountSource source) { source_ = source; }
  CountSource count_source() const { return source_; }
  // The customer id in the statement.
  const char* id() const {
    switch (source_) {
      case CountSource::kDetails:
        return "d.customer_id";
      case CountSource::kOneStore:
        return "s.customer_id";
      case CountSource::kCustomers:
        break;
    }
    return "c.id";
  }
  void set_walk_sort_order(bool walk) { walk_sort_order_ = walk; }
  bool walk_sort_order() const { return walk_sort_order_; }

  std::vector<SqlParam>& params() { return params_; }
  SqlDialect dialect() const { return dialect_; }

 private:
  SqlDialect dialect_;
  CountSource source_ = CountSource::kCustomers;
  bool walk_sort_order_ = false;
  std::vector<SqlParam> params_;
};

// The lapse risk in millionths, an integer so that it fits the cursor's number key;
// spelt exactly as migration 0024's index on customer_features, which the sort walks.
std::string LapseRiskKey(SqlDialect dialect) {
  return dialect == SqlDialect::kSqlite ? "CAST(f.lapse_risk * 1000000 AS INTEGER)"
                                        : "CAST(floor(f.lapse_risk * 1000000) AS bigint)";
}

std::string SortKey(CustomerSort sort, const Builder& builder) {
  switch (sort) {
    case CustomerSort::kLastVisit: return "COALESCE(c.last_visit_at, 0)";
    case CustomerSort::kSpend: return "c.total_spend_minor";
    case CustomerSort::kVisits: return "c.visits";
    case CustomerSort::kName: return builder.Lowered("d.name");
    case CustomerSort::kLapseRisk: return LapseRiskKey(builder.dialect());
  }
  return "c.id";
}

// The sort's tie-breaker. Sorted by lapse risk, the customer id of customer_features:
// its index gives (risk, id) in order, and SQLite does not see that c.id follows it.
const char* SortId(CustomerSort sort) {
  return sort == CustomerSort::kLapseRisk ? "f.customer_id" : "c.id";
}

// The band's lapse risks: [low, high).
std::pair<double, double> BandRange(LapseRiskBand band) {
  switch (band) {
    case LapseRiskBand::kLow: return {0.0, targeting::kMediumLapseRisk};
    case LapseRiskBand::kMedium: return {targeting::kMediumLapseRisk, targeting::kHighLapseRisk};
    case LapseRiskBand::kHigh: break;
  }
  return {targeting::kHighLapseRisk, 2.0};
}

// A risk as both engines read it back: the same double.
std::string RealLiteral(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.17g", value);
  return text;
}

// The key of a risk, as LapseRiskKey computes it (truncated, on both engines).
std::int64_t KeyOf(double lapse_risk) { return static_cast<std::int64_t>(lapse_risk * 1000000); }

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

// Whether the page reads the nightly run's features (JOIN customer_features f): only the
// customers it scored have a lapse risk to sort on. A band is on the customer's row.
bool NeedsFeatures(const CustomerListQuery& query) {
  return query.sort == CustomerSort::kLapseRisk;
}

bool FiltersCustomerColumns(const CustomerListQuery& query) {
  return query.last_visit_before || query.last_visit_after || query.min_spend_minor ||
         query.max_spend_minor || query.segment || query.lapse_risk_band;
}

// Whether the list reads customer_details with JOIN rather than LEFT JOIN: the filter
// or the sort is on a registered customer's details.
bool NeedsDetails(const CustomerListQuery& query) {
  const bool text_in_details = !query.text.empty() && DigitsOf(query.text).empty();
  return query.sort == CustomerSort::kName || text_in_details || query.consent_email ||
         query.consent_sms;
}

CountSource CountSourceOf(const CustomerListQuery& query, SqlDialect dialect) {
  if (FiltersCustomerColumns(query)) return CountSource::kCustomers;
  if (dialect == SqlDialect::kSqlite) {
    return NeedsDetails(query) && query.stores.empty() ? CountSource::kDetails
                                                       : CountSource::kCustomers;
  }
  if (NeedsDetails(query)) return CountSource::kDetails;
  if (query.stores.size() == 1) return CountSource::kOneStore;
  return CountSource::kCustomers;
}

enum class Part { kPage, kCount };

// Whether SQLite counts a store manager's customers from the stores' rows (CountSql).
// Not for "high", the band at the far tail of the risk: its own index holds fewer
// customers than any store, so the count reads them and probes their stores (three
// stores: 0.6 s reading the stores' 200,000 customers for 4,000 matches).
bool CountsStoreRows(const CustomerListQuery& query, SqlDialect dialect) {
  return dialect == SqlDialect::kSqlite && !query.stores.empty() &&
         query.lapse_risk_band != LapseRiskBand::kHigh;
}

std::string StoresFilter(const CustomerListQuery& query, Builder& builder, Part part) {
  const std::vector<std::string>& stores = query.stores;
  if (part == Part::kPage || (builder.dialect() == SqlDialect::kSqlite &&
                              !CountsStoreRows(query, builder.dialect()))) {
    return " AND EXISTS (SELECT 1 FROM customer_stores s WHERE s.customer_id = c.id AND"
           " s.store_id" +
           builder.InList(stores) + ")";
  }
  if (builder.dialect() == SqlDialect::kSqlite ||
      builder.count_source() == CountSource::kOneStore) {
    return " AND s.store_id" + builder.InList(stores);
  }
  return std::string(" AND ") + builder.id() +
         " IN (SELECT customer_id FROM customer_stores WHERE store_id" + builder.InList(stores) +
         ")";
}

// The filters of `query` as a WHERE clause. The page finds a store's customers by
// probing customer_stores row by row as it walks the sort order (EXISTS); the count has
// no order to keep and reads the stores' customers from their index: on SQLite as the
// rows `s` it counts (CountSql), which stops at the cap, where an IN list would first
// gather every customer of the stores (200,000 for three stores: 200 ms); PostgreSQL
// plans the IN as a semi-join that stops at the cap, or reads the one store's rows.
std::string Filters(const CustomerListQuery& query, Builder& builder, Part part) {
  const std::string id = builder.id();
  // Not merged away: the merged customers are few, and a partial index holds them.
  // Sorted by lapse risk, SQLite walks the features' index and looks each customer up;
  // asked of the features' id, against the merged customers' index, so that no term on
  // `c` makes SQLite first build a Bloom filter of every customer not merged away for
  // those look-ups (0.15 to 0.35 s at a million customers, for a page of 50).
  const bool risk_walk = builder.dialect() == SqlDialect::kSqlite && part == Part::kPage &&
                         query.sort == CustomerSort::kLapseRisk;
  std::string where =
      risk_walk ? " WHERE f.customer_id NOT IN (SELECT id FROM customers WHERE merged_into IS"
                  " NOT NULL)"
                : " WHERE c.merged_into IS NULL";
  if (part == Part::kCount && builder.dialect() == SqlDialect::kPostgres) {
    where = " WHERE NOT EXISTS (SELECT 1 FROM customers m WHERE m.id = " + id +
            " AND m.merged_into IS NOT NULL)";
  } else if (part == Part::kCount && builder.count_source() != CountSource::kCustomers) {
    where = " WHERE " + id + " NOT IN (SELECT id FROM customers WHERE merged_into IS NOT NULL)";
  }
  if (!query.text.empty()) {
    const std::string digits = DigitsOf(query.text);
    const std::string prefix = AsciiLower(query.text);
    if (query.text.find('@') != std::string::npos) {
      where += " AND " + builder.Lowered("d.email") + " >= " + builder.Mark(prefix, "text") +
               " AND " + builder.Lowered("d.email") + " < " +
               builder.Mark(prefix + kAfterEverything, "text");
    } else if (!digits.empty()) {
      // A card number, or a phone number however it was typed at registration.
      where += " AND " + id +
               " IN (SELECT customer_id FROM cards WHERE number = " + builder.Mark(digits, "text") +
               " UNION SELECT customer_id FROM customer_details WHERE replace(replace(replace("
               "replace(replace(phone, ' ', ''), '-', ''), '+', ''), '(', ''), ')', '') = " +
               builder.Mark(digits, "text") + ")";
    } else if (query.contains) {
      where += " AND " + builder.NameWordsMatch(SearchWords(query.text));
    } else if (builder.walk_sort_order() && builder.dialect() == SqlDialect::kSqlite) {
      where +=
          " AND " + builder.Matching("customer_id FROM customer_details WHERE lower(name) >= " +
                                     builder.Mark(prefix, "text") + " AND lower(name) < " +
                                     builder.Mark(prefix + kAfterEverything, "text"));
    } else {
      where += " AND " + builder.Lowered("d.name") + " >= " + builder.Mark(prefix, "text") +
               " AND " + builder.Lowered("d.name") + " < " +
               builder.Mark(prefix + kAfterEverything, "text");
    }
  }
  if (!query.stores.empty()) where += StoresFilter(query, builder, part);
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
  if (query.lapse_risk_band) {
    // The band on the customer's row (migration 0026), a literal so that the planners
    // see which partial index holds it: "> 0" spelt as the indexes spell it for the bands
    // at risk, each index giving the band in one sort order ("low", most customers, is met
    // at once walking the plain sort index). Sorted by name, SQLite walks the names' index
    // and probes each one's band ("+"): sorting a band's names took 2.7 s for "medium".
    // Sorted by risk, the page walks the band's range of migration 0024's index instead:
    // SQLite probes the band ("+"), PostgreSQL reads the range alone, as before 0026 (with
    // any term on the band's column it read the band whole and sorted it: 0.7 to 1.7 s
    // for a page of "high" or "medium", against 0.07 walking the risks). The run writes
    // risk and band from the same night and a visit sets both to low, so they agree.
    const auto band = static_cast<int>(*query.lapse_risk_band);
    const bool by_risk = part == Part::kPage && query.sort == CustomerSort::kLapseRisk;
    const bool probe = part == Part::kPage && builder.dialect() == SqlDialect::kSqlite &&
                       (by_risk || query.sort == CustomerSort::kName);
    if (!by_risk || builder.dialect() == SqlDialect::kSqlite) {
      const std::string column = std::string(probe ? "+" : "") + "c.lapse_risk_band";
      const std::string equal = column + " = " + std::to_string(band);
      // Once ANALYZE has run, SQLite reads the at-risk indexes' statistics as two bands
      // of half their rows each, and read all of them by "> 0" to sort them (0.3 s for a
      // page of "medium", 56 ms for "high", against 0.5 ms): unlikely() tells it a band
      // is the few rows it is, whatever the statistics say.
      const bool hint = band > 0 && !probe && builder.dialect() == SqlDialect::kSqlite;
      where += " AND " + (hint ? "unlikely(" + equal + ")" : equal);
      if (band > 0) where += " AND " + column + " > 0";
    }
    if (by_risk) {
      const std::string key = LapseRiskKey(builder.dialect());
      const auto [low, high] = BandRange(*query.lapse_risk_band);
      // The key's range is what the index reads, narrowed to the page's cursor: given two
      // upper bounds, SQLite walked from the band's (a later page of "medium": 0.5 s).
      // The risk's own bounds then place a risk within a millionth of a bound as
      // targeting::LapseRiskBand does.
      std::int64_t from = KeyOf(low), to = KeyOf(high);
      if (query.after && query.descending) to = std::min(to, query.after->number_key);
      if (query.after && !query.descending) from = std::max(from, query.after->number_key);
      where += " AND " + key + " >= " + std::to_string(from) + " AND " + key +
               " <= " + std::to_string(to) + " AND f.lapse_risk >= " + RealLiteral(low) +
               " AND f.lapse_risk < " + RealLiteral(high);
    }
  }
  // On a walk's LEFT JOIN (BuildCustomerListSql), COALESCE hides from SQLite that the
  // condition holds for no missing row, which would make the join an inner one again.
  // PostgreSQL would misjudge how many rows it keeps.
  const bool hide = builder.walk_sort_order() && builder.dialect() == SqlDialect::kSqlite;
  const auto consents = [&](const char* column) {
    return std::string(" AND ") + (hide ? "COALESCE(d." : "d.") + column + (hide ? ", 0)" : "") +
           " = 1";
  };
  if (query.consent_email) where += consents("consent_email");
  if (query.consent_sms) where += consents("consent_sms");
  return where;
}

// The capped count's statement and parameters.
std::string CountSql(const CustomerListQuery& query, Builder& builder, const std::string& details) {
  std::string counted;
  builder.set_count_source(CountSourceOf(query, builder.dialect()));
  if (builder.count_source() == CountSource::kDetails) {
    counted = "1 FROM customer_details d";
  } else if (builder.dialect() == SqlDialect::kSqlite) {
    // DISTINCT: a customer of two of the stores has two rows `s`. CROSS JOIN keeps the
    // stores' rows the outer loop (SQLite's rule for it): else SQLite may walk a segment's
    // index and probe the stores for each (90 ms for a segment in a store, against 27).
    counted = CountsStoreRows(query, builder.dialect())
                  ? "DISTINCT c.id FROM customer_stores s CROSS JOIN customers c"
                    " ON c.id = s.customer_id" + details
                  : "1 FROM customers c" + details;
  } else {
    counted = builder.count_source() == CountSource::kOneStore ? "1 FROM customer_stores s"
                                                                : "1 FROM customers c" + details;
  }
  return "SELECT COUNT(*) FROM (SELECT " + counted + Filters(query, builder, Part::kCount) +
         " LIMIT " + std::to_string(kCustomerCountCap + 1) + ") AS matching";
}

CustomerListSql BuildCustomerListSql(const CustomerListQuery& query, SqlDialect dialect,
                                     bool many_matches) {
  const auto details_join = [](bool inner) {
    return std::string(inner ? " JOIN" : " LEFT JOIN") +
           " customer_details d ON d.customer_id = c.id";
  };
  const std::string features_join =
      NeedsFeatures(query) ? " JOIN customer_features f ON f.customer_id = c.id" : "";
  // Sorted by risk, the count keeps to the customers scored, which a band says already.
  // On SQLite the stores' count reads the stores' rows and probes each one's features:
  // left free, SQLite read the features' index and probed the stores.
  const std::string count_features_join =
      query.lapse_risk_band ? ""
      : NeedsFeatures(query) && dialect == SqlDialect::kSqlite && !query.stores.empty()
          ? " CROSS JOIN customer_features f ON f.customer_id = c.id"
          : features_join;
  CustomerListSql sql;
  Builder count_builder(dialect);
  sql.count =
      CountSql(query, count_builder, details_join(NeedsDetails(query)) + count_features_join);
  sql.count_params = std::move(count_builder.params());

  Builder builder(dialect);
  const bool walk = many_matches && query.sort != CustomerSort::kName;
  builder.set_walk_sort_order(walk);
  std::string where = Filters(query, builder, Part::kPage);
  // A walk on SQLite reads the details with LEFT JOIN, which keeps the customers the
  // outer loop: with an inner join SQLite first builds a Bloom filter from all 600,000
  // details (120 ms for the consenting customers' export page, against 4). The filters
  // on the details hold for no missing row, so the rows are those of an inner join.
  const std::string from =
      " FROM customers c" +
      details_join(NeedsDetails(query) && !(walk && dialect == SqlDialect::kSqlite)) +
      features_join;

  const std::string key = SortKey(query.sort, builder);
  const std::string sort_id = SortId(query.sort);
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
             " " + key_mark + " OR " + sort_id + " " + before + " " + id_mark + ")";
  }
  // The lapse risk of the page's rows only: one look-up by primary key each.
  const std::string lapse_risk =
      NeedsFeatures(query) ? "f.lapse_risk"
                           : "(SELECT lapse_risk FROM customer_features WHERE customer_id = c.id)";
  sql.page = "SELECT c.id, d.name, d.email, d.phone, COALESCE(d.consent_email, 0),"
             " COALESCE(d.consent_sms, 0), c.visits, c.total_spend_minor, c.last_visit_at,"
             " c.segment, CASE WHEN c.erased_at IS NULL THEN 0 ELSE 1 END, " +
             lapse_risk + ", " + key + from + where + " ORDER BY " + key + direction + ", " +
             sort_id + direction +
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
