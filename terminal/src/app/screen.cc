// Threads. Curses is not thread-safe, and the till's state may only be read on the
// till's thread, so the till's thread owns the screen: every curses call, key reads
// included, happens there, inside TillListener callbacks or inside tasks posted with
// Till::PostTask. A key watcher thread makes no curses call and touches no screen
// state; it only poll()s stdin and a self-pipe and, when keys wait, posts one task that
// reads them all (non-blocking) and redraws, then waits for that task before polling
// again. The self-pipe carries what signal handlers may not do themselves: a resize
// (SIGWINCH; curses then reports KEY_RESIZE) and a request to stop (SIGTERM, SIGHUP,
// SIGINT), turned into a QuitCommand. So no lock guards the screen model: one thread
// owns it. The price: while the till is busy (a card lookup, a finish waiting for
// coupons) keys wait in the terminal's buffer and are handled right after, in order.
#include "app/screen.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <clocale>
#include <condition_variable>
#include <cstring>
#include <filesystem>
#include <iterator>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "app/cashier_input.h"
#include "app/screen_layout.h"
#include "receipt/receipt.h"
#include "receipt/text_columns.h"

// Last: curses names (OK, ERR, erase, timeout) would shadow ours. NOMACROS keeps it to
// the real functions, all called with stdscr.
#define NCURSES_WIDECHAR 1
#define NCURSES_NOMACROS 1
#include <curses.h>

namespace loyalty::terminal {
namespace {

// Bytes on the self-pipe.
constexpr char kWakeResize = 'r';
constexpr char kWakeQuit = 'q';  // a signal asks the till to quit
constexpr char kWakeStop = 's';  // RunScreen is done: the watcher ends

// Enough for a pasted coupon code and its prefix.
constexpr std::size_t kMaxInputColumns = 2100;
// How long curses waits for the rest of an escape sequence (a function key): short,
// since a lone Esc clears the input.
constexpr int kEscapeDelayMs = 25;

constexpr short kRedPair = 1;
constexpr short kGreenPair = 2;

constexpr char kHelp[] =
    R"(Type or scan, then Enter. Letters start an action; the F-keys type them for you.

  1004906            scan a barcode or SKU
  3*1004906          three of it
  F2  w755*161354    a weighed item: 755 g of 161354
  s:AB-12            scan a code that starts with a letter
  F3  c:2000000000015  key in a loyalty card (or present it to the reader)
  F4  t:<code>       a coupon from an old receipt (scan its QR code or paste)
  F5  v:2            void line 2 (it stays on screen, struck: VOID)
  F6  o:C042         cashier C042 signs on, between sales (shown on the status line)
  F8  x              cancel the sale (asks y/n)
  F10 f              finish the sale and show the receipt
  ^Q  q              quit the till (asks y/n)
  ?                  this list
  Backspace, ^U or Esc edit the line; Up/Down, PgUp/PgDn scroll the receipt.

The customer panel shows the coupons applied, with their amounts, and the coupons
not applied with the reason to read out to the shopper. OFFLINE on the status line:
the server is unreachable; sales are journaled here and upload when it is back, and
coupons are checked on their signature alone.)";

// The self-pipe's write end, for the signal handlers (lock-free: safe in a handler).
std::atomic<int> g_wake_fd{-1};
struct sigaction g_curses_winch {};  // curses' own SIGWINCH handler, called first

void WakeFromSignal(char byte) {
  const int saved_errno = errno;
  const int fd = g_wake_fd.load();
  if (fd >= 0) (void)!::write(fd, &byte, 1);
  errno = saved_errno;
}

void OnResizeSignal(int signal) {
  // Curses notes the new size in its handler and reports KEY_RESIZE at the next read.
  if (g_curses_winch.sa_handler != SIG_DFL && g_curses_winch.sa_handler != SIG_IGN &&
      g_curses_winch.sa_handler != nullptr) {
    g_curses_winch.sa_handler(signal);
  }
  WakeFromSignal(kWakeResize);
}

void OnStopSignal(int) { WakeFromSignal(kWakeQuit); }

// While curses owns the terminal, a log line written to it would tear the screen.
class LogsToFile {
 public:
  explicit LogsToFile(std::string path) {
    if (!::isatty(STDERR_FILENO)) return;  // already a file or a pipe: leave it
    const int file = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
    if (file < 0) {
      throw std::runtime_error("cannot open " + path +
                               " for the till's logs: " + std::strerror(errno));
    }
    saved_stderr_ = ::fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 0);
    ::dup2(file, STDERR_FILENO);
    ::close(file);
    path_ = std::move(path);
  }
  ~LogsToFile() {
    if (saved_stderr_ < 0) return;
    ::dup2(saved_stderr_, STDERR_FILENO);
    ::close(saved_stderr_);
  }
  LogsToFile(const LogsToFile&) = delete;
  LogsToFile& operator=(const LogsToFile&) = delete;

