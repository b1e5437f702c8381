#include "reader/reader_driver.h"

#include <gtest/gtest.h>
#include <poll.h>

#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <regex>
#include <vector>

#include "control/control_socket.h"
#include "loyalty/core/card_number.h"
#include "firmware-sim/sim_process.h"
#include "firmware-sim/test_dir.h"
#include "loyalty/reader/frame.h"
#include "loyalty/reader/nfc_auth.h"
#include "pty/pseudo_terminal.h"

namespace loyalty::terminal {
namespace {

using namespace std::chrono_literals;
using firmware_sim::PseudoTerminal;
using firmware_sim::SendControlCommand;
using firmware_sim::SimProcess;
using firmware_sim::TestDir;
using reader::CardEvent;
using reader::CardTechnology;
using reader::Frame;
using reader::FrameType;

// Collects what the driver reports, from its thread, for the test thread to wait on.
class Recorder {
 public:
  ReaderDriver::CardCallback OnCard() {
    return [this](const CardRead& card) {
      std::lock_guard lock(mutex_);
      cards_.push_back(card.data);
      reads_.push_back(card);
      changed_.notify_all();
    };
  }
  ReaderDriver::RejectCallback OnReject() {
    return [this](const CardRejection& rejection) {
      std::lock_guard lock(mutex_);
      rejections_.push_back(rejection.reason);
      changed_.notify_all();
    };
  }
  bool WaitForRejections(std::size_t count, std::chrono::milliseconds timeout = 3s) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout, [&] { return rejections_.size() >= count; });
  }
  std::vector<std::string> rejections() {
    std::lock_guard lock(mutex_);
    return rejections_;
  }
  std::vector<CardRead> reads() {
    std::lock_guard lock(mutex_);
    return reads_;
  }
  ReaderDriver::StateCallback OnState() {
    return [this](DeviceState state, const std::string& detail) {
      std::lock_guard lock(mutex_);
      states_.emplace_back(state, detail);
      changed_.notify_all();
    };
  }
  bool WaitForCards(std::size_t count, std::chrono::milliseconds timeout = 3s) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout, [&] { return cards_.size() >= count; });
  }
  // Waits for a state report after the first `after` reports.
  bool WaitForState(DeviceState state, std::size_t after = 0,
                    std::chrono::milliseconds timeout = 3s) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout, [&] {
      for (std::size_t i = after; i < states_.size(); ++i) {
        if (states_[i].first == state) return true;
      }
      return false;
    });
  }
  std::vector<std::string> cards() {
    std::lock_guard lock(mutex_);
    return cards_;
  }
  std::size_t state_count() {
    std::lock_guard lock(mutex_);
    return states_.size();
  }
  std::string StateLog() {
    std::lock_guard lock(mutex_);
    std::string log;
    for (const auto& [state, detail] : states_) {
      log += std::string(DeviceStateName(state)) + ": " + detail + "\n";
    }
    return log;
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<std::string> cards_;
  std::vector<CardRead> reads_;
  std::vector<std::string> rejections_;
  std::vector<std::pair<DeviceState, std::string>> states_;
};

ReaderOptions FastOptions(const std::string& path) {
  ReaderOptions options;
  options.device_path = path;
  options.reconnect_min = 10ms;
  options.reconnect_max = 100ms;
  // The fake device answers no command: no keep-alive, no device-info query.
  options.ping_interval = 0ms;
  options.query_device_info = false;
  return options;
}

