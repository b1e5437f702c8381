#include "loyalty/core/args.h"

#include <cstdlib>

#include <gtest/gtest.h>

namespace loyalty {
namespace {

const std::set<std::string> kValues = {"db", "port"};
const std::set<std::string> kFlags = {"verbose"};

TEST(Args, ReadsValuesInBothForms) {
  auto args = Args::Parse({"--db", "/tmp/x.db", "--port=8443"}, kValues, kFlags);
  ASSERT_TRUE(args.ok()) << args.error().ToString();
  EXPECT_EQ(args->Value("db"), "/tmp/x.db");
  EXPECT_EQ(args->Value("port"), "8443");
  EXPECT_FALSE(args->Flag("verbose"));
}

TEST(Args, ReadsFlagsAndPositionals) {
  auto args = Args::Parse({"import", "--verbose", "file.csv"}, kValues, kFlags);
  ASSERT_TRUE(args.ok());
  EXPECT_TRUE(args->Flag("verbose"));
  EXPECT_EQ(args->positional(), (std::vector<std::string>{"import", "file.csv"}));
  EXPECT_FALSE(args->Value("db").has_value());
}

TEST(Args, KeepsAnEmptyInlineValueAndTheLastRepeat) {
  auto args = Args::Parse({"--db=", "--port", "1", "--port", "2"}, kValues, kFlags);
  ASSERT_TRUE(args.ok());
  EXPECT_EQ(args->Value("db"), "");
  EXPECT_EQ(args->Value("port"), "2");
}

TEST(Args, TakesTheNextArgumentAsValueEvenIfItLooksLikeAnOption) {
  auto args = Args::Parse({"--db", "--verbose"}, kValues, kFlags);
  ASSERT_TRUE(args.ok());
  EXPECT_EQ(args->Value("db"), "--verbose");
  EXPECT_FALSE(args->Flag("verbose"));
}

TEST(Args, RejectsUnknownOptions) {
  auto args = Args::Parse({"--dbb", "x"}, kValues, kFlags);
  ASSERT_FALSE(args.ok());
  EXPECT_EQ(args.error().field, "--dbb");
  EXPECT_NE(args.error().message.find("unknown option"), std::string::npos);
}

TEST(Args, RejectsAMissingValue) {
  auto args = Args::Parse({"--port"}, kValues, kFlags);
  ASSERT_FALSE(args.ok());
  EXPECT_EQ(args.error().field, "--port");
}

TEST(Args, RejectsAValueForAFlag) {
  auto args = Args::Parse({"--verbose=yes"}, kValues, kFlags);
  ASSERT_FALSE(args.ok());
  EXPECT_EQ(args.error().field, "--verbose");
}

TEST(Args, ValueOrPrefersOptionThenEnvironmentThenFallback) {
  constexpr char kVariable[] = "LOYALTY_ARGS_TEST_DB";
  ::unsetenv(kVariable);
  auto none = Args::Parse({}, kValues, kFlags);
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->ValueOr("db", kVariable, "fallback.db"), "fallback.db");
  EXPECT_EQ(none->ValueOr("db", nullptr, "fallback.db"), "fallback.db");
  ::setenv(kVariable, "env.db", 1);
  EXPECT_EQ(none->ValueOr("db", kVariable, "fallback.db"), "env.db");
  auto given = Args::Parse({"--db=option.db"}, kValues, kFlags);
  ASSERT_TRUE(given.ok());
  EXPECT_EQ(given->ValueOr("db", kVariable, "fallback.db"), "option.db");
  ::unsetenv(kVariable);
}

}  // namespace
}  // namespace loyalty

#include "loyalty/core/number.h"

namespace loyalty {
namespace {

TEST(ParseWholeNumber, TakesDigitsUpToTheLimitAndNothingElse) {
  EXPECT_EQ(ParseWholeNumber("0", 10), 0);
  EXPECT_EQ(ParseWholeNumber("65535", 65535), 65535);
  EXPECT_EQ(ParseWholeNumber("65536", 65535), std::nullopt);
  EXPECT_EQ(ParseWholeNumber("9223372036854775807", INT64_MAX), INT64_MAX);
  EXPECT_EQ(ParseWholeNumber("9223372036854775808", INT64_MAX), std::nullopt);
  for (const char* bad : {"", "-1", "+1", " 1", "1 ", "1e3", "0x10", "12a"}) {
    EXPECT_EQ(ParseWholeNumber(bad, INT64_MAX), std::nullopt) << bad;
  }
}

}  // namespace
}  // namespace loyalty

#include <fstream>

#include "support/temp_dir.h"

namespace loyalty {
namespace {

TEST(ArgsConfigFile, SitsUnderTheEnvironmentAndTheCommandLine) {
  testing::TempDir dir;
  const std::string path = dir.File("till.json");
  std::ofstream(path) << R"({"server": "https://from-file", "timeout-ms": 1500, "ui": "headless"})";
  auto args = Args::Parse({"--ui", "screen"}, {"server", "timeout-ms", "ui"}, {});
  ASSERT_TRUE(args.ok());
  ASSERT_TRUE(args->LoadConfigFile(path, {"server", "timeout-ms", "ui"}).ok());
  EXPECT_EQ(args->ValueOr("server", nullptr, "default"), "https://from-file");
  EXPECT_EQ(args->ValueOr("timeout-ms", nullptr, "2000"), "1500");
  EXPECT_EQ(args->ValueOr("ui", nullptr, "headless"), "screen");  // the flag wins
  ::setenv("LOYALTY_ARGS_TEST_SERVER", "https://from-env", 1);
  EXPECT_EQ(args->ValueOr("server", "LOYALTY_ARGS_TEST_SERVER", "default"), "https://from-env");
  ::unsetenv("LOYALTY_ARGS_TEST_SERVER");
}

TEST(ArgsConfigFile, RefusesUnknownSettingsBadValuesAndBadFilesNamingThem) {
  testing::TempDir dir;
  auto args = Args::Parse({}, {"server"}, {});
  ASSERT_TRUE(args.ok());
  const std::string path = dir.File("till.json");
  std::ofstream(path) << R"({"sever": "typo"})";
  auto typo = args->LoadConfigFile(path, {"server"});
  ASSERT_FALSE(typo.ok());
  EXPECT_NE(typo.error().message.find("unknown setting 'sever'"), std::string::npos);
  std::ofstream(path) << R"({"server": ["a"]})";
  EXPECT_NE(args->LoadConfigFile(path, {"server"}).error().message.find("'server' must be"),
            std::string::npos);
  std::ofstream(path) << "{not json";
  EXPECT_NE(args->LoadConfigFile(path, {"server"}).error().message.find("not a JSON object"),
            std::string::npos);
  EXPECT_NE(args->LoadConfigFile(dir.File("missing.json"), {"server"}).error().message.find(
                "cannot read"),
            std::string::npos);
}

}  // namespace
}  // namespace loyalty
