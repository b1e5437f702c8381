#include "http/router.h"

#include <atomic>

#include "loyalty/core/log.h"

namespace loyalty::server::http {
namespace {

std::vector<std::string> SplitPath(const std::string& path) {
  std::vector<std::string> segments;
  std::size_t start = 1;
  while (start <= path.size()) {
    const std::size_t end = path.find('/', start);
    segments.push_back(path.substr(start, end == std::string::npos ? end : end - start));
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return segments;
}

bool Match(const std::vector<std::string>& pattern, const std::vector<std::string>& path,
           std::map<std::string, std::string>& params) {
  if (pattern.size() != path.size()) return false;
  std::map<std::string, std::string> found;
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    const auto& segment = pattern[i];
    if (segment.size() > 2 && segment.front() == '{' && segment.back() == '}') {
      if (path[i].empty()) return false;
      found[segment.substr(1, segment.size() - 2)] = path[i];
    } else if (segment != path[i]) {
      return false;
    }
  }
  params = std::move(found);
  return true;
}

}  // namespace

Response Response::Json(const nlohmann::json& json, unsigned status) {
  Response response;
  response.status = status;
  response.body = json.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return response;
}

unsigned HttpStatusFor(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument:
      return 400;
    case ErrorCode::kUnauthenticated:
      return 401;
    case ErrorCode::kPermissionDenied:
      return 403;
    case ErrorCode::kNotFound:
      return 404;
    case ErrorCode::kAlreadyExists:
    case ErrorCode::kConflict:
      return 409;
    case ErrorCode::kUnavailable:
      return 503;
    case ErrorCode::kTimeout:
      return 504;
    case ErrorCode::kResourceExhausted:
      return 429;
    case ErrorCode::kInternal:
      return 500;
  }
  return 500;
}

Response ErrorResponse(const Error& error) {
  nlohmann::json body = {
      {"error", {{"code", ErrorCodeName(error.code)}, {"message", error.message}}}};
  if (!error.field.empty()) body["error"]["field"] = error.field;
  return Response::Json(body, HttpStatusFor(error.code));
}

void Router::Add(Verb method, std::string pattern, Handler handler) {
  AddAsync(method, std::move(pattern),
           [handler = std::move(handler)](const Request& request, Reply reply) {
             reply(handler(request));
           });
}

void Router::AddAsync(Verb method, std::string pattern, AsyncHandler handler) {
  auto segments = SplitPath(pattern);
  entries_.push_back(
      Entry{Route{method, std::move(pattern)}, std::move(segments), std::move(handler)});
}

void Router::Dispatch(std::shared_ptr<Request> request, Respond respond) const {
  const auto path = SplitPath(request->path);
  bool path_known = false;
  std::string known_route;
  for (const auto& entry : entries_) {
    std::map<std::string, std::string> params;
    if (!Match(entry.segments, path, params)) continue;
    path_known = true;
    known_route = entry.route.pattern;
    if (entry.route.method != request->method) continue;
    request->params = std::move(params);
    const std::string& route = entry.route.pattern;
    // Exactly one answer per request, even from a handler that replies and then throws.
    auto answered = std::make_shared<std::atomic<bool>>(false);
    auto reply = [request, respond, route, answered](Result<Response> result) {
      if (answered->exchange(true)) return;
      respond(result.ok() ? std::move(result).value() : ErrorResponse(result.error()), route);
    };
    try {
      entry.handler(*request, std::move(reply));
    } catch (const std::exception& e) {
      // A handler throws only when it cannot go on (a broken database); the client
      // gets a 500 without internals, the log gets the cause.
      log::Error("handler failed", {{"route", route}, {"error", e.what()}});
      if (!answered->exchange(true)) {
        respond(ErrorResponse(Internal("internal error; the server log has the details")), route);
      }
    }
    return;
  }
  if (path_known) {
    Response response =
        ErrorResponse(Error{ErrorCode::kInvalidArgument, "method not allowed on this path", {}});
    response.status = 405;
    return respond(std::move(response), known_route);
  }
  respond(ErrorResponse(NotFound("no such path")), "unmatched");
}

std::vector<Router::Route> Router::Routes() const {
  std::vector<Route> routes;
  for (const auto& entry : entries_) routes.push_back(entry.route);
  return routes;
}

}  // namespace loyalty::server::http