// The test plays the device on an in-process pty.
class FakeDevice {
 public:
  explicit FakeDevice(const std::string& link) {
    auto pty = PseudoTerminal::Create(link);
    EXPECT_TRUE(pty.ok()) << pty.error().ToString();
    if (pty.ok()) pty_ = std::move(pty).value();
  }
  void SendBytes(const std::vector<uint8_t>& bytes) {
    ASSERT_EQ(pty_->Write(bytes).value(), bytes.size());
  }
  void Send(const Frame& frame) { SendBytes(reader::EncodeFrame(frame)); }
  void SendCard(uint8_t seq, const std::string& data) {
    Send(Frame{seq, FrameType::kCardPresented,
               reader::EncodeCardEvent(CardEvent{CardTechnology::kBarcode, data})});
  }
  // Frames from the host, waiting up to `timeout` for at least `count`.
  std::vector<Frame> Receive(std::size_t count, std::chrono::milliseconds timeout = 2s) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (received_.size() < count && std::chrono::steady_clock::now() < deadline) {
      pollfd waiting{pty_->master_fd(), POLLIN, 0};
      ::poll(&waiting, 1, 20);
      std::array<uint8_t, 256> chunk{};
      const std::size_t n = pty_->Read(chunk).value();
      decoder_.Feed(std::span<const uint8_t>(chunk.data(), n));
      while (std::optional<Frame> frame = decoder_.Next()) received_.push_back(*frame);
    }
    return received_;
  }
  PseudoTerminal& pty() { return *pty_; }
  void Close() { pty_.reset(); }

 private:
  std::unique_ptr<PseudoTerminal> pty_;
  reader::FrameDecoder decoder_;
  std::vector<Frame> received_;
};

class ReaderDriverTest : public ::testing::Test {
 protected:
  virtual ReaderOptions Options() { return FastOptions(link_); }
  void StartDriver() {
    driver_ = std::make_unique<ReaderDriver>(Options(), recorder_.OnCard(), recorder_.OnState(),
                                             recorder_.OnReject());
    driver_->Start();
    ASSERT_TRUE(recorder_.WaitForState(DeviceState::kIdle)) << recorder_.StateLog();
  }

  TestDir dir_;
  std::string link_ = dir_.Path("reader");
  Recorder recorder_;
  std::unique_ptr<ReaderDriver> driver_;
};

TEST_F(ReaderDriverTest, DeliversCardAndAcksItsSeq) {
  FakeDevice device(link_);
  StartDriver();
  EXPECT_EQ(driver_->state(), DeviceState::kIdle);
  device.SendCard(7, "2000000000015");
  ASSERT_TRUE(recorder_.WaitForCards(1));
  EXPECT_EQ(recorder_.cards(), std::vector<std::string>{"2000000000015"});
  const std::vector<Frame> replies = device.Receive(1);
  ASSERT_EQ(replies.size(), 1u);
  EXPECT_EQ(replies[0], (Frame{7, FrameType::kAck, {}}));
}

TEST_F(ReaderDriverTest, DropsRetransmittedDuplicateButAcksIt) {
  FakeDevice device(link_);
  StartDriver();
  device.SendCard(1, "111");
  device.SendCard(1, "111");  // the device did not see the first ACK
  device.SendCard(2, "222");
  device.SendCard(2, "222");
  ASSERT_TRUE(recorder_.WaitForCards(2));
  const std::vector<Frame> replies = device.Receive(4);
  ASSERT_EQ(replies.size(), 4u);
  for (const Frame& reply : replies) EXPECT_EQ(reply.type, FrameType::kAck);
  EXPECT_EQ(recorder_.cards(), (std::vector<std::string>{"111", "222"}));
  // The ACK goes out before the duplicate is counted, so the count may lag the ACK.
  EXPECT_TRUE(firmware_sim::WaitFor([&] { return driver_->stats().duplicates_dropped == 2; }, 2s))
      << driver_->stats().duplicates_dropped;
}

