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
#include "loyalty/reader/nfc_auth.h"
#include "reader/serial_port.h"

namespace loyalty::terminal {
namespace {

using Clock = std::chrono::steady_clock;
using reader::Frame;
using reader::FrameType;

// Longest the thread sleeps with nothing due, to check the device path.
constexpr std::chrono::milliseconds kPollInterval{100};
constexpr std::chrono::milliseconds kPathCheckInterval{500};
constexpr std::chrono::milliseconds kWriteTimeout{250};
constexpr std::size_t kMaxUserCommands = 8;
// On a line that damages responses, a command is sent this many times command_attempts
// before the driver carries on without its response.
constexpr int kNoisyAttemptsFactor = 4;

FrameType ResponseTo(FrameType command) {
  return static_cast<FrameType>(static_cast<uint8_t>(command) + 1);
}

bool IsCommand(FrameType type) {
  const auto value = static_cast<uint8_t>(type);
  return value >= 0x20 && value <= 0x2F && value % 2 == 0;
}

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

const char* NfcAuthPolicyName(NfcAuthPolicy policy) {
  switch (policy) {
    case NfcAuthPolicy::kOff:
      return "off";
    case NfcAuthPolicy::kPreferred:
      return "preferred";
    case NfcAuthPolicy::kRequired:
      return "required";
  }
  return "required";
}

Result<NfcAuthPolicy> ParseNfcAuthPolicy(std::string_view name) {
  for (NfcAuthPolicy policy :
       {NfcAuthPolicy::kOff, NfcAuthPolicy::kPreferred, NfcAuthPolicy::kRequired}) {
    if (name == NfcAuthPolicyName(policy)) return policy;
  }
  return InvalidArgument("nfc_auth", "unknown NFC authentication policy '" + std::string(name) +
                                         "' (expected off, preferred or required)");
}

// One open connection to the device, from open until it is lost or the driver stops.
// Per-connection state (partial frames, the last SEQ) starts fresh each time, because a
// device that came back has restarted its numbering.
class ReaderDriver::Session {
 public:
  Session(ReaderDriver& driver, SerialPort port)
      : driver_(driver), options_(driver.options_), port_(std::move(port)) {
    struct stat device {};
    if (::fstat(port_.fd(), &device) == 0) device_id_ = device.st_rdev;
  }

  // Returns why the session ended; empty when the driver is stopping.
  std::string Serve() {
    const auto start = Clock::now();
    last_byte_at_ = start;
    last_frame_at_ = start;
    next_path_check_ = start + kPathCheckInterval;
    if (options_.query_device_info) {
      commands_.push_back(Command{FrameType::kDeviceInfoRequest, {}, Purpose::kDeviceInfo});
    } else {
      driver_.SetState(DeviceState::kIdle, "opened " + options_.device_path);
    }
    std::string lost = Loop();
    GiveUpPendingCards();
    return lost;
  }

 private:
  enum class Purpose { kDeviceInfo, kPing, kUser, kNfcAuth };
  struct Command {
    FrameType type;
    std::vector<uint8_t> payload;
    Purpose purpose;
  };
  struct Outstanding {
    Command command{FrameType::kPing, {}, Purpose::kPing};
    uint8_t seq = 0;
    int attempts = 0;
    int silent_timeouts = 0;  // timeouts with not a byte from the device meanwhile
    Clock::time_point sent_at;
    Clock::time_point deadline;
  };
  // A card read, in line order, waiting for its NFC authentication (or behind one).
  struct PendingCard {
    CardRead read;
    bool needs_auth = false;
    bool challenged = false;
    reader::NfcChallenge challenge{};  // fresh for each card: a replayed answer is useless
    reader::NfcAnswer expected{};
  };

