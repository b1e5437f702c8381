// A real loyalty-terminal in headless mode for integration tests: enrolled against a
// ServerHarness, its own journal, commands written as JSON lines and events awaited
// with a deadline. Restartable on the same journal, and killable with SIGKILL.
#pragma once

#include <signal.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "integration/server_harness.h"

namespace loyalty::testing {

class TerminalHarness {
 public:
  // `name` keeps this terminal's files apart from others in the same directory.
  TerminalHarness(const TempDir& dir, ServerHarness& server, std::string name)
      : dir_(dir), server_(server), name_(std::move(name)) {
    credential_ = server_.EnrollTerminal(File("credential.json"));
  }

  std::string File(const std::string& what) const { return dir_.File(name_ + "-" + what); }
  std::string terminal_id() const { return credential_.value("terminal_id", ""); }

  // Starts the terminal against `url` (the server's, which may be down) and waits for
  // its ready event. Retries back off to at most a second, so tests see uploads soon
  // after the server comes back.
  nlohmann::json Start(const std::string& url, std::vector<std::string> extra = {}) {
    std::vector<std::string> args{LOYALTY_TERMINAL_PATH, "--ui", "headless", "--server", url,
                                  "--server-ca", server_.CaFile(), "--coupon-key",
                                  server_.CouponKeyFile(), "--credential", File("credential.json"),
                                  "--journal", File("journal.db"), "--timeout-ms", "1000",
                                  "--retry-max-s", "1"};
    args.insert(args.end(), extra.begin(), extra.end());
    process_ = std::make_unique<ChildProcess>(std::move(args), File("terminal.log"));
    return Expect("ready", 15s);
  }

  void Send(const nlohmann::json& command) { process_->WriteLine(command.dump()); }

  // The next event called `name` (and satisfying `also`), or null after `timeout`.
  nlohmann::json Expect(const std::string& name, std::chrono::milliseconds timeout = 10s,
                        const std::function<bool(const nlohmann::json&)>& also = nullptr) {
    auto line = process_->ReadUntil(
        [&](const std::string& text) {
          if (!IsEvent(text, name)) return false;
          return !also || also(nlohmann::json::parse(text));
        },
        timeout);
    return line ? nlohmann::json::parse(*line) : nlohmann::json();
  }

  nlohmann::json Scan(const std::string& code, int quantity = 1) {
    Send({{"cmd", "scan"}, {"code", code}, {"quantity", quantity}});
    return Expect("line_added");
  }
  // The card event; the coupons event that always follows it is consumed too.
  nlohmann::json KeyCard(const std::string& number) {
    Send({{"cmd", "card"}, {"number", number}});
    auto card = Expect("card");
    if (!card.is_null()) Expect("coupons");
    return card;
  }
  nlohmann::json Finish() {
    Send({{"cmd", "finish"}});
    return Expect("sale_finished");
  }

  // SIGKILL: no flush, no goodbye, as when the till loses power.
  void Kill() {
    ::kill(process_->pid(), SIGKILL);
    process_->Wait(10s);
    process_.reset();
  }
  int Quit() {
    Send({{"cmd", "quit"}});
    const int status = process_->Wait(15s);
    process_.reset();
    return status;
  }

  std::string Stderr() const { return process_ ? process_->Stderr() : std::string(); }
  ChildProcess& process() { return *process_; }

 private:
  const TempDir& dir_;
  ServerHarness& server_;
  std::string name_;
  nlohmann::json credential_;
  std::unique_ptr<ChildProcess> process_;
};

}  // namespace loyalty::testing