TEST_F(ReaderDriverTest, NaksBadCrcAndDeliversTheResend) {
  FakeDevice device(link_);
  StartDriver();
  std::vector<uint8_t> corrupted = reader::EncodeFrame(
      Frame{3, FrameType::kCardPresented,
            reader::EncodeCardEvent(CardEvent{CardTechnology::kBarcode, "333"})});
  corrupted[7] ^= 0x01;
  device.SendBytes(corrupted);
  std::vector<Frame> replies = device.Receive(1);
  ASSERT_EQ(replies.size(), 1u);
  EXPECT_EQ(replies[0], (Frame{0, FrameType::kNak, {}}));
  EXPECT_TRUE(recorder_.cards().empty());

  device.SendCard(3, "333");
  ASSERT_TRUE(recorder_.WaitForCards(1));
  EXPECT_EQ(recorder_.cards(), std::vector<std::string>{"333"});
  EXPECT_EQ(driver_->stats().crc_errors, 1u);
}

TEST_F(ReaderDriverTest, SkipsNoiseAndStrayStx) {
  FakeDevice device(link_);
  StartDriver();
  device.SendBytes({0x00, 0xFF, 0x03});
  device.SendCard(1, "111");
  // A stray STX whose "length" is large: recovered once the line goes quiet.
  device.SendBytes({reader::kStx});
  device.SendCard(2, "222");
  ASSERT_TRUE(recorder_.WaitForCards(2));
  EXPECT_EQ(recorder_.cards(), (std::vector<std::string>{"111", "222"}));
}

TEST_F(ReaderDriverTest, AcksButDoesNotDeliverInvalidCardEvent) {
  FakeDevice device(link_);
  StartDriver();
  device.Send(Frame{1, FrameType::kCardPresented, {0x7F, '1'}});
  device.Send(Frame{2, static_cast<FrameType>(0x55), {}});  // a newer frame type
  device.SendCard(3, "333");
  ASSERT_TRUE(recorder_.WaitForCards(1));
  const std::vector<Frame> replies = device.Receive(3);
  ASSERT_EQ(replies.size(), 3u);
  EXPECT_EQ(replies[0].seq, 1);
  EXPECT_EQ(replies[1].seq, 2);
  EXPECT_EQ(recorder_.cards(), std::vector<std::string>{"333"});
  EXPECT_EQ(driver_->stats().bad_card_events, 1u);
}

TEST_F(ReaderDriverTest, ReportsErrorWhileAbsentThenIdle) {
  driver_ =
      std::make_unique<ReaderDriver>(FastOptions(link_), recorder_.OnCard(), recorder_.OnState());
  driver_->Start();
  ASSERT_TRUE(recorder_.WaitForState(DeviceState::kError)) << recorder_.StateLog();
  EXPECT_NE(recorder_.StateLog().find("No such file"), std::string::npos);
  FakeDevice device(link_);
  ASSERT_TRUE(recorder_.WaitForState(DeviceState::kIdle)) << recorder_.StateLog();
  device.SendCard(1, "111");
  EXPECT_TRUE(recorder_.WaitForCards(1));
}

TEST_F(ReaderDriverTest, NoticesDeviceClosedAndReopensWithFreshSeq) {
  auto device = std::make_unique<FakeDevice>(link_);
  StartDriver();
  device->SendCard(1, "111");
  ASSERT_TRUE(recorder_.WaitForCards(1));
  const std::size_t before = recorder_.state_count();
  device->Close();
  ASSERT_TRUE(recorder_.WaitForState(DeviceState::kError, before)) << recorder_.StateLog();
  EXPECT_NE(recorder_.StateLog().find("device lost"), std::string::npos);

  // A restarted device numbers from 1 again; its first card is not a duplicate.
  const std::size_t lost_at = recorder_.state_count();
  device = std::make_unique<FakeDevice>(link_);
  ASSERT_TRUE(recorder_.WaitForState(DeviceState::kIdle, lost_at)) << recorder_.StateLog();
  device->SendCard(1, "111-again");
  ASSERT_TRUE(recorder_.WaitForCards(2));
  EXPECT_EQ(recorder_.cards()[1], "111-again");
  EXPECT_EQ(driver_->stats().opens, 2u);
}

