// The portal's customer list and dashboard on a million customers: fills a fresh
// database with bulk SQL (customers, registrations, cards, the stores they shop in,
// segments, their purchases), then times each query shape the list offers through
// Store::ListCustomers, as the portal calls it (the page and its capped count), and the
// dashboard's figures through Store::LoadDashboard. Prints one JSON line: p50 and p99 in
// ms per shape, and each p50 as a ratio to the keyset page's, measured in the same run
// (the machine is shared and noisy; the ratio travels better than the milliseconds).
//
//   bench_portal_customers [--customers 1000000] [--runs 40] [--shapes NAME,NAME...]
//                          [--storage-url URL [--reuse] | --postgres-url ADMIN_URL] [--help]
//
// URL defaults to a SQLite file of this run's own in the temporary directory (two runs at
// once never share one), removed at the end; a URL given is kept. Filled, it must name an
// empty database (a new file, or an empty PostgreSQL database). --reuse times the
// database of URL an earlier run filled again, without filling: a 1M fill takes minutes.
// --shapes times only the list shapes named (and the baseline), not the dashboard.
// --postgres-url names a cluster where the benchmark may create (and drop at the end)
// the database loyalty_bench_portal:
//   scripts/with-postgres --durable sh -c
//     'build/bin/bench_portal_customers --postgres-url "$LOYALTY_TEST_POSTGRES_URL"'
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <iostream>

#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <sstream>

#include "bench/support/bench_support.h"
#include "bench/support/fresh_postgres.h"
#include "loyalty/core/args.h"
#include "loyalty/postgres/postgres.h"
#include "loyalty/sqlite/sqlite.h"
#include "storage/open_store.h"
#include "targeting/next_visit_planner.h"

