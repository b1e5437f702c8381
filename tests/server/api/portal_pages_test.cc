// The portal's static files: types, security and caching headers, 304 on a current copy,
// nothing outside index.html and assets/ ever served whatever the path, and a 503 that
// names the folder when the files are not installed.
#include "api/portal_pages.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "support/temp_dir.h"

namespace loyalty::server {
namespace {

void Write(const std::filesystem::path& path, const std::string& text) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream(path) << text;
}

std::string HeaderOf(const http::Response& response, const std::string& name) {
  for (const auto& [key, value] : response.headers) {
    if (key == name) return value;
  }
  return "";
}

class PortalPagesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::filesystem::path portal = dir_.File("portal");
    Write(portal / "index.html", "<!doctype html><title>portal</title>");
    Write(portal / "assets/app.js", "export default 1;");
    Write(portal / "assets/portal.css", "body{}");
    Write(portal / "assets/notes.txt", "not a type the portal serves");
    Write(portal / "assets/nested/deep.js", "export default 2;");
    Write(portal / "secret.js", "outside assets/");
    Write(dir_.File("outside.js"), "outside the folder");
    files_ = PortalFiles::Load(portal);
    AddPortalPageRoutes(router_, files_);
  }

  http::Response Get(const std::string& path, const std::string& if_none_match = "") {
    auto request = std::make_shared<http::Request>();
    request->path = path;
    if (!if_none_match.empty()) request->headers["if-none-match"] = if_none_match;
    http::Response response;
    router_.Dispatch(request, [&](http::Response answer, const std::string&) {
      response = std::move(answer);
    });
    return response;
  }

  testing::TempDir dir_;
  PortalFiles files_;
  http::Router router_;
};

TEST_F(PortalPagesTest, ServesTheAppWithItsTypesAndAStrictPolicy) {
  const auto index = Get("/portal/");
  EXPECT_EQ(index.status, 200u);
  EXPECT_EQ(index.content_type, "text/html; charset=utf-8");
  EXPECT_EQ(index.body, "<!doctype html><title>portal</title>");
  const std::string policy = HeaderOf(index, "Content-Security-Policy");
  EXPECT_NE(policy.find("default-src 'none'"), std::string::npos);
  EXPECT_NE(policy.find("script-src 'self';"), std::string::npos);
  EXPECT_EQ(policy.find("unsafe-inline"), std::string::npos);
  EXPECT_EQ(policy.find("http"), std::string::npos) << "no other origin";
  EXPECT_EQ(HeaderOf(index, "X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(HeaderOf(index, "Cache-Control"), "no-cache");

  EXPECT_EQ(Get("/portal/assets/app.js").content_type, "text/javascript; charset=utf-8");
  EXPECT_EQ(Get("/portal/assets/app.js").body, "export default 1;");
  EXPECT_EQ(Get("/portal/assets/portal.css").content_type, "text/css; charset=utf-8");
  const auto redirect = Get("/portal");
  EXPECT_EQ(redirect.status, 308u);
  EXPECT_EQ(HeaderOf(redirect, "Location"), "/portal/");
}

TEST_F(PortalPagesTest, AnswersNotModifiedWhileTheBrowsersCopyIsCurrent) {
  const auto first = Get("/portal/assets/app.js");
  const std::string etag = HeaderOf(first, "ETag");
  ASSERT_FALSE(etag.empty());
  const auto again = Get("/portal/assets/app.js", etag);
  EXPECT_EQ(again.status, 304u);
  EXPECT_TRUE(again.body.empty());
  EXPECT_EQ(Get("/portal/assets/app.js", "\"something else\"").status, 200u);
  EXPECT_NE(HeaderOf(Get("/portal/assets/portal.css"), "ETag"), etag);
}

TEST_F(PortalPagesTest, ServesNothingOutsideTheAppsFiles) {
  for (const char* path :
       {"/portal/assets/..", "/portal/assets/../secret.js", "/portal/assets/..%2Fsecret.js",
        "/portal/assets/..%2f..%2foutside.js", "/portal/assets/%2e%2e%2fsecret.js",
        "/portal/assets/nested/deep.js", "/portal/assets/nested", "/portal/assets/notes.txt",
        "/portal/assets/.", "/portal/assets/", "/portal/secret.js", "/portal/index.html",
        "/portal/assets/index.html", "/portal/assets/app.js/", "/portal//assets/app.js",
        "/portal/assets/app.js%00.txt", "/portal/assets/APP.JS"}) {
    const auto response = Get(path);
    EXPECT_EQ(response.status, 404u) << path;
    EXPECT_EQ(response.body.find("outside"), std::string::npos) << path;
    EXPECT_EQ(response.body.find("export default"), std::string::npos) << path;
  }
}

TEST(PortalPages, WithoutItsFilesThePortalSaysWhereItLooked) {
  testing::TempDir dir;
  const PortalFiles files = PortalFiles::Load(dir.File("missing"));
  http::Router router;
  AddPortalPageRoutes(router, files);
  auto request = std::make_shared<http::Request>();
  request->path = "/portal/";
  http::Response response;
  router.Dispatch(request, [&](http::Response answer, const std::string&) {
    response = std::move(answer);
  });
  EXPECT_EQ(response.status, 503u);
  EXPECT_NE(response.body.find(dir.File("missing")), std::string::npos) << response.body;
}

}  // namespace
}  // namespace loyalty::server