  std::string Loop() {
    std::array<uint8_t, 1024> chunk{};
    while (!driver_.stopping_.load()) {
      const auto timeout = PollTimeout(Clock::now());
      std::array<pollfd, 2> fds{pollfd{port_.fd(), POLLIN, 0}, pollfd{driver_.wake_fd_, POLLIN, 0}};
      const int ready = ::poll(fds.data(), fds.size(), static_cast<int>(timeout.count()));
      if (ready < 0 && errno != EINTR) return std::string("poll: ") + std::strerror(errno);
      if (fds[1].revents != 0) {
        uint64_t drained = 0;
        [[maybe_unused]] const ssize_t ignored = ::read(driver_.wake_fd_, &drained, sizeof drained);
        if (driver_.stopping_.load()) return {};
        TakeUserCommands();
      }
      const auto now = Clock::now();

      if (fds[0].revents != 0) {
        Result<std::size_t> count = port_.Read(chunk, std::chrono::milliseconds(0));
        if (!count.ok()) return count.error().message;
        if (*count > 0) {
          last_byte_at_ = now;
          decoder_.Feed(std::span<const uint8_t>(chunk.data(), *count));
        }
      }
      if (decoder_.buffered_bytes() > 0 && now - last_byte_at_ >= options_.frame_gap_timeout) {
        // The line went quiet inside a "frame": a byte of it was lost, or it was noise
        // that began with STX. Drop it; ProcessFrames NAKs so the device resends now.
        decoder_.DropStalePartial();
        last_byte_at_ = now;
      }
      if (std::string lost = ProcessFrames(now); !lost.empty()) return lost;
      if (std::string lost = DriveCommands(now); !lost.empty()) return lost;

      if (now >= next_path_check_) {
        next_path_check_ = now + kPathCheckInterval;
        if (std::string lost = CheckPath(); !lost.empty()) return lost;
      }
    }
    return {};
  }

  std::chrono::milliseconds PollTimeout(Clock::time_point now) const {
    Clock::time_point wake = now + kPollInterval;
    if (decoder_.buffered_bytes() > 0) wake = std::min(wake, last_byte_at_ + options_.frame_gap_timeout);
    if (outstanding_) wake = std::min(wake, outstanding_->deadline);
    if (!commands_.empty() && !outstanding_) wake = now;
    if (options_.ping_interval.count() > 0 && !outstanding_) {
      wake = std::min(wake, last_frame_at_ + options_.ping_interval);
    }
    // Rounded up: waking a little late is harmless, waking early spins.
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(wake - now);
    return std::max(std::chrono::milliseconds(0), left);
  }

  void TakeUserCommands() {
    std::lock_guard lock(driver_.mutex_);
    for (UserCommand& user : driver_.user_commands_) {
      commands_.push_back(Command{user.type, std::move(user.payload), Purpose::kUser});
    }
    driver_.user_commands_.clear();
  }

  std::string ProcessFrames(Clock::time_point now) {
    const uint64_t crc_errors_before = decoder_.stats().crc_errors;
    uint64_t skipped = decoder_.stats().bytes_skipped;
    while (std::optional<Frame> frame = decoder_.Next()) {
      if (decoder_.stats().bytes_skipped != skipped) garbage_since_event_ = true;
      skipped = decoder_.stats().bytes_skipped;
      if (std::string lost = HandleFrame(*frame, now); !lost.empty()) return lost;
    }
    if (decoder_.stats().bytes_skipped != skipped) garbage_since_event_ = true;
    const uint64_t new_crc_errors = decoder_.stats().crc_errors - crc_errors_before;
    if (new_crc_errors > 0) {
      std::lock_guard lock(driver_.mutex_);
      driver_.stats_.crc_errors += new_crc_errors;
    }
    // Bytes were thrown away (a bad CRC, a frame cut short, noise) and no event came
    // after them: the device may be waiting for an ACK of what was damaged. One NAK
    // makes it resend at once instead of after its 500 ms timeout; if it had nothing
    // in flight the NAK is ignored. While a partial frame is still arriving, wait.
    if (garbage_since_event_ && decoder_.buffered_bytes() == 0) {
      garbage_since_event_ = false;
      {
        std::lock_guard lock(driver_.mutex_);
        ++driver_.stats_.naks_sent;
      }
      if (std::string lost = Send(Frame{0, FrameType::kNak, {}}); !lost.empty()) return lost;
    }
    return {};
  }