  // Where logs go now; empty when stderr was not the terminal.
  const std::string& path() const { return path_; }

 private:
  int saved_stderr_ = -1;
  std::string path_;
};

class WakePipe {
 public:
  WakePipe() {
    if (::pipe2(fds_, O_CLOEXEC | O_NONBLOCK) != 0) {
      throw std::runtime_error(std::string("cannot make the screen's wake pipe: ") +
                               std::strerror(errno));
    }
  }
  ~WakePipe() {
    ::close(fds_[0]);
    ::close(fds_[1]);
  }
  WakePipe(const WakePipe&) = delete;
  WakePipe& operator=(const WakePipe&) = delete;

  int read_fd() const { return fds_[0]; }
  int write_fd() const { return fds_[1]; }
  void Write(char byte) const { (void)!::write(fds_[1], &byte, 1); }

 private:
  int fds_[2] = {-1, -1};
};

// Curses on stdin/stdout, ended (the terminal restored) however the screen ends.
class CursesSession {
 public:
  CursesSession() {
    std::setlocale(LC_ALL, "");  // UTF-8 product names need the terminal's encoding
    // newterm, unlike initscr, returns instead of exiting when the terminal is unusable.
    screen_ = ::newterm(nullptr, stdout, stdin);
    if (screen_ == nullptr) {
      const char* term = std::getenv("TERM");
      throw std::runtime_error(std::string("cannot start the cashier screen on terminal type '") +
                               (term ? term : "") + "'; try --ui headless");
    }
    ::set_term(screen_);
    ::raw();  // ^Q and ^C reach the screen as keys instead of stopping the output or us
    ::noecho();
    ::nonl();
    ::keypad(stdscr, TRUE);
    ::nodelay(stdscr, TRUE);
    ::set_escdelay(kEscapeDelayMs);
    if (::has_colors()) {
      ::start_color();
      ::use_default_colors();
      ::init_pair(kRedPair, COLOR_RED, -1);
      ::init_pair(kGreenPair, COLOR_GREEN, -1);
    }
  }
  ~CursesSession() {
    ::endwin();
    ::delscreen(screen_);
  }
  CursesSession(const CursesSession&) = delete;
  CursesSession& operator=(const CursesSession&) = delete;

 private:
  SCREEN* screen_ = nullptr;
};

// Installed after curses, so a resize reaches curses' handler too; restored at the end.
class SignalHandlers {
 public:
  explicit SignalHandlers(const WakePipe& pipe) {
    g_wake_fd = pipe.write_fd();
    struct sigaction action {};
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    action.sa_handler = OnResizeSignal;
    ::sigaction(SIGWINCH, &action, &g_curses_winch);
    action.sa_handler = OnStopSignal;
    for (std::size_t i = 0; i < std::size(kStopSignals); ++i) {
      ::sigaction(kStopSignals[i], &action, &saved_[i]);
    }
  }
  ~SignalHandlers() {
    ::sigaction(SIGWINCH, &g_curses_winch, nullptr);
    for (std::size_t i = 0; i < std::size(kStopSignals); ++i) {
      ::sigaction(kStopSignals[i], &saved_[i], nullptr);
    }
    g_wake_fd = -1;
  }
  SignalHandlers(const SignalHandlers&) = delete;
  SignalHandlers& operator=(const SignalHandlers&) = delete;

 private:
  static constexpr int kStopSignals[] = {SIGTERM, SIGHUP, SIGINT};
  struct sigaction saved_[std::size(kStopSignals)]{};
};

attr_t Attributes(Style style) {
  const bool colour = ::has_colors();
  switch (style) {
    case Style::kHeading:
      return A_BOLD;
    case Style::kBar:
      return A_REVERSE;
    case Style::kAlert:
      return A_BOLD | (colour ? static_cast<attr_t>(COLOR_PAIR(kRedPair)) : A_REVERSE);
    case Style::kGood:
      return colour ? static_cast<attr_t>(COLOR_PAIR(kGreenPair)) : A_NORMAL;
    case Style::kVoided:
      return A_DIM;
    case Style::kNormal:
      break;
  }
  return A_NORMAL;
}

