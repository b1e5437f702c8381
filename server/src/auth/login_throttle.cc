#include "auth/login_throttle.h"

#include <algorithm>

namespace loyalty::server::auth {

std::optional<std::chrono::seconds> LoginThrottle::Check(const std::string& key, Timestamp now) {
  auto it = failures_.find(key);
  if (it == failures_.end()) return std::nullopt;
  auto& times = it->second;
  while (!times.empty() && times.front() + kWindow <= now) times.pop_front();
  if (times.empty()) {
    failures_.erase(it);
    return std::nullopt;
  }
  if (static_cast<int>(times.size()) < kMaxFailures) return std::nullopt;
  const auto wait = std::chrono::ceil<std::chrono::seconds>(times.front() + kWindow - now);
  return std::max(wait, std::chrono::seconds(1));
}

std::optional<std::chrono::seconds> LoginThrottle::RetryAfter(const std::string& address,
                                                              const std::string& email,
                                                              Timestamp now) {
  std::lock_guard lock(mutex_);
  const auto by_address = Check("address:" + address, now);
  const auto by_account = Check("account:" + email, now);
  if (by_address && by_account) return std::max(*by_address, *by_account);
  return by_address ? by_address : by_account;
}

void LoginThrottle::RecordFailure(const std::string& address, const std::string& email,
                                  Timestamp now) {
  std::lock_guard lock(mutex_);
  // Many distinct e-mails (a credential-stuffing list) must not grow memory without end:
  // past a bound, forget every key whose failures have all left the window.
  if (failures_.size() > kMaxTrackedKeys) {
    std::erase_if(failures_, [&](const auto& entry) { return entry.second.back() + kWindow <= now; });
  }
  for (const auto& key : {"address:" + address, "account:" + email}) {
    auto& times = failures_[key];
    times.push_back(now);
    // Only the newest kMaxFailures matter for the decision.
    while (static_cast<int>(times.size()) > kMaxFailures) times.pop_front();
  }
}

void LoginThrottle::RecordSuccess(const std::string& email) {
  std::lock_guard lock(mutex_);
  failures_.erase("account:" + email);
}

}  // namespace loyalty::server::auth