TEST_F(ReaderDriverTest, NoticesLinkRemovedWhileDeviceStaysOpen) {
  FakeDevice device(link_);
  StartDriver();
  const std::size_t before = recorder_.state_count();
  std::filesystem::remove(link_);
  ASSERT_TRUE(recorder_.WaitForState(DeviceState::kError, before)) << recorder_.StateLog();
  EXPECT_NE(recorder_.StateLog().find("vanished"), std::string::npos);
}

TEST_F(ReaderDriverTest, StopIsPromptWhileOpenAndWhileAbsent) {
  {
    FakeDevice device(link_);
    StartDriver();
    const auto start = std::chrono::steady_clock::now();
    driver_->Stop();
    EXPECT_LT(std::chrono::steady_clock::now() - start, 500ms);
    EXPECT_EQ(driver_->state(), DeviceState::kClosed);
  }
  ReaderOptions options = FastOptions(link_);
  options.reconnect_min = 5s;  // Stop must not wait out the backoff
  options.reconnect_max = 5s;
  ReaderDriver absent(options, nullptr, nullptr);
  absent.Start();
  std::this_thread::sleep_for(50ms);
  const auto start = std::chrono::steady_clock::now();
  absent.Stop();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 500ms);
  EXPECT_EQ(absent.state(), DeviceState::kClosed);
}

TEST_F(ReaderDriverTest, UnsupportedBaudIsReportedOnce) {
  ReaderOptions options = FastOptions(link_);
  options.baud = 12345;
  driver_ = std::make_unique<ReaderDriver>(options, recorder_.OnCard(), recorder_.OnState());
  driver_->Start();
  ASSERT_TRUE(recorder_.WaitForState(DeviceState::kError));
  std::this_thread::sleep_for(50ms);
  EXPECT_EQ(recorder_.state_count(), 1u) << recorder_.StateLog();
  EXPECT_NE(recorder_.StateLog().find("12345"), std::string::npos);
}

TEST(DeviceStateName, NamesEveryState) {
  EXPECT_STREQ(DeviceStateName(DeviceState::kClosed), "closed");
  EXPECT_STREQ(DeviceStateName(DeviceState::kIdle), "idle");
  EXPECT_STREQ(DeviceStateName(DeviceState::kBusy), "busy");
  EXPECT_STREQ(DeviceStateName(DeviceState::kError), "error");
}

// End to end with the real simulator binary.
class ReaderDriverWithSimTest : public ReaderDriverTest {
 protected:
  ReaderOptions Options() override {
    ReaderOptions options = FastOptions(link_);
    options.ping_interval = 200ms;
    options.response_timeout = 100ms;
    options.query_device_info = true;
    options.nfc_master_key = MasterKey();
    options.nfc_auth = policy_;
    return options;
  }
  static std::vector<uint8_t> MasterKey() { return std::vector<uint8_t>(32, 0x5A); }
  // The same key as a file for the simulator's --nfc-master-key.
  std::string MasterKeyFile() {
    const std::string path = dir_.Path("master.key");
    std::ofstream(path) << reader::ToHex(MasterKey()) << "\n";
    return path;
  }
  NfcAuthPolicy policy_ = NfcAuthPolicy::kRequired;
  std::string control_ = dir_.Path("ctl");
  std::string Command(const std::string& line) {
    Result<std::string> reply = SendControlCommand(control_, line, 2s);
    EXPECT_TRUE(reply.ok()) << reply.error().ToString();
    return reply.ok() ? *reply : std::string();
  }
};

