// bench_ingest: durable purchase ingestion over HTTPS against the same rows written by
// the database alone, measured side by side in one run (the machines are noisy, so only
// the ratio is comparable between runs), for SQLite and, given --postgres-url, for
// PostgreSQL too.
//
// For each engine:
// 1. Starts a real loyalty-server on loopback (demo catalog, one enrolled terminal).
// 2. Peak: N keep-alive TLS connections post 10-line purchases as fast as answered, for
//    customers drawn with a Zipf skew from a large population.
// 3. Half of that peak rate, open loop (latency counted from the scheduled send time,
//    so a stall is not hidden): p50/p99/p999.
// 4. Baseline: a plain C++ loop writes the same rows to the same schema at the same
//    durability, in transactions of the server's mean commit batch: SQLite in WAL at
//    synchronous=FULL, statement by statement; PostgreSQL (synchronous_commit as the
//    cluster has it, on by default) with one multi-row statement per table per batch,
//    the fastest way to write these rows short of COPY, which cannot upsert.
// 5. Planning: in process, the store's own time choosing each purchase's next-visit
//    coupons from stored scored offers (planning_bench.h), against the same purchases
//    recorded without planning, interleaved in one run.
// Prints one JSON line on stdout; progress on stderr.
#include <algorithm>
#include <atomic>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <thread>

#include "bench/ingest/planning_bench.h"
#include "bench/support/bench_support.h"
#include "bench/support/fresh_postgres.h"
#include "loyalty/core/args.h"
#include "loyalty/core/csv.h"
#include "loyalty/crypto/hash.h"
#include "loyalty/domain/purchase.h"
#include "loyalty/net/https_client.h"
#include "loyalty/postgres/postgres.h"
#include "loyalty/sqlite/sqlite.h"
#include "storage/pg_schema.h"
#include "storage/sqlite_migrations.h"
#include "support/child_process.h"

namespace loyalty::bench {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr char kUsage[] = R"(bench_ingest: server purchase ingestion against the database alone

Usage: bench_ingest [--connections 128] [--seconds 10] [--customers 100000]
                    [--catalog data/completejourney/products.csv] [--work-dir DIR]
                    [--server PATH-TO-loyalty-server]
                    [--postgres-url postgresql://USER@HOST:PORT/postgres]
                    [--engines sqlite,postgresql]
                    [--planning-purchases 4000] [--planning-customers 2000]
                    [--offers-stored 0]

--postgres-url names a cluster where the benchmark may create and drop the databases
loyalty_bench_server, loyalty_bench_baseline and loyalty_bench_planning (e.g. the one
scripts/with-postgres --durable starts). Without it only SQLite is measured.
--planning-purchases 0 skips the planning phase. --offers-stored N ends it with N nightly
offers stored (batches of 2,000) while a second store records purchases.
)";

// Which category each product is in, as the catalog import gives it.
std::string CategoryOf(const std::string& sku) {
  return "C" + std::to_string(std::hash<std::string>{}(sku) % 300);
}

struct Product {
  std::string sku;
  std::int64_t price;
};

// Draws ranks 0..n-1 with P(k) proportional to 1/(k+1)^s: a few customers shop often,
// most rarely; a few products sell a lot.
class Zipf {
 public:
  Zipf(std::size_t n, double s) : cdf_(n) {
    double sum = 0;
    for (std::size_t k = 0; k < n; ++k) {
      sum += 1.0 / std::pow(static_cast<double>(k + 1), s);
      cdf_[k] = sum;
    }
    for (auto& value : cdf_) value /= sum;
  }
  std::size_t operator()(std::mt19937_64& random) const {
    const double u = std::uniform_real_distribution<double>(0, 1)(random);
    return static_cast<std::size_t>(std::lower_bound(cdf_.begin(), cdf_.end(), u) - cdf_.begin());
  }

 private:
  std::vector<double> cdf_;
};

struct Workload {
  std::vector<Product> products;
  Zipf product_rank;
  Zipf customer_rank;
  std::string terminal_id;