  std::string HandleFrame(const Frame& frame, Clock::time_point now) {
    // ACK and NAK come only from the host, and so do commands; answering one would
    // start an echo loop.
    if (frame.type == FrameType::kAck || frame.type == FrameType::kNak || IsCommand(frame.type)) {
      return {};
    }
    last_frame_at_ = now;
    if (reader::IsResponse(frame.type)) return HandleResponse(frame);

    // Everything else is a device event, known or not. ACK before any callback: a slow
    // callback must not make the device retransmit.
    garbage_since_event_ = false;
    if (std::string lost = Send(Frame{frame.seq, FrameType::kAck, {}}); !lost.empty()) return lost;
    if (last_event_seq_ == frame.seq) {
      std::lock_guard lock(driver_.mutex_);
      ++driver_.stats_.duplicates_dropped;
      return {};
    }
    last_event_seq_ = frame.seq;

    if (frame.type == FrameType::kDeviceError) {
      Result<reader::DeviceError> error = reader::DecodeDeviceError(frame.payload);
      {
        std::lock_guard lock(driver_.mutex_);
        ++driver_.stats_.device_errors;
      }
      device_fault_ = true;
      driver_.SetState(DeviceState::kError,
                       "device reported: " + (error.ok() ? error->description
                                                         : std::string("an unreadable error")));
      return {};
    }
    if (frame.type != FrameType::kCardPresented) return {};  // removed, or a newer event
    if (device_fault_) {
      // A device that reads cards again has recovered from what it reported.
      device_fault_ = false;
      driver_.SetState(DeviceState::kIdle, "device reads cards again");
    }

    Result<reader::CardEvent> event = reader::DecodeCardEvent(frame.payload);
    if (!event.ok()) {
      {
        std::lock_guard lock(driver_.mutex_);
        ++driver_.stats_.bad_card_events;
      }
      const auto technology = frame.payload.empty() ? reader::CardTechnology::kBarcode
                                                    : static_cast<reader::CardTechnology>(frame.payload[0]);
      Reject(technology, "unreadable card event: " + event.error().message);
      return {};
    }
    PendingCard card{CardRead{event->technology, std::move(event->data), false}};
    if (card.read.technology == reader::CardTechnology::kNfc) {
      if (std::string refused = PrepareNfc(card); !refused.empty()) {
        Reject(reader::CardTechnology::kNfc, refused);
        return {};
      }
    }
    pending_.push_back(std::move(card));
    DeliverReady();
    return {};
  }

  // Decides whether an NFC card needs the challenge; a non-empty result refuses it.
  std::string PrepareNfc(PendingCard& card) {
    if (options_.nfc_auth == NfcAuthPolicy::kOff) return {};
    Result<reader::NfcCardData> data = reader::ParseNfcCardData(card.read.data);
    const bool required = options_.nfc_auth == NfcAuthPolicy::kRequired;
    if (!data.ok()) return required ? "nfc authentication impossible: " + data.error().message : "";
    if (options_.nfc_master_key.empty()) {
      return required ? "nfc authentication required but no master key is configured" : "";
    }
    card.needs_auth = true;
    card.challenge = reader::RandomNfcChallenge();
    card.expected = reader::ComputeNfcAnswer(
        reader::DeriveNfcCardKey(options_.nfc_master_key, data->uid), card.challenge);
    return {};
  }

  // Delivers cards from the front of the queue until one waits for its challenge.
  void DeliverReady() {
    while (!pending_.empty()) {
      PendingCard& front = pending_.front();
      if (front.needs_auth) {
        if (!front.challenged) {
          front.challenged = true;
          commands_.push_front(Command{FrameType::kNfcAuth,
                                       reader::EncodeNfcAuthRequest(front.challenge),
                                       Purpose::kNfcAuth});
          driver_.SetState(DeviceState::kBusy, "authenticating an nfc card");
        }
        return;
      }
      CardRead read = std::move(front.read);
      pending_.pop_front();
      Deliver(read);
    }
  }

  void Deliver(const CardRead& read) {
    {
      std::lock_guard lock(driver_.mutex_);
      ++driver_.stats_.cards_delivered;
      if (read.nfc_authenticated) ++driver_.stats_.nfc_authenticated;
    }
    if (driver_.on_card_) driver_.on_card_(read);
  }

  void Reject(reader::CardTechnology technology, const std::string& reason) {
    {
      std::lock_guard lock(driver_.mutex_);
      ++driver_.stats_.cards_rejected;
    }
    if (driver_.on_reject_) driver_.on_reject_(CardRejection{technology, reason});
  }

  void FinishNfc(bool authenticated, const std::string& refusal) {
    PendingCard card = std::move(pending_.front());
    pending_.pop_front();
    const bool required = options_.nfc_auth == NfcAuthPolicy::kRequired;
    if (authenticated) {
      card.read.nfc_authenticated = true;
      Deliver(card.read);
    } else if (!required && refusal.starts_with("nfc card could not answer")) {
      Deliver(card.read);  // preferred: a card that cannot answer is not a wrong answer
    } else {
      Reject(reader::CardTechnology::kNfc, refusal);
    }
    if (!device_fault_) driver_.SetState(DeviceState::kIdle, "ready");
    DeliverReady();
  }