TEST_F(ReaderDriverWithSimTest, DeliversEachBarcodeExactlyOnce) {
  SimProcess sim(link_, control_, dir_.Path("sim.log"));
  ASSERT_TRUE(sim.WaitReady()) << sim.Log();
  StartDriver();

  const std::vector<std::string> barcodes = {"2000000000015", "2000000000022", "2000000000039"};
  for (std::size_t i = 0; i < barcodes.size(); ++i) {
    EXPECT_EQ(Command("present barcode " + barcodes[i]), "ok seq=" + std::to_string(i + 1));
  }
  ASSERT_TRUE(recorder_.WaitForCards(3)) << sim.Log();
  EXPECT_EQ(Command("remove"), "ok seq=4");
  // Every event acknowledged and none resent: the driver saw each card once.
  ASSERT_TRUE(firmware_sim::WaitFor(
      [&] { return Command("status").find("acks_received=4 ") != std::string::npos; }, 3s))
      << Command("status");
  EXPECT_NE(Command("status").find("retransmits=0 "), std::string::npos) << Command("status");
  EXPECT_EQ(recorder_.cards(), barcodes);
  EXPECT_EQ(driver_->stats().duplicates_dropped, 0u);
}

TEST_F(ReaderDriverWithSimTest, ReconnectsWhenSimulatorRestarts) {
  auto sim = std::make_unique<SimProcess>(link_, control_, dir_.Path("sim.log"));
  ASSERT_TRUE(sim->WaitReady()) << sim->Log();
  StartDriver();
  EXPECT_EQ(Command("present barcode 2000000000015"), "ok seq=1");
  ASSERT_TRUE(recorder_.WaitForCards(1));

  const std::size_t before_stop = recorder_.state_count();
  EXPECT_EQ(sim->Stop(), 0);
  ASSERT_TRUE(recorder_.WaitForState(DeviceState::kError, before_stop)) << recorder_.StateLog();

  const std::size_t before_start = recorder_.state_count();
  sim = std::make_unique<SimProcess>(link_, control_, dir_.Path("sim2.log"));
  ASSERT_TRUE(sim->WaitReady()) << sim->Log();
  ASSERT_TRUE(recorder_.WaitForState(DeviceState::kIdle, before_start)) << recorder_.StateLog();
  // The new simulator starts again at SEQ 1; the driver must not take it for a resend.
  EXPECT_EQ(Command("present barcode 2000000000022"), "ok seq=1");
  ASSERT_TRUE(recorder_.WaitForCards(2)) << sim->Log();
  EXPECT_EQ(recorder_.cards(), (std::vector<std::string>{"2000000000015", "2000000000022"}));
}

TEST_F(ReaderDriverWithSimTest, ReadsDeviceInfoAtOpen) {
  SimProcess sim(link_, control_, dir_.Path("sim.log"), {"--serial", "SN-4242"});
  ASSERT_TRUE(sim.WaitReady()) << sim.Log();
  StartDriver();
  const std::optional<reader::DeviceInfo> info = driver_->device_info();
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->serial_number, "SN-4242");
  EXPECT_EQ(info->firmware_version, "1.1.0");
  EXPECT_NE(recorder_.StateLog().find("serial SN-4242"), std::string::npos) << recorder_.StateLog();
}

TEST_F(ReaderDriverWithSimTest, AuthenticatesGenuineNfcCardAndRefusesClone) {
  SimProcess sim(link_, control_, dir_.Path("sim.log"), {"--nfc-master-key", MasterKeyFile()});
  ASSERT_TRUE(sim.WaitReady()) << sim.Log();
  StartDriver();
  EXPECT_EQ(Command("present nfc 04A1B2C3D4E5F6:2000000000015"), "ok seq=1");
  ASSERT_TRUE(recorder_.WaitForCards(1)) << sim.Log();
  EXPECT_TRUE(recorder_.reads()[0].nfc_authenticated);
  EXPECT_EQ(recorder_.reads()[0].data, "04A1B2C3D4E5F6:2000000000015");

  // Same UID and number, but the key is not the one derived from the master key.
  EXPECT_EQ(Command("present nfc 04A1B2C3D4E5F6:2000000000015 key=" + std::string(64, '1')),
            "ok seq=2");
  ASSERT_TRUE(recorder_.WaitForRejections(1)) << sim.Log();
  EXPECT_NE(recorder_.rejections()[0].find("wrong answer"), std::string::npos);
  // A plain tag with a copied number cannot answer at all.
  EXPECT_EQ(Command("present nfc 04A1B2C3D4E5F6:2000000000015 nokey"), "ok seq=3");
  ASSERT_TRUE(recorder_.WaitForRejections(2)) << sim.Log();
  EXPECT_NE(recorder_.rejections()[1].find("no key"), std::string::npos);
  EXPECT_EQ(recorder_.cards().size(), 1u);
  EXPECT_EQ(driver_->stats().nfc_authenticated, 1u);
  EXPECT_EQ(driver_->stats().cards_rejected, 2u);
  EXPECT_NE(recorder_.StateLog().find("busy"), std::string::npos) << recorder_.StateLog();
}

