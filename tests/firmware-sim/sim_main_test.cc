#include "sim_main.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "control/control_socket.h"
#include "firmware-sim/sim_process.h"
#include "firmware-sim/test_dir.h"

namespace loyalty::firmware_sim {
namespace {

using namespace std::chrono_literals;

Result<SimOptions> Parse(std::vector<std::string_view> args) { return ParseSimOptions(args); }

TEST(ParseSimOptions, RunModeWithDefaults) {
  Result<SimOptions> options = Parse({"--link", "/tmp/reader"});
  ASSERT_TRUE(options.ok()) << options.error().ToString();
  EXPECT_EQ(options->mode, SimOptions::Mode::kRun);
  EXPECT_EQ(options->link_path, "/tmp/reader");
  EXPECT_EQ(options->baud, 115200);
  EXPECT_TRUE(options->read_stdin);
  EXPECT_TRUE(options->control_path.empty());
}

TEST(ParseSimOptions, AllRunOptions) {
  Result<SimOptions> options =
      Parse({"--link=/tmp/r", "--control", "/tmp/c", "--baud", "9600", "--no-stdin"});
  ASSERT_TRUE(options.ok()) << options.error().ToString();
  EXPECT_EQ(options->control_path, "/tmp/c");
  EXPECT_EQ(options->baud, 9600);
  EXPECT_FALSE(options->read_stdin);
}

TEST(ParseSimOptions, ControlClientJoinsCommandWords) {
  Result<SimOptions> options =
      Parse({"ctl", "--control", "/tmp/c", "present", "barcode", "2000000000015"});
  ASSERT_TRUE(options.ok()) << options.error().ToString();
  EXPECT_EQ(options->mode, SimOptions::Mode::kControlClient);
  EXPECT_EQ(options->command, "present barcode 2000000000015");
}

TEST(ParseSimOptions, Help) { EXPECT_EQ(Parse({"--help"}).value().mode, SimOptions::Mode::kHelp); }

TEST(ParseSimOptions, Errors) {
  EXPECT_EQ(Parse({}).error().message, "--link PATH is required");
  EXPECT_EQ(Parse({"--link"}).error().message, "--link needs a value");
  EXPECT_NE(Parse({"--link", "x", "--baud", "fast"}).error().message.find("--baud must be"),
            std::string::npos);
  EXPECT_FALSE(Parse({"--link", "x", "--baud", "0"}).ok());
  EXPECT_FALSE(Parse({"--link", "x", "--baud", "9600x"}).ok());
  EXPECT_EQ(Parse({"--link", "x", "--bogus"}).error().message, "unknown option '--bogus'");
  EXPECT_EQ(Parse({"--link", "x", "extra"}).error().message, "unexpected argument 'extra'");
  EXPECT_FALSE(Parse({"--link", "x", "--no-stdin"}).ok());
  EXPECT_EQ(Parse({"ctl", "status"}).error().message, "ctl needs --control SOCKET_PATH");
  EXPECT_FALSE(Parse({"ctl", "--control", "/tmp/c"}).ok());
}

TEST(ReaderSimBinary, HelpExitsZero) {
  const ProcessResult result = RunSim({"--help"});
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_NE(result.out.find("--link PATH"), std::string::npos);
}

TEST(ReaderSimBinary, BadUsageExitsTwo) { EXPECT_EQ(RunSim({"--baud", "1"}).exit_code, 2); }

TEST(ReaderSimBinary, ControlClientExitCodes) {
  TestDir dir;
  const std::string link = dir.Path("reader");
  const std::string control = dir.Path("ctl");
  SimProcess sim(link, control, dir.Path("sim.log"));
  ASSERT_TRUE(sim.WaitReady()) << sim.Log();
  const std::string log = sim.Log();
  EXPECT_NE(log.find(R"("msg":"reader ready")"), std::string::npos) << log;
  EXPECT_NE(log.find(R"("link":")" + link + '"'), std::string::npos) << log;
  EXPECT_NE(log.find(R"("pty":"/dev/pts/)"), std::string::npos) << log;

  ProcessResult ok = RunSim({"ctl", "--control", control, "present", "barcode", "2000000000015"});
  EXPECT_EQ(ok.exit_code, 0);
  EXPECT_EQ(ok.out, "ok seq=1\n");

  ProcessResult refused = RunSim({"ctl", "--control", control, "present", "barcode", "1\t2"});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.out.find("error: barcode data has non-printable byte 0x09"), std::string::npos)
      << refused.out;

  ProcessResult unknown = RunSim({"ctl", "--control", control, "dance"});
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_NE(unknown.out.find("error: unknown command 'dance'"), std::string::npos);

  ProcessResult status = RunSim({"ctl", "--control", control, "status"});
  EXPECT_EQ(status.exit_code, 0);
  EXPECT_NE(status.out.find("frames_sent="), std::string::npos);

  EXPECT_EQ(RunSim({"ctl", "--control", dir.Path("nobody"), "status"}).exit_code, 2);
}

TEST(ReaderSimBinary, SigtermRemovesLinkAndSocket) {
  TestDir dir;
  const std::string link = dir.Path("reader");
  const std::string control = dir.Path("ctl");
  SimProcess sim(link, control, dir.Path("sim.log"));
  ASSERT_TRUE(sim.WaitReady()) << sim.Log();
  EXPECT_EQ(sim.Stop(), 0);
  EXPECT_FALSE(std::filesystem::exists(std::filesystem::symlink_status(link)));
  EXPECT_FALSE(std::filesystem::exists(control));
}

TEST(ReaderSimBinary, QuitCommandExitsZero) {
  TestDir dir;
  const std::string control = dir.Path("ctl");
  SimProcess sim(dir.Path("reader"), control, dir.Path("sim.log"));
  ASSERT_TRUE(sim.WaitReady()) << sim.Log();
  ProcessResult quit = RunSim({"ctl", "--control", control, "quit"});
  EXPECT_EQ(quit.exit_code, 0);
  EXPECT_EQ(quit.out, "ok bye\n");
  EXPECT_TRUE(WaitFor([&] { return !std::filesystem::exists(control); }, 5s));
}

TEST(ReaderSimBinary, PacesBytesAtBaudRate) {
  // At 1200 baud a 22-byte card frame takes 183 ms on the line.
  TestDir dir;
  const std::string link = dir.Path("reader");
  const std::string control = dir.Path("ctl");
  SimProcess sim(link, control, dir.Path("sim.log"), {"--baud", "1200"});
  ASSERT_TRUE(sim.WaitReady()) << sim.Log();
  const int fd = ::open(link.c_str(), O_RDWR | O_NOCTTY | O_NONBLOCK);
  ASSERT_GE(fd, 0);
  const auto start = std::chrono::steady_clock::now();
  // Generous deadlines: a loaded CI machine may be slow to run the simulator, and only
  // the lower bound says anything about pacing (the reader benchmark measures speed).
  ASSERT_TRUE(SendControlCommand(control, "present barcode 2000000000015", 10s).ok());
  std::size_t received = 0;
  WaitFor(
      [&] {
        char buffer[64];
        const ssize_t count = ::read(fd, buffer, sizeof buffer);
        if (count > 0) received += static_cast<std::size_t>(count);
        return received >= 22;
      },
      15s);
  const auto elapsed = std::chrono::steady_clock::now() - start;
  ::close(fd);
  EXPECT_EQ(received, 22u);
  EXPECT_GE(elapsed, 170ms);  // no faster than the line allows
}

}  // namespace
}  // namespace loyalty::firmware_sim
