#pragma once

#include <string>
#include <string_view>

struct evp_md_ctx_st;  // OpenSSL's EVP_MD_CTX

namespace loyalty::crypto {

// Lower-case hex SHA-256 of `data`.
std::string Sha256Hex(std::string_view data);

// SHA-256 of data fed in pieces, for what is too large to hold at once (a table).
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;
  void Update(std::string_view data);
  // Lower-case hex; call once, after the last Update.
  std::string HexDigest();

 private:
  ::evp_md_ctx_st* context_;
};

}  // namespace loyalty::crypto
