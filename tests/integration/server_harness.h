// The real loyalty-server for integration tests: a data directory with the demo catalog
// and store S001, start (on a free loopback port, or a given one), stop, SIGKILL,
// enrolling terminals, and reading the database behind it. The storage engine comes
// from LOYALTY_TEST_ENGINE (sqlite, the default, or postgresql: a fresh database in the
// test cluster); ctest runs every integration test once with each.
#pragma once

#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>

#include "loyalty/net/https_client.h"
#include "support/child_process.h"
#include "support/source_dir.h"
#include "support/temp_dir.h"
#include "support/test_database.h"

namespace loyalty::testing {

using namespace std::chrono_literals;

inline int RunToEnd(std::vector<std::string> args, const std::string& log) {
  ChildProcess child(std::move(args), log);
  return child.Wait(60s);
}

inline bool IsEvent(const std::string& line, const std::string& name) {
  const auto json = nlohmann::json::parse(line, nullptr, false);
  return json.is_object() && json.value("event", "") == name;
}

// The engine the integration tests run on, from LOYALTY_TEST_ENGINE.
inline Engine IntegrationEngine() {
  const char* name = std::getenv("LOYALTY_TEST_ENGINE");
  if (name == nullptr || std::string(name) == "sqlite") return Engine::kSqlite;
  if (std::string(name) == "postgresql") return Engine::kPostgres;
  throw std::runtime_error(std::string("LOYALTY_TEST_ENGINE is '") + name +
                           "': use sqlite or postgresql");
}

class ServerHarness {
 public:
  // Imports the demo catalog and adds store S001 in a fresh data directory (and, on
  // PostgreSQL, a fresh database).
  explicit ServerHarness(const TempDir& dir, Engine engine = IntegrationEngine())
      // On SQLite the database is the server's default file, DATA_DIR/loyalty.db.
      : dir_(dir), data_dir_(dir.File("server")), database_(engine, dir, "server/loyalty.db") {
    EXPECT_EQ(RunToEnd(AdminCommand(
                  {"catalog", "import", "--csv", SourceDir() + "/tests/testdata/catalog.csv"})),
              0);
    EXPECT_EQ(RunToEnd(AdminCommand({"store", "add", "--id", "S001", "--name", "Test store"})), 0);
  }

  // loyalty-server with `args`, on this harness's data directory and database.
  std::vector<std::string> AdminCommand(std::vector<std::string> args) const {
    args.insert(args.begin(), LOYALTY_SERVER_PATH);
    args.insert(args.end(), {"--data-dir", data_dir_, "--storage-url", database_.url()});
    return args;
  }
  int RunToEnd(std::vector<std::string> args) const {
    return testing::RunToEnd(std::move(args), dir_.File("admin.log"));
  }

