// Routes requests to handlers by method and path pattern ("/v1/cards/{card_number}"),
// and is the one place where a handler's Error becomes an HTTP status and the JSON body
// {"error":{"code","message","field"}}.
#pragma once

#include <boost/beast/http/verb.hpp>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "loyalty/core/result.h"

namespace loyalty::server::http {

using Verb = boost::beast::http::verb;

struct Request {
  Verb method = Verb::get;
  std::string path;  // without the query string
  std::map<std::string, std::string> query;
  std::map<std::string, std::string> params;   // from the {names} in the route pattern
  std::map<std::string, std::string> headers;  // names in lower case
  std::string body;
  std::string remote_address;
};

struct Response {
  unsigned status = 200;
  std::string content_type = "application/json";
  std::string body;
  // Further headers, e.g. Set-Cookie or Retry-After.
  std::vector<std::pair<std::string, std::string>> headers;

  static Response Json(const nlohmann::json& json, unsigned status = 200);
};

using Handler = std::function<Result<Response>(const Request&)>;
// Answers once, possibly later and from another thread (e.g. after a group commit).
using Reply = std::function<void(Result<Response>)>;
using AsyncHandler = std::function<void(const Request&, Reply)>;

unsigned HttpStatusFor(ErrorCode code);
Response ErrorResponse(const Error& error);

class Router {
 public:
  struct Route {
    Verb method;
    std::string pattern;
  };

  void Add(Verb method, std::string pattern, Handler handler);
  void AddAsync(Verb method, std::string pattern, AsyncHandler handler);

  // Runs the matching handler and calls `respond` exactly once, with the response and
  // the matched route pattern (for logs and metrics, which must never carry the card
  // number that is in the path): 404 for an unknown path, 405 for a known path with
  // another method. `request` stays alive until `respond` has run.
  using Respond = std::function<void(Response, const std::string& route)>;
  void Dispatch(std::shared_ptr<Request> request, Respond respond) const;

  std::vector<Route> Routes() const;

 private:
  struct Entry {
    Route route;
    std::vector<std::string> segments;
    AsyncHandler handler;
  };
  std::vector<Entry> entries_;
};

}  // namespace loyalty::server::http