namespace loyalty::bench {
namespace {

using server::CustomerListQuery;
using server::CustomerSort;

// Fifty first names: a search by one matches a fiftieth of the registered customers.
const std::vector<std::string> kFirstNames = {
    "Ada",  "Alan", "Amy",  "Anna", "Ben",  "Carl", "Cleo", "Dan",  "Dora", "Eve",
    "Finn", "Gail", "Gus",  "Hal",  "Ida",  "Ivan", "Jane", "Joe",  "Kai",  "Kim",
    "Lea",  "Leo",  "Liv",  "Max",  "Mia",  "Ned",  "Nina", "Otto", "Pam",  "Paul",
    "Quin", "Rae",  "Ray",  "Rosa", "Sam",  "Sara", "Ted",  "Tia",  "Uma",  "Val",
    "Vic",  "Wes",  "Wren", "Xan",  "Yara", "Yves", "Zack", "Zoe",  "Bea",  "Cy"};

// Last visits spread over the 58 days up to kLatestVisit, so that the dashboard's last 30
// days hold about half the customers, as in a chain whose customers shop monthly.
constexpr std::int64_t kFirstVisit = 1700000000;
constexpr std::int64_t kVisitStep = 5;  // seconds per step of the 0..1000002 hash
constexpr std::int64_t kLatestVisit = kFirstVisit + 1000003 * kVisitStep;
constexpr std::int64_t kDaySeconds = 86400;

// The nightly run's features of every customer. The lapse risk grows with the time
// since the last visit, as the run's does, with a pseudo-random share for each
// customer's own cadence: 0.6 x the absence (0 for the latest visit, 1 for the
// earliest) + 0.4 x a hash. So "high" is 2% of the customers, all long away, "medium"
// 17%, mostly away over a month; the latest visitors are all "low".
std::string FeaturesSql(std::int64_t customers, bool postgres) {
  return "INSERT INTO customer_features(customer_id, run_date, visits, last_visit_at,"
         " days_since_last_visit, days_between_visits, lapse_risk, next_visit_at,"
         " top_categories) SELECT id, '2023-12-12', visits, last_visit_at, 3.0, 14.0,"
         " 0.6 * (1 - (last_visit_at - " +
         std::to_string(kFirstVisit) + ") / " + std::to_string(kLatestVisit - kFirstVisit) +
         ".0) + 0.4 * ((id * 2246822519 + 29) % 1000003) / 1000003.0,"
         " last_visit_at + 1209600, '[]' FROM customers WHERE id <= " +
         std::to_string(customers) + (postgres ? " ORDER BY id" : "");
}

// The band of each customer's features on their row, as the nightly run writes it (and
// migration 0026 backfills it).
std::string BandsSql(bool postgres) {
  return std::string("UPDATE customers") + (postgres ? " c" : "") +
         " SET lapse_risk_band = CASE WHEN f.lapse_risk >= 0.9 THEN 2"
         " WHEN f.lapse_risk >= 0.7 THEN 1 ELSE 0 END FROM customer_features f"
         " WHERE f.customer_id = " + (postgres ? "c.id" : "customers.id");
}

// Statements that fill the schema with `customers` customers; `series` is the engine's
// "one row per n from 1 to N" table expression, as `g(n)`. Customer n shops in store
// S1nn and made 1 to 4 purchases there, four days apart, the last one at their last
// visit, so that the customers' and the purchases' figures agree as the purchase path
// keeps them.
std::vector<std::string> FillSql(std::int64_t customers, bool postgres) {
  const std::string n = std::to_string(customers);
  const std::string series =
      postgres ? "generate_series(1, " + n + ") AS g(n)"
               : "(WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < " +
                     n + ") SELECT n FROM s) AS g";
  // Deterministic pseudo-random numbers from n, the same on both engines.
  const auto hash = [](const char* salt) {
    return std::string("((n * 2654435761 + ") + salt + ") % 1000003)";
  };
  const std::string registered = "n % 10 < 6";  // six in ten registered
  const std::string last_visit =
      "(" + std::to_string(kFirstVisit) + " + " + hash("13") + " * " +
      std::to_string(kVisitStep) + ")";
  std::string first_names;
  for (std::size_t i = 0; i < kFirstNames.size(); ++i) {
    first_names += (i == 0 ? "(" : ", (") + std::to_string(i) + ", '" + kFirstNames[i] + "')";
  }
  return {
      "INSERT INTO customers(id, created_at, visits, total_spend_minor, first_visit_at,"
      " last_visit_at, segment) SELECT n, 1700000000, 1 + " + hash("7") + " % 200, " +
          hash("11") + " * 5, 1700000000, " + last_visit +
          ", CASE n % 5 WHEN 0 THEN 'loyal' WHEN 1 THEN 'lapsing' WHEN 2 THEN 'new' END"
          " FROM " + series,
      "CREATE TEMPORARY TABLE repeats(j INTEGER PRIMARY KEY)",
      "INSERT INTO repeats(j) VALUES (0), (1), (2), (3)",
      "INSERT INTO purchases(id, customer_id, card_number, store_id, terminal_id, occurred_at,"
      " received_at, currency, subtotal_minor, discount_minor, total_minor, body_sha256)"
      " SELECT 'p' || n || '-' || r.j, n, '2' || (100000000000 + n), 'S' || (100 + n % 20),"
      " 'T01', " + last_visit + " - r.j * 345600, " + last_visit +
          ", 'EUR', 1000, 0, 1000, '' FROM " + series + " JOIN repeats r ON r.j <= n % 4",
      "CREATE TEMPORARY TABLE first_names(k INTEGER PRIMARY KEY, name TEXT)",
      "INSERT INTO first_names(k, name) VALUES " + first_names,
      "INSERT INTO customer_details(customer_id, name, email, phone, consent_email,"
      " consent_sms, registered_at, updated_at) SELECT n, f.name || ' Q' || " + hash("17") +
          ", 'c' || n || '@example.com', '555' || (1000000 + n), n % 2,"
          " CASE WHEN n % 3 = 0 THEN 1 ELSE 0 END, 1700000000, 1700000000 FROM " + series +
          " JOIN first_names f ON f.k = n % 50 WHERE " + registered,
      "INSERT INTO cards(number, customer_id, issued_at) SELECT '2' || (100000000000 + n),"
      " n, 1700000000 FROM " + series,
      // Twenty stores; a third of the customers shop in a second one.
      "INSERT INTO customer_stores(customer_id, store_id, visits, spend_minor, last_visit_at)"
      " SELECT n, 'S' || (100 + n % 20), 1, 100, " + last_visit + " FROM " + series,
      "INSERT INTO customer_stores(customer_id, store_id, visits, spend_minor, last_visit_at)"
      " SELECT n, 'S' || (100 + (n + 7) % 20), 1, 100, 1700000000 FROM " +
          series + " WHERE n % 3 = 0",
      FeaturesSql(customers, postgres),
      BandsSql(postgres),
      // A loaded PostgreSQL database is vacuumed by autovacuum within minutes (which
      // lets index-only scans skip the table); the benchmark does not wait for it.
      postgres ? "VACUUM ANALYZE" : "ANALYZE",
  };
}

void Fill(const server::StoreUrl& url, std::int64_t customers) {
  const bool postgres = url.engine == server::StoreUrl::Engine::kPostgres;
  const auto statements = FillSql(customers, postgres);
  if (postgres) {
    postgres::Connection db(url.location);
    for (const auto& sql : statements) db.Exec(sql);
    return;
  }
  sqlite::Connection db(url.location);
  db.Exec("BEGIN");
  for (const auto& sql : statements) db.Exec(sql);
  db.Exec("COMMIT");
  // The fill's gigabyte of WAL, not checkpointed while the store's own connection stays
  // open, had every read of the timed runs look its pages up there (2 to 10 times slower
  // than the same file checkpointed): a server's writer checkpoints as it goes.
  db.Exec("PRAGMA wal_checkpoint(TRUNCATE)");
}

// The shape every ratio is to: a keyset page in the middle of the default order.
constexpr char kBaseline[] = "last_visit_later_page";

struct Shape {
  std::string name;
  CustomerListQuery query;
};

std::vector<Shape> Shapes() {
  std::vector<Shape> shapes;
  const auto add = [&](std::string name, auto set) {
    CustomerListQuery query;
    set(query);
    shapes.push_back({std::move(name), std::move(query)});
  };
  add("last_visit_first_page", [](auto&) {});
  add(kBaseline, [](auto& q) {
    q.after = server::CustomerListCursor{kFirstVisit + 500000 * kVisitStep, "", 500000};
  });
  add("spend_range", [](auto& q) {
    q.sort = CustomerSort::kSpend;
    q.min_spend_minor = 1000000;
    q.max_spend_minor = 2000000;
  });
  add("visits_ascending", [](auto& q) {
    q.sort = CustomerSort::kVisits;
    q.descending = false;
  });
  add("name_first_page", [](auto& q) {
    q.sort = CustomerSort::kName;
    q.descending = false;
  });
  add("store_manager_one_store", [](auto& q) { q.stores = {"S105"}; });
  add("store_manager_three_stores", [](auto& q) { q.stores = {"S101", "S102", "S103"}; });
  add("lapsed_before", [](auto& q) {
    q.last_visit_before = FromUnixSeconds(kFirstVisit + 300000 * kVisitStep);
  });
  add("segment", [](auto& q) { q.segment = "lapsing"; });
  add("segment_in_store", [](auto& q) {
    q.segment = "loyal";
    q.stores = {"S110"};
  });
  add("name_prefix_common", [](auto& q) { q.text = "ada"; });  // 1 in 50 registered
  add("name_prefix_narrow", [](auto& q) { q.text = "ada q12"; });
  add("name_prefix_sorted_by_name", [](auto& q) {
    q.text = "ada";
    q.sort = CustomerSort::kName;
    q.descending = false;
  });
  add("name_contains", [](auto& q) {  // words: since migration 0015
    q.text = "q4242";
    q.contains = true;
  });
  add("name_words_common", [](auto& q) {  // a first name, 1 in 50 registered
    q.text = "ada";
    q.contains = true;
  });
  add("name_words_two", [](auto& q) {  // first name and the start of the last, any order
    q.text = "q12 ada";
    q.contains = true;
  });
  add("email_prefix", [](auto& q) { q.text = "c4242@"; });
  add("card_number", [](auto& q) { q.text = "2100000424242"; });
  add("phone", [](auto& q) { q.text = "555 1424242"; });
  add("consent_email_export_page", [](auto& q) {
    q.consent_email = true;
    q.limit = 500;
  });
  add("lapse_risk_high", [](auto& q) { q.lapse_risk_band = server::LapseRiskBand::kHigh; });
  add("lapse_risk_medium_in_store", [](auto& q) {
    q.lapse_risk_band = server::LapseRiskBand::kMedium;
    q.stores = {"S105"};
  });
  add("lapse_risk_high_sorted", [](auto& q) {  // the page's order once a band is picked
    q.lapse_risk_band = server::LapseRiskBand::kHigh;
    q.sort = CustomerSort::kLapseRisk;
  });
  add("lapse_risk_medium_in_store_sorted", [](auto& q) {
    q.lapse_risk_band = server::LapseRiskBand::kMedium;
    q.stores = {"S105"};
    q.sort = CustomerSort::kLapseRisk;
  });
  add("lapse_risk_high_by_spend", [](auto& q) {
    q.lapse_risk_band = server::LapseRiskBand::kHigh;
    q.sort = CustomerSort::kSpend;
  });
  add("lapse_risk_high_segment", [](auto& q) {
    q.lapse_risk_band = server::LapseRiskBand::kHigh;
    q.segment = "lapsing";
  });
  add("lapse_risk_sorted", [](auto& q) { q.sort = CustomerSort::kLapseRisk; });
  add("lapse_risk_sorted_later_page", [](auto& q) {
    q.sort = CustomerSort::kLapseRisk;
    q.after = server::CustomerListCursor{500000, "", 500000};
  });
  add("lapse_risk_sorted_in_store", [](auto& q) {
    q.sort = CustomerSort::kLapseRisk;
    q.stores = {"S105"};
  });
  add("lapse_risk_low_sorted_ascending", [](auto& q) {
    q.lapse_risk_band = server::LapseRiskBand::kLow;
    q.sort = CustomerSort::kLapseRisk;
    q.descending = false;
  });
  // Since migration 0026: the band with every other sort, filter and a later page.
  add("lapse_risk_medium", [](auto& q) { q.lapse_risk_band = server::LapseRiskBand::kMedium; });
  add("lapse_risk_medium_later_page", [](auto& q) {
    q.lapse_risk_band = server::LapseRiskBand::kMedium;
    q.after = server::CustomerListCursor{kFirstVisit + 200000 * kVisitStep, "", 500000};
  });
  add("lapse_risk_low", [](auto& q) { q.lapse_risk_band = server::LapseRiskBand::kLow; });
  add("lapse_risk_low_in_store", [](auto& q) {
    q.lapse_risk_band = server::LapseRiskBand::kLow;
    q.stores = {"S105"};
  });
  add("lapse_risk_high_three_stores", [](auto& q) {
    q.lapse_risk_band = server::LapseRiskBand::kHigh;
    q.stores = {"S101", "S102", "S103"};
  });
  add("lapse_risk_medium_by_visits", [](auto& q) {
    q.lapse_risk_band = server::LapseRiskBand::kMedium;
    q.sort = CustomerSort::kVisits;
    q.descending = false;
  });
  add("lapse_risk_medium_by_name", [](auto& q) {
    q.lapse_risk_band = server::LapseRiskBand::kMedium;
    q.sort = CustomerSort::kName;
    q.descending = false;
  });
  add("lapse_risk_high_by_name", [](auto& q) {
    q.lapse_risk_band = server::LapseRiskBand::kHigh;
    q.sort = CustomerSort::kName;
    q.descending = false;
  });
  add("lapse_risk_medium_spend_range", [](auto& q) {
    q.lapse_risk_band = server::LapseRiskBand::kMedium;
    q.sort = CustomerSort::kSpend;
    q.min_spend_minor = 1000000;
    q.max_spend_minor = 2000000;
  });
  add("lapse_risk_high_lapsed_before", [](auto& q) {
    q.lapse_risk_band = server::LapseRiskBand::kHigh;
    q.last_visit_before = FromUnixSeconds(kFirstVisit + 100000 * kVisitStep);
  });
  add("lapse_risk_medium_visited_after", [](auto& q) {
    q.lapse_risk_band = server::LapseRiskBand::kMedium;
    q.last_visit_after = FromUnixSeconds(kFirstVisit + 400000 * kVisitStep);
  });
  add("lapse_risk_high_name_prefix", [](auto& q) {
    q.lapse_risk_band = server::LapseRiskBand::kHigh;
    q.text = "ada";
  });
  add("lapse_risk_medium_sorted_later_page", [](auto& q) {
    q.lapse_risk_band = server::LapseRiskBand::kMedium;
    q.sort = CustomerSort::kLapseRisk;
    q.after = server::CustomerListCursor{800000, "", 500000};
  });
  return shapes;
}

// Times `run` `runs` times, after one untimed run that brings its pages into memory:
// p50 and p99 in ms.
template <typename Run>
nlohmann::json Timed(int runs, Run run) {
  run();
  std::vector<double> milliseconds;
  for (int i = 0; i < runs; ++i) {
    const auto started = std::chrono::steady_clock::now();
    run();
    milliseconds.push_back(
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started)
            .count());
  }
  return {{"p50_ms", Percentile(milliseconds, 0.5)}, {"p99_ms", Percentile(milliseconds, 0.99)}};
}

// The dashboard's ranges as the portal asks for them: today, 7 and 30 days up to the
// latest visit, for the chain and for one store.
nlohmann::json TimeDashboard(server::Store& store, int runs) {
  nlohmann::json figures = nlohmann::json::object();
  const std::int64_t end = (kLatestVisit / kDaySeconds + 1) * kDaySeconds;
  for (const int days : {1, 7, 30}) {
    for (const bool one_store : {false, true}) {
      server::DashboardQuery query;
      query.from = FromUnixSeconds(end - days * kDaySeconds);
      query.days = days;
      if (one_store) query.stores = {"S105"};
      server::Dashboard dashboard;
      auto timed = Timed(runs, [&] { dashboard = store.LoadDashboard(query); });
      timed["active_customers"] = dashboard.total.active_customers;
      timed["purchases"] = dashboard.total.purchases;
      figures["dashboard_" + std::to_string(days) + "_days" + (one_store ? "_one_store" : "")] =
          timed;
    }
  }
  return figures;
}

// A SQLite file no other run uses: the process id and a random number in its name.
std::filesystem::path OwnSqliteFile() {
  std::random_device random;
  return std::filesystem::temp_directory_path() /
         ("loyalty-bench-portal-" + std::to_string(::getpid()) + "-" + std::to_string(random()) +
          ".db");
}

std::set<std::string> ListOf(const std::string& text) {
  std::set<std::string> items;
  std::stringstream stream(text);
  for (std::string item; std::getline(stream, item, ',');) {
    if (!item.empty()) items.insert(item);
  }
  return items;
}

constexpr char kUsage[] = R"(usage: bench_portal_customers [options]

Times the portal's customer list (each query shape: the page and its capped count, as
Store::ListCustomers answers the portal) and the dashboard's figures on a database of
a million customers, and prints one JSON line: p50 and p99 in ms per shape, each p50 as
a ratio to the keyset page's (last_visit_later_page) measured in the same run.

