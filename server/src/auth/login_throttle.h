// Slows password guessing: after kMaxAccountFailures failed logins within kWindow for
// one account, or kMaxAddressFailures from one address, further attempts are refused
// until the oldest failure leaves the window. Counting per account stops a botnet
// spreading its guesses over many addresses; counting per address stops one address
// trying many accounts. The address's limit is the looser one because a store's staff
// share a back-office computer and a store's one internet address: one manager's typos
// must not lock out the rest of the staff.
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
  static constexpr int kMaxAccountFailures = 5;
  static constexpr int kMaxAddressFailures = 30;
  static constexpr std::chrono::minutes kWindow{15};
  static constexpr std::size_t kMaxTrackedKeys = 100'000;

  // Counts an attempt before its password is checked, so concurrent guesses cannot all
  // pass the check: nullopt when the attempt may go ahead (and it now counts as a
  // failure until Succeeded says otherwise), else how long to wait. `account` must be
  // the normalised e-mail, so "Ada@x" and "ada@x" share one count.
  std::optional<std::chrono::seconds> BeginAttempt(const std::string& address,
                                                   const std::string& account, Timestamp now);
  // The password was right: the account's count is cleared, and this attempt no longer
  // counts against the address (its earlier failures still do).
  void Succeeded(const std::string& address, const std::string& account);

 private:
  std::optional<std::chrono::seconds> Check(const std::string& key, int max_failures,
                                            Timestamp now);

  std::mutex mutex_;
  std::unordered_map<std::string, std::deque<Timestamp>> failures_;
};

}  // namespace loyalty::server::auth
