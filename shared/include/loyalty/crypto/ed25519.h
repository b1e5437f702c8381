// Ed25519 signatures through OpenSSL's EVP API. The server holds the signing key; every
// terminal holds only the public key, so it can check a coupon offline but cannot make one.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "loyalty/core/result.h"

using EVP_PKEY = struct evp_pkey_st;

namespace loyalty::crypto {

inline constexpr std::size_t kSignatureSize = 64;
using Signature = std::array<std::uint8_t, kSignatureSize>;

struct PkeyDeleter {
  void operator()(EVP_PKEY* key) const;
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyDeleter>;

// A public key that verifies signatures. Thread-safe for concurrent Verify calls.
class VerifyKey {
 public:
  // From a "BEGIN PUBLIC KEY" PEM (SubjectPublicKeyInfo) holding an Ed25519 key.
  static Result<VerifyKey> FromPem(std::string_view pem);
  static Result<VerifyKey> LoadFile(const std::string& path);

  bool Verify(std::span<const std::uint8_t> message, std::span<const std::uint8_t> signature) const;
  std::string ToPem() const;
  // Short id of the key (hex of the first 8 bytes of SHA-256 of the raw key), carried in
  // every token so a rotated key is recognised instead of failing as a forgery.
  const std::string& key_id() const { return key_id_; }

 private:
  friend class SigningKey;
  VerifyKey(PkeyPtr key, std::string key_id);
  std::shared_ptr<EVP_PKEY> key_;
  std::string key_id_;
};

// The private key. Thread-safe for concurrent Sign calls.
class SigningKey {
 public:
  static SigningKey Generate();
  // From a "BEGIN PRIVATE KEY" PEM (PKCS#8) holding an Ed25519 key.
  static Result<SigningKey> FromPem(std::string_view pem);
  // Loads the key at `path`, or generates one and writes it there (mode 0600) with its
  // public half beside it at `path` + ".pub". Throws if the file exists but is unusable,
  // since silently replacing a signing key would void every coupon in circulation.
  static SigningKey LoadOrCreate(const std::string& path);

  Signature Sign(std::span<const std::uint8_t> message) const;
  std::string ToPem() const;
  const VerifyKey& verify_key() const { return verify_key_; }

 private:
  SigningKey(PkeyPtr key, VerifyKey verify_key);
  std::shared_ptr<EVP_PKEY> key_;
  VerifyKey verify_key_;
};

}  // namespace loyalty::crypto
