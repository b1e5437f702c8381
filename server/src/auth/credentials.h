// Secrets terminals use: one-time enrollment codes a person types at the till, and the
// 256-bit credential a terminal then holds. The server stores only their SHA-256.
#pragma once

#include <string>
#include <string_view>

#include "loyalty/core/result.h"

namespace loyalty::server::auth {

// 12 characters of Crockford base32 (60 random bits) grouped for reading aloud:
// "K7QH-2M9D-XW4R". No I, L, O or U, so nothing is mistaken for 1 or 0.
std::string NewEnrollmentCode();
// Upper-cases, drops spaces and dashes, and maps the look-alikes (O→0, I/L→1), so a
// code typed as "k7qh 2m9d xw4r" still matches. Errors name what is wrong.
Result<std::string> NormalizeEnrollmentCode(std::string_view typed);

// 32 random bytes, base64url: what the terminal sends as "Authorization: Bearer ...".
std::string NewTerminalCredential();

// Hex SHA-256: what the database keeps of a code or a credential.
std::string HashSecret(std::string_view secret);

}  // namespace loyalty::server::auth