// The screen: a TillListener that keeps the model the layout draws, and the key
// handling. Every method runs on the till's thread (see the top of this file).
class CashierScreen final : public TillListener {
 public:
  CashierScreen(Till& till, const std::string& log_path) : till_(till) {
    model_.till_name = till.options().server.terminal_id;
    if (!log_path.empty()) logs_note_ = "; logs go to " + log_path;
    model_.message = "Starting: loading the catalog" + logs_note_;
  }

  // Reads every key that waits, then draws once.
  void ReadKeys() {
    wint_t key = 0;
    for (int kind; (kind = ::wget_wch(stdscr, &key)) != ERR;) {
      HandleKey(kind == KEY_CODE_YES, key);
    }
    Draw();
  }

  void Draw() {
    Sync();
    int height = 0;
    int width = 0;
    getmaxyx(stdscr, height, width);
    const Frame frame =
        LayoutScreen(model_, static_cast<std::size_t>(width), static_cast<std::size_t>(height));
    ::werase(stdscr);
    for (const Span& span : frame.spans) {
      ::wattrset(stdscr, static_cast<int>(Attributes(span.style)));
      // Writing the bottom-right cell reports ERR (the cursor cannot move past it) but
      // the cell is written: nothing to handle.
      ::mvwaddstr(stdscr, static_cast<int>(span.row), static_cast<int>(span.column),
                  span.text.c_str());
    }
    ::wattrset(stdscr, A_NORMAL);
    ::wmove(stdscr, static_cast<int>(frame.cursor_row), static_cast<int>(frame.cursor_column));
    ::wrefresh(stdscr);
  }

  void OnReady(const TillStatus&) override {
    Say("Ready: scan an item, or ? for the keys" + logs_note_);
  }
  void OnLineAdded(std::size_t line, const BasketLine& added) override {
    Say("Line " + std::to_string(line) + ": " + added.name);
  }
  void OnLineVoided(std::size_t line) override { Say("Line " + std::to_string(line) + " voided"); }
  void OnShopper(const Shopper& shopper, const std::string& source,
                 bool nfc_authenticated) override {
    source_ = nfc_authenticated ? source + ", verified" : source;
    Say("Card " + shopper.card.Masked() + (shopper.online ? "" : " read offline"));
  }
  void OnCoupons(const CouponOutcome&, const Totals&) override { Draw(); }
  void OnSaleFinished(const FinishedSale& sale) override {
    // The summary is the overlay's title: the upload's message may replace the
    // message line while the receipt still shows.
    const std::size_t redeemed = sale.coupons.applied.size();
    const std::string summary =
        "total " + FormatMinor(sale.receipt.totals.total_minor, sale.receipt.currency) +
        (redeemed > 0 ? ", " + std::to_string(redeemed) + " coupon(s) redeemed" : "");
    model_.overlay = Overlay{"RECEIPT: " + summary, sale.receipt_text, 0};
    Say("Sale finished, " + summary + "; any key for the next sale");
  }
  void OnCancelled() override { Say("Sale cancelled"); }
  void OnStatus(const TillStatus&) override { Draw(); }
  void OnReaderState(const std::string& state, const std::string& detail) override {
    if (state == "error") {
      Alert("Card reader: " + (detail.empty() ? state : detail));
    } else {
      Draw();
    }
  }
  void OnUploaded(const std::string& sale_id, UploadOutcome outcome, std::size_t next_visit_coupons,
                  const std::string& error) override {
    const std::string sale = "Sale " + sale_id.substr(0, 8);
    if (outcome == UploadOutcome::kUploaded) {
      Say(sale + " uploaded" +
          (next_visit_coupons > 0
               ? ", " + std::to_string(next_visit_coupons) + " coupon(s) for the next visit"
               : ""));
    } else {
      Alert(sale + " refused by the server: " + error);
    }
  }
  void OnCatalogUpdated(std::int64_t version, std::size_t products) override {
    Say("Catalog updated to v" + std::to_string(version) + ", " + std::to_string(products) +
        " products");
  }
  void OnConnectivity(bool online) override {
    if (online) {
      Say("Server reachable again: journaled sales upload now");
    } else {
      Alert("Server unreachable: selling offline; sales upload when it is back");
    }
  }
  void OnError(const Error& error) override { Alert(error.message); }

