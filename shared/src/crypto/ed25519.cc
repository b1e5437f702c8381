#include "loyalty/crypto/ed25519.h"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "loyalty/core/file.h"

namespace loyalty::crypto {
namespace {

struct BioDeleter {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
using BioPtr = std::unique_ptr<BIO, BioDeleter>;
struct MdCtxDeleter {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, MdCtxDeleter>;

std::string BioToString(BIO* bio) {
  char* data = nullptr;
  const long length = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<std::size_t>(length));
}

std::string KeyId(EVP_PKEY* key) {
  std::array<unsigned char, 32> raw{};
  std::size_t raw_length = raw.size();
  EVP_PKEY_get_raw_public_key(key, raw.data(), &raw_length);
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int digest_length = 0;
  EVP_Digest(raw.data(), raw_length, digest.data(), &digest_length, EVP_sha256(), nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id;
  for (std::size_t i = 0; i < 8; ++i) {
    id += kHex[digest[i] >> 4];
    id += kHex[digest[i] & 0x0F];
  }
  return id;
}

// The public half of a key pair, re-read from its encoding so VerifyKey never holds
// private material.
PkeyPtr PublicOnly(EVP_PKEY* key) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_PUBKEY(bio.get(), key);
  return PkeyPtr(PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr));
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

void PkeyDeleter::operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }

VerifyKey::VerifyKey(PkeyPtr key, std::string key_id)
    : key_(key.release(), PkeyDeleter()), key_id_(std::move(key_id)) {}

Result<VerifyKey> VerifyKey::FromPem(std::string_view pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  PkeyPtr key(PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr));
  if (!key) return InvalidArgument("public_key", "not a PEM public key");
  if (EVP_PKEY_get_id(key.get()) != EVP_PKEY_ED25519) {
    return InvalidArgument("public_key", "not an Ed25519 key");
  }
  std::string id = KeyId(key.get());
  return VerifyKey(std::move(key), std::move(id));
}

Result<VerifyKey> VerifyKey::LoadFile(const std::string& path) {
  if (!std::filesystem::exists(path)) return NotFound("no public key file at " + path);
  auto key = FromPem(ReadFile(path));
  if (!key.ok()) return InvalidArgument("public_key", path + ": " + key.error().message);
  return key;
}

bool VerifyKey::Verify(std::span<const std::uint8_t> message,
                       std::span<const std::uint8_t> signature) const {
  if (signature.size() != kSignatureSize) return false;
  MdCtxPtr ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, key_.get()) != 1) {
    return false;
  }
  return EVP_DigestVerify(ctx.get(), signature.data(), signature.size(), message.data(),
                          message.size()) == 1;
}

std::string VerifyKey::ToPem() const {
  BioPtr bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_PUBKEY(bio.get(), key_.get());
  return BioToString(bio.get());
}

SigningKey::SigningKey(PkeyPtr key, VerifyKey verify_key)
    : key_(key.release(), PkeyDeleter()), verify_key_(std::move(verify_key)) {}

SigningKey SigningKey::Generate() {
  PkeyPtr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
  if (!key) throw std::runtime_error("OpenSSL could not generate an Ed25519 key");
  PkeyPtr public_key = PublicOnly(key.get());
  std::string id = KeyId(public_key.get());
  return SigningKey(std::move(key), VerifyKey(std::move(public_key), std::move(id)));
}

Result<SigningKey> SigningKey::FromPem(std::string_view pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  PkeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  if (!key) return InvalidArgument("signing_key", "not a PEM private key");
  if (EVP_PKEY_get_id(key.get()) != EVP_PKEY_ED25519) {
    return InvalidArgument("signing_key", "not an Ed25519 key");
  }
  PkeyPtr public_key = PublicOnly(key.get());
  std::string id = KeyId(public_key.get());
  return SigningKey(std::move(key), VerifyKey(std::move(public_key), std::move(id)));
}

SigningKey SigningKey::LoadOrCreate(const std::string& path) {
  if (std::filesystem::exists(path)) {
    auto key = FromPem(ReadFile(path));
    if (!key.ok()) {
      throw std::runtime_error("coupon signing key " + path +
                               " is unusable: " + key.error().message);
    }
    return std::move(key).value();
  }
  SigningKey key = Generate();
  if (auto written = WriteFileAtomically(path, key.ToPem(), 0600); !written.ok()) {
    throw std::runtime_error("cannot write coupon signing key: " + written.error().message);
  }
  if (auto written = WriteFileAtomically(path + ".pub", key.verify_key().ToPem(), 0644);
      !written.ok()) {
    throw std::runtime_error("cannot write coupon public key: " + written.error().message);
  }
  return key;
}

Signature SigningKey::Sign(std::span<const std::uint8_t> message) const {
  Signature signature{};
  std::size_t length = signature.size();
  MdCtxPtr ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, key_.get()) != 1 ||
      EVP_DigestSign(ctx.get(), signature.data(), &length, message.data(), message.size()) != 1) {
    throw std::runtime_error("OpenSSL Ed25519 signing failed");
  }
  return signature;
}

std::string SigningKey::ToPem() const {
  BioPtr bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_PrivateKey(bio.get(), key_.get(), nullptr, nullptr, 0, nullptr, nullptr);
  return BioToString(bio.get());
}

}  // namespace loyalty::crypto