TEST_F(ReaderDriverWithSimTest, PreferredPolicyDeliversKeylessCardUnauthenticated) {
  policy_ = NfcAuthPolicy::kPreferred;
  SimProcess sim(link_, control_, dir_.Path("sim.log"), {"--nfc-master-key", MasterKeyFile()});
  ASSERT_TRUE(sim.WaitReady()) << sim.Log();
  StartDriver();
  EXPECT_EQ(Command("present nfc 04A1B2C3:2000000000015 nokey"), "ok seq=1");
  ASSERT_TRUE(recorder_.WaitForCards(1)) << sim.Log();
  EXPECT_FALSE(recorder_.reads()[0].nfc_authenticated);
  // A wrong answer is still refused under "preferred".
  EXPECT_EQ(Command("present nfc 04A1B2C3:2000000000015 key=" + std::string(64, '2')), "ok seq=2");
  ASSERT_TRUE(recorder_.WaitForRejections(1)) << sim.Log();
  EXPECT_EQ(recorder_.cards().size(), 1u);
}

TEST_F(ReaderDriverWithSimTest, OffPolicySendsNoChallenge) {
  policy_ = NfcAuthPolicy::kOff;
  SimProcess sim(link_, control_, dir_.Path("sim.log"));
  ASSERT_TRUE(sim.WaitReady()) << sim.Log();
  StartDriver();
  EXPECT_EQ(Command("present nfc 04A1B2C3:2000000000015"), "ok seq=1");
  ASSERT_TRUE(recorder_.WaitForCards(1)) << sim.Log();
  EXPECT_FALSE(recorder_.reads()[0].nfc_authenticated);
  EXPECT_NE(Command("status").find("nfc_challenges=0 "), std::string::npos) << Command("status");
}

TEST_F(ReaderDriverWithSimTest, LedAndBeepReachTheDevice) {
  SimProcess sim(link_, control_, dir_.Path("sim.log"));
  ASSERT_TRUE(sim.WaitReady()) << sim.Log();
  StartDriver();
  ASSERT_TRUE(driver_->SetLed(reader::LedColor::kGreen, 500ms).ok());
  ASSERT_TRUE(driver_->Beep(2, 80ms).ok());
  EXPECT_EQ(driver_->Beep(11).error().code, ErrorCode::kInvalidArgument);
  EXPECT_TRUE(firmware_sim::WaitFor(
      [&] {
        const std::string status = Command("status");
        return status.find("led=green ") != std::string::npos &&
               status.find("beeps=2 ") != std::string::npos;
      },
      3s))
      << Command("status");
}

