#include "auth/password.h"

#include <gtest/gtest.h>

namespace loyalty::server::auth {
namespace {

// The lowest cost the parser accepts keeps the tests quick; the format is the same.
constexpr ScryptCost kCheap{10, 8, 1};

TEST(Password, VerifiesTheRightPasswordAndNoOther) {
  auto hash = HashPassword("correct horse battery staple", kCheap);
  ASSERT_TRUE(hash.ok()) << hash.error().ToString();
  EXPECT_EQ(hash->rfind("$scrypt$ln=10,r=8,p=1$", 0), 0u) << *hash;
  EXPECT_TRUE(VerifyPassword("correct horse battery staple", *hash).value());
  EXPECT_FALSE(VerifyPassword("correct horse battery stapl", *hash).value());
  EXPECT_FALSE(VerifyPassword("", *hash).value());
}

TEST(Password, SaltsEveryHash) {
  const auto first = HashPassword("the same password", kCheap).value();
  const auto second = HashPassword("the same password", kCheap).value();
  EXPECT_NE(first, second);
  EXPECT_TRUE(VerifyPassword("the same password", second).value());
}

TEST(Password, MatchesTheScryptTestVector) {
  // RFC 7914 section 12: P="password", S="NaCl", N=1024, r=8, p=16, first 32 bytes of
  // the 64-byte key: fdbabe1c9d3472007856e7190d01e9fe7c6ad7cbc8237830e77376634b373162.
  const std::string phc =
      "$scrypt$ln=10,r=8,p=16$TmFDbA$_bq-HJ00cgB4VucZDQHp_nxq18vII3gw53N2Y0s3MWI";
  EXPECT_TRUE(VerifyPassword("password", phc).value());
  EXPECT_FALSE(VerifyPassword("Password", phc).value());
}

TEST(Password, RefusesMalformedHashStringsRatherThanMatching) {
  for (const char* bad :
       {"", "plain", "$scrypt$", "$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA",
        "$scrypt$ln=10,r=8$TmFDbA$_bq-HJ00cgB4VucZDQHp_nxq18vII3gw53N2Y0s3MWI",
        "$scrypt$ln=40,r=8,p=1$TmFDbA$_bq-HJ00cgB4VucZDQHp_nxq18vII3gw53N2Y0s3MWI",
        "$scrypt$ln=10,r=8,p=1$TmFDbA$short", "$scrypt$ln=10,r=8,p=1,x=1$TmFDbA$AAAA"}) {
    EXPECT_FALSE(VerifyPassword("password", bad).ok()) << bad;
  }
}

TEST(Password, NewPasswordsMustBeLongEnoughAndText) {
  EXPECT_EQ(CheckNewPassword("short").error().field, "password");
  EXPECT_TRUE(CheckNewPassword("twelve chars").ok());
  EXPECT_FALSE(CheckNewPassword(std::string(kMaxPasswordLength + 1, 'x')).ok());
  EXPECT_FALSE(CheckNewPassword("twelve chars\xff").ok());
}

TEST(Password, AsksForARehashWhenTheCostChanged) {
  const auto hash = HashPassword("correct horse battery staple", kCheap).value();
  EXPECT_FALSE(NeedsRehash(hash, kCheap));
  EXPECT_TRUE(NeedsRehash(hash, ScryptCost{}));
}

}  // namespace
}  // namespace loyalty::server::auth
