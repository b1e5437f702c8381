// Strict reading of JSON objects from outside (HTTP bodies, config, server answers).
// Every field is read by name with its type and range; fields nobody read are refused
// as unknown; the first problem is kept with the path of the field that caused it
// ("lines[2].quantity"), so the caller can answer with one clear error.
//
//   FieldErrors errors;
//   ObjectReader body(json, "", errors);
//   std::string sku = body.RequiredString("sku", 64);
//   std::int64_t quantity = body.RequiredInt("quantity", 1, 9999);
//   body.Finish();
//   if (!errors.ok()) return errors.error();
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "loyalty/core/result.h"

namespace loyalty::codec {

// Collects the first error of a decode; later ones are usually consequences of it.
class FieldErrors {
 public:
  void Add(std::string field, std::string message);
  void Add(const Error& error);
  // Moves the value of `result` into `out`, or keeps its error.
  template <typename T>
  void Take(Result<T> result, T& out) {
    if (result.ok()) {
      out = std::move(result).value();
    } else {
      Add(result.error());
    }
  }
  bool ok() const { return !first_.has_value(); }
  const Error& error() const { return *first_; }
  Status status() const { return ok() ? Status() : Status(*first_); }

 private:
  std::optional<Error> first_;
};

class ObjectReader {
 public:
  // `path` is the object's own path ("" for the root, "lines[2]" for an element).
  ObjectReader(const nlohmann::json& value, std::string path, FieldErrors& errors);

  // Strings: must be JSON strings, valid UTF-8, 1..max_length bytes (0 if allow_empty).
  std::string RequiredString(std::string_view key, std::size_t max_length,
                             bool allow_empty = false);
  // Absent and null both read as nullopt.
  std::optional<std::string> OptionalString(std::string_view key, std::size_t max_length);
  // Integers: must be JSON integers (1.0 and "1" are refused) within [min, max].
  std::int64_t RequiredInt(std::string_view key, std::int64_t min, std::int64_t max);
  std::optional<std::int64_t> OptionalInt(std::string_view key, std::int64_t min,
                                          std::int64_t max);
  bool RequiredBool(std::string_view key);
  std::optional<bool> OptionalBool(std::string_view key);
  // Calls read(element, index) for each object in the array at `key`; the array must
  // hold between min_items and max_items elements.
  void ForEachObject(std::string_view key, std::size_t min_items, std::size_t max_items,
                     const std::function<void(ObjectReader&, std::size_t)>& read);
  // Like ForEachObject, for an optional array (absent or null means none).
  void ForEachOptionalObject(std::string_view key, std::size_t max_items,
                             const std::function<void(ObjectReader&, std::size_t)>& read);
  // A nested object; reading from it reports paths below "key".
  void WithObject(std::string_view key, const std::function<void(ObjectReader&)>& read);

  // Marks a field as read for a caller that checked it by other means.
  void MarkRead(std::string_view key) { consumed_.emplace(key); }

  // Reports the first key that no Required/Optional call consumed. Call last.
  void Finish();

  // Path of a child field, for errors the caller raises itself ("lines[2].total").
  std::string PathOf(std::string_view key) const;
  FieldErrors& errors() { return errors_; }

 private:
  const nlohmann::json* Find(std::string_view key, bool required);

  const nlohmann::json& value_;
  std::string path_;
  FieldErrors& errors_;
  bool is_object_;
  std::set<std::string, std::less<>> consumed_;
};

// Parses a text body as JSON, refusing nesting deeper than max_depth (a flood of
// brackets would otherwise cost stack and time) and text that is not valid JSON.
Result<nlohmann::json> ParseJson(std::string_view text, int max_depth = 16);

}  // namespace loyalty::codec
