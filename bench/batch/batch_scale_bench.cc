// The nightly batch at a chain's scale (issue 6, item 7): on a synthetic chain
// (bench/batch/synthetic_chain.h) of N customers, measures in the same run
//   scan   one bare sequential read of every line the batch reads
//          (Store::ScanPurchaseHistory with a consumer that only sums; and the lighter
//          Store::ScanPurchaseHistoryKeys, the lines the batch itself reads, there in
//          stripes on two threads: Store::ScanPurchaseHistoryKeyRanges), and
//   batch  the whole `loyalty-batch coupons --date D`, the real program in a child
//          process, with its peak resident memory (getrusage of the child),
// and prints one JSON line: both times, batch / scan, the peak RSS, the batch's phases.
// The target: batch at most 3x the scan, at most 4 GiB, linear in customers.
//
// The chain is written once per --db file and reused by later runs (a file beside it,
// DB.chain.json, says what it holds); each run first clears what an earlier run of the
// date stored (offers, coupons, the run's record), so the batch does it all, and leaves
// what a chain's night finds: the night before's segments (from a real run of that
// night, once per file) and two nights' next-visit candidates.
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <nlohmann/json.hpp>
#include <thread>

#include "bench/batch/synthetic_chain.h"
#include "loyalty/core/args.h"
#include "loyalty/sqlite/sqlite.h"
#include "storage/open_store.h"
#include "targeting/next_visit_planner.h"

namespace loyalty::bench {
namespace {

constexpr char kUsage[] = R"(bench_batch_scale: the nightly coupon batch against one bare scan

Usage:
  bench_batch_scale [--customers N] [--lines-per-customer X] [--db FILE] [--date D]
                    [--seed S] [--threads T] [--batch-binary PATH] [--regenerate]
                    [--scans N] [--cold] [-- BATCH OPTIONS...]

