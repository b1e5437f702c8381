// bench_ingest: durable purchase ingestion over HTTPS against the same rows written by
// SQLite alone, measured side by side in one run (the machines are noisy, so only the
// ratio is comparable between runs).
//
// 1. Starts a real loyalty-server on loopback (demo catalog, one enrolled terminal).
// 2. Peak: N keep-alive TLS connections post 10-line purchases as fast as answered, for
//    customers drawn with a Zipf skew from a large population.
// 3. Half of that peak rate, open loop (latency counted from the scheduled send time,
//    so a stall is not hidden): p50/p99/p999.
// 4. Baseline: a plain C++ loop writes the same rows to the same schema in SQLite, at
//    the same durability (WAL, synchronous=FULL) and the server's mean commit batch.
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

#include "loyalty/core/args.h"
#include "loyalty/core/csv.h"
#include "loyalty/crypto/hash.h"
#include "loyalty/domain/purchase.h"
#include "loyalty/net/https_client.h"
#include "loyalty/sqlite/sqlite.h"
#include "storage/sqlite_migrations.h"
#include "support/child_process.h"

namespace loyalty::bench {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr char kUsage[] = R"(bench_ingest: server purchase ingestion against SQLite alone

Usage: bench_ingest [--connections 128] [--seconds 10] [--customers 100000]
                    [--catalog data/completejourney/products.csv] [--work-dir DIR]
                    [--server PATH-TO-loyalty-server]
)";

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

double Percentile(std::vector<double>& values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const auto index = static_cast<std::size_t>(p * static_cast<double>(values.size() - 1));
  return values[index];
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
double Baseline(const Workload& workload, const std::string& path, std::size_t purchases,
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
          .Bind(2, "C" + std::to_string(std::hash<std::string>{}(product.sku) % 300))
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

int Main(int argc, char** argv) {
  std::vector<std::string> arguments(argv + 1, argv + argc);
  auto args = Args::Parse(arguments,
                          {"connections", "seconds", "customers", "catalog", "work-dir", "server"},
                          {"help"});
  if (!args.ok() || args->Flag("help")) {
    std::cerr << (args.ok() ? "" : args.error().ToString() + "\n") << kUsage;
    return args.ok() ? 0 : 2;
  }
  const auto connections =
      static_cast<std::size_t>(std::stoul(args->ValueOr("connections", nullptr, "128")));
  const auto seconds = std::chrono::seconds(std::stoul(args->ValueOr("seconds", nullptr, "10")));
  const auto customers =
      static_cast<std::size_t>(std::stoul(args->ValueOr("customers", nullptr, "100000")));
  const std::string catalog =
      args->ValueOr("catalog", nullptr, "data/completejourney/products.csv");
  const std::string server_binary = args->ValueOr(
      "server", nullptr,
      (std::filesystem::path(argv[0]).parent_path() / "../bin/loyalty-server").string());
  const std::filesystem::path work =
      args->ValueOr("work-dir", nullptr,
                    (std::filesystem::temp_directory_path() / "loyalty-bench-ingest").string());
  std::filesystem::remove_all(work);
  std::filesystem::create_directories(work);
  const std::string data_dir = (work / "server").string();
  const std::string log = (work / "server.log").string();

  std::cerr << "bench_ingest: preparing server in " << work << "\n";
  const auto run = [&](std::vector<std::string> command) {
    command.insert(command.begin(), server_binary);
    testing::ChildProcess child(command, log);
    std::string out;
    while (auto line = child.ReadLine(60s)) out += *line;
    if (child.Wait(60s) != 0)
      throw std::runtime_error("failed: " + command[1] + " (see " + log + ")");
    return out;
  };
  run({"catalog", "import", "--data-dir", data_dir, "--csv", catalog});
  run({"store", "add", "--data-dir", data_dir, "--id", "S001", "--name", "Bench"});
  const std::string code = run({"terminal", "enroll", "--data-dir", data_dir, "--store", "S001"});
  testing::ChildProcess server({server_binary, "--data-dir", data_dir, "--listen", "127.0.0.1:0"},
                               log);
  std::string url;
  for (int i = 0; i < 500 && url.empty(); ++i) {
    std::ifstream file(log);
    for (std::string line; std::getline(file, line);) {
      const auto json = nlohmann::json::parse(line, nullptr, false);
      if (json.is_object() && json.value("msg", "") == "listening") url = json["url"];
    }
    std::this_thread::sleep_for(10ms);
  }
  if (url.empty()) throw std::runtime_error("server did not start (see " + log + ")");

  net::HttpsClientOptions options{*net::ParseHttpsUrl(url), data_dir + "/tls/server.crt", 10s, {}};
  net::HttpsClient enroller(options);
  auto enrolled = enroller.Post("/v1/terminals/enroll",
                                nlohmann::json{{"code", code}, {"name", "bench"}}.dump());
  if (!enrolled.ok() || enrolled->status != 201) throw std::runtime_error("enrollment failed");
  const auto credential = nlohmann::json::parse(enrolled->body);
  options.headers = {{"Authorization", "Bearer " + credential["credential"].get<std::string>()}};

  Workload workload{LoadProducts(catalog), Zipf(20000, 1.0), Zipf(customers, 0.8),
                    credential["terminal_id"]};
  std::cerr << "bench_ingest: peak, " << connections << " connections, " << seconds.count()
            << " s\n";
  auto peak = RunPhase(workload, options, connections, seconds, 0);
  const double peak_rate = static_cast<double>(peak.purchases) / peak.seconds;
  net::HttpsClient scraper(options);
  const auto metrics = scraper.Get("/metrics");
  const auto [batch_sum, batch_count] =
      HistogramSumCount(metrics.ok() ? metrics->body : "", "loyalty_storage_commit_batch_size");
  const double mean_batch = batch_count > 0 ? batch_sum / batch_count : 1;

  std::cerr << "bench_ingest: half rate, " << peak_rate / 2 << " purchases/s\n";
  auto half = RunPhase(workload, options, connections, seconds, peak_rate / 2);
  server.Stop(30s);

  const std::size_t baseline_purchases = std::max<std::size_t>(peak.purchases, 1000);
  const auto batch = static_cast<std::size_t>(std::max(1.0, std::round(mean_batch)));
  std::cerr << "bench_ingest: baseline, " << baseline_purchases << " purchases in batches of "
            << batch << "\n";
  const double baseline_rate =
      Baseline(workload, (work / "baseline.db").string(), baseline_purchases, batch);

  nlohmann::json result = {
      {"bench", "ingest"},
      {"connections", connections},
      {"seconds", seconds.count()},
      {"customers", customers},
      {"lines_per_purchase", 10},
      {"peak_purchases_per_s", std::round(peak_rate)},
      {"peak_p50_ms", Percentile(peak.latencies_ms, 0.50)},
      {"peak_p99_ms", Percentile(peak.latencies_ms, 0.99)},
      {"peak_errors", peak.errors},
      {"mean_commit_batch", std::round(mean_batch * 10) / 10},
      {"half_rate_purchases_per_s", std::round(static_cast<double>(half.purchases) / half.seconds)},
      {"half_p50_ms", Percentile(half.latencies_ms, 0.50)},
      {"half_p99_ms", Percentile(half.latencies_ms, 0.99)},
      {"half_p999_ms", Percentile(half.latencies_ms, 0.999)},
      {"half_errors", half.errors},
      {"baseline_sqlite_purchases_per_s", std::round(baseline_rate)},
      {"ratio_to_baseline", std::round(peak_rate / baseline_rate * 100) / 100}};
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
