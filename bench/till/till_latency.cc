// bench_till: what the cashier waits for, through the real programs on loopback.
//
// 1. Starts a real loyalty-server (the full demo catalog, one enrolled terminal) and a
//    real loyalty-terminal in headless mode, and drives it through its stdin/stdout.
// 2. Finish-sale to receipt: from writing {"cmd":"finish"} to reading sale_finished, a
//    10-line sale; the journal's fsync is inside. Without a card, and with a card (the
//    receipt then waits for the server's next-visit coupons).
// 3. Card read to coupons on screen: from writing {"cmd":"card"} to reading the coupons
//    event, online (HTTPS lookup on loopback) and offline (server stopped).
// 4. Peak resident memory of the terminal (VmHWM) holding the whole catalog.
// Baselines in the same run, interleaved with the measurements so both see the same
// noise (only ratios compare across runs): one committed SQLite insert of a sale-sized
// row at synchronous=FULL in the same directory after each finished sale, and one HTTPS
// round trip (GET /healthz) on a kept-alive connection after each online card read.
// Prints one JSON line on stdout; progress on stderr.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>

#include <nlohmann/json.hpp>

#include "bench/support/bench_support.h"
#include "loyalty/core/args.h"
#include "loyalty/core/number.h"
#include "loyalty/net/https_client.h"
#include "loyalty/sqlite/sqlite.h"
#include "support/child_process.h"

namespace loyalty::bench {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr char kUsage[] = R"(bench_till: checkout latency and terminal memory

Usage: bench_till [--sales N] [--catalog FILE] [--work-dir DIR]
  --sales N        sales per measurement (default 300)
  --catalog FILE   product CSV (default data/completejourney/products.csv)
  --work-dir DIR   scratch directory, on the disk to measure (default: under /var/tmp)
)";

constexpr char kCard[] = "2000000000015";
// Ten products of the demo catalog sold each, so every sale has ten lines.
const std::vector<std::string> kBasket = {"822629", "32553",  "28897",  "29751", "835576",
                                          "840361", "845193", "852015", "856942", "860776"};

double Ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

nlohmann::json Figures(const std::vector<double>& ms) {
  return {{"p50_ms", std::round(Percentile(ms, 0.50) * 100) / 100},
          {"p99_ms", std::round(Percentile(ms, 0.99) * 100) / 100},
          {"max_ms", std::round(Percentile(ms, 1.0) * 100) / 100}};
}

class Till {
 public:
  Till(std::vector<std::string> args, const std::string& log)
      : process_(std::move(args), log) {
    if (!Await("ready", 60s)) throw std::runtime_error("terminal did not start (see " + log + ")");
  }

  // Writes `command` and returns the time until the event `name` is read.
  Clock::duration Timed(const nlohmann::json& command, const std::string& name) {
    const auto start = Clock::now();
    process_.WriteLine(command.dump());
    if (!Await(name, 30s)) throw std::runtime_error("no " + name + " event");
    return Clock::now() - start;
  }
  void Do(const nlohmann::json& command, const std::string& name) { Timed(command, name); }

  void FillBasket() {
    for (const auto& sku : kBasket) Do({{"cmd", "scan"}, {"code", sku}}, "line_added");
  }

  long PeakResidentKib() const {
    std::ifstream status("/proc/" + std::to_string(process_.pid()) + "/status");
    for (std::string line; std::getline(status, line);) {
      if (line.rfind("VmHWM:", 0) == 0) return std::stol(line.substr(6));
    }
    return -1;
  }
  void Quit() {
    process_.WriteLine(R"({"cmd":"quit"})");
    process_.Wait(30s);
  }

 private:
  bool Await(const std::string& name, std::chrono::milliseconds timeout) {
    return process_
        .ReadUntil(
            [&](const std::string& line) {
              const auto json = nlohmann::json::parse(line, nullptr, false);
              if (json.is_object() && json.value("event", "") == "error") {
                throw std::runtime_error("terminal error: " + line);
              }
              return json.is_object() && json.value("event", "") == name;
            },
            timeout)
        .has_value();
  }

  testing::ChildProcess process_;
};

// One committed insert of a sale-sized row, WAL and synchronous=FULL: the least a
// journal that survives a crash can cost.
class JournalBaseline {
 public:
  explicit JournalBaseline(const std::string& path) : db_(path) {
    db_.Exec("CREATE TABLE IF NOT EXISTS sales(seq INTEGER PRIMARY KEY, id TEXT UNIQUE, body TEXT)");
  }
  double InsertMs() {
    const auto start = Clock::now();
    sqlite::Transaction transaction(db_);
    db_.Prepared("INSERT INTO sales(id, body) VALUES (?, ?)")
        .Bind(1, "sale-" + std::to_string(++count_))
        .Bind(2, body_)
        .Run();
    transaction.Commit();
    return Ms(Clock::now() - start);
  }

 private:
  sqlite::Connection db_;
  const std::string body_ = std::string(1400, 'x');  // a 10-line purchase's JSON is ~1.4 kB
  int count_ = 0;
};

