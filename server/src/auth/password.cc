#include "auth/password.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <array>
#include <cstdint>
#include <vector>

#include "loyalty/core/base64.h"
#include "loyalty/core/number.h"
#include "loyalty/core/utf8.h"

namespace loyalty::server::auth {
namespace {

constexpr std::size_t kSaltBytes = 16;
constexpr std::size_t kHashBytes = 32;
// scrypt needs 128 * r * N bytes; refuse costs that would need more than this, so a
// forged hash string cannot make the server allocate gigabytes.
constexpr std::uint64_t kMaxMemoryBytes = 256ull << 20;

struct Parsed {
  ScryptCost cost;
  std::string salt;
  std::string hash;
};

// "$scrypt$ln=15,r=8,p=1$<salt>$<hash>", with salt and hash in base64url.
Result<Parsed> Parse(std::string_view phc) {
  const auto bad = [] { return InvalidArgument("password_hash", "not a $scrypt$ PHC string"); };
  std::vector<std::string_view> parts;
  for (std::size_t start = 0;;) {
    const auto end = phc.find('$', start);
    parts.push_back(phc.substr(start, end == std::string_view::npos ? end : end - start));
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  if (parts.size() != 5 || !parts[0].empty() || parts[1] != "scrypt") return bad();
  Parsed parsed;
  std::array<std::pair<std::string_view, int*>, 3> params = {
      std::pair{std::string_view("ln="), &parsed.cost.log2_n},
      std::pair{std::string_view("r="), &parsed.cost.r},
      std::pair{std::string_view("p="), &parsed.cost.p}};
  std::string_view list = parts[2];
  for (std::size_t i = 0; i < params.size(); ++i) {
    const auto comma = list.find(',');
    std::string_view item = list.substr(0, comma);
    if (!item.starts_with(params[i].first)) return bad();
    const auto value = ParseWholeNumber(item.substr(params[i].first.size()), 64);
    if (!value) return bad();
    *params[i].second = static_cast<int>(*value);
    if ((comma == std::string_view::npos) != (i + 1 == params.size())) return bad();
    if (comma != std::string_view::npos) list.remove_prefix(comma + 1);
  }
  if (parsed.cost.log2_n < 10 || parsed.cost.log2_n > 20 || parsed.cost.r < 1 ||
      parsed.cost.r > 32 || parsed.cost.p < 1 || parsed.cost.p > 16) {
    return bad();
  }
  auto salt = Base64UrlDecode(parts[3]);
  auto hash = Base64UrlDecode(parts[4]);
  // Ours are 16 bytes; 4 admits the RFC 7914 test vector ("NaCl").
  if (!salt || !hash || salt->size() < 4 || hash->size() != kHashBytes) return bad();
  parsed.salt.assign(salt->begin(), salt->end());
  parsed.hash.assign(hash->begin(), hash->end());
  return parsed;
}

Result<std::string> Scrypt(std::string_view password, std::string_view salt, ScryptCost cost) {
  const std::uint64_t n = 1ull << cost.log2_n;
  std::array<unsigned char, kHashBytes> key{};
  if (EVP_PBE_scrypt(password.data(), password.size(),
                     reinterpret_cast<const unsigned char*>(salt.data()), salt.size(), n,
                     static_cast<std::uint64_t>(cost.r), static_cast<std::uint64_t>(cost.p),
                     kMaxMemoryBytes, key.data(), key.size()) != 1) {
    return Internal("scrypt failed (cost too high for the memory limit?)");
  }
  return std::string(reinterpret_cast<const char*>(key.data()), key.size());
}

}  // namespace

Status CheckNewPassword(std::string_view password) {
  if (password.size() < kMinPasswordLength) {
    return InvalidArgument("password", "must be at least " + std::to_string(kMinPasswordLength) +
                                           " characters long");
  }
  if (password.size() > kMaxPasswordLength) {
    return InvalidArgument("password", "must be at most " + std::to_string(kMaxPasswordLength) +
                                           " bytes long");
  }
  if (!IsValidUtf8(password)) return InvalidArgument("password", "must be valid UTF-8 text");
  return {};
}

Result<std::string> HashPassword(std::string_view password, ScryptCost cost) {
  std::array<unsigned char, kSaltBytes> salt{};
  if (RAND_bytes(salt.data(), static_cast<int>(salt.size())) != 1) {
    return Internal("no random bytes for a salt");
  }
  const std::string salt_text(reinterpret_cast<const char*>(salt.data()), salt.size());
  auto hash = Scrypt(password, salt_text, cost);
  if (!hash.ok()) return hash.error();
  return "$scrypt$ln=" + std::to_string(cost.log2_n) + ",r=" + std::to_string(cost.r) +
         ",p=" + std::to_string(cost.p) + "$" + Base64UrlEncode(salt_text) + "$" +
         Base64UrlEncode(*hash);
}

Result<bool> VerifyPassword(std::string_view password, std::string_view phc) {
  auto parsed = Parse(phc);
  if (!parsed.ok()) return parsed.error();
  if (password.size() > kMaxPasswordLength) return false;
  auto hash = Scrypt(password, parsed->salt, parsed->cost);
  if (!hash.ok()) return hash.error();
  return CRYPTO_memcmp(hash->data(), parsed->hash.data(), kHashBytes) == 0;
}

bool NeedsRehash(std::string_view phc, ScryptCost cost) {
  auto parsed = Parse(phc);
  return !parsed.ok() || parsed->cost.log2_n != cost.log2_n || parsed->cost.r != cost.r ||
         parsed->cost.p != cost.p;
}

}  // namespace loyalty::server::auth
