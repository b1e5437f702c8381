#include "control/control_socket.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <future>

#include "firmware-sim/test_dir.h"

namespace loyalty::firmware_sim {
namespace {

using namespace std::chrono_literals;

// Serves requests until `client` finishes or about 5 s pass, answering "echo: LINE".
template <typename T>
T ServeUntilDone(ControlServer& server, std::future<T>& client) {
  for (int i = 0; i < 500 && client.wait_for(10ms) != std::future_status::ready; ++i) {
    for (const ControlRequest& request : server.Service(std::chrono::steady_clock::now())) {
      server.Reply(request.connection, "echo: " + request.line);
    }
  }
  return client.get();
}

TEST(ControlSocket, OneLinePerConnection) {
  TestDir dir;
  const std::string path = dir.Path("ctl");
  Result<std::unique_ptr<ControlServer>> server = ControlServer::Listen(path);
  ASSERT_TRUE(server.ok()) << server.error().ToString();
  auto client = std::async(std::launch::async,
                           [&] { return SendControlCommand(path, "present barcode 1", 2000ms); });
  Result<std::string> reply = ServeUntilDone(**server, client);
  ASSERT_TRUE(reply.ok()) << reply.error().ToString();
  EXPECT_EQ(*reply, "echo: present barcode 1");
}

TEST(ControlSocket, RemovesSocketFileOnDestruction) {
  TestDir dir;
  const std::string path = dir.Path("ctl");
  {
    Result<std::unique_ptr<ControlServer>> server = ControlServer::Listen(path);
    ASSERT_TRUE(server.ok());
    EXPECT_TRUE(std::filesystem::is_socket(path));
  }
  EXPECT_FALSE(std::filesystem::exists(path));
}

TEST(ControlSocket, ReplacesStaleSocketButNotLiveOne) {
  TestDir dir;
  const std::string path = dir.Path("ctl");
  {
    // A socket file nobody listens on, as a killed simulator leaves behind.
    const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::strcpy(address.sun_path, path.c_str());
    ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
    ::close(fd);
  }
  Result<std::unique_ptr<ControlServer>> first = ControlServer::Listen(path);
  ASSERT_TRUE(first.ok()) << first.error().ToString();
  Result<std::unique_ptr<ControlServer>> second = ControlServer::Listen(path);
  ASSERT_FALSE(second.ok());
  EXPECT_NE(second.error().message.find("another process"), std::string::npos);
}

TEST(ControlSocket, RefusesRegularFileAndOverlongPath) {
  TestDir dir;
  const std::string path = dir.Path("file");
  std::ofstream(path) << "x";
  EXPECT_FALSE(ControlServer::Listen(path).ok());
  EXPECT_FALSE(ControlServer::Listen("/tmp/" + std::string(200, 'x')).ok());
}

TEST(ControlSocket, ClientReportsNobodyListening) {
  TestDir dir;
  Result<std::string> reply = SendControlCommand(dir.Path("absent"), "status", 500ms);
  ASSERT_FALSE(reply.ok());
  EXPECT_EQ(reply.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(reply.error().message.find("cannot connect"), std::string::npos);
}

TEST(ControlSocket, ClientTimesOutWithoutReply) {
  TestDir dir;
  const std::string path = dir.Path("ctl");
  Result<std::unique_ptr<ControlServer>> server = ControlServer::Listen(path);
  ASSERT_TRUE(server.ok());
  Result<std::string> reply = SendControlCommand(path, "status", 100ms);  // never serviced
  ASSERT_FALSE(reply.ok());
  EXPECT_EQ(reply.error().code, ErrorCode::kTimeout);
}

TEST(ControlSocket, OverlongLineGetsError) {
  TestDir dir;
  const std::string path = dir.Path("ctl");
  Result<std::unique_ptr<ControlServer>> server = ControlServer::Listen(path);
  ASSERT_TRUE(server.ok());
  auto client = std::async(std::launch::async, [&] {
    return SendControlCommand(path, std::string(kMaxControlLineSize + 10, 'x'), 2000ms);
  });
  Result<std::string> reply = ServeUntilDone(**server, client);
  ASSERT_TRUE(reply.ok()) << reply.error().ToString();
  EXPECT_NE(reply->find("error: command longer than"), std::string::npos) << *reply;
}

}  // namespace
}  // namespace loyalty::firmware_sim
