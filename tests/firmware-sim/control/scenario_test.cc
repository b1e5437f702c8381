#include "control/scenario.h"

#include <gtest/gtest.h>

#include "support/source_dir.h"

namespace loyalty::firmware_sim {
namespace {

using namespace std::chrono_literals;

TEST(ParseScenario, AbsoluteAndRelativeSteps) {
  Result<std::vector<ScenarioStep>> steps = ParseScenario(
      "# demo\n"
      "\n"
      "at 0.5s present barcode 2000000000015\n"
      "  +250ms fault corrupt 0.05\r\n"
      "at 2s replug 100\n");
  ASSERT_TRUE(steps.ok()) << steps.error().ToString();
  ASSERT_EQ(steps->size(), 3u);
  EXPECT_EQ((*steps)[0].at, 500ms);
  EXPECT_EQ((*steps)[0].command, "present barcode 2000000000015");
  EXPECT_EQ((*steps)[0].line_number, 3);
  EXPECT_EQ((*steps)[1].at, 750ms);
  EXPECT_EQ((*steps)[2].at, 2000ms);
}

TEST(ParseScenario, RejectsMalformedLinesNamingThem) {
  const auto error = [](std::string_view text) {
    Result<std::vector<ScenarioStep>> steps = ParseScenario(text);
    EXPECT_FALSE(steps.ok()) << text;
    return steps.ok() ? std::string() : steps.error().message;
  };
  EXPECT_NE(error("present barcode 1\n").find("line 1: expected 'at TIME"), std::string::npos);
  EXPECT_NE(error("at 1x present barcode 1").find("bad time"), std::string::npos);
  EXPECT_NE(error("at 1s").find("missing command"), std::string::npos);
  EXPECT_NE(error("at 2s remove\nat 1s remove").find("line 2: goes back in time"),
            std::string::npos);
  EXPECT_NE(error("at 1s dance").find("unknown command"), std::string::npos);
  EXPECT_NE(error("at 1s fault corrupt 7").find("probability"), std::string::npos);
  EXPECT_NE(error("at 90000s remove").find("bad time"), std::string::npos);
}

TEST(LoadScenario, ExampleInTheTreeIsValid) {
  Result<std::vector<ScenarioStep>> steps =
      LoadScenario(testing::SourceDir() + "/firmware-sim/scenarios/demo.scenario");
  ASSERT_TRUE(steps.ok()) << steps.error().ToString();
  EXPECT_GE(steps->size(), 5u);
  EXPECT_FALSE(LoadScenario("/nonexistent/x.scenario").ok());
}

}  // namespace
}  // namespace loyalty::firmware_sim