  std::string HandleResponse(const Frame& frame) {
    // A late response (to a command already answered or given up) is ignored.
    if (!outstanding_ || frame.seq != outstanding_->seq ||
        frame.type != ResponseTo(outstanding_->command.type)) {
      return {};
    }
    const Purpose purpose = outstanding_->command.purpose;
    outstanding_.reset();
    switch (purpose) {
      case Purpose::kDeviceInfo: {
        Result<reader::DeviceInfo> info = reader::DecodeDeviceInfo(frame.payload);
        std::string detail = "opened " + options_.device_path;
        if (info.ok()) {
          detail += ": " + info->model + ", firmware " + info->firmware_version + ", serial " +
                    info->serial_number;
          std::lock_guard lock(driver_.mutex_);
          driver_.device_info_ = *info;
        }
        driver_.SetState(DeviceState::kIdle, detail);
        break;
      }
      case Purpose::kNfcAuth: {
        Result<reader::NfcAuthResult> result = reader::DecodeNfcAuthResult(frame.payload);
        if (!result.ok()) {
          FinishNfc(false, "nfc authentication failed: unreadable answer");
        } else if (result->status == reader::NfcAuthStatus::kOk) {
          const bool right = reader::NfcAnswerMatches(pending_.front().expected, result->answer);
          FinishNfc(right, right ? "" : "nfc authentication failed: wrong answer (cloned card?)");
        } else {
          FinishNfc(false, result->status == reader::NfcAuthStatus::kNoCard
                               ? "nfc card could not answer: taken away"
                               : "nfc card could not answer: it holds no key");
        }
        break;
      }
      case Purpose::kPing:
      case Purpose::kUser:
        break;
    }
    return {};
  }

  std::string DriveCommands(Clock::time_point now) {
    if (outstanding_ && now >= outstanding_->deadline) {
      {
        std::lock_guard lock(driver_.mutex_);
        ++driver_.stats_.command_timeouts;
      }
      // Only silence counts toward "not answering": on a noisy line a damaged response
      // still shows the device is alive, and closing the port would not help.
      if (last_byte_at_ < outstanding_->sent_at) ++outstanding_->silent_timeouts;
      if (outstanding_->silent_timeouts >= options_.command_attempts) {
        return "device not answering: no response to " +
               std::string(reader::FrameTypeName(outstanding_->command.type)) + " after " +
               std::to_string(outstanding_->attempts) + " attempts";
      }
      if (outstanding_->attempts >= options_.command_attempts * kNoisyAttemptsFactor) {
        GiveUpCommand();
      } else {
        return SendOutstanding(now);  // same SEQ, so a late first response still counts
      }
    }
    if (outstanding_) return {};
    if (commands_.empty() && options_.ping_interval.count() > 0 &&
        now - last_frame_at_ >= options_.ping_interval) {
      commands_.push_back(Command{FrameType::kPing, {}, Purpose::kPing});
    }
    if (commands_.empty()) return {};
    outstanding_.emplace();
    outstanding_->command = std::move(commands_.front());
    outstanding_->seq = ++host_seq_;
    commands_.pop_front();
    return SendOutstanding(now);
  }

  // The device answers, but never readably: carry on without this response.
  void GiveUpCommand() {
    const Purpose purpose = outstanding_->command.purpose;
    outstanding_.reset();
    if (purpose == Purpose::kDeviceInfo) {
      driver_.SetState(DeviceState::kIdle,
                       "opened " + options_.device_path + " (device info unreadable)");
    } else if (purpose == Purpose::kNfcAuth) {
      FinishNfc(false, "nfc authentication failed: answer unreadable on a noisy line");
    }
  }

  std::string SendOutstanding(Clock::time_point now) {
    ++outstanding_->attempts;
    outstanding_->sent_at = now;
    outstanding_->deadline = now + options_.response_timeout;
    {
      std::lock_guard lock(driver_.mutex_);
      ++driver_.stats_.commands_sent;
    }
    return Send(Frame{outstanding_->seq, outstanding_->command.type, outstanding_->command.payload});
  }

  // Cards read but not yet settled when the device is lost: an NFC card that could not
  // be challenged is treated as one that could not answer.
  void GiveUpPendingCards() {
    while (!pending_.empty()) {
      if (pending_.front().needs_auth) {
        FinishNfc(false, "nfc card could not answer: device lost during authentication");
      } else {
        CardRead read = std::move(pending_.front().read);
        pending_.pop_front();
        Deliver(read);
      }
    }
  }