TEST_F(ReaderDriverWithSimTest, NoticesDeviceThatStopsAnsweringAndRecovers) {
  SimProcess sim(link_, control_, dir_.Path("sim.log"));
  ASSERT_TRUE(sim.WaitReady()) << sim.Log();
  StartDriver();
  const std::size_t before = recorder_.state_count();
  EXPECT_EQ(Command("fault mute on").substr(0, 2), "ok");
  // ping_interval 200 ms + 3 x 100 ms response timeout.
  ASSERT_TRUE(recorder_.WaitForState(DeviceState::kError, before, 3s)) << recorder_.StateLog();
  EXPECT_NE(recorder_.StateLog().find("device not answering"), std::string::npos)
      << recorder_.StateLog();
  const std::size_t muted = recorder_.state_count();
  EXPECT_EQ(Command("fault mute off").substr(0, 2), "ok");
  ASSERT_TRUE(recorder_.WaitForState(DeviceState::kIdle, muted, 5s)) << recorder_.StateLog();
  EXPECT_EQ(Command("present barcode 2000000000015"), "ok seq=1");
  ASSERT_TRUE(recorder_.WaitForCards(1)) << sim.Log();
}

TEST_F(ReaderDriverWithSimTest, SurvivesReplugFromControlSocket) {
  SimProcess sim(link_, control_, dir_.Path("sim.log"));
  ASSERT_TRUE(sim.WaitReady()) << sim.Log();
  StartDriver();
  EXPECT_EQ(Command("present barcode 2000000000015"), "ok seq=1");
  ASSERT_TRUE(recorder_.WaitForCards(1));
  const std::size_t before = recorder_.state_count();
  EXPECT_EQ(Command("replug 100ms"), "ok replug in 100ms");
  ASSERT_TRUE(recorder_.WaitForState(DeviceState::kError, before)) << recorder_.StateLog();
  const std::size_t unplugged = recorder_.state_count();
  ASSERT_TRUE(recorder_.WaitForState(DeviceState::kIdle, unplugged)) << recorder_.StateLog();
  // The device came back powered up from scratch: SEQ 1 again, and not a duplicate.
  EXPECT_EQ(Command("present barcode 2000000000022"), "ok seq=1");
  ASSERT_TRUE(recorder_.WaitForCards(2)) << sim.Log();
  EXPECT_EQ(recorder_.cards()[1], "2000000000022");
}

TEST_F(ReaderDriverWithSimTest, DuplicatedNoisyDelayedEventsDeliveredOnce) {
  SimProcess sim(link_, control_, dir_.Path("sim.log"),
                 {"--duplicate", "1", "--noise", "0.5", "--latency", "20"});
  ASSERT_TRUE(sim.WaitReady()) << sim.Log();
  StartDriver();
  std::vector<std::string> expected;
  for (int i = 1; i <= 20; ++i) {
    const std::string number =
        CardNumber::FromBody("2000000000" + std::string(i < 10 ? "0" : "") + std::to_string(i))
            .value()
            .digits();
    expected.push_back(number);
    ASSERT_EQ(Command("present barcode " + number).substr(0, 6), "ok seq");
    ASSERT_TRUE(recorder_.WaitForCards(expected.size(), 5s)) << Command("status");
  }
  EXPECT_EQ(recorder_.cards(), expected);
  EXPECT_GT(driver_->stats().duplicates_dropped, 0u);
  EXPECT_NE(Command("status").find("events_dropped=0 "), std::string::npos);
}

TEST_F(ReaderDriverWithSimTest, DeviceErrorIsReportedAsState) {
  SimProcess sim(link_, control_, dir_.Path("sim.log"));
  ASSERT_TRUE(sim.WaitReady()) << sim.Log();
  StartDriver();
  const std::size_t before = recorder_.state_count();
  EXPECT_EQ(Command("device-error nfc antenna fault"), "ok seq=1");
  ASSERT_TRUE(recorder_.WaitForState(DeviceState::kError, before)) << recorder_.StateLog();
  EXPECT_NE(recorder_.StateLog().find("device reported: nfc antenna fault"), std::string::npos);
  const std::size_t faulted = recorder_.state_count();
  EXPECT_EQ(Command("present barcode 2000000000015"), "ok seq=2");
  ASSERT_TRUE(recorder_.WaitForState(DeviceState::kIdle, faulted)) << recorder_.StateLog();
}

}  // namespace
}  // namespace loyalty::terminal