 private:
  // The model from the till's state, which callbacks and tasks may read.
  void Sync() {
    const Basket& basket = till_.basket();
    model_.status = till_.status();
    model_.currency = basket.currency();
    model_.lines = basket.lines();
    model_.coupons = basket.Coupons(till_.Now());
    model_.totals = basket.ComputeTotals(model_.coupons);
    if (const auto& shopper = basket.shopper()) {
      CustomerView view;
      view.masked_card = shopper->card.Masked();
      view.source = source_;
      view.online = shopper->online;
      view.customer = shopper->customer;
      model_.customer = std::move(view);
    } else {
      model_.customer.reset();
    }
    model_.input = EncodeUtf8(input_);
    model_.prompt = InputPrompt(model_.input);
  }

  void Say(std::string message) {
    model_.message = std::move(message);
    model_.message_is_error = false;
    Draw();
  }
  void Alert(std::string message) {
    model_.message = std::move(message);
    model_.message_is_error = true;
    Draw();
  }

  void HandleKey(bool function_key, wint_t key) {
    if (function_key && key == KEY_RESIZE) {
      ::clearok(stdscr, TRUE);  // repaint every cell at the new size
      return;
    }
    if (model_.overlay && HandleOverlayKey(function_key, key)) return;
    if (question_command_) {
      AnswerQuestion(!function_key && (key == L'y' || key == L'Y'));
      return;
    }
    if (function_key) {
      HandleFunctionKey(key);
      return;
    }
    switch (key) {
      case L'\r':
      case L'\n':
        Submit();
        break;
      case 0x7f:  // DEL and ^H: what Backspace sends, depending on the terminal
      case 0x08:
        if (!input_.empty()) input_.pop_back();
        break;
      case 0x11:  // ^Q
      case 0x03:  // ^C: raw mode makes it a key; quitting still asks
        Ask("Quit the till?", QuitCommand{});
        break;
      case 0x15:  // ^U
      case 0x1b:  // Esc
        input_.clear();
        break;
      default:
        if (key >= 0x20 && input_.size() < kMaxInputColumns) {
          input_.push_back(static_cast<char32_t>(key));
        }
    }
  }

  // True when the key was for the overlay: scrolling, or a key that only closes it.
  // Any other key closes it and goes on to the prompt, so the first digit of the next
  // sale's first scan is not lost.
  bool HandleOverlayKey(bool function_key, wint_t key) {
    Overlay& overlay = *model_.overlay;
    int height = 0;
    int width = 0;
    getmaxyx(stdscr, height, width);
    (void)width;
    const std::size_t last = MaxOverlayScroll(overlay, static_cast<std::size_t>(height));
    const std::size_t page = static_cast<std::size_t>(std::max(height - 6, 1));
    if (function_key) {
      switch (key) {
        case KEY_UP:
          overlay.scroll -= overlay.scroll > 0 ? 1 : 0;
          return true;
        case KEY_DOWN:
          overlay.scroll = std::min(overlay.scroll + 1, last);
          return true;
        case KEY_PPAGE:
          overlay.scroll -= std::min(overlay.scroll, page);
          return true;
        case KEY_NPAGE:
          overlay.scroll = std::min(overlay.scroll + page, last);
          return true;
        default:
          break;
      }
    }
    model_.overlay.reset();
    const bool only_closes = !function_key && (key == L'\r' || key == L'\n' || key == L' ' ||
                                               key == 0x1b || key == L'q');
    return only_closes;
  }

  void HandleFunctionKey(wint_t key) {
    switch (key) {
      case KEY_F(2):
        input_ = U"w";
        break;
      case KEY_F(3):
        input_ = U"c:";
        break;
      case KEY_F(4):
        input_ = U"t:";
        break;
      case KEY_F(5):
        input_ = U"v:";
        break;
      case KEY_F(6):
        input_ = U"o:";
        break;
      case KEY_F(8):
        Ask("Cancel this sale?", CancelCommand{});
        break;
      case KEY_F(10):
        input_.clear();
        Submit();
        break;
      case KEY_BACKSPACE:
        if (!input_.empty()) input_.pop_back();
        break;
      case KEY_ENTER:
        Submit();
        break;
      default:
        break;  // other keys do nothing, rather than type escape codes
    }
  }