  std::string Send(const Frame& frame) {
    const std::vector<uint8_t> bytes = reader::EncodeFrame(frame);
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
  const ReaderOptions& options_;
  SerialPort port_;
  std::optional<dev_t> device_id_;
  reader::FrameDecoder decoder_;
  std::optional<uint8_t> last_event_seq_;
  bool garbage_since_event_ = false;
  bool device_fault_ = false;
  Clock::time_point last_byte_at_;
  Clock::time_point last_frame_at_;
  Clock::time_point next_path_check_;
  std::deque<Command> commands_;
  std::optional<Outstanding> outstanding_;
  uint8_t host_seq_ = 0;
  std::deque<PendingCard> pending_;
};

ReaderDriver::ReaderDriver(ReaderOptions options, CardCallback on_card, StateCallback on_state,
                           RejectCallback on_reject)
    : options_(std::move(options)),
      on_card_(std::move(on_card)),
      on_state_(std::move(on_state)),
      on_reject_(std::move(on_reject)),
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

void ReaderDriver::Wake() {
  const uint64_t one = 1;
  [[maybe_unused]] const ssize_t ignored = ::write(wake_fd_, &one, sizeof one);
}

void ReaderDriver::Stop() {
  if (!thread_.joinable()) return;
  stopping_.store(true);
  Wake();
  thread_.join();
}

ReaderDriver::Stats ReaderDriver::stats() const {
  std::lock_guard lock(mutex_);
  return stats_;
}

std::optional<reader::DeviceInfo> ReaderDriver::device_info() const {
  std::lock_guard lock(mutex_);
  return device_info_;
}

Status ReaderDriver::QueueUserCommand(UserCommand command) {
  if (!session_open_.load()) return Unavailable("card reader is not open");
  {
    std::lock_guard lock(mutex_);
    if (user_commands_.size() >= kMaxUserCommands) {
      return Unavailable("card reader busy: " + std::to_string(kMaxUserCommands) +
                         " commands are waiting");
    }
    user_commands_.push_back(std::move(command));
  }
  Wake();
  return {};
}

Status ReaderDriver::SetLed(reader::LedColor color, std::chrono::milliseconds duration) {
  if (duration.count() < 0 || duration.count() > 65'535) {
    return InvalidArgument("duration", "LED duration must be 0..65535 ms");
  }
  if (std::string(reader::LedColorName(color)) == "unknown") {
    return InvalidArgument("color", "unknown LED color");
  }
  return QueueUserCommand(UserCommand{
      FrameType::kSetLed,
      reader::EncodeLedCommand(reader::LedCommand{color, static_cast<uint16_t>(duration.count())})});
}

Status ReaderDriver::Beep(int count, std::chrono::milliseconds duration) {
  if (count < 1 || count > 10) return InvalidArgument("count", "beep count must be 1..10");
  if (duration.count() < 1 || duration.count() > 2000) {
    return InvalidArgument("duration", "beep duration must be 1..2000 ms");
  }
  return QueueUserCommand(UserCommand{
      FrameType::kBeep, reader::EncodeBeepCommand(reader::BeepCommand{
                            static_cast<uint8_t>(count), static_cast<uint16_t>(duration.count())})});
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
    if (::poll(&waiting, 1, static_cast<int>(slice)) > 0) {
      // Stop() sets stopping_ before it writes, so draining here loses no stop request;
      // a late SetLed()/Beep() wake-up must not make this loop spin.
      uint64_t drained = 0;
      [[maybe_unused]] const ssize_t ignored = ::read(wake_fd_, &drained, sizeof drained);
    }
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

    {
      std::lock_guard lock(mutex_);
      ++stats_.opens;
      device_info_.reset();
    }
    session_open_.store(true);
    Session session(*this, std::move(port).value());
    const std::string lost = session.Serve();
    session_open_.store(false);
    {
      std::lock_guard lock(mutex_);
      user_commands_.clear();
    }
    if (stopping_.load()) break;
    SetState(DeviceState::kError, "device lost: " + lost);
    // A device that opens but then fails (stops answering) backs off like an absent
    // one; one that served a while starts again from the minimum.
    if (!SleepUnlessStopped(backoff)) break;
    backoff = lost.starts_with("device not answering") ? std::min(backoff * 2, options_.reconnect_max)
                                                       : options_.reconnect_min;
  }
  SetState(DeviceState::kClosed, "stopped");
}

}  // namespace loyalty::terminal
