#include "receipt/receipt_printer.h"

#include <fcntl.h>
#include <stdlib.h>  // posix_openpt, grantpt, unlockpt, ptsname
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include <gtest/gtest.h>

#include "support/temp_dir.h"

namespace loyalty::terminal {
namespace {

using namespace std::chrono_literals;

std::string ReadAll(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>()};
}

TEST(ReceiptPrinter, AppendsEachReceiptToAFile) {
  loyalty::testing::TempDir dir;
  const std::string path = dir.File("receipts.bin");
  {
    auto printer = ReceiptPrinter::Open(path);
    ASSERT_TRUE(printer.ok()) << printer.error().ToString();
    ASSERT_TRUE(printer->Print(std::string("\x1b@first\n", 8)).ok());
    ASSERT_TRUE(printer->Print("second\n").ok());
  }
  auto again = ReceiptPrinter::Open(path);
  ASSERT_TRUE(again.ok());
  ASSERT_TRUE(again->Print(std::string(100000, '\xAB')).ok());
  EXPECT_EQ(ReadAll(path), std::string("\x1b@first\nsecond\n", 15) + std::string(100000, '\xAB'));
  EXPECT_EQ(std::filesystem::status(path).permissions() & std::filesystem::perms::others_all,
            std::filesystem::perms::none);
}

TEST(ReceiptPrinter, NamesThePathWhenItsDirectoryIsMissing) {
  loyalty::testing::TempDir dir;
  const std::string path = dir.File("no-such-dir/receipts.bin");
  const auto printer = ReceiptPrinter::Open(path);
  ASSERT_FALSE(printer.ok());
  EXPECT_EQ(printer.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(printer.error().message.find(path), std::string::npos) << printer.error().message;
  EXPECT_NE(printer.error().message.find("No such file or directory"), std::string::npos);
}

TEST(ReceiptPrinter, NeverCreatesAFileForAMissingDevice) {
  const std::string path = "/dev/loyalty-test-no-such-printer";
  const auto printer = ReceiptPrinter::Open(path);
  ASSERT_FALSE(printer.ok());
  EXPECT_NE(printer.error().message.find(path), std::string::npos) << printer.error().message;
  EXPECT_FALSE(std::filesystem::exists(path));
}

TEST(ReceiptPrinter, RefusesADirectory) {
  loyalty::testing::TempDir dir;
  const auto printer = ReceiptPrinter::Open(dir.path().string());
  ASSERT_FALSE(printer.ok());
  EXPECT_NE(printer.error().message.find(dir.path().string()), std::string::npos);
}

TEST(ReceiptPrinter, WritesToACharacterDevice) {
  auto printer = ReceiptPrinter::Open("/dev/null");
  ASSERT_TRUE(printer.ok()) << printer.error().ToString();
  EXPECT_TRUE(printer->Print("\x1b@hello\n").ok());
}

// A pseudo-terminal nobody reads stands in for a printer out of paper: it takes a few
// kilobytes, then no more.
TEST(ReceiptPrinter, TimesOutOnADeviceThatTakesNoData) {
  const int master = posix_openpt(O_RDWR | O_NOCTTY);
  ASSERT_GE(master, 0);
  ASSERT_EQ(grantpt(master), 0);
  ASSERT_EQ(unlockpt(master), 0);
  const std::string slave = ptsname(master);
  {
    auto printer = ReceiptPrinter::Open(slave, 200ms);
    ASSERT_TRUE(printer.ok()) << printer.error().ToString();
    const Status printed = printer->Print(std::string(4 << 20, 'x'));
    ASSERT_FALSE(printed.ok());
    EXPECT_EQ(printed.error().code, ErrorCode::kTimeout);
    EXPECT_NE(printed.error().message.find(slave), std::string::npos) << printed.error().message;
  }
  ::close(master);
}

}  // namespace
}  // namespace loyalty::terminal
