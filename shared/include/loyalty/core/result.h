// Status and Result<T>: expected failures as values (bad input, not found, a device
// that timed out). Exceptions are kept for what cannot continue.
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace loyalty {

// What kind of failure; the HTTP layer maps each code to one status.
enum class ErrorCode {
  kInvalidArgument,  // bad input: a field is missing, mistyped or out of range
  kNotFound,
  kAlreadyExists,
  kConflict,         // valid input that contradicts stored state
  kUnauthenticated,
  kPermissionDenied,
  kUnavailable,      // a peer (server, device) cannot be reached now; retrying may help
  kTimeout,
  kResourceExhausted,  // too many requests (failed logins): wait and try again
  kInternal,
};

const char* ErrorCodeName(ErrorCode code);

// One failure: a code, a sentence for a person, and, for bad input, the path of the
// offending field ("lines[2].quantity") so clients can point at it.
struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;
  std::string field;

  std::string ToString() const;
};

Error InvalidArgument(std::string field, std::string message);
Error NotFound(std::string message);
Error Conflict(std::string message);
Error Unavailable(std::string message);
Error Internal(std::string message);

// Result of an operation that produces nothing but may fail.
class [[nodiscard]] Status {
 public:
  Status() = default;  // success
  Status(Error error) : error_(std::move(error)) {}  // NOLINT: implicit by design

  bool ok() const { return !error_.has_value(); }
  explicit operator bool() const { return ok(); }
  const Error& error() const {
    assert(!ok());
    return *error_;
  }

 private:
  std::optional<Error> error_;
};

// Either a value or an Error. Access the value only after checking ok().
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::move(value)) {}      // NOLINT: implicit by design
  Result(Error error) : state_(std::move(error)) {}  // NOLINT: implicit by design

  bool ok() const { return std::holds_alternative<T>(state_); }
  explicit operator bool() const { return ok(); }

  const T& value() const& {
    assert(ok());
    return std::get<T>(state_);
  }
  T& value() & {
    assert(ok());
    return std::get<T>(state_);
  }
  T&& value() && {
    assert(ok());
    return std::get<T>(std::move(state_));
  }
  const T& operator*() const& { return value(); }
  T& operator*() & { return value(); }
  const T* operator->() const { return &value(); }
  T* operator->() { return &value(); }

  const Error& error() const {
    assert(!ok());
    return std::get<Error>(state_);
  }
  Status status() const { return ok() ? Status() : Status(error()); }

 private:
  std::variant<T, Error> state_;
};

}  // namespace loyalty
