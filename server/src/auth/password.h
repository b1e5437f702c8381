// Portal passwords, stored as scrypt hashes in PHC string format:
//   $scrypt$ln=15,r=8,p=1$<salt base64url>$<hash base64url>
// The cost lives in the string, so raising it later leaves old hashes verifiable and
// NeedsRehash tells the login to upgrade them. scrypt is memory-hard (32 MiB at these
// settings), which is what makes a stolen hash table expensive to crack on GPUs.
#pragma once

#include <string>
#include <string_view>

#include "loyalty/core/result.h"

namespace loyalty::server::auth {

struct ScryptCost {
  int log2_n = 15;  // N = 32768
  int r = 8;
  int p = 1;
};

// Passwords shorter than this are refused when set: the portal guards a million
// shoppers' personal data.
inline constexpr std::size_t kMinPasswordLength = 12;
inline constexpr std::size_t kMaxPasswordLength = 1024;

// Checks a new password's length and that it is valid UTF-8; errors name "password".
Status CheckNewPassword(std::string_view password);

// A fresh random salt and the PHC string of the password's scrypt hash.
Result<std::string> HashPassword(std::string_view password, ScryptCost cost = {});

// True when `password` matches `phc` (compared in constant time). A malformed hash
// string is an error, never a match.
Result<bool> VerifyPassword(std::string_view password, std::string_view phc);

// True when `phc` was made with a cost other than `cost`.
bool NeedsRehash(std::string_view phc, ScryptCost cost = {});

}  // namespace loyalty::server::auth