options:
  --customers N        customers to fill (default 1000000)
  --runs N             timed runs per shape, after one untimed (default 40)
  --shapes A,B,...     time only these list shapes (and the baseline), not the dashboard
  --storage-url URL    sqlite:///path or postgresql://... to fill (it must be empty) and
                       keep; default: a SQLite file of this run's own, removed at the end
  --reuse              time the --storage-url an earlier run filled, without filling (a
                       database filled before the lapse-risk shapes gets the nightly
                       run's features added first)
  --postgres-url URL   a PostgreSQL cluster where the benchmark creates, and drops at the
                       end, the database loyalty_bench_portal
  --help               this text
)";

// A database filled before the fill wrote customer features gets them, so that --reuse
// can time the lapse-risk shapes on it.
void FillMissingFeatures(const server::StoreUrl& url, std::int64_t customers) {
  const bool postgres = url.engine == server::StoreUrl::Engine::kPostgres;
  const char* any = "SELECT COUNT(*) FROM (SELECT 1 FROM customer_features LIMIT 1) AS f";
  if (postgres) {
    postgres::Connection db(url.location);
    if (db.Run(any).Int(0, 0) > 0) return;
    db.Exec(FeaturesSql(customers, true));
    db.Exec(BandsSql(true));
    db.Exec("VACUUM ANALYZE customer_features");
    db.Exec("VACUUM ANALYZE customers");
    return;
  }
  sqlite::Connection db(url.location);
  auto& count = db.Prepared(any);
  count.Step();
  const bool filled = count.Int(0) > 0;
  count.Reset();
  if (filled) return;
  db.Exec("BEGIN");
  db.Exec(FeaturesSql(customers, false));
  db.Exec(BandsSql(false));
  db.Exec("COMMIT");
  db.Exec("ANALYZE customer_features");
  db.Exec("ANALYZE customers");
  db.Exec("PRAGMA wal_checkpoint(TRUNCATE)");  // as after Fill
}

