#include "app/config.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

namespace loyalty::server {
namespace {

Result<Config> Load(std::vector<std::string> arguments) {
  auto args = Args::Parse(arguments, {"config", "data-dir", "storage-url", "threads"}, {});
  EXPECT_TRUE(args.ok());
  return LoadConfig(*args);
}

TEST(ConfigStorageUrl, DefaultsToTheSqliteFileInTheDataDirectory) {
  auto config = Load({"--data-dir", "/var/lib/loyalty"});
  ASSERT_TRUE(config.ok());
  EXPECT_EQ(config->StoreDatabaseUrl(), "sqlite:///var/lib/loyalty/loyalty.db");
}

TEST(ConfigStorageUrl, TheFlagOverridesTheEnvironment) {
  ::setenv("LOYALTY_STORAGE_URL", "sqlite:///tmp/from-env.db", 1);
  auto from_env = Load({});
  auto from_flag = Load({"--storage-url", "postgresql://loyalty@db/loyalty"});
  ::unsetenv("LOYALTY_STORAGE_URL");
  ASSERT_TRUE(from_env.ok());
  EXPECT_EQ(from_env->StoreDatabaseUrl(), "sqlite:///tmp/from-env.db");
  ASSERT_TRUE(from_flag.ok());
  EXPECT_EQ(from_flag->StoreDatabaseUrl(), "postgresql://loyalty@db/loyalty");
}

TEST(ConfigStorageUrl, ABadUrlStopsTheStartNamingTheKey) {
  auto config = Load({"--storage-url", "oracle://db/loyalty"});
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.error().field, "storage.url");
  EXPECT_NE(config.error().message.find("'oracle' is not a storage engine"), std::string::npos);
}

TEST(ConfigPortal, TheWebAppDefaultsToTheFolderBesideTheBinary) {
  auto config = Load({});
  ASSERT_TRUE(config.ok());
  std::error_code ec;
  const auto binary = std::filesystem::read_symlink("/proc/self/exe", ec);
  ASSERT_FALSE(ec);
  EXPECT_EQ(config->PortalStaticDir(), (binary.parent_path() / "portal").string());
}

TEST(ConfigPortal, TheFileSetsTheFolderAndAnUnknownKeyIsNamed) {
  const auto path = std::filesystem::temp_directory_path() / "loyalty-config-portal-test.json";
  std::ofstream(path) << R"({"portal": {"static_dir": "/srv/loyalty/portal"}})";
  auto config = Load({"--config", path.string()});
  ASSERT_TRUE(config.ok()) << config.error().ToString();
  EXPECT_EQ(config->PortalStaticDir(), "/srv/loyalty/portal");

  std::ofstream(path) << R"({"portal": {"static_folder": "/srv"}})";
  auto unknown = Load({"--config", path.string()});
  std::filesystem::remove(path);
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.error().field.find("static_folder"), std::string::npos)
      << unknown.error().ToString();
}

}  // namespace
}  // namespace loyalty::server
