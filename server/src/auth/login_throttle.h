// Slows password guessing: after kMaxFailures failed logins within kWindow from one
// address, or for one account, further attempts are refused until the oldest failure
// leaves the window. Counting per account too stops a botnet spreading its guesses over
// many addresses; counting per address stops one address trying many accounts.
// In memory: a restart forgets, which costs an attacker a restart of our server.
#pragma once

#include <chrono>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "loyalty/core/time.h"

namespace loyalty::server::auth {

class LoginThrottle {
 public:
  static constexpr int kMaxFailures = 5;
  static constexpr std::chrono::minutes kWindow{15};
  static constexpr std::size_t kMaxTrackedKeys = 100'000;

  // nullopt when a login from `address` for `email` may be tried now, else how long to
  // wait.
  std::optional<std::chrono::seconds> RetryAfter(const std::string& address,
                                                 const std::string& email, Timestamp now);
  void RecordFailure(const std::string& address, const std::string& email, Timestamp now);
  // A good password clears the account's failures (not the address's: one right guess
  // among many wrong ones must not reset the count).
  void RecordSuccess(const std::string& email);

 private:
  std::optional<std::chrono::seconds> Check(const std::string& key, Timestamp now);

  std::mutex mutex_;
  std::unordered_map<std::string, std::deque<Timestamp>> failures_;
};

}  // namespace loyalty::server::auth
