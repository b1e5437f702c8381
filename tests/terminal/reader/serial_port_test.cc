#include "reader/serial_port.h"

#include <gtest/gtest.h>

#include <array>

#include "firmware-sim/test_dir.h"
#include "pty/pseudo_terminal.h"

namespace loyalty::terminal {
namespace {

using namespace std::chrono_literals;
using firmware_sim::PseudoTerminal;
using firmware_sim::TestDir;

TEST(BaudToSpeed, MapsCommonRates) {
  EXPECT_EQ(BaudToSpeed(115200).value(), speed_t{B115200});
  EXPECT_EQ(BaudToSpeed(9600).value(), speed_t{B9600});
}

TEST(BaudToSpeed, RejectsUnsupportedRate) {
  Result<speed_t> speed = BaudToSpeed(12345);
  ASSERT_FALSE(speed.ok());
  EXPECT_EQ(speed.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(speed.error().message.find("12345"), std::string::npos);
}

TEST(SerialPort, OpenFailsForMissingDevice) {
  TestDir dir;
  Result<SerialPort> port = SerialPort::Open(dir.Path("absent"), 115200);
  ASSERT_FALSE(port.ok());
  EXPECT_EQ(port.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(port.error().message.find("No such file"), std::string::npos);
}

TEST(SerialPort, OpenRefusesNonTerminal) {
  Result<SerialPort> port = SerialPort::Open("/dev/null", 115200);
  ASSERT_FALSE(port.ok());
  EXPECT_NE(port.error().message.find("not a serial device"), std::string::npos);
}

TEST(SerialPort, ReadsAndWritesThroughPty) {
  TestDir dir;
  auto pty = PseudoTerminal::Create(dir.Path("reader"));
  ASSERT_TRUE(pty.ok());
  // Bytes sent before the port opens are discarded by Open, like a real line.
  const std::array<uint8_t, 2> stale = {0xEE, 0xEE};
  ASSERT_TRUE((*pty)->Write(stale).ok());
  Result<SerialPort> port = SerialPort::Open(dir.Path("reader"), 115200);
  ASSERT_TRUE(port.ok()) << port.error().ToString();

  std::array<uint8_t, 16> buffer{};
  EXPECT_EQ(port->Read(buffer, 20ms).value(), 0u);  // timeout, stale bytes gone

  const std::array<uint8_t, 3> sent = {0x02, 0x0D, 0x0A};
  ASSERT_TRUE((*pty)->Write(sent).ok());
  Result<std::size_t> count = port->Read(buffer, 1000ms);
  ASSERT_TRUE(count.ok());
  ASSERT_EQ(*count, 3u);
  EXPECT_TRUE(std::equal(sent.begin(), sent.end(), buffer.begin()));

  ASSERT_TRUE(port->WriteAll(sent, 1000ms).ok());
  std::array<uint8_t, 16> received{};
  std::size_t total = 0;
  for (int i = 0; i < 200 && total < 3; ++i) {
    total += (*pty)->Read(received).value();
    if (total < 3) std::this_thread::sleep_for(5ms);
  }
  EXPECT_EQ(total, 3u);
}

TEST(SerialPort, ReadReportsDeviceGone) {
  TestDir dir;
  auto pty = PseudoTerminal::Create(dir.Path("reader"));
  ASSERT_TRUE(pty.ok());
  Result<SerialPort> port = SerialPort::Open(dir.Path("reader"), 115200);
  ASSERT_TRUE(port.ok());
  pty->reset();  // the simulator exits
  std::array<uint8_t, 16> buffer{};
  Result<std::size_t> count = port->Read(buffer, 1000ms);
  ASSERT_FALSE(count.ok());
  EXPECT_EQ(count.error().code, ErrorCode::kUnavailable);
}

}  // namespace
}  // namespace loyalty::terminal
