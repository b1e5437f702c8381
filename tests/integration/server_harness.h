// The real loyalty-server for integration tests: a data directory with the demo catalog
// and store S001, start (on a free loopback port, or a given one), stop, SIGKILL,
// enrolling terminals, and reading the database behind it.
#pragma once

#include <signal.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "loyalty/net/https_client.h"
#include "loyalty/sqlite/sqlite.h"
#include "support/child_process.h"
#include "support/temp_dir.h"

namespace loyalty::testing {

using namespace std::chrono_literals;

inline std::string SourceDir() {
  const char* dir = std::getenv("LOYALTY_SOURCE_DIR");
  return dir ? dir : ".";
}

inline int RunToEnd(std::vector<std::string> args, const std::string& log) {
  ChildProcess child(std::move(args), log);
  return child.Wait(60s);
}

inline bool IsEvent(const std::string& line, const std::string& name) {
  const auto json = nlohmann::json::parse(line, nullptr, false);
  return json.is_object() && json.value("event", "") == name;
}

class ServerHarness {
 public:
  // Imports the demo catalog and adds store S001 in a fresh data directory.
  explicit ServerHarness(const TempDir& dir) : dir_(dir), data_dir_(dir.File("server")) {
    EXPECT_EQ(RunToEnd({LOYALTY_SERVER_PATH, "catalog", "import", "--data-dir", data_dir_,
                        "--csv", SourceDir() + "/tests/testdata/catalog.csv"},
                       dir_.File("admin.log")),
              0);
    EXPECT_EQ(RunToEnd({LOYALTY_SERVER_PATH, "store", "add", "--data-dir", data_dir_, "--id",
                        "S001", "--name", "Test store"},
                       dir_.File("admin.log")),
              0);
  }

  // Starts the server and waits for its "listening" line; listen "127.0.0.1:0" picks a
  // free port, and a restart can pass the URL's port to come back at the same address.
  // A `config` object (docs/configuration.md, e.g. {"http": {"request_timeout_seconds":
  // 2}}) is written to a file and passed with --config.
  std::string Start(const std::string& listen = "127.0.0.1:0",
                    const nlohmann::json& config = nullptr) {
    log_offset_ = ReadLog().size();
    std::vector<std::string> args{LOYALTY_SERVER_PATH, "--data-dir", data_dir_, "--listen", listen};
    if (!config.is_null()) {
      const std::string config_path = dir_.File("server-config.json");
      std::ofstream(config_path) << config.dump(2);
      args.insert(args.end(), {"--config", config_path});
    }
    process_ = std::make_unique<ChildProcess>(std::move(args), dir_.File("server.log"));
    const auto deadline = std::chrono::steady_clock::now() + 15s;
    while (std::chrono::steady_clock::now() < deadline) {
      std::istringstream log(ReadLog().substr(log_offset_));
      for (std::string line; std::getline(log, line);) {
        const auto json = nlohmann::json::parse(line, nullptr, false);
        if (json.is_object() && json.value("msg", "") == "listening") {
          url_ = json["url"];
          return url_;
        }
      }
      std::this_thread::sleep_for(10ms);
    }
    ADD_FAILURE() << "server did not start:\n" << ReadLog();
    return {};
  }

  // SIGTERM and the exit code (0 after a clean drain).
  int Stop() { return process_ ? process_->Stop(15s) : -1; }
  // SIGKILL: no drain, no flush, as when the machine loses power mid-write.
  void Kill() {
    if (!process_) return;
    ::kill(process_->pid(), SIGKILL);
    process_->Wait(10s);
  }

  // "127.0.0.1:PORT" of the last start, to restart at the same address.
  std::string Address() const { return url_.substr(std::string("https://").size()); }
  const std::string& url() const { return url_; }
  const std::string& data_dir() const { return data_dir_; }
  std::string CaFile() const { return data_dir_ + "/tls/server.crt"; }
  std::string CouponKeyFile() const { return data_dir_ + "/coupon-signing.pem.pub"; }

  // Enrolls a terminal the way a store does and returns its credential file's JSON.
  nlohmann::json EnrollTerminal(const std::string& credential_path) {
    ChildProcess code_process({LOYALTY_SERVER_PATH, "terminal", "enroll", "--data-dir", data_dir_,
                               "--store", "S001"},
                              dir_.File("admin.log"));
    const auto code = code_process.ReadLine(10s);
    EXPECT_TRUE(code.has_value());
    EXPECT_EQ(code_process.Wait(10s), 0);
    EXPECT_EQ(RunToEnd({LOYALTY_TERMINAL_PATH, "enroll", "--server", url_, "--server-ca",
                        CaFile(), "--code", code.value_or(""), "--credential", credential_path},
                       dir_.File("enroll.log")),
              0);
    std::ifstream file(credential_path);
    return nlohmann::json::parse(file, nullptr, false);
  }

  net::HttpsClient Client(const nlohmann::json& credential,
                          std::chrono::milliseconds timeout = 5s) const {
    auto endpoint = net::ParseHttpsUrl(url_);
    return net::HttpsClient(
        {*endpoint,
         CaFile(),
         timeout,
         {{"Authorization", "Bearer " + credential["credential"].get<std::string>()}}});
  }

  std::int64_t Count(const std::string& sql) const {
    sqlite::Connection db(data_dir_ + "/loyalty.db", {.read_only = true});
    auto& query = db.Prepared(sql);
    EXPECT_TRUE(query.Step());
    const std::int64_t count = query.Int(0);
    query.Reset();
    return count;
  }

  std::string ReadLog() const {
    std::ifstream in(dir_.File("server.log"));
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }

 private:
  const TempDir& dir_;
  std::string data_dir_;
  std::string url_;
  std::size_t log_offset_ = 0;
  std::unique_ptr<ChildProcess> process_;
};

}  // namespace loyalty::testing
