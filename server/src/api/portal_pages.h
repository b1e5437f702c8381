// The portal's web app: index.html and the files under assets/ (ES modules, CSS, the
// charting library), read once at start from a folder and served from memory under
// /portal/. Only files found at start are ever served, so no request path can reach
// outside the folder; a restart picks up new files.
#pragma once

#include <filesystem>
#include <map>
#include <string>

#include "http/router.h"

namespace loyalty::server {

class PortalFiles {
 public:
  struct File {
    std::string content_type;
    std::string body;
    std::string etag;  // quoted, from the content's SHA-256
  };

  // Reads `folder`/index.html and the regular files directly in `folder`/assets with a
  // known type (.html .js .css .svg .png .ico .json .map); other files are ignored. A
  // missing folder gives an empty set: the API still works, the pages answer 503.
  static PortalFiles Load(const std::filesystem::path& folder);

  // "index.html" or "assets/NAME"; nullptr when not loaded.
  const File* Find(const std::string& name) const;
  bool empty() const { return files_.empty(); }
  const std::string& folder() const { return folder_; }

 private:
  std::string folder_;
  std::map<std::string, File> files_;
};

// The Content-Security-Policy of every portal page: scripts, styles and data from the
// server itself only (a store's network may have no internet), no inline script.
inline constexpr char kPortalContentSecurityPolicy[] =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'";

// GET /portal (a redirect), GET /portal/ (the app) and GET /portal/assets/{file}.
// `files` must outlive the router.
void AddPortalPageRoutes(http::Router& router, const PortalFiles& files);

}  // namespace loyalty::server
