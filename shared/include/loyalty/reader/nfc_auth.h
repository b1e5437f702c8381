// NFC card authentication: every loyalty NFC card holds a key diversified from the
// chain's master key and its UID, so a copy of the card number (or of the UID) without
// the key cannot answer the terminal's challenge.
//
//   card key = HMAC-SHA256(master_key, UID)
//   answer   = first 16 bytes of HMAC-SHA256(card key, challenge)
//
// The terminal holds the master key; a card holds only its own key. All functions are
// pure (RandomChallenge aside) and safe to call from any thread.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "loyalty/core/result.h"

namespace loyalty::reader {

inline constexpr std::size_t kNfcCardKeySize = 32;
inline constexpr std::size_t kNfcChallengeSize = 16;
inline constexpr std::size_t kNfcAnswerSize = 16;
inline constexpr std::size_t kMinNfcUidSize = 4;   // single-size UID
inline constexpr std::size_t kMaxNfcUidSize = 10;  // triple-size UID
inline constexpr std::size_t kMinMasterKeySize = 16;
inline constexpr std::size_t kMaxMasterKeySize = 64;

using NfcCardKey = std::array<uint8_t, kNfcCardKeySize>;
using NfcChallenge = std::array<uint8_t, kNfcChallengeSize>;
using NfcAnswer = std::array<uint8_t, kNfcAnswerSize>;

NfcCardKey DeriveNfcCardKey(std::span<const uint8_t> master_key, std::span<const uint8_t> uid);
NfcAnswer ComputeNfcAnswer(std::span<const uint8_t> card_key, const NfcChallenge& challenge);
// Constant-time comparison of an answer from the line with the expected one.
bool NfcAnswerMatches(const NfcAnswer& expected, std::span<const uint8_t> received);
// 16 bytes from OpenSSL's CSPRNG (RAND_bytes). Throws std::runtime_error only if the
// CSPRNG fails, which the process cannot recover from.
NfcChallenge RandomNfcChallenge();

// What an NFC card event carries: "<UID in upper-case hex>:<loyalty number>", e.g.
// "04A1B2C3D4E5F6:2000000000015" (the number is read from the card's NDEF record).
struct NfcCardData {
  std::vector<uint8_t> uid;  // kMinNfcUidSize..kMaxNfcUidSize bytes
  std::string number;        // as stored on the card; CardNumber::Parse checks it
};
// Fails with kInvalidArgument (field "nfc") for a missing ':', a UID that is not
// 4..10 bytes of hex, or an empty number. Never echoes the number.
Result<NfcCardData> ParseNfcCardData(std::string_view data);
std::string FormatNfcCardData(const NfcCardData& card);

// Upper-case hex of bytes, and back. ParseHex fails (kInvalidArgument, `field`) on an
// odd length or a non-hex character; the message does not echo the text (it may be a key).
std::string ToHex(std::span<const uint8_t> bytes);
Result<std::vector<uint8_t>> ParseHex(std::string_view hex, std::string_view field);

// Reads a master key file: hex text (surrounding whitespace ignored) of 16..64 bytes.
// Fails with kInvalidArgument (field "nfc_master_key") naming the problem, or
// kNotFound when the file cannot be read. The key is never put in a message.
Result<std::vector<uint8_t>> LoadNfcMasterKey(const std::string& path);

}  // namespace loyalty::reader