int Main(int argc, char** argv) {
  std::vector<std::string> arguments(argv + 1, argv + argc);
  auto args = Args::Parse(arguments, {"sales", "catalog", "work-dir"}, {"help"});
  if (!args.ok() || args->Flag("help")) {
    std::cerr << kUsage;
    return args.ok() ? 0 : 2;
  }
  const auto sales = ParseWholeNumber(args->ValueOr("sales", nullptr, "300"), 100'000);
  if (!sales || *sales < 10) {
    std::cerr << "--sales must be a whole number of at least 10\n";
    return 2;
  }
  const int count = static_cast<int>(*sales);
  const std::string catalog =
      args->ValueOr("catalog", nullptr, "data/completejourney/products.csv");
  const std::filesystem::path bin = std::filesystem::path(argv[0]).parent_path() / "../bin";
  const std::filesystem::path work =
      args->ValueOr("work-dir", nullptr, "/var/tmp/loyalty-bench-till");
  std::filesystem::remove_all(work);
  std::filesystem::create_directories(work);
  const std::string data_dir = (work / "server").string();
  const std::string log = (work / "server.log").string();

  std::cerr << "bench_till: preparing server and terminal in " << work << "\n";
  const auto run = [&](std::vector<std::string> command) {
    testing::ChildProcess child(command, log);
    std::string out;
    while (auto line = child.ReadLine(60s)) out += *line;
    if (child.Wait(60s) != 0) throw std::runtime_error("failed: " + command[1] + " (see " + log + ")");
    return out;
  };
  const std::string server_binary = (bin / "loyalty-server").string();
  const std::string terminal_binary = (bin / "loyalty-terminal").string();
  run({server_binary, "catalog", "import", "--data-dir", data_dir, "--csv", catalog});
  run({server_binary, "store", "add", "--data-dir", data_dir, "--id", "S001", "--name", "Bench"});
  const std::string code =
      run({server_binary, "terminal", "enroll", "--data-dir", data_dir, "--store", "S001"});
  auto server = std::make_unique<testing::ChildProcess>(
      std::vector<std::string>{server_binary, "--data-dir", data_dir, "--listen", "127.0.0.1:0"},
      log);
  const std::string url = WaitForListeningUrl(log);
  const std::string ca = data_dir + "/tls/server.crt";
  const std::string credential = (work / "credential.json").string();
  run({terminal_binary, "enroll", "--server", url, "--server-ca", ca, "--code", code,
       "--credential", credential});

  Till till({terminal_binary, "--ui", "headless", "--server", url, "--server-ca", ca,
             "--coupon-key", data_dir + "/coupon-signing.pem.pub", "--credential", credential,
             "--journal", (work / "journal.db").string(), "--timeout-ms", "2000"},
            (work / "terminal.log").string());

  JournalBaseline journal((work / "baseline.db").string());
  net::HttpsClient client({*net::ParseHttpsUrl(url), ca, 10s, {}});
  const auto https_round_trip_ms = [&] {
    const auto start = Clock::now();
    if (auto answer = client.Get("/healthz"); !answer.ok() || answer->status != 200) {
      throw std::runtime_error("healthz failed");
    }
    return Ms(Clock::now() - start);
  };

  std::cerr << "bench_till: " << count << " sales without a card\n";
  std::vector<double> finish_cash;
  std::vector<double> journal_baseline;
  for (int i = 0; i < count; ++i) {
    till.FillBasket();
    finish_cash.push_back(Ms(till.Timed({{"cmd", "finish"}}, "sale_finished")));
    journal_baseline.push_back(journal.InsertMs());
  }
  std::cerr << "bench_till: " << count << " sales with a card, online\n";
  std::vector<double> card_online;
  std::vector<double> https_baseline;
  std::vector<double> finish_card;
  for (int i = 0; i < count; ++i) {
    till.FillBasket();
    card_online.push_back(Ms(till.Timed({{"cmd", "card"}, {"number", kCard}}, "coupons")));
    https_baseline.push_back(https_round_trip_ms());
    finish_card.push_back(Ms(till.Timed({{"cmd", "finish"}}, "sale_finished")));
  }

  std::cerr << "bench_till: server stopped; " << count << " sales offline\n";
  server->Stop(30s);
  server.reset();
  std::vector<double> card_offline;
  std::vector<double> finish_offline;
  for (int i = 0; i < count; ++i) {
    till.FillBasket();
    card_offline.push_back(Ms(till.Timed({{"cmd", "card"}, {"number", kCard}}, "coupons")));
    finish_offline.push_back(Ms(till.Timed({{"cmd", "finish"}}, "sale_finished")));
  }
  const long peak_kib = till.PeakResidentKib();
  till.Quit();

  const double finish_p50 = Percentile(finish_cash, 0.5);
  const double card_p50 = Percentile(card_online, 0.5);
  nlohmann::json result = {
      {"bench", "till"},
      {"sales_per_measurement", count},
      {"finish_sale_no_card", Figures(finish_cash)},
      {"finish_sale_card_online", Figures(finish_card)},
      {"finish_sale_offline", Figures(finish_offline)},
      {"journal_insert_baseline", Figures(journal_baseline)},
      {"finish_no_card_p50_ratio_to_journal_baseline",
       std::round(finish_p50 / Percentile(journal_baseline, 0.5) * 100) / 100},
      {"card_to_coupons_online", Figures(card_online)},
      {"card_to_coupons_offline", Figures(card_offline)},
      {"https_round_trip_baseline", Figures(https_baseline)},
      {"card_online_p50_ratio_to_https_baseline",
       std::round(card_p50 / Percentile(https_baseline, 0.5) * 100) / 100},
      {"terminal_peak_rss_mib", std::round(static_cast<double>(peak_kib) / 1024 * 10) / 10}};
  std::cout << result.dump() << std::endl;
  return 0;
}

}  // namespace
}  // namespace loyalty::bench

int main(int argc, char** argv) {
  try {
    return loyalty::bench::Main(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "bench_till: " << e.what() << "\n";
    return 1;
  }
}