int Main(int argc, char** argv) {
  std::vector<std::string> arguments(argv + 1, argv + argc);
  for (const auto& argument : arguments) {
    if (argument == "--help" || argument == "-h") {
      std::cout << kUsage;
      return 0;
    }
  }
  auto args = Args::Parse(arguments, {"customers", "runs", "storage-url", "postgres-url", "shapes"},
                          {"reuse"});
  if (!args.ok()) {
    std::cerr << args.error().ToString() << "\n" << kUsage;
    return 2;
  }
  const std::int64_t customers = std::stoll(args->ValueOr("customers", nullptr, "1000000"));
  const int runs = std::stoi(args->ValueOr("runs", nullptr, "40"));
  const std::set<std::string> only = ListOf(args->ValueOr("shapes", nullptr, ""));
  const std::string postgres_admin = args->ValueOr("postgres-url", nullptr, "");
  const std::string given_url = args->ValueOr("storage-url", nullptr, "");
  const bool reuse = args->Flag("reuse");
  if (reuse && given_url.empty()) {
    std::cerr << "--reuse: needs the --storage-url an earlier run filled\n";
    return 2;
  }
  const std::filesystem::path own_file = OwnSqliteFile();
  const std::string url_text = !postgres_admin.empty()
                                   ? FreshPostgresDatabase(postgres_admin, "loyalty_bench_portal")
                               : !given_url.empty() ? given_url
                                                    : "sqlite://" + own_file.string();
  auto url = server::ParseStoreUrl(url_text, "--storage-url");
  if (!url.ok()) {
    std::cerr << url.error().ToString() << "\n";
    return 2;
  }
  const bool sqlite = url->engine == server::StoreUrl::Engine::kSqlite;
  if (reuse && sqlite && !std::filesystem::exists(url->location)) {
    std::cerr << "--reuse: no file " << url->location << "\n";
    return 2;
  }
  const server::TopCategoryPlanner planner;
  const auto key = crypto::SigningKey::Generate();
  auto store = server::OpenStore(*url, planner, key);  // creates the schema
  const auto fill_started = std::chrono::steady_clock::now();
  if (!reuse) Fill(*url, customers);
  if (reuse) FillMissingFeatures(*url, customers);
  const double fill_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - fill_started).count();

  nlohmann::json figures = nlohmann::json::object();
  for (const auto& shape : Shapes()) {
    if (!only.empty() && !only.contains(shape.name) && shape.name != kBaseline) continue;
    std::size_t rows = 0;
    std::int64_t total = 0;
    auto timed = Timed(runs, [&] {
      auto page = store->ListCustomers(shape.query);
      if (!page.ok()) throw std::runtime_error(shape.name + ": " + page.error().ToString());
      rows = page->rows.size();
      total = page->total;
    });
    timed["rows"] = rows;
    timed["total"] = total;
    figures[shape.name] = timed;
  }
  if (only.empty()) figures.update(TimeDashboard(*store, runs));
  const double baseline = figures[kBaseline]["p50_ms"];
  for (auto& [name, figure] : figures.items()) {
    figure["ratio_to_keyset_page"] = figure["p50_ms"].get<double>() / baseline;
  }
  std::cout << nlohmann::json{{"bench", "portal_customer_list"},
                              {"engine", url->engine == server::StoreUrl::Engine::kPostgres
                                             ? "postgresql"
                                             : "sqlite"},
                              {"customers", customers},
                              {"runs", runs},
                              {"fill_seconds", fill_seconds},
                              {"queries", figures}}
                   .dump()
            << std::endl;
  store.reset();
  if (sqlite && given_url.empty()) {
    for (const char* suffix : {"", "-wal", "-shm"}) {
      std::filesystem::remove(url->location + suffix);
    }
  }
  if (!postgres_admin.empty()) {
    postgres::Connection(postgres_admin).Exec("DROP DATABASE loyalty_bench_portal WITH (FORCE)");
  }
  return 0;
}

}  // namespace
}  // namespace loyalty::bench

int main(int argc, char** argv) {
  try {
    return loyalty::bench::Main(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "bench_portal_customers: " << e.what() << "\n";
    return 1;
  }
}
