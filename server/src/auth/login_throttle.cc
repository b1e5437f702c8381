#include "auth/login_throttle.h"

#include <algorithm>

namespace loyalty::server::auth {

std::optional<std::chrono::seconds> LoginThrottle::Check(const std::string& key,
                                                         int max_failures, Timestamp now) {
  auto it = failures_.find(key);
  if (it == failures_.end()) return std::nullopt;
  auto& times = it->second;
  while (!times.empty() && times.front() + kWindow <= now) times.pop_front();
  if (times.empty()) {
    failures_.erase(it);
    return std::nullopt;
  }
  if (static_cast<int>(times.size()) < max_failures) return std::nullopt;
  const auto wait = std::chrono::ceil<std::chrono::seconds>(times.front() + kWindow - now);
  return std::max(wait, std::chrono::seconds(1));
}

std::optional<std::chrono::seconds> LoginThrottle::BeginAttempt(const std::string& address,
                                                                const std::string& account,
                                                                Timestamp now) {
  std::lock_guard lock(mutex_);
  const auto by_address = Check("address:" + address, kMaxAddressFailures, now);
  const auto by_account = Check("account:" + account, kMaxAccountFailures, now);
  if (by_address || by_account) {
    return std::max(by_address.value_or(std::chrono::seconds(0)),
                    by_account.value_or(std::chrono::seconds(0)));
  }
  // Many distinct e-mails (a credential-stuffing list) must not grow memory without end:
  // past a bound, forget every key whose failures have all left the window.
  if (failures_.size() > kMaxTrackedKeys) {
    std::erase_if(failures_, [&](const auto& entry) { return entry.second.back() + kWindow <= now; });
  }
  for (const auto& [key, max_failures] :
       {std::pair{"address:" + address, kMaxAddressFailures},
        std::pair{"account:" + account, kMaxAccountFailures}}) {
    auto& times = failures_[key];
    times.push_back(now);
    // Only the newest max_failures matter for the decision.
    while (static_cast<int>(times.size()) > max_failures) times.pop_front();
  }
  return std::nullopt;
}

void LoginThrottle::Succeeded(const std::string& address, const std::string& account) {
  std::lock_guard lock(mutex_);
  failures_.erase("account:" + account);
  if (auto it = failures_.find("address:" + address); it != failures_.end()) {
    if (!it->second.empty()) it->second.pop_back();
    if (it->second.empty()) failures_.erase(it);
  }
}

}  // namespace loyalty::server::auth