  domain::Purchase Make(std::mt19937_64& random) const {
    domain::Purchase purchase;
    purchase.store_id = "S001";
    purchase.terminal_id = terminal_id;
    const std::size_t customer = customer_rank(random);
    std::string body = std::to_string(customer);
    body.insert(0, 11 - body.size(), '0');
    purchase.card = *CardNumber::FromBody("2" + body);
    purchase.occurred_at = Now();
    for (int line = 0; line < 10; ++line) {
      const Product& product = products[product_rank(random) % products.size()];
      const std::int64_t quantity = 1 + static_cast<std::int64_t>(random() % 3);
      purchase.lines.push_back({product.sku, quantity, product.price, quantity * product.price});
      purchase.total_minor += quantity * product.price;
    }
    return purchase;
  }
};

std::vector<Product> LoadProducts(const std::string& path) {
  std::ifstream file(path);
  CsvReader csv(file);
  const auto sku = csv.Column("sku");
  const auto price = csv.Column("price");
  std::vector<Product> products;
  while (auto record = csv.Next()) {
    if (!record->ok() || !sku || !price) continue;
    auto money = Money::Parse(record->value()[*price], Currency::Usd());
    if (money.ok()) products.push_back({record->value()[*sku], money->minor});
  }
  return products;
}

struct PhaseResult {
  std::size_t purchases = 0;
  std::size_t errors = 0;
  double seconds = 0;
  std::vector<double> latencies_ms;
};

// `rate` 0: closed loop, as fast as the server answers. Otherwise an open loop at `rate`
// purchases per second over all connections.
PhaseResult RunPhase(const Workload& workload, const net::HttpsClientOptions& client_options,
                     std::size_t connections, std::chrono::seconds duration, double rate) {
  std::vector<PhaseResult> per_thread(connections);
  std::vector<std::thread> threads;
  const auto start = Clock::now() + 200ms;  // every connection starts together
  const auto end = start + duration;
  for (std::size_t c = 0; c < connections; ++c) {
    threads.emplace_back([&, c] {
      std::mt19937_64 random(c * 7919 + 17);
      net::HttpsClient client(client_options);
      // Connect and handshake before the clock starts.
      if (!client.Get("/healthz").ok()) return;
      const auto interval =
          rate > 0 ? std::chrono::duration<double>(static_cast<double>(connections) / rate)
                   : std::chrono::duration<double>(0);
      auto scheduled =
          start + std::chrono::duration_cast<Clock::duration>(
                      interval * (static_cast<double>(c) / static_cast<double>(connections)));
      std::this_thread::sleep_until(start);
      auto& result = per_thread[c];
      while (true) {
        if (rate > 0) {
          std::this_thread::sleep_until(scheduled);
        } else {
          scheduled = Clock::now();
        }
        if (scheduled >= end) break;
        const std::string body = domain::PurchaseToJson(workload.Make(random)).dump();
        auto response = client.Post("/v1/purchases", body);
        const auto done = Clock::now();
        if (response.ok() && response->status == 201) {
          ++result.purchases;
          result.latencies_ms.push_back(
              std::chrono::duration<double, std::milli>(done - scheduled).count());
        } else {
          ++result.errors;
        }
        if (rate > 0) scheduled += std::chrono::duration_cast<Clock::duration>(interval);
      }
    });
  }
  for (auto& thread : threads) thread.join();
  PhaseResult total;
  total.seconds = std::chrono::duration<double>(duration).count();
  for (auto& result : per_thread) {
    total.purchases += result.purchases;
    total.errors += result.errors;
    total.latencies_ms.insert(total.latencies_ms.end(), result.latencies_ms.begin(),
                              result.latencies_ms.end());
  }
  return total;
}

// The rows the server writes for one purchase, written by a plain loop: the purchase,
// its lines, the customer's aggregates, the category and product aggregates and one
// coupon.
double SqliteBaseline(const Workload& workload, const std::string& path, std::size_t purchases,
                      std::size_t batch) {
  std::filesystem::remove(path);
  sqlite::Connection db(path);
  sqlite::Migrate(db, server::SqliteMigrations());
  {
    sqlite::Transaction transaction(db);
    for (const auto& product : workload.products) {
      db.Prepared(
            "INSERT INTO products(sku, name, department, category, product_type, brand,"
            " package_size, price_minor, version) VALUES (?, 'p', 'd', ?, 't', 'b', '', ?, 1)")
          .Bind(1, product.sku)
          .Bind(2, CategoryOf(product.sku))
          .Bind(3, product.price)
          .Run();
    }
    transaction.Commit();
  }
  std::mt19937_64 random(99);
  std::vector<domain::Purchase> work;
  for (std::size_t i = 0; i < purchases; ++i) work.push_back(workload.Make(random));
  const auto started = Clock::now();
  for (std::size_t first = 0; first < work.size(); first += batch) {
    sqlite::Transaction transaction(db);
    for (std::size_t i = first; i < std::min(first + batch, work.size()); ++i) {
      const auto& purchase = work[i];
      auto& find = db.Prepared("SELECT customer_id FROM cards WHERE number = ?");
      find.Bind(1, purchase.card->digits());
      std::int64_t customer = 0;
      if (find.Step()) {
        customer = find.Int(0);
        find.Reset();
      } else {
        find.Reset();
        db.Prepared("INSERT INTO customers(created_at) VALUES (1)").Run();
        customer = db.LastInsertRowId();
        db.Prepared("INSERT INTO cards(number, customer_id, issued_at) VALUES (?, ?, 1)")
            .Bind(1, purchase.card->digits())
            .Bind(2, customer)
            .Run();
      }
      db.Prepared(
            "INSERT INTO purchases(id, customer_id, card_number, store_id, terminal_id,"
            " occurred_at, received_at, currency, subtotal_minor, discount_minor, total_minor,"
            " body_sha256) VALUES (?, ?, ?, 'S001', 'T', 1, 1, 'USD', ?, 0, ?, ?)")
          .Bind(1, purchase.id.str())
          .Bind(2, customer)
          .Bind(3, purchase.card->digits())
          .Bind(4, purchase.total_minor)
          .Bind(5, purchase.total_minor)
          .Bind(6, crypto::Sha256Hex(purchase.id.str()))
          .Run();
      const std::int64_t purchase_seq = db.LastInsertRowId();
      std::map<std::string, std::int64_t> by_category;
      for (std::size_t l = 0; l < purchase.lines.size(); ++l) {
        const auto& line = purchase.lines[l];
        auto& category = db.Prepared("SELECT category FROM products WHERE sku = ?");
        category.Bind(1, line.sku);
        category.Step();
        const std::string name = category.Text(0);
        category.Reset();
        by_category[name] += line.amount_minor;
        db.Prepared(
              "INSERT INTO purchase_lines(purchase_seq, line_no, customer_id, sku, category,"
              " known_sku, quantity, unit_price_minor, amount_minor)"
              " VALUES (?, ?, ?, ?, ?, 1, ?, ?, ?)")
            .Bind(1, purchase_seq)
            .Bind(2, static_cast<std::int64_t>(l + 1))
            .Bind(3, customer)
            .Bind(4, line.sku)
            .Bind(5, name)
            .Bind(6, line.quantity)
            .Bind(7, line.unit_price_minor)
            .Bind(8, line.amount_minor)
            .Run();
      }
      std::map<std::string, std::int64_t> by_sku;
      for (const auto& line : purchase.lines) by_sku[line.sku] += line.quantity;
      for (const auto& [sku, quantity] : by_sku) {
        db.Prepared(
              "INSERT INTO customer_product_stats(customer_id, sku, quantity, purchases,"
              " last_bought_at, score, score_at) VALUES (?1, ?2, ?3, 1, 1, ?3, 1)"
              " ON CONFLICT(customer_id, sku) DO UPDATE SET quantity = quantity + ?3,"
              " purchases = purchases + 1, score = score + ?3")
            .Bind(1, customer)
            .Bind(2, sku)
            .Bind(3, quantity)
            .Run();
      }
      db.Prepared(
            "UPDATE customers SET visits = visits + 1, total_spend_minor = total_spend_minor + ?"
            " WHERE id = ?")
          .Bind(1, purchase.total_minor)
          .Bind(2, customer)
          .Run();
      for (const auto& [name, spend] : by_category) {
        db.Prepared(
              "INSERT INTO customer_category_stats(customer_id, category, spend_minor, items,"
              " last_bought_at) VALUES (?, ?, ?, 1, 1) ON CONFLICT(customer_id, category)"
              " DO UPDATE SET spend_minor = spend_minor + excluded.spend_minor,"
              " items = items + 1")
            .Bind(1, customer)
            .Bind(2, name)
            .Bind(3, spend)
            .Run();
      }
      db.Prepared(
            "INSERT INTO coupons(id, customer_id, card_number, campaign, title, target,"
            " target_value, discount_type, discount_value, min_spend_minor, max_discount_minor,"
            " currency, issued_at, expires_at, issued_by_purchase) VALUES (?, ?, ?,"
            " 'next-visit', '10% off C', 'category', 'C', 'percent_off', 10, 0, 500, 'USD',"
            " 1, 2, ?)")
          .Bind(1, Uuid::TimeOrdered().str())
          .Bind(2, customer)
          .Bind(3, purchase.card->digits())
          .Bind(4, purchase_seq)
          .Run();
    }
    transaction.Commit();
  }
  const double seconds = std::chrono::duration<double>(Clock::now() - started).count();
  return static_cast<double>(work.size()) / seconds;
}

// The same rows as SqliteBaseline, into PostgreSQL, written the fastest plain way: per
// batch, one multi-row statement per table (arrays unnested server-side), with the
// aggregates summed per key in C++ first, as one INSERT ... ON CONFLICT may touch a
// row only once. The catalog's categories come from memory, as in the server.
double PostgresBaseline(const Workload& workload, const std::string& url, std::size_t purchases,
                        std::size_t batch) {
  using postgres::Params;
  postgres::Connection db(url);
  server::MigratePostgres(db);
  std::map<std::string, std::string> categories;
  {
    std::vector<std::string> skus, names;
    std::vector<std::int64_t> prices;
    for (const auto& product : workload.products) {
      if (!categories.emplace(product.sku, CategoryOf(product.sku)).second) continue;
      skus.push_back(product.sku);
      names.push_back(CategoryOf(product.sku));
      prices.push_back(product.price);
    }
    db.Run(
        "INSERT INTO products(sku, name, department, category, product_type, brand,"
        " package_size, price_minor, version) SELECT u.sku, 'p', 'd', u.category, 't', 'b',"
        " '', u.price, 1 FROM unnest($1::text[], $2::text[], $3::bigint[])"
        " AS u(sku, category, price)",
        Params().AddArray(skus).AddArray(names).AddArray(prices));
  }
  std::mt19937_64 random(99);
  std::vector<domain::Purchase> work;
  for (std::size_t i = 0; i < purchases; ++i) work.push_back(workload.Make(random));
  const auto started = Clock::now();
  for (std::size_t first = 0; first < work.size(); first += batch) {
    const std::size_t last = std::min(first + batch, work.size());
    postgres::Transaction transaction(db);
    // Cards of the batch; the new ones get a customer each.
    std::map<std::string, std::int64_t> customer_of;
    std::vector<std::string> numbers;
    for (std::size_t i = first; i < last; ++i) numbers.push_back(work[i].card->digits());
    const auto known =
        db.Run("SELECT number, customer_id FROM cards WHERE number = ANY($1::text[])",
               Params().AddArray(numbers));
    for (int r = 0; r < known.size(); ++r) customer_of[known.Text(r, 0)] = known.Int(r, 1);
    std::vector<std::string> fresh;
    for (const auto& number : numbers) {
      if (customer_of.emplace(number, 0).second) fresh.push_back(number);
    }
    if (!fresh.empty()) {
      const auto made = db.Run(
          "WITH c AS (INSERT INTO customers(created_at) SELECT 1 FROM unnest($1::text[])"
          " RETURNING id), n AS (SELECT id, row_number() OVER (ORDER BY id) AS k FROM c),"
          " k AS (SELECT number, ord FROM unnest($1::text[]) WITH ORDINALITY AS u(number, ord)),"
          " i AS (INSERT INTO cards(number, customer_id, issued_at) SELECT k.number, n.id, 1"
          "  FROM k JOIN n ON n.k = k.ord RETURNING number, customer_id)"
          " SELECT number, customer_id FROM i",
          Params().AddArray(fresh));
      for (int r = 0; r < made.size(); ++r) customer_of[made.Text(r, 0)] = made.Int(r, 1);
    }
    std::vector<std::string> ids, cards, hashes;
    std::vector<std::int64_t> customers, totals;
    for (std::size_t i = first; i < last; ++i) {
      ids.push_back(work[i].id.str());
      cards.push_back(work[i].card->digits());
      hashes.push_back(crypto::Sha256Hex(work[i].id.str()));
      customers.push_back(customer_of[work[i].card->digits()]);
      totals.push_back(work[i].total_minor);
    }
    const auto inserted = db.Run(
        "INSERT INTO purchases(id, customer_id, card_number, store_id, terminal_id, occurred_at,"
        " received_at, currency, subtotal_minor, discount_minor, total_minor, body_sha256)"
        " SELECT u.id, u.customer, u.card, 'S001', 'T', 1, 1, 'USD', u.total, 0, u.total, u.hash"
        " FROM unnest($1::text[], $2::bigint[], $3::text[], $4::bigint[], $5::text[])"
        " AS u(id, customer, card, total, hash) RETURNING id, seq",
        Params().AddArray(ids).AddArray(customers).AddArray(cards).AddArray(totals).AddArray(
            hashes));
    std::map<std::string, std::int64_t> seq_of;
    for (int r = 0; r < inserted.size(); ++r) seq_of[inserted.Text(r, 0)] = inserted.Int(r, 1);

    std::vector<std::int64_t> line_seqs, line_nos, line_customers, quantities, prices, amounts;
    std::vector<std::string> skus, line_categories;
    std::map<std::pair<std::int64_t, std::string>, std::int64_t> by_sku, by_category;
    std::map<std::int64_t, std::pair<std::int64_t, std::int64_t>> visits;  // customer: n, spend
    std::vector<std::string> coupon_ids, coupon_cards;
    std::vector<std::int64_t> coupon_customers, coupon_purchases;
    for (std::size_t i = first; i < last; ++i) {
      const auto& purchase = work[i];
      const std::int64_t customer = customer_of[purchase.card->digits()];
      const std::int64_t seq = seq_of[purchase.id.str()];
      for (std::size_t l = 0; l < purchase.lines.size(); ++l) {
        const auto& line = purchase.lines[l];
        const std::string& category = categories[line.sku];
        line_seqs.push_back(seq);
        line_nos.push_back(static_cast<std::int64_t>(l + 1));
        line_customers.push_back(customer);
        skus.push_back(line.sku);
        line_categories.push_back(category);
        quantities.push_back(line.quantity);
        prices.push_back(line.unit_price_minor);
        amounts.push_back(line.amount_minor);
        by_sku[{customer, line.sku}] += line.quantity;
        by_category[{customer, category}] += line.amount_minor;
      }
      visits[customer].first += 1;
      visits[customer].second += purchase.total_minor;
      coupon_ids.push_back(Uuid::TimeOrdered().str());
      coupon_cards.push_back(purchase.card->digits());
      coupon_customers.push_back(customer);
      coupon_purchases.push_back(seq);
    }
    db.Run(
        "INSERT INTO purchase_lines(purchase_seq, line_no, customer_id, sku, category,"
        " known_sku, quantity, unit_price_minor, amount_minor)"
        " SELECT u.seq, u.no, u.customer, u.sku, u.category, 1, u.quantity, u.price, u.amount"
        " FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::text[], $5::text[],"
        " $6::bigint[], $7::bigint[], $8::bigint[])"
        " AS u(seq, no, customer, sku, category, quantity, price, amount)",
        Params()
            .AddArray(line_seqs)
            .AddArray(line_nos)
            .AddArray(line_customers)
            .AddArray(skus)
            .AddArray(line_categories)
            .AddArray(quantities)
            .AddArray(prices)
            .AddArray(amounts));
    const auto split = [](const auto& totals_by_key, std::vector<std::int64_t>& keys,
                          std::vector<std::string>& names, std::vector<std::int64_t>& values) {
      for (const auto& [key, value] : totals_by_key) {
        keys.push_back(key.first);
        names.push_back(key.second);
        values.push_back(value);
      }
    };
    std::vector<std::int64_t> sku_customers, sku_quantities, category_customers, category_spend;
    std::vector<std::string> sku_names, category_names;
    split(by_sku, sku_customers, sku_names, sku_quantities);
    split(by_category, category_customers, category_names, category_spend);
    db.Run(
        "INSERT INTO customer_product_stats AS s(customer_id, sku, quantity, purchases,"
        " last_bought_at, score, score_at) SELECT u.customer, u.sku, u.quantity, 1, 1,"
        " u.quantity, 1 FROM unnest($1::bigint[], $2::text[], $3::bigint[])"
        " AS u(customer, sku, quantity) ON CONFLICT (customer_id, sku) DO UPDATE SET"
        " quantity = s.quantity + excluded.quantity, purchases = s.purchases + 1,"
        " score = s.score + excluded.score",
        Params().AddArray(sku_customers).AddArray(sku_names).AddArray(sku_quantities));
    db.Run(
        "INSERT INTO customer_category_stats AS s(customer_id, category, spend_minor, items,"
        " last_bought_at) SELECT u.customer, u.category, u.spend, 1, 1"
        " FROM unnest($1::bigint[], $2::text[], $3::bigint[]) AS u(customer, category, spend)"
        " ON CONFLICT (customer_id, category) DO UPDATE SET"
        " spend_minor = s.spend_minor + excluded.spend_minor, items = s.items + 1",
        Params().AddArray(category_customers).AddArray(category_names).AddArray(category_spend));
    std::vector<std::int64_t> visit_customers, visit_counts, visit_spend;
    for (const auto& [customer, count_spend] : visits) {
      visit_customers.push_back(customer);
      visit_counts.push_back(count_spend.first);
      visit_spend.push_back(count_spend.second);
    }
    db.Run(
        "UPDATE customers c SET visits = c.visits + u.n,"
        " total_spend_minor = c.total_spend_minor + u.spend"
        " FROM unnest($1::bigint[], $2::bigint[], $3::bigint[]) AS u(id, n, spend)"
        " WHERE c.id = u.id",
        Params().AddArray(visit_customers).AddArray(visit_counts).AddArray(visit_spend));
    db.Run(
        "INSERT INTO coupons(id, customer_id, card_number, campaign, title, target,"
        " target_value, discount_type, discount_value, min_spend_minor, max_discount_minor,"
        " currency, issued_at, expires_at, issued_by_purchase) SELECT u.id, u.customer,"
        " u.card, 'next-visit', '10% off C', 'category', 'C', 'percent_off', 10, 0, 500,"
        " 'USD', 1, 2, u.purchase FROM unnest($1::text[], $2::bigint[], $3::text[],"
        " $4::bigint[]) AS u(id, customer, card, purchase)",
        Params()
            .AddArray(coupon_ids)
            .AddArray(coupon_customers)
            .AddArray(coupon_cards)
            .AddArray(coupon_purchases));
    transaction.Commit();
  }
  const double seconds = std::chrono::duration<double>(Clock::now() - started).count();
  return static_cast<double>(work.size()) / seconds;
}

// Sum and count of a histogram in a Prometheus text page.
std::pair<double, double> HistogramSumCount(const std::string& page, const std::string& name) {
  double sum = 0, count = 0;
  std::istringstream lines(page);
  for (std::string line; std::getline(lines, line);) {
    if (line.starts_with(name + "_sum ")) sum = std::stod(line.substr(name.size() + 5));
    if (line.starts_with(name + "_count ")) count = std::stod(line.substr(name.size() + 7));
  }
  return {sum, count};
}

struct Settings {
  std::size_t connections = 128;
  std::chrono::seconds seconds{10};
  std::size_t customers = 100000;
  std::string catalog;
  std::string server_binary;
  std::filesystem::path work;
};

struct ServerRun {
  PhaseResult peak;
  PhaseResult half;
  double peak_rate = 0;
  double mean_batch = 1;
};

// Steps 1 to 3 against a server storing into `storage_url`.
ServerRun MeasureServer(const Settings& settings, const std::string& engine,
                        const std::string& storage_url, std::vector<Product>& products) {
  const std::string data_dir = (settings.work / engine).string();
  const std::string log = (settings.work / (engine + "-server.log")).string();
  std::cerr << "bench_ingest: " << engine << ": preparing server in " << data_dir << "\n";
  const auto run = [&](std::vector<std::string> command) {
    command.insert(command.begin(), settings.server_binary);
    command.insert(command.end(), {"--data-dir", data_dir, "--storage-url", storage_url});
    testing::ChildProcess child(command, log);
    std::string out;
    while (auto line = child.ReadLine(120s)) out += *line;
    if (child.Wait(120s) != 0)
      throw std::runtime_error("failed: " + command[1] + " (see " + log + ")");
    return out;
  };
  run({"catalog", "import", "--csv", settings.catalog});
  run({"store", "add", "--id", "S001", "--name", "Bench"});
  const std::string code = run({"terminal", "enroll", "--store", "S001"});
  testing::ChildProcess server({settings.server_binary, "--data-dir", data_dir, "--storage-url",
                                storage_url, "--listen", "127.0.0.1:0"},
                               log);
  const std::string url = WaitForListeningUrl(log);

  net::HttpsClientOptions options{*net::ParseHttpsUrl(url), data_dir + "/tls/server.crt", 10s, {}};
  net::HttpsClient enroller(options);
  auto enrolled = enroller.Post("/v1/terminals/enroll",
                                nlohmann::json{{"code", code}, {"name", "bench"}}.dump());
  if (!enrolled.ok() || enrolled->status != 201) throw std::runtime_error("enrollment failed");
  const auto credential = nlohmann::json::parse(enrolled->body);
  options.headers = {{"Authorization", "Bearer " + credential["credential"].get<std::string>()}};

  Workload workload{products, Zipf(20000, 1.0), Zipf(settings.customers, 0.8),
                    credential["terminal_id"]};
  ServerRun result;
  std::cerr << "bench_ingest: " << engine << ": peak, " << settings.connections << " connections, "
            << settings.seconds.count() << " s\n";
  result.peak = RunPhase(workload, options, settings.connections, settings.seconds, 0);
  result.peak_rate = static_cast<double>(result.peak.purchases) / result.peak.seconds;
  net::HttpsClient scraper(options);
  const auto metrics = scraper.Get("/metrics");
  const auto [batch_sum, batch_count] =
      HistogramSumCount(metrics.ok() ? metrics->body : "", "loyalty_storage_commit_batch_size");
  result.mean_batch = batch_count > 0 ? batch_sum / batch_count : 1;

  std::cerr << "bench_ingest: " << engine << ": half rate, " << result.peak_rate / 2
            << " purchases/s\n";
  result.half =
      RunPhase(workload, options, settings.connections, settings.seconds, result.peak_rate / 2);
  server.Stop(30s);
  return result;
}

nlohmann::json Report(ServerRun& run, double baseline_rate) {
  return {{"peak_purchases_per_s", std::round(run.peak_rate)},
          {"peak_p50_ms", Percentile(run.peak.latencies_ms, 0.50)},
          {"peak_p99_ms", Percentile(run.peak.latencies_ms, 0.99)},
          {"peak_errors", run.peak.errors},
          {"mean_commit_batch", std::round(run.mean_batch * 10) / 10},
          {"half_rate_purchases_per_s",
           std::round(static_cast<double>(run.half.purchases) / run.half.seconds)},
          {"half_p50_ms", Percentile(run.half.latencies_ms, 0.50)},
          {"half_p99_ms", Percentile(run.half.latencies_ms, 0.99)},
          {"half_p999_ms", Percentile(run.half.latencies_ms, 0.999)},
          {"half_errors", run.half.errors},
          {"baseline_purchases_per_s", std::round(baseline_rate)},
          {"ratio_to_baseline", std::round(run.peak_rate / baseline_rate * 100) / 100}};
}

int Main(int argc, char** argv) {
  std::vector<std::string> arguments(argv + 1, argv + argc);
  auto args = Args::Parse(
      arguments,
      {"connections", "seconds", "customers", "catalog", "work-dir", "server", "postgres-url",
       "engines", "planning-purchases", "planning-customers", "offers-stored"},
      {"help"});
  if (!args.ok() || args->Flag("help")) {
    std::cerr << (args.ok() ? "" : args.error().ToString() + "\n") << kUsage;
    return args.ok() ? 0 : 2;
  }
  Settings settings;
  settings.connections =
      static_cast<std::size_t>(std::stoul(args->ValueOr("connections", nullptr, "128")));
  settings.seconds = std::chrono::seconds(std::stoul(args->ValueOr("seconds", nullptr, "10")));
  settings.customers =
      static_cast<std::size_t>(std::stoul(args->ValueOr("customers", nullptr, "100000")));
  settings.catalog = args->ValueOr("catalog", nullptr, "data/completejourney/products.csv");
  settings.server_binary = args->ValueOr(
      "server", nullptr,
      (std::filesystem::path(argv[0]).parent_path() / "../bin/loyalty-server").string());
  settings.work =
      args->ValueOr("work-dir", nullptr,
                    (std::filesystem::temp_directory_path() / "loyalty-bench-ingest").string());
  const std::string postgres_url = args->ValueOr("postgres-url", nullptr, "");
  const std::string engines =
      args->ValueOr("engines", nullptr, postgres_url.empty() ? "sqlite" : "sqlite,postgresql");
  const bool sqlite = engines.find("sqlite") != std::string::npos;
  const bool postgresql = engines.find("postgresql") != std::string::npos;
  if (postgresql && postgres_url.empty()) {
    std::cerr << "bench_ingest: --engines postgresql needs --postgres-url\n" << kUsage;
    return 2;
  }
  PlanningSettings planning;
  planning.purchases =
      static_cast<std::size_t>(std::stoul(args->ValueOr("planning-purchases", nullptr, "4000")));
  planning.customers =
      static_cast<std::size_t>(std::stoul(args->ValueOr("planning-customers", nullptr, "2000")));
  planning.offers_stored =
      static_cast<std::size_t>(std::stoul(args->ValueOr("offers-stored", nullptr, "0")));
  std::filesystem::remove_all(settings.work);
  std::filesystem::create_directories(settings.work);
  auto products = LoadProducts(settings.catalog);
  std::vector<domain::Product> catalog;
  for (const auto& product : products) {
    catalog.push_back({product.sku, "Product " + product.sku, "GROCERY", CategoryOf(product.sku),
                       "", "", "", product.price, true});
  }

  nlohmann::json result = {{"bench", "ingest"},
                           {"connections", settings.connections},
                           {"seconds", settings.seconds.count()},
                           {"customers", settings.customers},
                           {"lines_per_purchase", 10}};
  // The baselines write as many purchases as the server did at its peak, in batches of
  // its mean commit: the same work, without HTTP, JSON and TLS.
  const auto baseline_size = [](const ServerRun& run) {
    return std::pair(std::max<std::size_t>(run.peak.purchases, 1000),
                     static_cast<std::size_t>(std::max(1.0, std::round(run.mean_batch))));
  };
  const Workload baseline_workload{products, Zipf(20000, 1.0), Zipf(settings.customers, 0.8), "T"};
  if (sqlite) {
    const std::string path = (settings.work / "sqlite" / "loyalty.db").string();
    auto run = MeasureServer(settings, "sqlite", "sqlite://" + path, products);
    const auto [count, batch] = baseline_size(run);
    std::cerr << "bench_ingest: sqlite: baseline, " << count << " purchases in batches of " << batch
              << "\n";
    const double baseline =
        SqliteBaseline(baseline_workload, (settings.work / "baseline.db").string(), count, batch);
    result["sqlite"] = Report(run, baseline);
    if (planning.purchases > 0) {
      result["sqlite"]["planning"] = MeasurePlanning(
          "sqlite://" + (settings.work / "planning.db").string(), catalog, planning);
    }
  }
  if (postgresql) {
    auto run = MeasureServer(settings, "postgresql",
                             FreshPostgresDatabase(postgres_url, "loyalty_bench_server"), products);
    const auto [count, batch] = baseline_size(run);
    std::cerr << "bench_ingest: postgresql: baseline, " << count << " purchases in batches of "
              << batch << "\n";
    const double baseline = PostgresBaseline(
        baseline_workload, FreshPostgresDatabase(postgres_url, "loyalty_bench_baseline"), count,
        batch);
    result["postgresql"] = Report(run, baseline);
    if (planning.purchases > 0) {
      result["postgresql"]["planning"] = MeasurePlanning(
          FreshPostgresDatabase(postgres_url, "loyalty_bench_planning"), catalog, planning);
    }
  }
  std::cout << result.dump() << std::endl;
  return 0;
}

}  // namespace
}  // namespace loyalty::bench

int main(int argc, char** argv) {
  try {
    return loyalty::bench::Main(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "bench_ingest: " << e.what() << "\n";
    return 1;
  }
}
