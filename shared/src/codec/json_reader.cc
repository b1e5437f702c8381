#include "loyalty/codec/json_reader.h"

namespace loyalty::codec {
namespace {

const char* TypeName(const nlohmann::json& value) {
  if (value.is_number_float()) return "a decimal number";
  if (value.is_number()) return "an integer";
  return value.type_name();  // "string", "object", "array", "boolean", "null"
}

}  // namespace

void FieldErrors::Add(std::string field, std::string message) {
  if (!first_) first_ = InvalidArgument(std::move(field), std::move(message));
}

void FieldErrors::Add(const Error& error) {
  if (!first_) first_ = error;
}

ObjectReader::ObjectReader(const nlohmann::json& value, std::string path, FieldErrors& errors)
    : value_(value), path_(std::move(path)), errors_(errors), is_object_(value.is_object()) {
  if (!is_object_) {
    errors_.Add(path_.empty() ? "body" : path_,
                std::string("must be a JSON object, got ") + TypeName(value));
  }
}

std::string ObjectReader::PathOf(std::string_view key) const {
  return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
}

const nlohmann::json* ObjectReader::Find(std::string_view key, bool required) {
  if (!is_object_) return nullptr;
  consumed_.emplace(key);
  const auto it = value_.find(key);
  if (it == value_.end() || it->is_null()) {
    if (required) errors_.Add(PathOf(key), "is required");
    return nullptr;
  }
  return &*it;
}

std::string ObjectReader::RequiredString(std::string_view key, std::size_t max_length,
                                         bool allow_empty) {
  const nlohmann::json* field = Find(key, true);
  if (field == nullptr) return {};
  if (!field->is_string()) {
    errors_.Add(PathOf(key), std::string("must be a string, got ") + TypeName(*field));
    return {};
  }
  const auto& text = field->get_ref<const std::string&>();
  if (text.empty() && !allow_empty) {
    errors_.Add(PathOf(key), "must not be empty");
    return {};
  }
  if (text.size() > max_length) {
    errors_.Add(PathOf(key), "is longer than " + std::to_string(max_length) + " characters");
    return {};
  }
  return text;
}

std::optional<std::string> ObjectReader::OptionalString(std::string_view key,
                                                        std::size_t max_length) {
  if (!is_object_) return std::nullopt;
  const auto it = value_.find(key);
  if (it == value_.end() || it->is_null()) {
    consumed_.emplace(key);
    return std::nullopt;
  }
  return RequiredString(key, max_length);
}

std::int64_t ObjectReader::RequiredInt(std::string_view key, std::int64_t min, std::int64_t max) {
  const nlohmann::json* field = Find(key, true);
  if (field == nullptr) return min;
  if (!field->is_number_integer()) {
    errors_.Add(PathOf(key), std::string("must be an integer, got ") + TypeName(*field));
    return min;
  }
  // An unsigned value above INT64_MAX would wrap if read as signed.
  if (field->is_number_unsigned() &&
      field->get<std::uint64_t>() > static_cast<std::uint64_t>(max)) {
    errors_.Add(PathOf(key), "must be at most " + std::to_string(max));
    return min;
  }
  const auto number = field->get<std::int64_t>();
  if (number < min || number > max) {
    errors_.Add(PathOf(key), "must be between " + std::to_string(min) + " and " +
                                 std::to_string(max) + ", got " + std::to_string(number));
    return min;
  }
  return number;
}

std::optional<std::int64_t> ObjectReader::OptionalInt(std::string_view key, std::int64_t min,
                                                      std::int64_t max) {
  if (!is_object_) return std::nullopt;
  const auto it = value_.find(key);
  if (it == value_.end() || it->is_null()) {
    consumed_.emplace(key);
    return std::nullopt;
  }
  return RequiredInt(key, min, max);
}

bool ObjectReader::RequiredBool(std::string_view key) {
  const nlohmann::json* field = Find(key, true);
  if (field == nullptr) return false;
  if (!field->is_boolean()) {
    errors_.Add(PathOf(key), std::string("must be true or false, got ") + TypeName(*field));
    return false;
  }
  return field->get<bool>();
}

std::optional<bool> ObjectReader::OptionalBool(std::string_view key) {
  if (!is_object_) return std::nullopt;
  const auto it = value_.find(key);
  if (it == value_.end() || it->is_null()) {
    consumed_.emplace(key);
    return std::nullopt;
  }
  return RequiredBool(key);
}

void ObjectReader::ForEachObject(std::string_view key, std::size_t min_items,
                                 std::size_t max_items,
                                 const std::function<void(ObjectReader&, std::size_t)>& read) {
  const nlohmann::json* field = Find(key, true);
  if (field == nullptr) return;
  if (!field->is_array()) {
    errors_.Add(PathOf(key), std::string("must be an array, got ") + TypeName(*field));
    return;
  }
  if (field->size() < min_items) {
    errors_.Add(PathOf(key), "must have at least " + std::to_string(min_items) + " item(s)");
    return;
  }
  if (field->size() > max_items) {
    errors_.Add(PathOf(key), "must have at most " + std::to_string(max_items) + " items");
    return;
  }
  for (std::size_t i = 0; i < field->size() && errors_.ok(); ++i) {
    ObjectReader element((*field)[i], PathOf(key) + "[" + std::to_string(i) + "]", errors_);
    read(element, i);
    element.Finish();
  }
}

void ObjectReader::ForEachOptionalObject(
    std::string_view key, std::size_t max_items,
    const std::function<void(ObjectReader&, std::size_t)>& read) {
  if (!is_object_) return;
  const auto it = value_.find(key);
  if (it == value_.end() || it->is_null()) {
    consumed_.emplace(key);
    return;
  }
  ForEachObject(key, 0, max_items, read);
}

void ObjectReader::WithObject(std::string_view key,
                              const std::function<void(ObjectReader&)>& read) {
  const nlohmann::json* field = Find(key, true);
  if (field == nullptr) return;
  ObjectReader nested(*field, PathOf(key), errors_);
  read(nested);
  nested.Finish();
}

void ObjectReader::Finish() {
  if (!is_object_ || !errors_.ok()) return;
  for (const auto& [key, unused] : value_.items()) {
    if (!consumed_.contains(key)) {
      errors_.Add(PathOf(key), "unknown field");
      return;
    }
  }
}

Result<nlohmann::json> ParseJson(std::string_view text, int max_depth) {
  int depth = 0;
  bool too_deep = false;
  // The parser callback sees every object and array start; refusing there stops the
  // parse before a deeply nested document is built.
  const nlohmann::json::parser_callback_t limit_depth =
      [&](int, nlohmann::json::parse_event_t event, nlohmann::json&) {
        if (event == nlohmann::json::parse_event_t::object_start ||
            event == nlohmann::json::parse_event_t::array_start) {
          if (++depth > max_depth) too_deep = true;
        } else if (event == nlohmann::json::parse_event_t::object_end ||
                   event == nlohmann::json::parse_event_t::array_end) {
          --depth;
        }
        return !too_deep;
      };
  nlohmann::json value = nlohmann::json::parse(text, limit_depth, /*allow_exceptions=*/false);
  if (too_deep) {
    return InvalidArgument("body", "JSON nested deeper than " + std::to_string(max_depth) +
                                       " levels");
  }
  if (value.is_discarded()) return InvalidArgument("body", "not valid JSON");
  return value;
}

}  // namespace loyalty::codec
