#include "reader/reader_driver.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <utility>
#include <vector>

#include "loyalty/reader/frame.h"
#include "reader/serial_port.h"

namespace loyalty::terminal {
namespace {

using Clock = std::chrono::steady_clock;
using reader::Frame;
using reader::FrameType;

// How often the thread wakes with nothing to read, to check the device path.
constexpr std::chrono::milliseconds kPollInterval{100};
constexpr std::chrono::milliseconds kPathCheckInterval{500};
// Longer than any gap inside a frame (a device sends a frame back to back), short
// enough that a stray STX delays the real frame behind it well before the device's
// 500 ms retransmission.
constexpr std::chrono::milliseconds kStalePartialTimeout{100};
constexpr std::chrono::milliseconds kWriteTimeout{250};

}  // namespace

const char* DeviceStateName(DeviceState state) {
  switch (state) {
    case DeviceState::kClosed:
      return "closed";
    case DeviceState::kIdle:
      return "idle";
    case DeviceState::kBusy:
      return "busy";
    case DeviceState::kError:
      return "error";
  }
  return "error";
}

// One open connection to the device, from open until it is lost or the driver stops.
// Per-connection state (partial frames, the last SEQ) starts fresh each time, because a
// device that came back has restarted its numbering.
class ReaderDriver::Session {
 public:
  Session(ReaderDriver& driver, SerialPort port) : driver_(driver), port_(std::move(port)) {
    struct stat device {};
    if (::fstat(port_.fd(), &device) == 0) device_id_ = device.st_rdev;
  }

  // Returns why the session ended; empty when the driver is stopping.
  std::string Serve() {
    last_byte_at_ = Clock::now();
    auto next_path_check = Clock::now() + kPathCheckInterval;
    std::array<uint8_t, 1024> chunk{};
    while (!driver_.stopping_.load()) {
      std::array<pollfd, 2> fds{pollfd{port_.fd(), POLLIN, 0}, pollfd{driver_.wake_fd_, POLLIN, 0}};
      const int ready = ::poll(fds.data(), fds.size(), static_cast<int>(kPollInterval.count()));
      if (ready < 0 && errno != EINTR) return std::string("poll: ") + std::strerror(errno);
      if (fds[1].revents != 0) return {};
      const auto now = Clock::now();

      if (fds[0].revents != 0) {
        Result<std::size_t> count = port_.Read(chunk, std::chrono::milliseconds(0));
        if (!count.ok()) return count.error().message;
        if (*count > 0) {
          last_byte_at_ = now;
          decoder_.Feed(std::span<const uint8_t>(chunk.data(), *count));
        }
      }
      if (decoder_.buffered_bytes() > 0 && now - last_byte_at_ > kStalePartialTimeout) {
        // The line went quiet inside a "frame": it was noise that began with STX.
        decoder_.DropStalePartial();
        last_byte_at_ = now;
      }
      if (std::string lost = ProcessFrames(); !lost.empty()) return lost;

      if (now >= next_path_check) {
        next_path_check = now + kPathCheckInterval;
        if (std::string lost = CheckPath(); !lost.empty()) return lost;
      }
    }
    return {};
  }

 private:
  std::string ProcessFrames() {
    const uint64_t crc_errors_before = decoder_.stats().crc_errors;
    while (std::optional<Frame> frame = decoder_.Next()) {
      if (std::string lost = HandleFrame(*frame); !lost.empty()) return lost;
    }
    const uint64_t new_crc_errors = decoder_.stats().crc_errors - crc_errors_before;
    if (new_crc_errors > 0) {
      std::lock_guard lock(driver_.stats_mutex_);
      driver_.stats_.crc_errors += new_crc_errors;
    }
    for (uint64_t i = 0; i < new_crc_errors; ++i) {
      if (std::string lost = Send(FrameType::kNak, 0); !lost.empty()) return lost;
    }
    return {};
  }

  std::string HandleFrame(const Frame& frame) {
    // ACK and NAK come only from the host; answering one would start an echo loop.
    if (frame.type == FrameType::kAck || frame.type == FrameType::kNak) return {};
    // ACK before any callback: a slow callback must not make the device retransmit.
    if (std::string lost = Send(FrameType::kAck, frame.seq); !lost.empty()) return lost;
    if (frame.type != FrameType::kCardPresented && frame.type != FrameType::kCardRemoved) {
      return {};  // PONG, device errors and newer frame types: nothing to do yet
    }

    if (last_event_seq_ == frame.seq) {
      std::lock_guard lock(driver_.stats_mutex_);
      ++driver_.stats_.duplicates_dropped;
      return {};
    }
    last_event_seq_ = frame.seq;
    if (frame.type == FrameType::kCardRemoved) return {};

    Result<reader::CardEvent> event = reader::DecodeCardEvent(frame.payload);
    if (!event.ok()) {
      std::lock_guard lock(driver_.stats_mutex_);
      ++driver_.stats_.bad_card_events;
      return {};
    }
    {
      std::lock_guard lock(driver_.stats_mutex_);
      ++driver_.stats_.cards_delivered;
    }
    if (driver_.on_card_) driver_.on_card_(CardRead{event->technology, std::move(event->data)});
    return {};
  }

