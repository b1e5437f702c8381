// Time from a card's presentation at the simulator to the driver's CardRead callback,
// at 115200 baud: clean line, then 5% corrupted + 1% dropped bytes. One card at a time,
// so each figure is one card's latency, not a queue's. Prints one JSON line.
//
//   bench_reader_latency [--cards N] [--baud B]
//
// "Presentation" is the moment the bench sends the present command on the simulator's
// control socket, so the figures include that local socket hop (tens of microseconds).
#include <algorithm>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <mutex>
#include <string>
#include <vector>

#include "bench/support/bench_support.h"
#include "control/control_socket.h"
#include "firmware-sim/sim_process.h"
#include "firmware-sim/test_dir.h"
#include "loyalty/core/card_number.h"
#include "reader/reader_driver.h"

namespace {

using loyalty::bench::Percentile;

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

struct Run {
  std::vector<double> latencies_ms;
  uint64_t lost = 0;
};

Run Measure(int cards, int baud, const std::vector<std::string>& faults) {
  loyalty::firmware_sim::TestDir dir;
  const std::string link = dir.Path("reader");
  const std::string control = dir.Path("ctl");
  std::vector<std::string> args = {"--baud", std::to_string(baud), "--max-nak-resends", "1000"};
  args.insert(args.end(), faults.begin(), faults.end());
  loyalty::firmware_sim::SimProcess sim(link, control, dir.Path("sim.log"), args);
  Run run;
  if (!sim.WaitReady()) {
    std::cerr << "simulator did not start\n" << sim.Log();
    std::exit(1);
  }
  std::mutex mutex;
  std::condition_variable changed;
  uint64_t delivered = 0;
  Clock::time_point delivered_at;
  bool idle = false;
  loyalty::terminal::ReaderOptions options;
  options.device_path = link;
  options.baud = baud;
  loyalty::terminal::ReaderDriver driver(
      options,
      [&](const loyalty::terminal::CardRead&) {
        std::lock_guard lock(mutex);
        ++delivered;
        delivered_at = Clock::now();
        changed.notify_all();
      },
      [&](loyalty::terminal::DeviceState state, const std::string&) {
        std::lock_guard lock(mutex);
        idle = idle || state == loyalty::terminal::DeviceState::kIdle;
        changed.notify_all();
      });
  driver.Start();
  {
    std::unique_lock lock(mutex);
    if (!changed.wait_for(lock, 10s, [&] { return idle; })) {
      std::cerr << "driver did not open the device\n";
      std::exit(1);
    }
  }
  for (int i = 0; i < cards; ++i) {
    std::string body = std::to_string(i);
    body = "2" + std::string(11 - body.size(), '0') + body;
    const std::string number = loyalty::CardNumber::FromBody(body).value().digits();
    const auto presented = Clock::now();
    loyalty::Result<std::string> reply =
        loyalty::firmware_sim::SendControlCommand(control, "present barcode " + number, 5s);
    if (!reply.ok() || !reply->starts_with("ok")) {
      std::cerr << "present failed\n";
      std::exit(1);
    }
    std::unique_lock lock(mutex);
    if (!changed.wait_for(lock, 10s, [&] { return delivered >= static_cast<uint64_t>(i + 1); })) {
      ++run.lost;
      continue;
    }
    run.latencies_ms.push_back(
        std::chrono::duration<double, std::milli>(delivered_at - presented).count());
  }
  return run;
}

}  // namespace

int main(int argc, char** argv) {
  int cards = 1000;
  int baud = 115200;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string name = argv[i];
    if (name == "--cards") cards = std::max(1, std::atoi(argv[i + 1]));
    if (name == "--baud") baud = std::atoi(argv[i + 1]);
  }
  const Run clean = Measure(cards, baud, {});
  const Run faulty = Measure(cards, baud, {"--corrupt", "0.05", "--drop", "0.01", "--seed", "7"});
  std::printf(
      "{\"bench\":\"reader_latency\",\"baud\":%d,\"cards\":%d,"
      "\"clean_p50_ms\":%.3f,\"clean_p99_ms\":%.3f,\"clean_lost\":%llu,"
      "\"faults\":\"corrupt=0.05 drop=0.01\",\"faulty_p50_ms\":%.3f,\"faulty_p99_ms\":%.3f,"
      "\"faulty_lost\":%llu}\n",
      baud, cards, Percentile(clean.latencies_ms, 0.50), Percentile(clean.latencies_ms, 0.99),
      static_cast<unsigned long long>(clean.lost), Percentile(faulty.latencies_ms, 0.50),
      Percentile(faulty.latencies_ms, 0.99), static_cast<unsigned long long>(faulty.lost));
  return clean.lost + faulty.lost == 0 ? 0 : 1;
}
