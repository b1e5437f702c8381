#include "pty/pseudo_terminal.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <filesystem>
#include <fstream>

#include "firmware-sim/test_dir.h"

namespace loyalty::firmware_sim {
namespace {

TEST(PseudoTerminal, LinksSlaveAndCarriesBytesBothWays) {
  TestDir dir;
  const std::string link = dir.Path("reader");
  Result<std::unique_ptr<PseudoTerminal>> pty = PseudoTerminal::Create(link);
  ASSERT_TRUE(pty.ok()) << pty.error().ToString();
  EXPECT_EQ(std::filesystem::read_symlink(link), (*pty)->slave_path());

  const int terminal = ::open(link.c_str(), O_RDWR | O_NOCTTY);
  ASSERT_GE(terminal, 0);
  // Raw: CR and LF pass unchanged, nothing is echoed back.
  const std::array<uint8_t, 4> sent = {0x02, '\r', '\n', 0x03};
  ASSERT_EQ((*pty)->Write(sent).value(), sent.size());
  std::array<uint8_t, 16> received{};
  pollfd waiting{terminal, POLLIN, 0};
  ASSERT_EQ(::poll(&waiting, 1, 2000), 1);
  ASSERT_EQ(::read(terminal, received.data(), received.size()), 4);
  EXPECT_TRUE(std::equal(sent.begin(), sent.end(), received.begin()));

  ASSERT_EQ(::write(terminal, "\x06", 1), 1);
  waiting = {(*pty)->master_fd(), POLLIN, 0};
  ASSERT_EQ(::poll(&waiting, 1, 2000), 1);
  EXPECT_EQ((*pty)->Read(received).value(), 1u);
  EXPECT_EQ(received[0], 0x06);
  // Nothing echoed to the terminal.
  waiting = {terminal, POLLIN, 0};
  EXPECT_EQ(::poll(&waiting, 1, 50), 0);
  ::close(terminal);
}

TEST(PseudoTerminal, WritesSucceedWithNoTerminalAttached) {
  TestDir dir;
  Result<std::unique_ptr<PseudoTerminal>> pty = PseudoTerminal::Create(dir.Path("reader"));
  ASSERT_TRUE(pty.ok());
  const std::array<uint8_t, 3> bytes = {1, 2, 3};
  Result<std::size_t> written = (*pty)->Write(bytes);
  ASSERT_TRUE(written.ok()) << written.error().ToString();
  EXPECT_EQ(*written, 3u);
}

TEST(PseudoTerminal, ReplacesStaleLinkAndRemovesItOnDestruction) {
  TestDir dir;
  const std::string link = dir.Path("reader");
  std::filesystem::create_symlink("/dev/pts/nonexistent", link);
  {
    Result<std::unique_ptr<PseudoTerminal>> pty = PseudoTerminal::Create(link);
    ASSERT_TRUE(pty.ok()) << pty.error().ToString();
    EXPECT_EQ(std::filesystem::read_symlink(link), (*pty)->slave_path());
  }
  EXPECT_FALSE(std::filesystem::is_symlink(link));
}

TEST(PseudoTerminal, LeavesLinkTakenOverByNewerSimulator) {
  TestDir dir;
  const std::string link = dir.Path("reader");
  Result<std::unique_ptr<PseudoTerminal>> older = PseudoTerminal::Create(link);
  ASSERT_TRUE(older.ok());
  Result<std::unique_ptr<PseudoTerminal>> newer = PseudoTerminal::Create(link);
  ASSERT_TRUE(newer.ok());
  older->reset();
  ASSERT_TRUE(std::filesystem::is_symlink(link));
  EXPECT_EQ(std::filesystem::read_symlink(link), (*newer)->slave_path());
}

TEST(PseudoTerminal, RefusesToReplaceRegularFile) {
  TestDir dir;
  const std::string path = dir.Path("important");
  std::ofstream(path) << "keep me";
  Result<std::unique_ptr<PseudoTerminal>> pty = PseudoTerminal::Create(path);
  ASSERT_FALSE(pty.ok());
  EXPECT_NE(pty.error().message.find("not a symbolic link"), std::string::npos);
  EXPECT_TRUE(std::filesystem::is_regular_file(path));
}

}  // namespace
}  // namespace loyalty::firmware_sim
