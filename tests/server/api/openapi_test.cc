// docs/api/openapi.yaml describes exactly the routes the server mounts: the router that
// AddAllRoutes builds (as main() does) is compared with the file's `paths:` both ways.
#include <gtest/gtest.h>

#include <boost/beast/http/verb.hpp>
#include <cctype>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include "api/routes.h"
#include "loyalty/crypto/ed25519.h"
#include "ops/metrics.h"
#include "storage/sqlite_store.h"
#include "support/temp_dir.h"
#include "support/source_dir.h"
#include "targeting/next_visit_planner.h"

namespace loyalty::server {
namespace {

// "GET /v1/cards/{card_number}"
using RouteSet = std::set<std::string>;

std::string RouteName(std::string method, const std::string& pattern) {
  for (auto& c : method) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return method + " " + pattern;
}

bool IsHttpMethod(const std::string& key) {
  static const std::set<std::string> kMethods = {"get",   "put",  "post",    "delete",
                                                 "patch", "head", "options", "trace"};
  return kMethods.contains(key);
}

// The operations under `paths:`. Not a YAML parser (the project has no YAML library and
// does not need one for this): a line-based reader of the layout the file keeps, a path
// key indented two spaces under a column-0 `paths:` and its method keys indented four.
// Keys that are not HTTP methods at that depth (`parameters:`, `summary:`) are skipped;
// the section ends at the next column-0 key. Flow style (`/x: {get: ...}`) is not read,
// so the file must not use it for paths, and the test fails if it finds no paths at all.
RouteSet ReadOpenApiRoutes(std::istream& yaml) {
  RouteSet routes;
  bool in_paths = false;
  std::string path;
  for (std::string line; std::getline(yaml, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    const auto first = line.find_first_not_of(' ');
    if (first == std::string::npos || line[first] == '#') continue;
    if (first == 0) {
      in_paths = line.starts_with("paths:");
      path.clear();
      continue;
    }
    if (!in_paths || (first != 2 && first != 4)) continue;
    // The key ends at the first ':' that ends the line or is followed by a space, after
    // a closing quote if the key is quoted.
    std::size_t key_start = first;
    std::size_t search_from = first;
    if (line[first] == '"' || line[first] == '\'') {
      const auto close = line.find(line[first], first + 1);
      if (close == std::string::npos) continue;
      key_start = first + 1;
      search_from = close;
    }
    std::size_t colon = line.find(':', search_from);
    while (colon != std::string::npos && colon + 1 < line.size() && line[colon + 1] != ' ') {
      colon = line.find(':', colon + 1);
    }
    if (colon == std::string::npos) continue;
    std::size_t key_end = colon;
    if (key_start != first) key_end = search_from;
    const std::string key = line.substr(key_start, key_end - key_start);
    if (first == 2) {
      path = key.starts_with('/') ? key : "";
    } else if (first == 4 && !path.empty() && IsHttpMethod(key)) {
      routes.insert(RouteName(key, path));
    }
  }
  return routes;
}

RouteSet RouterRoutes() {
  testing::TempDir dir;
  const TopCategoryPlanner planner;
  const crypto::SigningKey key = crypto::SigningKey::Generate();
  SqliteStore store(dir.File("server.db"), planner, key);
  ops::Registry metrics;
  http::Router router;
  auth::LoginThrottle throttle;
  const PortalFiles portal_files;
  AddAllRoutes(router, store, key.verify_key(), metrics, throttle, [] {}, portal_files);
  RouteSet routes;
  for (const auto& route : router.Routes()) {
    routes.insert(
        RouteName(std::string(boost::beast::http::to_string(route.method)), route.pattern));
  }
  return routes;
}

std::string Join(const RouteSet& routes) {
  std::string text;
  for (const auto& route : routes) text += "\n  " + route;
  return text;
}

TEST(OpenApi, ReaderFindsPathsAndMethodsAndSkipsOtherKeys) {
  std::istringstream yaml(R"(openapi: 3.0.3
paths:
  /healthz:
    get:
      responses:
        "200": {description: up}
  "/v1/cards/{card_number}":
    parameters:
      - name: card_number
    get: {summary: x}
    post:
      description: |
        delete:
components:
  schemas:
    get:
      type: object
)");
  EXPECT_EQ(ReadOpenApiRoutes(yaml), (RouteSet{"GET /healthz", "GET /v1/cards/{card_number}",
                                               "POST /v1/cards/{card_number}"}));
}

TEST(OpenApi, DocumentsEveryRouteTheServerMountsAndNoOther) {
  const std::string file = testing::SourceDir() + "/docs/api/openapi.yaml";
  std::ifstream yaml(file);
  ASSERT_TRUE(yaml) << "cannot read " << file;
  const RouteSet documented = ReadOpenApiRoutes(yaml);
  const RouteSet served = RouterRoutes();
  ASSERT_FALSE(documented.empty()) << "no paths read from " << file;
  ASSERT_FALSE(served.empty());

  RouteSet undocumented;
  for (const auto& route : served) {
    if (!documented.contains(route)) undocumented.insert(route);
  }
  RouteSet not_served;
  for (const auto& route : documented) {
    if (!served.contains(route)) not_served.insert(route);
  }
  EXPECT_TRUE(undocumented.empty())
      << "routes the server mounts that " << file << " does not describe:" << Join(undocumented);
  EXPECT_TRUE(not_served.empty()) << "routes " << file
                                  << " describes that the server does not mount:"
                                  << Join(not_served);
}

}  // namespace
}  // namespace loyalty::server
