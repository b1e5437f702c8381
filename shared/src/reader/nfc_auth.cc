#include "loyalty/reader/nfc_auth.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace loyalty::reader {
namespace {

std::array<uint8_t, 32> HmacSha256(std::span<const uint8_t> key, std::span<const uint8_t> data) {
  std::array<uint8_t, 32> mac{};
  unsigned int length = 0;
  // HMAC() with an empty key is fine for OpenSSL but a null pointer is not.
  static const uint8_t kNoKey = 0;
  ::HMAC(EVP_sha256(), key.empty() ? &kNoKey : key.data(), static_cast<int>(key.size()),
         data.data(), data.size(), mac.data(), &length);
  return mac;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

NfcCardKey DeriveNfcCardKey(std::span<const uint8_t> master_key, std::span<const uint8_t> uid) {
  return HmacSha256(master_key, uid);
}

NfcAnswer ComputeNfcAnswer(std::span<const uint8_t> card_key, const NfcChallenge& challenge) {
  const std::array<uint8_t, 32> mac = HmacSha256(card_key, challenge);
  NfcAnswer answer{};
  std::copy_n(mac.begin(), answer.size(), answer.begin());
  return answer;
}

bool NfcAnswerMatches(const NfcAnswer& expected, std::span<const uint8_t> received) {
  return received.size() == expected.size() &&
         CRYPTO_memcmp(expected.data(), received.data(), expected.size()) == 0;
}

NfcChallenge RandomNfcChallenge() {
  NfcChallenge challenge{};
  if (RAND_bytes(challenge.data(), static_cast<int>(challenge.size())) != 1) {
    throw std::runtime_error("RAND_bytes failed: no randomness for the NFC challenge");
  }
  return challenge;
}

std::string ToHex(std::span<const uint8_t> bytes) {
  static constexpr char kDigits[] = "0123456789ABCDEF";
  std::string hex;
  hex.reserve(bytes.size() * 2);
  for (uint8_t byte : bytes) {
    hex += kDigits[byte >> 4];
    hex += kDigits[byte & 0x0F];
  }
  return hex;
}

Result<std::vector<uint8_t>> ParseHex(std::string_view hex, std::string_view field) {
  if (hex.size() % 2 != 0) {
    return InvalidArgument(std::string(field), std::string(field) + ": odd number of hex digits");
  }
  std::vector<uint8_t> bytes;
  bytes.reserve(hex.size() / 2);
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    const int high = HexValue(hex[i]);
    const int low = HexValue(hex[i + 1]);
    if (high < 0 || low < 0) {
      return InvalidArgument(std::string(field), std::string(field) + ": not hex");
    }
    bytes.push_back(static_cast<uint8_t>(high * 16 + low));
  }
  return bytes;
}

Result<NfcCardData> ParseNfcCardData(std::string_view data) {
  const std::size_t colon = data.find(':');
  if (colon == std::string_view::npos) {
    return InvalidArgument("nfc", "nfc data is not UID:NUMBER (no ':')");
  }
  const std::string_view uid_hex = data.substr(0, colon);
  if (uid_hex.size() < 2 * kMinNfcUidSize || uid_hex.size() > 2 * kMaxNfcUidSize) {
    return InvalidArgument("nfc", "nfc UID is not 4..10 bytes of hex");
  }
  Result<std::vector<uint8_t>> uid = ParseHex(uid_hex, "nfc");
  if (!uid.ok()) return InvalidArgument("nfc", "nfc UID is not 4..10 bytes of hex");
  NfcCardData card;
  card.uid = std::move(uid).value();
  card.number = std::string(data.substr(colon + 1));
  if (card.number.empty()) return InvalidArgument("nfc", "nfc card carries no number");
  return card;
}

std::string FormatNfcCardData(const NfcCardData& card) { return ToHex(card.uid) + ":" + card.number; }

Result<std::vector<uint8_t>> LoadNfcMasterKey(const std::string& path) {
  std::ifstream in(path);
  if (!in) return NotFound("cannot read the NFC master key file " + path);
  std::stringstream text;
  text << in.rdbuf();
  std::string hex = text.str();
  const auto is_space = [](char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; };
  hex.erase(hex.begin(), std::find_if_not(hex.begin(), hex.end(), is_space));
  hex.erase(std::find_if_not(hex.rbegin(), hex.rend(), is_space).base(), hex.end());
  Result<std::vector<uint8_t>> key = ParseHex(hex, "nfc_master_key");
  if (!key.ok()) {
    return InvalidArgument("nfc_master_key", "NFC master key file " + path + " is not hex");
  }
  if (key->size() < kMinMasterKeySize || key->size() > kMaxMasterKeySize) {
    return InvalidArgument("nfc_master_key", "NFC master key in " + path + " must be 16..64 bytes, got " +
                                                 std::to_string(key->size()));
  }
  return key;
}

}  // namespace loyalty::reader
