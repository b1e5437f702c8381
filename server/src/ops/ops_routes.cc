#include "ops/ops_routes.h"

namespace loyalty::server {

void AddOpsRoutes(http::Router& router, ops::Registry& metrics, std::function<void()> refresh) {
  router.Add(http::Verb::get, "/healthz", [](const http::Request&) -> Result<http::Response> {
    return http::Response::Json({{"status", "ok"}});
  });
  router.Add(
      http::Verb::get, "/metrics",
      [&metrics, refresh = std::move(refresh)](const http::Request&) -> Result<http::Response> {
        if (refresh) refresh();
        http::Response response;
        response.content_type = "text/plain; version=0.0.4; charset=utf-8";
        response.body = metrics.Render();
        return response;
      });
}

}  // namespace loyalty::server