  --customers N           customers of the synthetic chain (default 250000)
  --lines-per-customer X  mean purchase lines per customer (default 30)
  --db FILE               the chain's SQLite store; written when missing or not the same
                          chain, reused otherwise (default: TMPDIR/loyalty-bench-batch-N.db)
  --date D                the batch's date, YYYY-MM-DD (default 2026-12-04); the history
                          ends the day before
  --seed S                the generator's seed (default 1)
  --threads T             passed to loyalty-batch (default: one per core)
  --batch-binary PATH     the loyalty-batch to run (default: the one built beside this),
                          to time an older build against the same scan
  --regenerate            write the chain again even if FILE holds it
  --scans N               bare scans run before the batch, the fastest counting
                          (default 2: one scan varies by half on a shared machine)
  --cold                  first drop the store file's pages from the page cache, as a
                          machine does with pages left unread a while (proactive
                          reclaim): the scans read the lines back, and the night finds
                          the rest of its tables on disk
  -- BATCH OPTIONS...     passed on to loyalty-batch coupons (model options, say)

The first run on a file (or on a new --date) also runs the night before, untimed and
once: a chain's night finds the segments it stored, and writes only those that changed.

Prints one JSON line: lines, scan_seconds (the fastest; each_scan_seconds has them all),
batch_seconds, ratio (batch / scan), the same in CPU seconds (scan_cpu_seconds,
batch_cpu_seconds with every thread's, cpu_ratio: on a machine shared with other work
the steadier figure), the same against the key scan (key_scan_seconds,
key_scan_cpu_seconds, key_cpu_ratio: the stricter baseline),
batch_peak_rss_mib (getrusage: with the pages of the store file SQLite maps, up to
1 GiB of page cache), batch_peak_anonymous_rss_mib (the batch's own memory, sampled) and
how much of it was in huge pages (batch_peak_anonymous_huge_mib), the batch's phases
and model options (model_options: each chain's night reuses what its own tuning chose),
the candidates of the night before's night it deleted (replaced_candidates_dropped), the
rows it read ahead (prewarmed_rows), whether the file was dropped from the page cache
first (cold), and the load average at the start.
)";

double Seconds(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

std::string LoadAverage() {
  std::ifstream file("/proc/loadavg");
  std::string one, five, fifteen;
  file >> one >> five >> fifteen;
  return one + " " + five + " " + fifteen;
}

std::string PreviousDay(const std::string& date) {
  const auto midnight = ParseIso8601(date + "T00:00:00Z", "--date");
  if (!midnight.ok() || date.size() != 10) {
    throw std::invalid_argument("--date: must be YYYY-MM-DD, not '" + date + "'");
  }
  return FormatUtc(*midnight - std::chrono::days(1)).substr(0, 10);
}

// A chain's night finds two nights' candidates of its next-visit campaign: the night
// before's, current, and the ones that night replaced, which the run deletes while it
// reads (Store::DropReplacedNextVisitCandidates). An earlier run of `date` left its own and
// the night before's: they become those two. (A chain written since has none, and its
// first run deletes nothing.) Else the run would find its candidates stored and write
// none (INSERT OR IGNORE).
void RestoreNightBeforesCandidates(sqlite::Connection& db, const std::string& date,
                                   const std::string& campaign) {
  const std::string before = PreviousDay(date), replaced = PreviousDay(before);
  const auto rows_of = [&](const std::string& run_date) {
    sqlite::Statement& count = db.Prepared(
        "SELECT COUNT(*) FROM next_visit_candidates WHERE campaign_id = ? AND run_date = ?");
    count.Bind(1, campaign).Bind(2, run_date);
    const std::int64_t rows = count.Step() ? count.Int(0) : 0;
    count.Reset();
    return rows;
  };
  db.Prepared(
        "DELETE FROM next_visit_candidates WHERE campaign_id = ?1 AND"
        " run_date NOT IN (?2, ?3, ?4)")
      .Bind(1, campaign)
      .Bind(2, replaced)
      .Bind(3, before)
      .Bind(4, date)
      .Run();
  if (rows_of(date) == 0) return;
  if (rows_of(before) == 0) {
    db.Prepared(
          "INSERT INTO next_visit_candidates(campaign_id, run_date, customer_id, candidates)"
          " SELECT campaign_id, ?3, customer_id, candidates FROM next_visit_candidates"
          " WHERE campaign_id = ?1 AND run_date = ?2 ORDER BY customer_id")
        .Bind(1, campaign)
        .Bind(2, date)
        .Bind(3, before)
        .Run();
  }
  db.Prepared("DELETE FROM next_visit_candidates WHERE campaign_id = ? AND run_date = ?")
      .Bind(1, campaign)
      .Bind(2, replaced)
      .Run();
  db.Prepared(
        "UPDATE next_visit_candidates SET run_date = ?3 WHERE campaign_id = ?1 AND"
        " run_date = ?2")
      .Bind(1, campaign)
      .Bind(2, date)
      .Bind(3, replaced)
      .Run();
  db.Prepared("UPDATE campaign_budgets SET run_date = ?2 WHERE campaign_id = ?1")
      .Bind(1, campaign)
      .Bind(2, before)
      .Run();
}

// The table of the segments and lapse-risk bands that the night before `date` left on the
// customers, taken once per file from a real run of that night (TakeNightBeforesSegments).
std::string NightBeforesSegmentsTable(const std::string& date) {
  std::string table = "bench_segments_" + PreviousDay(date);
  std::replace(table.begin(), table.end(), '-', '_');
  return table;
}

bool HasTable(sqlite::Connection& db, const std::string& table) {
  sqlite::Statement& found =
      db.Prepared("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?");
  found.Bind(1, table);
  const bool has = found.Step();
  found.Reset();
  return has;
}

// A chain's night finds on each customer the segment and band the night before stored,
// and writes only the customers whose segment or band changed since: 45,082 of 250,000
// on this chain (18%, 2026-12-06). Restores them from the table TakeNightBeforesSegments
// wrote; where it has not been written yet, leaves them.
void RestoreNightBeforesSegments(sqlite::Connection& db, const std::string& date) {
  const std::string table = NightBeforesSegmentsTable(date);
  if (!HasTable(db, table)) return;
  db.Exec("UPDATE customers SET segment = b.segment, lapse_risk_band = b.lapse_risk_band FROM " +
          table +
          " AS b WHERE customers.id = b.customer_id AND (customers.segment IS NOT b.segment OR"
          " customers.lapse_risk_band IS NOT b.lapse_risk_band)");
}

// Clears what an earlier run of `date` stored, so this one computes and writes it all,
// but for that run's summary, kept as the day before's run's, which is what a chain's
// nightly job finds: the model's options tuned within the last week (reused on six
// nights of seven; `-- --retune` measures the seventh) and the history's size, for which
// the read makes room (batch/coupon_run.h).
void ForgetRun(const std::string& path, const std::string& date, const std::string& campaign) {
  sqlite::Connection db(path);
  sqlite::Transaction transaction(db);
  std::string summary;
  {
    sqlite::Statement& earlier = db.Prepared(
        "SELECT summary FROM batch_runs WHERE run_date = ? AND finished_at IS NOT NULL");
    earlier.Bind(1, date);
    if (earlier.Step() && !earlier.IsNull(0)) summary = earlier.Text(0);
    earlier.Reset();
  }
  if (!summary.empty()) {
    db.Prepared("INSERT OR REPLACE INTO batch_runs (run_date, started_at, finished_at, summary) "
                "VALUES (?, 0, 0, json(?))")
        .Bind(1, PreviousDay(date))
        .Bind(2, summary)
        .Run();
  }
  db.Prepared("DELETE FROM coupons WHERE campaign = ?").Bind(1, campaign).Run();
  db.Prepared("DELETE FROM campaign_offers WHERE run_date = ?").Bind(1, date).Run();
  RestoreNightBeforesCandidates(db, date, campaign);
  db.Prepared("DELETE FROM batch_runs WHERE run_date = ?").Bind(1, date).Run();
  RestoreNightBeforesSegments(db, date);
  transaction.Commit();
  db.Exec("PRAGMA wal_checkpoint(TRUNCATE)");
}

// The process's anonymous resident memory, KiB; 0 once it is gone. ru_maxrss also
// counts the pages of the store file SQLite maps (up to 1 GiB), which are page cache.
long AnonymousRssKib(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(status, line);) {
    if (line.rfind("RssAnon:", 0) == 0) return std::stol(line.substr(8));
  }
  return 0;
}

// Of the anonymous memory, the part in transparent huge pages (loyalty-batch asks for
// them: batch/huge_pages.h). Slower to read than the status, so read less often.
long AnonymousHugeKib(pid_t pid) {
  std::ifstream rollup("/proc/" + std::to_string(pid) + "/smaps_rollup");
  for (std::string line; std::getline(rollup, line);) {
    if (line.rfind("AnonHugePages:", 0) == 0) return std::stol(line.substr(14));
  }
  return 0;
}

// User plus system CPU seconds of this process or, with RUSAGE_CHILDREN, of its
// waited-for children (every thread).
double CpuSeconds(const rusage& usage) {
  return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
         static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) * 1e-6;
}

double ProcessCpuSeconds() {
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  return CpuSeconds(usage);
}

// The fastest of several timings of one scan (wall clock, with its CPU seconds), and
// every timing's wall clock.
struct FastestScan {
  double seconds = 0;
  double cpu_seconds = 0;
  nlohmann::json each = nlohmann::json::array();

