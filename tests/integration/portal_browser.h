// Runs one of the portal's browser scripts (tests/integration/*.mjs, built on
// portal_browser_lib.mjs) with node and Debian's chromium against a ServerHarness.
// Screenshots land in LOYALTY_PORTAL_ARTIFACTS/<engine>/<area>/. A missing node, chromium
// or playwright-core fails the test with what to run: it never skips.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <sstream>
#include <string>
#include <vector>

#include "integration/server_harness.h"

namespace loyalty::testing {

inline constexpr char kChromiumPath[] = "/usr/bin/chromium";

struct BrowserRun {
  int status = -1;
  std::string log;          // the script's stderr and stdout
  std::string screenshots;  // the folder the script wrote to
};

// Asserts the tools exist, then runs `node <script> --url ... --chromium ...
// --screenshots ... <args>` and waits up to 3 minutes.
inline void RunPortalBrowser(const std::string& script, const std::string& area,
                             const ServerHarness& server, const TempDir& dir,
                             const std::vector<std::string>& args, BrowserRun& run) {
  ASSERT_EQ(::access(LOYALTY_NODE_PATH, X_OK), 0)
      << "node not found at '" << LOYALTY_NODE_PATH << "': run scripts/bootstrap";
  ASSERT_EQ(::access(kChromiumPath, X_OK), 0) << kChromiumPath << " missing: run scripts/bootstrap";
  const std::string source = SourceDir();
  ASSERT_TRUE(std::filesystem::exists(source + "/node_modules/playwright-core/package.json"))
      << "playwright-core missing: run 'npm ci' in " << source << " (scripts/build does)";

  run.screenshots = std::string(LOYALTY_PORTAL_ARTIFACTS) + "/" +
                    EngineName(IntegrationEngine()) + "/" + area;
  std::filesystem::remove_all(run.screenshots);
  std::vector<std::string> command = {LOYALTY_NODE_PATH,
                                      source + "/tests/integration/" + script,
                                      "--url",
                                      server.url(),
                                      "--chromium",
                                      kChromiumPath,
                                      "--screenshots",
                                      run.screenshots};
  command.insert(command.end(), args.begin(), args.end());
  const std::string log_file = dir.File(area + "-browser.log");
  ChildProcess browser(std::move(command), log_file);
  run.status = browser.Wait(180s);
  std::ifstream log(log_file);
  std::stringstream text;
  text << log.rdbuf();
  run.log = text.str();
}

// Expects `run` to have passed and to have left each of `screenshots` in its folder.
inline void ExpectBrowserRunPassed(const BrowserRun& run,
                                   std::initializer_list<const char*> screenshots) {
  EXPECT_EQ(run.status, 0) << "the browser run failed (screenshots in " << run.screenshots
                           << "):\n"
                           << run.log;
  for (const char* shot : screenshots) {
    EXPECT_TRUE(std::filesystem::exists(run.screenshots + "/" + shot)) << shot;
  }
}

}  // namespace loyalty::testing