  void Submit() {
    const std::string text = EncodeUtf8(input_);
    input_.clear();
    if (text.find_first_not_of(' ') == std::string::npos && till_.basket().empty()) {
      return;  // nothing typed and nothing sold: not worth a message
    }
    auto action = ParseInputLine(text);
    if (!action.ok()) {
      model_.message = action.error().message;
      model_.message_is_error = true;
      return;
    }
    if (std::holds_alternative<ShowHelp>(*action)) {
      model_.overlay = Overlay{"KEYS", kHelp, 0};
      return;
    }
    Command command = std::get<Command>(std::move(action).value());
    if (std::holds_alternative<CancelCommand>(command)) {
      Ask("Cancel this sale?", command);
    } else if (std::holds_alternative<QuitCommand>(command)) {
      Ask("Quit the till?", command);
    } else {
      // The till may take a moment (a card lookup, a finish waiting for the server's
      // coupons): say what it is doing before it starts.
      if (std::holds_alternative<CardCommand>(command)) {
        Say("Looking up the card");
      } else if (std::holds_alternative<FinishCommand>(command)) {
        Say("Finishing the sale");
      } else {
        model_.message.clear();
      }
      till_.Post(std::move(command));
    }
  }

  void Ask(std::string question, Command command) {
    model_.question = std::move(question);
    question_command_ = std::move(command);
  }

  void AnswerQuestion(bool yes) {
    Command command = std::move(*question_command_);
    question_command_.reset();
    model_.question.reset();
    if (yes) {
      till_.Post(std::move(command));
    } else {
      model_.message = "Nothing done";
      model_.message_is_error = false;
    }
  }

  Till& till_;
  ScreenModel model_;
  std::u32string input_;
  std::string logs_note_;  // where logs go, when not to the stderr the till was given
  std::string source_;     // how the current shopper's card was read
  std::optional<Command> question_command_;  // posted when the question gets a y
};

// Watches stdin and the self-pipe; see the top of this file.
class KeyWatcher {
 public:
  KeyWatcher(Till& till, CashierScreen& screen, const WakePipe& pipe)
      : till_(till), screen_(screen), pipe_(pipe), thread_([this] { Watch(); }) {}
  ~KeyWatcher() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    handled_.notify_all();
    pipe_.Write(kWakeStop);
    thread_.join();
  }
  KeyWatcher(const KeyWatcher&) = delete;
  KeyWatcher& operator=(const KeyWatcher&) = delete;

 private:
  void Watch() {
    for (;;) {
      pollfd fds[2] = {{STDIN_FILENO, POLLIN, 0}, {pipe_.read_fd(), POLLIN, 0}};
      if (::poll(fds, 2, -1) < 0) {
        if (errno == EINTR) continue;
        till_.PostInputClosed();
        return;
      }
      bool keys = (fds[0].revents & POLLIN) != 0;
      if (!keys && (fds[0].revents & (POLLHUP | POLLERR | POLLNVAL)) != 0) {
        till_.PostInputClosed();  // the terminal went away
        return;
      }
      if ((fds[1].revents & POLLIN) != 0) {
        char bytes[64];
        for (ssize_t n; (n = ::read(pipe_.read_fd(), bytes, sizeof bytes)) > 0;) {
          for (ssize_t i = 0; i < n; ++i) {
            if (bytes[i] == kWakeStop) return;
            if (bytes[i] == kWakeQuit) till_.Post(QuitCommand{});
            if (bytes[i] == kWakeResize) keys = true;
          }
        }
      }
      if (keys && !ReadKeysOnTillThread()) return;
    }
  }

  // Until the till's thread has read the keys, stdin stays readable: polling again
  // before then would only spin. False when stopping.
  bool ReadKeysOnTillThread() {
    std::unique_lock lock(mutex_);
    reading_ = true;
    till_.PostTask([this] {
      screen_.ReadKeys();
      {
        std::lock_guard done(mutex_);
        reading_ = false;
      }
      handled_.notify_all();
    });
    handled_.wait(lock, [this] { return !reading_ || stopping_; });
    return !stopping_;
  }

  Till& till_;
  CashierScreen& screen_;
  const WakePipe& pipe_;
  std::mutex mutex_;
  std::condition_variable handled_;
  bool reading_ = false;   // guarded by mutex_
  bool stopping_ = false;  // guarded by mutex_
  std::thread thread_;     // last: starts once the rest is ready
};

std::string LogPathBeside(const std::string& journal_path) {
  const auto dir = std::filesystem::path(journal_path).parent_path();
  return (dir.empty() ? std::filesystem::path("terminal.log") : dir / "terminal.log").string();
}

}  // namespace

int RunScreen(Till& till) {
  LogsToFile logs(LogPathBeside(till.options().journal_path));
  WakePipe pipe;
  CursesSession curses;
  SignalHandlers signals(pipe);
  CashierScreen screen(till, logs.path());
  screen.Draw();  // before Run: the catalog may take a moment to load
  KeyWatcher keys(till, screen, pipe);
  return till.Run(screen);
}

}  // namespace loyalty::terminal
