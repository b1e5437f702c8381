#include "loyalty/core/result.h"

namespace loyalty {

const char* ErrorCodeName(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument: return "invalid_argument";
    case ErrorCode::kNotFound: return "not_found";
    case ErrorCode::kAlreadyExists: return "already_exists";
    case ErrorCode::kConflict: return "conflict";
    case ErrorCode::kUnauthenticated: return "unauthenticated";
    case ErrorCode::kPermissionDenied: return "permission_denied";
    case ErrorCode::kUnavailable: return "unavailable";
    case ErrorCode::kTimeout: return "timeout";
    case ErrorCode::kResourceExhausted: return "resource_exhausted";
    case ErrorCode::kInternal: return "internal";
  }
  return "internal";
}

std::string Error::ToString() const {
  std::string text = ErrorCodeName(code);
  if (!field.empty()) text += " (" + field + ")";
  text += ": " + message;
  return text;
}

Error InvalidArgument(std::string field, std::string message) {
  return Error{ErrorCode::kInvalidArgument, std::move(message), std::move(field)};
}
Error NotFound(std::string message) { return Error{ErrorCode::kNotFound, std::move(message), {}}; }
Error Conflict(std::string message) { return Error{ErrorCode::kConflict, std::move(message), {}}; }
Error Unavailable(std::string message) {
  return Error{ErrorCode::kUnavailable, std::move(message), {}};
}
Error Internal(std::string message) { return Error{ErrorCode::kInternal, std::move(message), {}}; }

}  // namespace loyalty