  void Time(const std::function<void()>& scan) {
    const auto start = std::chrono::steady_clock::now();
    const double cpu_start = ProcessCpuSeconds();
    scan();
    const double wall = Seconds(start);
    const double cpu = ProcessCpuSeconds() - cpu_start;
    if (each.empty() || wall < seconds) {
      seconds = wall;
      cpu_seconds = cpu;
    }
    each.push_back(wall);
  }
};

struct ChildRun {
  double seconds = 0;
  double cpu_seconds = 0;
  long peak_rss_kib = 0;
  long peak_anonymous_rss_kib = 0;  // sampled every 50 ms
  long peak_anonymous_huge_kib = 0;  // sampled every 500 ms
  std::string stdout_text;
  int exit_code = 0;
};

// Runs `argv` with stdout captured and stderr passed through (the batch's progress).
ChildRun RunChild(const std::vector<std::string>& argv) {
  int pipe_fds[2];
  if (::pipe(pipe_fds) != 0) throw std::runtime_error("pipe failed");
  const auto start = std::chrono::steady_clock::now();
  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    ::dup2(pipe_fds[1], STDOUT_FILENO);
    ::close(pipe_fds[0]);
    ::close(pipe_fds[1]);
    std::vector<char*> args;
    for (const auto& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
    args.push_back(nullptr);
    ::execv(args[0], args.data());
    std::perror("execv");
    ::_exit(127);
  }
  ::close(pipe_fds[1]);
  ChildRun run;
  std::atomic<bool> finished{false};
  std::thread sampler([&] {
    for (int sample = 0; !finished; ++sample) {
      run.peak_anonymous_rss_kib = std::max(run.peak_anonymous_rss_kib, AnonymousRssKib(pid));
      if (sample % 10 == 0) {
        run.peak_anonymous_huge_kib = std::max(run.peak_anonymous_huge_kib, AnonymousHugeKib(pid));
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  });
  char buffer[4096];
  for (ssize_t n; (n = ::read(pipe_fds[0], buffer, sizeof buffer)) > 0;) {
    run.stdout_text.append(buffer, static_cast<std::size_t>(n));
  }
  ::close(pipe_fds[0]);
  int status = 0;
  rusage usage{};
  ::wait4(pid, &status, 0, &usage);
  finished = true;
  sampler.join();
  run.seconds = Seconds(start);
  run.peak_rss_kib = usage.ru_maxrss;
  run.cpu_seconds = CpuSeconds(usage);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return run;
}

// Once per file (and --date): runs `batch_command` (loyalty-batch coupons without its
// date) for the night before `date`, as the first night of a chain, with every segment
// and band unset and no later night's features, and keeps the segments and bands it
// stored in NightBeforesSegmentsTable. Its model options, tuned by an earlier run of
// `date` where there was one, are reused, as on six nights of seven.
void TakeNightBeforesSegments(const std::string& path, const std::string& date,
                              const std::vector<std::string>& batch_command) {
  const std::string night_before = PreviousDay(date);
  {
    sqlite::Connection db(path);
    sqlite::Transaction transaction(db);
    db.Prepared("DELETE FROM customer_features WHERE run_date >= ?").Bind(1, date).Run();
    db.Exec("UPDATE customers SET segment = NULL, lapse_risk_band = NULL");
    db.Prepared("DELETE FROM batch_runs WHERE run_date = ?")
        .Bind(1, PreviousDay(night_before))
        .Run();
    db.Prepared("UPDATE batch_runs SET run_date = ?2 WHERE run_date = ?1")
        .Bind(1, night_before)
        .Bind(2, PreviousDay(night_before))
        .Run();
    transaction.Commit();
  }
  std::vector<std::string> command = batch_command;
  command.insert(command.begin() + 2, {"--date", night_before});
  std::cerr << "running the night before, loyalty-batch coupons --date " << night_before
            << " (once per file: it leaves the segments a night finds)...\n";
  const ChildRun run = RunChild(command);
  if (run.exit_code != 0) {
    throw std::runtime_error("the night before's loyalty-batch failed with " +
                             std::to_string(run.exit_code));
  }
  sqlite::Connection db(path);
  db.Exec("CREATE TABLE " + NightBeforesSegmentsTable(date) +
          " AS SELECT id AS customer_id, segment, lapse_risk_band FROM customers");
}

// Written back first: the kernel drops only clean pages.
Status DropFromPageCache(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Internal("--cold: cannot open " + path + ": " + std::strerror(errno));
  const bool synced = ::fdatasync(fd) == 0;
  const int advised = synced ? ::posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED) : errno;
  ::close(fd);
  if (!synced || advised != 0) {
    return Internal("--cold: cannot drop " + path +
                    " from the page cache: " + std::strerror(advised));
  }
  return Status();
}

int Main(int argc, char** argv) {
  std::vector<std::string> arguments(argv + 1, argv + argc);
  std::vector<std::string> passed_on;
  if (const auto dashes = std::find(arguments.begin(), arguments.end(), "--");
      dashes != arguments.end()) {
    passed_on.assign(dashes + 1, arguments.end());
    arguments.erase(dashes, arguments.end());
  }
  auto args = Args::Parse(
      arguments,
      {"customers", "lines-per-customer", "db", "date", "seed", "threads", "scans", "batch-binary"},
      {"regenerate", "cold", "help"});
  if (!args.ok()) {
    std::cerr << args.error().ToString() << "\n" << kUsage;
    return 2;
  }
  if (args->Flag("help")) {
    std::cout << kUsage;
    return 0;
  }
  ChainOptions chain;
  int scans = 0;
  const std::string scans_text = args->ValueOr("scans", nullptr, "2");
  if (std::from_chars(scans_text.data(), scans_text.data() + scans_text.size(), scans).ptr !=
          scans_text.data() + scans_text.size() ||
      scans < 1) {
    std::cerr << "--scans: must be a whole number of at least 1, not '" << scans_text << "'\n";
    return 2;
  }
  chain.customers = std::stoll(args->ValueOr("customers", nullptr, "250000"));
  chain.lines_per_customer = std::stod(args->ValueOr("lines-per-customer", nullptr, "30"));
  chain.seed = std::stoull(args->ValueOr("seed", nullptr, "1"));
  chain.catalog_csv = LOYALTY_SOURCE_DIR "/data/completejourney/products.csv";
  chain.popularity_csv = LOYALTY_SOURCE_DIR "/data/completejourney/transactions_history.csv";
  const std::string date = args->ValueOr("date", nullptr, "2026-12-04");
  chain.last_day = PreviousDay(date);
  const std::string db = args->ValueOr(
      "db", nullptr,
      (std::filesystem::temp_directory_path() /
       ("loyalty-bench-batch-" + std::to_string(chain.customers) + ".db"))
          .string());
  const std::string load_average = LoadAverage();

  // The chain: reused when the file beside the database says it is this one.
  const nlohmann::json wanted = {{"customers", chain.customers},
                                 {"lines_per_customer", chain.lines_per_customer},
                                 {"seed", chain.seed},
                                 {"last_day", chain.last_day}};
  const std::string marker = db + ".chain.json";
  ChainFigures figures;
  double generate_seconds = 0;
  bool reused = false;
  if (!args->Flag("regenerate") && std::filesystem::exists(marker) &&
      std::filesystem::exists(db)) {
    std::ifstream file(marker);
    const auto held = nlohmann::json::parse(file, nullptr, false);
    if (held.is_object() && held.value("options", nlohmann::json()) == wanted) {
      figures = ChainFigures::FromJson(held["figures"]);
      reused = true;
    }
  }
  if (!reused) {
    std::filesystem::remove(marker);
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(db + suffix);
    const auto start = std::chrono::steady_clock::now();
    try {
      figures = WriteSyntheticChain(db, chain, [&](const char* phase, std::int64_t done,
                                                   std::int64_t total) {
        std::cerr << "\n" << phase << ": " << done << " / " << total << " ("
                  << static_cast<int>(Seconds(start)) << " s)   " << std::flush;
      });
    } catch (...) {
      for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(db + suffix);
      throw;
    }
    generate_seconds = Seconds(start);
    std::cerr << "\nwrote " << figures.lines << " lines of " << figures.customers
              << " customers to " << db << " in " << generate_seconds << " s\n";
    std::ofstream(marker) << nlohmann::json{{"options", wanted}, {"figures", figures.ToJson()}}
                                 .dump()
                          << "\n";
  }
  // What the nightly job runs, but for its date.
  std::vector<std::string> batch_command = {
      args->ValueOr("batch-binary", nullptr, LOYALTY_BATCH_PATH), "coupons", "--storage-url",
      "sqlite://" + db};
  if (const auto threads = args->Value("threads")) {
    batch_command.insert(batch_command.end(), {"--threads", *threads});
  }
  bool has_night_before = false;
  {
    sqlite::Connection connection(db);
    has_night_before = HasTable(connection, NightBeforesSegmentsTable(date));
  }
  if (!has_night_before) {
    ForgetRun(db, date, figures.campaign_id);
    TakeNightBeforesSegments(db, date, batch_command);
  }
  ForgetRun(db, date, figures.campaign_id);
  if (args->Flag("cold")) {
    if (const auto dropped = DropFromPageCache(db); !dropped.ok()) {
      std::cerr << dropped.error().ToString() << "\n";
      return 1;
    }
  }

  // (a) The bare scan: the read the batch cannot avoid, through the same Store call. The
  // fastest of `--scans` runs: on a shared machine one scan took 10 to 15.6 s at 1M
  // customers, and the batch is held to the scan at its best.
  FastestScan full, keys;
  std::int64_t scanned = 0;
  {
    const server::TopCategoryPlanner planner;
    const auto key = crypto::SigningKey::Generate();
    auto store = server::OpenStore(server::ParseStoreUrl("sqlite://" + db, "--db").value(),
                                   planner, key);
    const Timestamp cut_off = ParseIso8601(date + "T00:00:00Z", "--date").value();
    for (int run = 0; run < scans; ++run) {
      std::int64_t sum = 0;
      scanned = 0;
      std::cerr << "scanning (" << run + 1 << " of " << scans << ")...\n";
      full.Time([&] {
        store->ScanPurchaseHistory(cut_off, [&](const server::HistoryLine& line) {
          sum += line.quantity + line.amount_minor + static_cast<std::int64_t>(line.sku.size());
          ++scanned;
        });
      });
      if (sum == 0) std::cerr << "(empty history)\n";
      std::int64_t key_sum = 0;
      keys.Time([&] {
        store->ScanPurchaseHistoryKeys(cut_off, [&](const server::HistoryKeyLine& line) {
          key_sum += line.quantity + line.amount_minor + static_cast<std::int64_t>(line.sku.size());
        });
      });
      if (key_sum != sum) std::cerr << "(the two scans differ)\n";
    }
  }

  // (b) The whole batch, as the nightly job runs it.
  std::vector<std::string> command = batch_command;
  command.insert(command.begin() + 2, {"--date", date});
  command.insert(command.end(), passed_on.begin(), passed_on.end());
  std::cerr << "running loyalty-batch coupons --date " << date << "...\n";
  const ChildRun batch = RunChild(command);
  if (batch.exit_code != 0) {
    std::cerr << "loyalty-batch failed with " << batch.exit_code << "\n";
    return 1;
  }
  const auto summary = nlohmann::json::parse(batch.stdout_text, nullptr, false);
  nlohmann::json result = {
      {"bench", "batch_scale"},
      {"customers", figures.customers},
      {"lines", scanned},
      {"baskets", figures.baskets},
      {"products", figures.products},
      {"db", db},
      {"generated_seconds", reused ? nlohmann::json() : nlohmann::json(generate_seconds)},
      {"scan_seconds", full.seconds},
      {"each_scan_seconds", full.each},
      {"each_key_scan_seconds", keys.each},
      {"batch_seconds", batch.seconds},
      {"ratio", batch.seconds / full.seconds},
      {"scan_cpu_seconds", full.cpu_seconds},
      {"batch_cpu_seconds", batch.cpu_seconds},
      {"cpu_ratio", batch.cpu_seconds / full.cpu_seconds},
      {"key_scan_seconds", keys.seconds},
      {"key_scan_cpu_seconds", keys.cpu_seconds},
      {"key_ratio", batch.seconds / keys.seconds},
      {"key_cpu_ratio", batch.cpu_seconds / keys.cpu_seconds},
      {"batch_peak_rss_mib", static_cast<double>(batch.peak_rss_kib) / 1024.0},
      {"batch_peak_anonymous_rss_mib", static_cast<double>(batch.peak_anonymous_rss_kib) / 1024.0},
      {"batch_peak_anonymous_huge_mib",
       static_cast<double>(batch.peak_anonymous_huge_kib) / 1024.0},
      {"batch_phases",
       summary.is_object() ? summary.value("seconds", nlohmann::json()) : nlohmann::json()},
      {"batch_phases_cpu",
       summary.is_object() ? summary.value("cpu_seconds", nlohmann::json()) : nlohmann::json()},
      {"batch_options", passed_on},
      {"tuned_tonight", summary.is_object() ? summary.value("model", nlohmann::json::object())
                                                  .value("tuned_tonight", nlohmann::json())
                                            : nlohmann::json()},
      // Each chain's night reuses the options its own tuning chose, and the tuning may
      // choose another model at another size: growth is read between nights of one model.
      {"model_options",
       summary.is_object()
           ? summary.value("model", nlohmann::json::object()).value("options", nlohmann::json())
           : nlohmann::json()},
      {"replaced_candidates_dropped",
       summary.is_object() ? summary.value("replaced_candidates_dropped", nlohmann::json())
                           : nlohmann::json()},
      {"prewarmed_rows",
       summary.is_object() ? summary.value("prewarmed_rows", nlohmann::json()) : nlohmann::json()},
      {"cold", args->Flag("cold")},
      {"load_average", load_average}};
  if (summary.is_object() && summary.contains("campaigns")) {
    result["campaigns"] = summary["campaigns"];
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
    std::cerr << "bench_batch_scale: " << e.what() << "\n";
    return 1;
  }
}