  // Starts the server and waits for its "listening" line; listen "127.0.0.1:0" picks a
  // free port, and a restart can pass the URL's port to come back at the same address.
  // A `config` object (docs/configuration.md, e.g. {"http": {"request_timeout_seconds":
  // 2}}) is written to a file and passed with --config.
  std::string Start(const std::string& listen = "127.0.0.1:0",
                    const nlohmann::json& config = nullptr) {
    log_offset_ = ReadLog().size();
    std::vector<std::string> args = AdminCommand({"--listen", listen});
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
  const std::string& storage_url() const { return database_.url(); }
  std::string CaFile() const { return data_dir_ + "/tls/server.crt"; }
  std::string CouponKeyFile() const { return data_dir_ + "/coupon-signing.pem.pub"; }

  // Enrolls a terminal of `store` the way a store does and returns its credential file's
  // JSON.
  nlohmann::json EnrollTerminal(const std::string& credential_path,
                                const std::string& store = "S001") {
    ChildProcess code_process(AdminCommand({"terminal", "enroll", "--store", store}),
                              dir_.File("admin.log"));
    const auto code = code_process.ReadLine(10s);
    EXPECT_TRUE(code.has_value());
    EXPECT_EQ(code_process.Wait(10s), 0);
    EXPECT_EQ(
        testing::RunToEnd({LOYALTY_TERMINAL_PATH, "enroll", "--server", url_, "--server-ca",
                           CaFile(), "--code", code.value_or(""), "--credential", credential_path},
                          dir_.File("enroll.log")),
        0);
    std::ifstream file(credential_path);
    return nlohmann::json::parse(file, nullptr, false);
  }

  // A portal account made with `loyalty-server admin create`, as an operator makes one;
  // `stores` (comma-separated) only for a store manager. Returns the command's exit code.
  int CreatePortalAccount(const std::string& email, const std::string& password,
                          const std::string& role = "admin", const std::string& stores = "",
                          const std::string& name = "Staff") const {
    std::vector<std::string> args{"admin", "create", "--email", email, "--name", name,
                                  "--role", role};
    if (!stores.empty()) args.insert(args.end(), {"--stores", stores});
    ::setenv("LOYALTY_ADMIN_PASSWORD", password.c_str(), 1);
    const int code = RunToEnd(AdminCommand(args));
    ::unsetenv("LOYALTY_ADMIN_PASSWORD");
    return code;
  }

  // A portal session: the cookie to send back, the CSRF token, and who it is.
  struct PortalLogin {
    std::string cookie;
    std::string csrf;
    std::int64_t user_id = 0;
  };
  // Logs in over HTTPS; a failed test and an empty login when the server refuses.
  PortalLogin PortalLogIn(const std::string& email, const std::string& password) const {
    net::HttpsClient client({*net::ParseHttpsUrl(url_), CaFile(), 10s, {}});
    auto response = client.Post("/portal/api/session",
                                nlohmann::json{{"email", email}, {"password", password}}.dump());
    EXPECT_TRUE(response.ok() && response->status == 200u) << email;
    if (!response.ok() || response->status != 200u) return {};
    const std::string cookie = response->Header("Set-Cookie").value_or("");
    const auto body = nlohmann::json::parse(response->body);
    return {cookie.substr(0, cookie.find(';')), body["csrf_token"].get<std::string>(),
            body["user"]["id"].get<std::int64_t>()};
  }

  // A client sending `login`'s cookie and CSRF token with every request.
  net::HttpsClient PortalClient(const PortalLogin& login) const {
    return net::HttpsClient({*net::ParseHttpsUrl(url_),
                             CaFile(),
                             10s,
                             {{"Cookie", login.cookie},
                              {"X-CSRF-Token", login.csrf},
                              {"Content-Type", "application/json"}}});
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

  // The first column of the first row of `sql`, read from the server's database.
  std::int64_t Count(const std::string& sql) const { return database_.Int(sql); }
  std::string Text(const std::string& sql) const { return database_.Text(sql); }
  std::vector<std::string> Column(const std::string& sql) const { return database_.Column(sql); }
  // Writes to the server's database behind its back, as another program (the nightly
  // batch) would.
  void Exec(const std::string& sql) const { database_.Exec(sql); }
  bool WriteInProgress() const { return database_.WriteInProgress(); }

  std::string ReadLog() const {
    std::ifstream in(dir_.File("server.log"));
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }

 private:
  const TempDir& dir_;
  std::string data_dir_;
  TestDatabase database_;
  std::string url_;
  std::size_t log_offset_ = 0;
  std::unique_ptr<ChildProcess> process_;
};

// One server for a whole test suite: Derived::Prepare() (static; what went wrong, or "")
// fills it once before the first test, each test fails at once with the server's log if
// that went wrong, and the server is stopped and its folder removed after the last test.
// Derived names this base a friend, so Prepare may stay protected.
template <typename Derived>
class SharedServerSuite : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = std::make_unique<TempDir>();
    server_ = std::make_unique<ServerHarness>(*dir_);
    setup_error_ = Derived::Prepare();
  }
  static void TearDownTestSuite() {
    if (server_ && !server_->url().empty()) {
      EXPECT_EQ(server_->Stop(), 0);
    }
    server_.reset();
    dir_.reset();
  }
  void SetUp() override { ASSERT_EQ(setup_error_, "") << server_->ReadLog(); }

  inline static std::unique_ptr<TempDir> dir_;
  inline static std::unique_ptr<ServerHarness> server_;
  inline static std::string setup_error_;
};

}  // namespace loyalty::testing
