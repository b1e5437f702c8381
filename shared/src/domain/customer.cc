#include "loyalty/domain/customer.h"

#include <algorithm>
#include <chrono>

#include "loyalty/codec/json_reader.h"

namespace loyalty::domain {
namespace {

bool ValidEmail(const std::string& email) {
  const auto at = email.find('@');
  if (at == std::string::npos || at == 0 || email.find('@', at + 1) != std::string::npos) {
    return false;
  }
  const std::string domain = email.substr(at + 1);
  const auto dot = domain.find('.');
  return dot != std::string::npos && dot > 0 && dot + 1 < domain.size() &&
         std::none_of(email.begin(), email.end(),
                      [](char c) { return c == ' ' || c == ',' || c == ';' || c == '<'; });
}

bool ValidPhone(const std::string& phone) {
  std::size_t digits = 0;
  for (std::size_t i = 0; i < phone.size(); ++i) {
    const char c = phone[i];
    if (c >= '0' && c <= '9') {
      ++digits;
    } else if (!(c == ' ' || c == '-' || (c == '+' && i == 0))) {
      return false;
    }
  }
  return digits >= 6 && digits <= 20;
}

bool ValidBirthday(const std::string& text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return false;
  for (std::size_t i : {0u, 1u, 2u, 3u, 5u, 6u, 8u, 9u}) {
    if (text[i] < '0' || text[i] > '9') return false;
  }
  const int year = std::stoi(text.substr(0, 4));
  const unsigned month = static_cast<unsigned>(std::stoi(text.substr(5, 2)));
  const unsigned day = static_cast<unsigned>(std::stoi(text.substr(8, 2)));
  const std::chrono::year_month_day date{std::chrono::year(year), std::chrono::month(month),
                                         std::chrono::day(day)};
  if (!date.ok() || year < 1900) return false;
  const auto today = std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now());
  return std::chrono::sys_days(date) <= today;
}

}  // namespace

bool IsAcquisitionSource(const std::string& source) {
  return !source.empty() && source.size() <= 64 &&
         std::all_of(source.begin(), source.end(), [](char c) {
           return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
         });
}

nlohmann::json CustomerDetailsToJson(const CustomerDetails& details) {
  const auto optional = [](const std::optional<std::string>& value) {
    return value ? nlohmann::json(*value) : nlohmann::json(nullptr);
  };
  return {{"name", details.name},
          {"email", optional(details.email)},
          {"phone", optional(details.phone)},
          {"birthday", optional(details.birthday)},
          {"consent_email", details.consent_email},
          {"consent_sms", details.consent_sms},
          {"acquisition_source", optional(details.acquisition_source)}};
}

Result<CustomerDetails> CustomerDetailsFromJson(const nlohmann::json& json) {
  codec::FieldErrors errors;
  codec::ObjectReader reader(json, "", errors);
  CustomerDetails details;
  details.name = reader.RequiredString("name", 200);
  details.email = reader.OptionalString("email", 254);
  details.phone = reader.OptionalString("phone", 32);
  details.birthday = reader.OptionalString("birthday", 10);
  details.consent_email = reader.RequiredBool("consent_email");
  details.consent_sms = reader.RequiredBool("consent_sms");
  details.acquisition_source = reader.OptionalString("acquisition_source", 64);
  reader.Finish();
  if (!errors.ok()) return errors.error();
  if (details.email && !ValidEmail(*details.email)) {
    return InvalidArgument("email", "is not an e-mail address like name@example.com");
  }
  if (details.phone && !ValidPhone(*details.phone)) {
    return InvalidArgument("phone", "must be 6 to 20 digits, with an optional leading +");
  }
  if (details.birthday && !ValidBirthday(*details.birthday)) {
    return InvalidArgument("birthday", "must be a past date written YYYY-MM-DD, 1900 or later");
  }
  if (details.acquisition_source && !IsAcquisitionSource(*details.acquisition_source)) {
    return InvalidArgument("acquisition_source",
                           "must be a short lower-case word such as flyer or friend");
  }
  if (details.consent_email && !details.email) {
    return InvalidArgument("consent_email", "needs an e-mail address to send to");
  }
  if (details.consent_sms && !details.phone) {
    return InvalidArgument("consent_sms", "needs a phone number to send to");
  }
  return details;
}

}  // namespace loyalty::domain
