#include "loyalty/crypto/ed25519.h"

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "support/temp_dir.h"

namespace loyalty::crypto {
namespace {

std::vector<std::uint8_t> Bytes(std::string_view text) {
  return std::vector<std::uint8_t>(text.begin(), text.end());
}

TEST(Ed25519, SignThenVerify) {
  const SigningKey key = SigningKey::Generate();
  const auto message = Bytes("coupon 42");
  const Signature signature = key.Sign(message);
  EXPECT_TRUE(key.verify_key().Verify(message, signature));
  EXPECT_FALSE(key.verify_key().Verify(Bytes("coupon 43"), signature));
}

TEST(Ed25519, RefusesEveryChangedSignatureBit) {
  const SigningKey key = SigningKey::Generate();
  const auto message = Bytes("next-visit");
  const Signature signature = key.Sign(message);
  for (std::size_t i = 0; i < signature.size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      Signature changed = signature;
      changed[i] = static_cast<std::uint8_t>(changed[i] ^ (1u << bit));
      EXPECT_FALSE(key.verify_key().Verify(message, changed)) << i << ":" << bit;
    }
  }
}

TEST(Ed25519, RefusesASignatureOfTheWrongSize) {
  const SigningKey key = SigningKey::Generate();
  const auto message = Bytes("x");
  const Signature signature = key.Sign(message);
  EXPECT_FALSE(key.verify_key().Verify(message, std::span(signature).first(63)));
  EXPECT_FALSE(key.verify_key().Verify(message, {}));
}

TEST(Ed25519, RefusesASignatureByAnotherKey) {
  const SigningKey key = SigningKey::Generate();
  const SigningKey other = SigningKey::Generate();
  const auto message = Bytes("coupon");
  EXPECT_FALSE(key.verify_key().Verify(message, other.Sign(message)));
  EXPECT_NE(key.verify_key().key_id(), other.verify_key().key_id());
}

TEST(Ed25519, PublicKeyAloneVerifies) {
  const SigningKey key = SigningKey::Generate();
  const std::string pem = key.verify_key().ToPem();
  EXPECT_NE(pem.find("BEGIN PUBLIC KEY"), std::string::npos);
  EXPECT_EQ(pem.find("PRIVATE"), std::string::npos);
  auto public_only = VerifyKey::FromPem(pem);
  ASSERT_TRUE(public_only.ok()) << public_only.error().ToString();
  EXPECT_EQ(public_only->key_id(), key.verify_key().key_id());
  EXPECT_EQ(public_only->key_id().size(), 16u);
  const auto message = Bytes("offline check");
  EXPECT_TRUE(public_only->Verify(message, key.Sign(message)));
}

TEST(Ed25519, PrivateKeyRoundTripsThroughPem) {
  const SigningKey key = SigningKey::Generate();
  auto reloaded = SigningKey::FromPem(key.ToPem());
  ASSERT_TRUE(reloaded.ok()) << reloaded.error().ToString();
  EXPECT_EQ(reloaded->verify_key().key_id(), key.verify_key().key_id());
  const auto message = Bytes("same key");
  EXPECT_TRUE(key.verify_key().Verify(message, reloaded->Sign(message)));
}

TEST(Ed25519, RefusesBadPem) {
  EXPECT_FALSE(VerifyKey::FromPem("").ok());
  EXPECT_FALSE(VerifyKey::FromPem("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n").ok());
  EXPECT_FALSE(SigningKey::FromPem("not a key").ok());
  // A public key is not a private key, and the other way round.
  const SigningKey key = SigningKey::Generate();
  EXPECT_FALSE(SigningKey::FromPem(key.verify_key().ToPem()).ok());
}

TEST(Ed25519, LoadOrCreateWritesAPrivateFileAndReloadsTheSameKey) {
  testing::TempDir dir;
  const std::string path = dir.File("coupon_signing.pem");
  const SigningKey created = SigningKey::LoadOrCreate(path);
  ASSERT_TRUE(std::filesystem::exists(path));
  struct stat info {};
  ASSERT_EQ(::stat(path.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));

  const SigningKey reloaded = SigningKey::LoadOrCreate(path);
  EXPECT_EQ(reloaded.verify_key().key_id(), created.verify_key().key_id());
  const auto message = Bytes("persisted");
  EXPECT_TRUE(created.verify_key().Verify(message, reloaded.Sign(message)));

  // The public half beside it is what terminals load.
  auto public_key = VerifyKey::LoadFile(path + ".pub");
  ASSERT_TRUE(public_key.ok()) << public_key.error().ToString();
  EXPECT_EQ(public_key->key_id(), created.verify_key().key_id());
}

TEST(Ed25519, LoadOrCreateRefusesToReplaceAnUnusableKey) {
  testing::TempDir dir;
  const std::string path = dir.File("broken.pem");
  std::ofstream(path) << "garbage";
  EXPECT_THROW(SigningKey::LoadOrCreate(path), std::runtime_error);
  std::ifstream in(path);
  std::string contents((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(contents, "garbage");
}

TEST(Ed25519, LoadFileReportsAMissingFile) {
  testing::TempDir dir;
  auto key = VerifyKey::LoadFile(dir.File("absent.pub"));
  ASSERT_FALSE(key.ok());
  EXPECT_EQ(key.error().code, ErrorCode::kNotFound);
}

}  // namespace
}  // namespace loyalty::crypto
