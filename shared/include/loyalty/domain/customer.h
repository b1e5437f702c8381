// A customer's personal details, as registration at the till or in the portal takes
// them. Personal data: never logged, never in metrics.
#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "loyalty/core/result.h"

namespace loyalty::domain {

struct CustomerDetails {
  std::string name;                   // 1..200 characters
  std::optional<std::string> email;   // one @, a dot in the domain, at most 254
  std::optional<std::string> phone;   // digits with optional +, spaces, dashes; 6..20 digits
  std::optional<std::string> birthday;  // YYYY-MM-DD, a real day, 1900 or later
  bool consent_email = false;           // may we send offers by e-mail
  bool consent_sms = false;             // by text message
  std::optional<std::string> acquisition_source;  // lower-case token: "flyer", "friend"...
};

// An acquisition source's token: 1 to 64 of a-z, 0-9, '-' and '_'.
bool IsAcquisitionSource(const std::string& source);

nlohmann::json CustomerDetailsToJson(const CustomerDetails& details);
// Strict: each field checked as described above, unknown fields refused.
Result<CustomerDetails> CustomerDetailsFromJson(const nlohmann::json& json);

}  // namespace loyalty::domain
