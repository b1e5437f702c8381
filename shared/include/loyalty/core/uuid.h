// UUIDs (RFC 9562) in canonical lower-case text form. A purchase's UUID is made at the
// terminal and is the server's idempotency key for it.
#pragma once

#include <string>
#include <string_view>

#include "loyalty/core/result.h"

namespace loyalty {

class Uuid {
 public:
  // A fresh random version-4 UUID from OpenSSL's CSPRNG.
  static Uuid Random();
  // A version-7 UUID: 48 bits of Unix milliseconds, then 74 random bits. Ids made at
  // about the same time sort together, so a database index of them grows at its end
  // instead of taking writes all over: what ids of purchases and coupons want.
  static Uuid TimeOrdered();
  // Accepts the 36-character 8-4-4-4-12 hex form, either case; stores lower case.
  static Result<Uuid> Parse(std::string_view text, std::string_view field = "id");

  const std::string& str() const { return text_; }
  bool operator==(const Uuid& other) const { return text_ == other.text_; }

 private:
  explicit Uuid(std::string text) : text_(std::move(text)) {}
  std::string text_;
};

}  // namespace loyalty
