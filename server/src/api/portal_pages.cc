#include "api/portal_pages.h"

#include <fstream>
#include <sstream>

#include "loyalty/core/log.h"
#include "loyalty/crypto/hash.h"

namespace loyalty::server {
namespace {

const std::map<std::string, std::string>& ContentTypes() {
  static const std::map<std::string, std::string> kTypes = {
      {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".ico", "image/x-icon"},
      {".json", "application/json"},
      {".map", "application/json"}};
  return kTypes;
}

std::optional<PortalFiles::File> ReadFile(const std::filesystem::path& path) {
  const auto type = ContentTypes().find(path.extension().string());
  if (type == ContentTypes().end()) return std::nullopt;
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::stringstream body;
  body << in.rdbuf();
  PortalFiles::File file{type->second, body.str(), {}};
  file.etag = "\"" + crypto::Sha256Hex(file.body).substr(0, 32) + "\"";
  return file;
}

http::Response Serve(const PortalFiles& files, const std::string& name,
                     const http::Request& request) {
  const PortalFiles::File* file = files.Find(name);
  if (file == nullptr) {
    if (files.empty()) {
      return http::ErrorResponse(Unavailable("the portal's files are not installed in " +
                                             files.folder() + " (portal.static_dir)"));
    }
    return http::ErrorResponse(NotFound("no such portal file"));
  }
  http::Response response;
  response.content_type = file->content_type;
  // Files keep their names across releases, so the browser asks each time and gets a
  // 304 while its copy is current: never a new page with an old module.
  response.headers = {{"Cache-Control", "no-cache"},
                      {"ETag", file->etag},
                      {"Content-Security-Policy", kPortalContentSecurityPolicy},
                      {"X-Content-Type-Options", "nosniff"},
                      {"X-Frame-Options", "DENY"},
                      {"Referrer-Policy", "no-referrer"}};
  if (const auto it = request.headers.find("if-none-match");
      it != request.headers.end() && it->second == file->etag) {
    response.status = 304;
    return response;
  }
  response.body = file->body;
  return response;
}

}  // namespace

PortalFiles PortalFiles::Load(const std::filesystem::path& folder) {
  PortalFiles files;
  files.folder_ = folder.string();
  std::error_code ec;
  if (auto index = ReadFile(folder / "index.html")) files.files_["index.html"] = std::move(*index);
  for (const auto& entry : std::filesystem::directory_iterator(folder / "assets", ec)) {
    if (!entry.is_regular_file(ec)) continue;
    if (auto file = ReadFile(entry.path())) {
      files.files_["assets/" + entry.path().filename().string()] = std::move(*file);
    }
  }
  if (files.files_.empty()) {
    log::Warn("portal files not found: the portal's pages answer 503",
              {{"portal_static_dir", files.folder_}});
  }
  return files;
}

const PortalFiles::File* PortalFiles::Find(const std::string& name) const {
  const auto it = files_.find(name);
  return it == files_.end() ? nullptr : &it->second;
}

void AddPortalPageRoutes(http::Router& router, const PortalFiles& files) {
  router.Add(http::Verb::get, "/portal", [](const http::Request&) -> Result<http::Response> {
    http::Response response;
    response.status = 308;
    response.content_type = "text/plain; charset=utf-8";
    response.headers = {{"Location", "/portal/"}};
    return response;
  });
  router.Add(http::Verb::get, "/portal/",
             [&files](const http::Request& request) -> Result<http::Response> {
               return Serve(files, "index.html", request);
             });
  router.Add(http::Verb::get, "/portal/assets/{file}",
             [&files](const http::Request& request) -> Result<http::Response> {
               return Serve(files, "assets/" + request.params.at("file"), request);
             });
}

}  // namespace loyalty::server