  std::string Send(FrameType type, uint8_t seq) {
    const std::vector<uint8_t> bytes = reader::EncodeFrame(Frame{seq, type, {}});
    Status written = port_.WriteAll(bytes, kWriteTimeout);
    return written.ok() ? std::string() : written.error().message;
  }

  // A device that vanishes without a hang-up (link removed, or pointed at another
  // device by a restarted simulator) is noticed here.
  std::string CheckPath() {
    struct stat current {};
    if (::stat(port_.path().c_str(), &current) != 0) {
      return port_.path() + " vanished: " + std::strerror(errno);
    }
    if (device_id_ && current.st_rdev != *device_id_) {
      return port_.path() + " now points at another device";
    }
    return {};
  }

  ReaderDriver& driver_;
  SerialPort port_;
  std::optional<dev_t> device_id_;
  reader::FrameDecoder decoder_;
  std::optional<uint8_t> last_event_seq_;
  Clock::time_point last_byte_at_;
};

ReaderDriver::ReaderDriver(ReaderOptions options, CardCallback on_card, StateCallback on_state)
    : options_(std::move(options)),
      on_card_(std::move(on_card)),
      on_state_(std::move(on_state)),
      wake_fd_(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {}

ReaderDriver::~ReaderDriver() {
  Stop();
  if (wake_fd_ >= 0) ::close(wake_fd_);
}

void ReaderDriver::Start() {
  if (thread_.joinable()) return;
  stopping_.store(false);
  uint64_t drained = 0;
  [[maybe_unused]] const ssize_t ignored = ::read(wake_fd_, &drained, sizeof drained);
  thread_ = std::thread([this] { Run(); });
}

void ReaderDriver::Stop() {
  if (!thread_.joinable()) return;
  stopping_.store(true);
  const uint64_t one = 1;
  [[maybe_unused]] const ssize_t ignored = ::write(wake_fd_, &one, sizeof one);
  thread_.join();
}

ReaderDriver::Stats ReaderDriver::stats() const {
  std::lock_guard lock(stats_mutex_);
  return stats_;
}

void ReaderDriver::SetState(DeviceState state, const std::string& detail) {
  // Repeated failures with the same cause (the device still absent) are reported once.
  if (state == state_.load() && detail == state_detail_) return;
  state_.store(state);
  state_detail_ = detail;
  if (on_state_) on_state_(state, detail);
}

bool ReaderDriver::SleepUnlessStopped(std::chrono::milliseconds duration) {
  pollfd waiting{wake_fd_, POLLIN, 0};
  const auto deadline = Clock::now() + duration;
  while (!stopping_.load()) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return true;
    const auto slice = std::min<std::chrono::milliseconds::rep>(left.count(), 60'000);
    ::poll(&waiting, 1, static_cast<int>(slice));
  }
  return false;
}

void ReaderDriver::Run() {
  auto backoff = options_.reconnect_min;
  while (!stopping_.load()) {
    Result<SerialPort> port = SerialPort::Open(options_.device_path, options_.baud);
    if (!port.ok()) {
      if (port.error().code == ErrorCode::kInvalidArgument) {
        // A bad setting will not fix itself; say so once and wait for Stop().
        SetState(DeviceState::kError, port.error().message);
        SleepUnlessStopped(std::chrono::hours(24 * 365));
        break;
      }
      SetState(DeviceState::kError, port.error().message);
      if (!SleepUnlessStopped(backoff)) break;
      backoff = std::min(backoff * 2, options_.reconnect_max);
      continue;
    }

    backoff = options_.reconnect_min;
    {
      std::lock_guard lock(stats_mutex_);
      ++stats_.opens;
    }
    SetState(DeviceState::kIdle, "opened " + options_.device_path);
    Session session(*this, std::move(port).value());
    const std::string lost = session.Serve();
    if (stopping_.load()) break;
    SetState(DeviceState::kError, "device lost: " + lost);
    if (!SleepUnlessStopped(backoff)) break;
  }
  SetState(DeviceState::kClosed, "stopped");
}

}  // namespace loyalty::terminal
