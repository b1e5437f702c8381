#include "auth/login_throttle.h"

#include <gtest/gtest.h>

#include <string>

namespace loyalty::server::auth {
namespace {

using namespace std::chrono_literals;

const Timestamp kStart = FromUnixSeconds(1'764'900'000);

TEST(LoginThrottle, FiveFailuresForAnAccountMakeItWaitFromAnyAddress) {
  LoginThrottle throttle;
  for (int i = 0; i < LoginThrottle::kMaxAccountFailures; ++i) {
    EXPECT_FALSE(throttle.BeginAttempt("10.0.0." + std::to_string(i), "ada@x", kStart + i * 1s));
  }
  const auto wait = throttle.BeginAttempt("10.0.0.99", "ada@x", kStart + 10s);
  ASSERT_TRUE(wait);
  EXPECT_EQ(*wait, std::chrono::seconds(15 * 60 - 10));
  // Once the first failure leaves the window, one attempt may go ahead.
  EXPECT_FALSE(throttle.BeginAttempt("10.0.0.99", "ada@x", kStart + 15min));
}

TEST(LoginThrottle, OneManagersTyposDoNotLockOutTheStaffSharingTheStoresComputer) {
  LoginThrottle throttle;
  const std::string shop = "192.0.2.7";
  for (int i = 0; i < LoginThrottle::kMaxAccountFailures; ++i) {
    EXPECT_FALSE(throttle.BeginAttempt(shop, "ada@x", kStart + i * 1s));
  }
  EXPECT_TRUE(throttle.BeginAttempt(shop, "ada@x", kStart + 6s));
  // A colleague at the same computer logs in.
  EXPECT_FALSE(throttle.BeginAttempt(shop, "grace@x", kStart + 7s));
  throttle.Succeeded(shop, "grace@x");
}

TEST(LoginThrottle, AnAddressTryingManyAccountsWaits) {
  LoginThrottle throttle;
  const std::string sprayer = "198.51.100.1";
  for (int i = 0; i < LoginThrottle::kMaxAddressFailures; ++i) {
    EXPECT_FALSE(throttle.BeginAttempt(sprayer, "user" + std::to_string(i) + "@x", kStart + i * 1s))
        << i;
  }
  EXPECT_TRUE(throttle.BeginAttempt(sprayer, "someone-else@x", kStart + 60s));
  EXPECT_FALSE(throttle.BeginAttempt("203.0.113.5", "someone-else@x", kStart + 61s));
}

TEST(LoginThrottle, ASuccessClearsTheAccountAndTakesBackItsOwnAttempt) {
  LoginThrottle throttle;
  for (int i = 0; i < LoginThrottle::kMaxAccountFailures - 1; ++i) {
    EXPECT_FALSE(throttle.BeginAttempt("10.0.0.1", "ada@x", kStart + i * 1s));
  }
  EXPECT_FALSE(throttle.BeginAttempt("10.0.0.1", "ada@x", kStart + 5s));
  throttle.Succeeded("10.0.0.1", "ada@x");
  for (int i = 0; i < LoginThrottle::kMaxAccountFailures; ++i) {
    EXPECT_FALSE(throttle.BeginAttempt("10.0.0.1", "ada@x", kStart + 6s + i * 1s)) << i;
  }
}

}  // namespace
}  // namespace loyalty::server::auth
