// What the real server does with input that is wrong, hostile or slow, over HTTPS: every
// refusal is a 4xx whose error JSON names the offending field, nothing is stored for it,
// and clients that stall or drip bytes are cut off at the configured timeouts without
// holding up a well-behaved terminal meanwhile.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "integration/server_harness.h"
#include "loyalty/domain/purchase.h"

namespace loyalty {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using Clock = std::chrono::steady_clock;
using testing::ServerHarness;
using testing::TempDir;

// Short, so the slow-client test runs in seconds; the rest of the suite is unaffected.
constexpr int kHandshakeTimeoutSeconds = 3;
constexpr int kRequestTimeoutSeconds = 3;
constexpr auto kCutOffSlack = 3s;  // how much later than its timeout a cut-off may come

// A client that misbehaves on purpose: a raw TCP connection to the server's loopback
// port, with TLS done by hand through OpenSSL so it can stop at any byte. Every call
// is bounded: the socket has a short receive/send timeout and loops have deadlines.
class RawClient {
 public:
  explicit RawClient(std::uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0) return;
    const timeval step{0, 200'000};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &step, sizeof step);
    ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &step, sizeof step);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(fd_, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0;
  }
  ~RawClient() {
    if (ssl_ != nullptr) SSL_free(ssl_);
    if (context_ != nullptr) SSL_CTX_free(context_);
    if (fd_ >= 0) ::close(fd_);
  }
  RawClient(const RawClient&) = delete;
  RawClient& operator=(const RawClient&) = delete;

  bool connected() const { return connected_; }

  // A TLS handshake that does not check the certificate: this client is not under test.
  bool Handshake(std::chrono::milliseconds timeout = 3s) {
    if (!connected_) return false;
    context_ = SSL_CTX_new(TLS_client_method());
    ssl_ = SSL_new(context_);
    SSL_set_fd(ssl_, fd_);
    const auto deadline = Clock::now() + timeout;
    while (Clock::now() < deadline) {
      const int result = SSL_connect(ssl_);
      if (result == 1) return true;
      const int error = SSL_get_error(ssl_, result);
      if (error != SSL_ERROR_WANT_READ && error != SSL_ERROR_WANT_WRITE) return false;
    }
    return false;
  }

  bool SendRaw(std::string_view bytes) {
    return ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL) ==
           static_cast<ssize_t>(bytes.size());
  }
  bool SendTls(std::string_view bytes) {
    return ssl_ != nullptr && SSL_write(ssl_, bytes.data(), static_cast<int>(bytes.size())) ==
                                  static_cast<int>(bytes.size());
  }

  // Everything the server sends until it closes the connection; nullopt if it has not
  // closed it within `timeout`.
  std::optional<std::string> ReadTlsToEnd(std::chrono::milliseconds timeout) {
    std::string received;
    const auto deadline = Clock::now() + timeout;
    char buffer[16 * 1024];
    while (Clock::now() < deadline) {  // each SSL_read waits at most the 200 ms socket timeout
      const int n = SSL_read(ssl_, buffer, sizeof buffer);
      if (n > 0) {
        received.append(buffer, static_cast<std::size_t>(n));
        continue;
      }
      const int error = SSL_get_error(ssl_, n);
      if (error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE) continue;
      return received;  // close_notify, end of stream or reset: closed either way
    }
    return std::nullopt;
  }

  // No FIN or RST from the server yet. Bytes waiting to be read (a TLS 1.3 session
  // ticket) do not count: only the peer's shutdown does.
  bool StillOpen() const {
    pollfd poll_fd{fd_, POLLRDHUP, 0};
    return ::poll(&poll_fd, 1, 0) == 0;
  }
  // Whether the server shuts the connection down before `deadline`.
  bool ClosedByServerBefore(Clock::time_point deadline) const {
    pollfd poll_fd{fd_, POLLRDHUP, 0};
    const auto remaining =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    return ::poll(&poll_fd, 1, static_cast<int>(std::max<std::int64_t>(remaining.count(), 0))) == 1;
  }

 private:
  int fd_ = -1;
  bool connected_ = false;
  SSL_CTX* context_ = nullptr;
  SSL* ssl_ = nullptr;
};

struct RawResponse {
  unsigned status = 0;
  json body;
};

// "HTTP/1.1 413 Payload Too Large\r\n...\r\n\r\n{...}" from a server that answered and
// closed; status 0 if the bytes are not an HTTP response.
RawResponse ParseRawResponse(const std::string& bytes) {
  RawResponse response;
  if (!bytes.starts_with("HTTP/1.1 ") || bytes.size() < 12) return response;
  response.status = static_cast<unsigned>(std::stoul(bytes.substr(9, 3)));
  const auto body = bytes.find("\r\n\r\n");
  if (body != std::string::npos)
    response.body = json::parse(bytes.substr(body + 4), nullptr, false);
  return response;
}

class BadInput : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    // A raw client writing to a connection the server has closed must get EPIPE, not be
    // killed by SIGPIPE (OpenSSL writes with write(2), which has no MSG_NOSIGNAL).
    std::signal(SIGPIPE, SIG_IGN);
    dir_ = std::make_unique<TempDir>();
    server_ = std::make_unique<ServerHarness>(*dir_);
    const std::string url =
        server_->Start("127.0.0.1:0", {{"http",
                                        {{"handshake_timeout_seconds", kHandshakeTimeoutSeconds},
                                         {"request_timeout_seconds", kRequestTimeoutSeconds},
                                         {"idle_timeout_seconds", kRequestTimeoutSeconds}}}});
    if (url.empty()) return;
    credential_ = server_->EnrollTerminal(dir_->File("credential.json"));
  }
  static void TearDownTestSuite() {
    if (server_ && !server_->url().empty()) {
      EXPECT_EQ(server_->Stop(), 0);
    }
    server_.reset();
    dir_.reset();
  }
  void SetUp() override {
    ASSERT_TRUE(server_ && !server_->url().empty()) << "the server did not start";
    ASSERT_TRUE(credential_.is_object() && credential_.contains("credential"))
        << "the terminal did not enroll";
  }

  static std::uint16_t Port() {
    return static_cast<std::uint16_t>(std::stoi(net::ParseHttpsUrl(server_->url())->port));
  }
  static net::HttpsClient Client() { return server_->Client(credential_, 5s); }

  // A purchase the server accepts: two known products, a valid card, totals that agree.
  static json GoodPurchase() {
    domain::Purchase purchase;
    purchase.store_id = "S001";
    purchase.terminal_id = credential_["terminal_id"];
    purchase.card = *CardNumber::FromBody("200000000001");
    purchase.occurred_at = Now();
    purchase.lines = {{"822629", 1, 419, 419}, {"32553", 2, 179, 358}};
    purchase.total_minor = 777;
    return domain::PurchaseToJson(purchase);
  }

  static std::int64_t StoredPurchases() { return server_->Count("SELECT COUNT(*) FROM purchases"); }
  static std::int64_t StoredLines() {
    return server_->Count("SELECT COUNT(*) FROM purchase_lines");
  }

  // Posts `body` to `target` and expects `status` with the error JSON naming `field`,
  // and no purchase or line stored.
  static void ExpectRefused(const std::string& target, const std::string& body, unsigned status,
                            const std::string& field) {
    const auto purchases = StoredPurchases();
    const auto lines = StoredLines();
    auto client = Client();
    auto response = client.Post(target, body);
    ASSERT_TRUE(response.ok()) << response.error().ToString();
    EXPECT_EQ(response->status, status) << response->body;
    const auto answer = json::parse(response->body, nullptr, false);
    ASSERT_TRUE(answer.is_object() && answer.contains("error")) << response->body;
    EXPECT_TRUE(answer["error"]["code"].is_string()) << response->body;
    EXPECT_TRUE(answer["error"]["message"].is_string()) << response->body;
    EXPECT_EQ(answer["error"].value("field", "<none>"), field) << response->body;
    EXPECT_EQ(StoredPurchases(), purchases);
    EXPECT_EQ(StoredLines(), lines);
  }

  struct BadPurchase {
    const char* name;
    std::function<void(json&)> spoil;
    const char* field;
  };
  static void ExpectEachRefused(const std::vector<BadPurchase>& cases) {
    for (const auto& bad : cases) {
      SCOPED_TRACE(bad.name);
      json purchase = GoodPurchase();
      bad.spoil(purchase);
      ExpectRefused("/v1/purchases", purchase.dump(), 400, bad.field);
    }
  }

  inline static std::unique_ptr<TempDir> dir_;
  inline static std::unique_ptr<ServerHarness> server_;
  inline static json credential_;
};

TEST_F(BadInput, GoodPurchaseIsStoredSoTheRefusalsBelowMeanSomething) {
  const auto before = StoredPurchases();
  auto client = Client();
  auto response = client.Post("/v1/purchases", GoodPurchase().dump());
  ASSERT_TRUE(response.ok()) << response.error().ToString();
  EXPECT_EQ(response->status, 201u) << response->body;
  EXPECT_EQ(StoredPurchases(), before + 1);
}

TEST_F(BadInput, WrongTypesAreRefusedNamingTheField) {
  ExpectEachRefused({
      {"quantity as a string", [](json& p) { p["lines"][0]["quantity"] = "1"; },
       "lines[0].quantity"},
      {"quantity as a fraction", [](json& p) { p["lines"][1]["quantity"] = 1.5; },
       "lines[1].quantity"},
      {"quantity as 1.0", [](json& p) { p["lines"][0]["quantity"] = 1.0; }, "lines[0].quantity"},
      {"unit_price as a string", [](json& p) { p["lines"][0]["unit_price"] = "4.19"; },
       "lines[0].unit_price"},
      {"total as a string", [](json& p) { p["total"] = "777"; }, "total"},
      {"total as null", [](json& p) { p["total"] = nullptr; }, "total"},
      {"store_id as a number", [](json& p) { p["store_id"] = 1; }, "store_id"},
      {"card_number as a number", [](json& p) { p["card_number"] = 2000000000015; }, "card_number"},
      {"lines as an object", [](json& p) { p["lines"] = json::object(); }, "lines"},
      {"a line as a string", [](json& p) { p["lines"][0] = "822629"; }, "lines[0]"},
      {"occurred_at not a time", [](json& p) { p["occurred_at"] = "yesterday"; }, "occurred_at"},
      {"id not a UUID", [](json& p) { p["id"] = "42"; }, "id"},
  });
}

TEST_F(BadInput, MissingAndUnknownFieldsAreRefusedNamingTheField) {
  ExpectEachRefused({
      {"no id", [](json& p) { p.erase("id"); }, "id"},
      {"no total", [](json& p) { p.erase("total"); }, "total"},
      {"no lines", [](json& p) { p.erase("lines"); }, "lines"},
      {"no sku", [](json& p) { p["lines"][1].erase("sku"); }, "lines[1].sku"},
      {"no amount", [](json& p) { p["lines"][0].erase("amount"); }, "lines[0].amount"},
      {"empty lines", [](json& p) { p["lines"] = json::array(); }, "lines"},
      {"empty sku", [](json& p) { p["lines"][0]["sku"] = ""; }, "lines[0].sku"},
      {"unknown field", [](json& p) { p["discount_override"] = 777; }, "discount_override"},
      {"unknown line field", [](json& p) { p["lines"][0]["free"] = true; }, "lines[0].free"},
  });
}

TEST_F(BadInput, NegativeAndAbsurdQuantitiesAndPricesAreRefused) {
  ExpectEachRefused({
      {"zero quantity", [](json& p) { p["lines"][0]["quantity"] = 0; }, "lines[0].quantity"},
      {"negative quantity", [](json& p) { p["lines"][0]["quantity"] = -1; }, "lines[0].quantity"},
      {"quantity above 9999", [](json& p) { p["lines"][0]["quantity"] = 10'000; },
       "lines[0].quantity"},
      {"quantity INT64_MAX",
       [](json& p) { p["lines"][0]["quantity"] = std::numeric_limits<std::int64_t>::max(); },
       "lines[0].quantity"},
      {"quantity beyond int64",
       [](json& p) { p["lines"][0]["quantity"] = std::numeric_limits<std::uint64_t>::max(); },
       "lines[0].quantity"},
      {"quantity 1e300", [](json& p) { p["lines"][0]["quantity"] = 1e300; }, "lines[0].quantity"},
      {"negative unit_price", [](json& p) { p["lines"][0]["unit_price"] = -419; },
       "lines[0].unit_price"},
      {"negative amount and total",
       [](json& p) {
         p["lines"][0]["amount"] = -419;
         p["total"] = -61;
       },
       "lines[0].amount"},
      {"negative total", [](json& p) { p["total"] = -1; }, "total"},
  });
}

TEST_F(BadInput, TotalsThatDoNotAddUpAreRefused) {
  ExpectEachRefused({
      {"total one more than the lines", [](json& p) { p["total"] = 778; }, "total"},
      {"total zero", [](json& p) { p["total"] = 0; }, "total"},
      {"amount is not quantity x unit_price",
       [](json& p) {
         p["lines"][1]["amount"] = 357;
         p["total"] = 776;
       },
       "lines[1].amount"},
  });
}

TEST_F(BadInput, CardNumberWithABadCheckDigitIsRefused) {
  ExpectEachRefused({
      {"check digit off by one", [](json& p) { p["card_number"] = "2000000000016"; },
       "card_number"},
      {"twelve digits", [](json& p) { p["card_number"] = "200000000001"; }, "card_number"},
      {"letters", [](json& p) { p["card_number"] = "200000000001X"; }, "card_number"},
  });
  auto client = Client();
  auto lookup = client.Get("/v1/cards/2000000000016");
  ASSERT_TRUE(lookup.ok()) << lookup.error().ToString();
  EXPECT_EQ(lookup->status, 400u) << lookup->body;
  EXPECT_EQ(json::parse(lookup->body, nullptr, false)["error"].value("field", "<none>"),
            "card_number")
      << lookup->body;
}

TEST_F(BadInput, InvalidJsonIsRefused) {
  for (const std::string body : {"", "{", "not json", "{\"id\": }", "{} {}", "[1, 2,]",
                                 "{\"id\": \"\xff\xfe\"}", "{\"total\": 01}", "null"}) {
    SCOPED_TRACE("body: " + body);
    ExpectRefused("/v1/purchases", body, 400, "body");
  }
}

TEST_F(BadInput, DeeplyNestedJsonIsRefusedAndTheServerStaysUp) {
  for (const std::size_t depth : {1'000u, 100'000u}) {
    SCOPED_TRACE("depth " + std::to_string(depth));
    ExpectRefused("/v1/purchases", std::string(depth, '[') + std::string(depth, ']'), 400, "body");
    std::string objects;
    for (std::size_t i = 0; i < depth; ++i) objects += "{\"a\":";
    objects += "1" + std::string(depth, '}');
    ExpectRefused("/v1/purchases", objects, 400, "body");
  }
  auto client = Client();
  auto health = client.Get("/healthz");
  ASSERT_TRUE(health.ok()) << health.error().ToString();
  EXPECT_EQ(health->status, 200u);
  auto purchase = client.Post("/v1/purchases", GoodPurchase().dump());
  ASSERT_TRUE(purchase.ok()) << purchase.error().ToString();
  EXPECT_EQ(purchase->status, 201u) << purchase->body;
}

TEST_F(BadInput, BodyOverOneMebibyteIsRefusedWith413) {
  // A real body just over the limit, sent whole.
  json padded = GoodPurchase();
  padded["padding"] = std::string(1024 * 1024, 'x');
  ExpectRefused("/v1/purchases", padded.dump(), 413, "body");

  // A header announcing a huge body: refused from the header alone, without reading on.
  RawClient raw(Port());
  ASSERT_TRUE(raw.Handshake());
  ASSERT_TRUE(
      raw.SendTls("POST /v1/purchases HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                  "Authorization: Bearer " +
                  credential_["credential"].get<std::string>() +
                  "\r\nContent-Type: application/json\r\n"
                  "Content-Length: 500000000\r\n\r\n{"));
  const auto bytes = raw.ReadTlsToEnd(5s);
  ASSERT_TRUE(bytes.has_value()) << "the server neither answered nor closed";
  const RawResponse response = ParseRawResponse(*bytes);
  EXPECT_EQ(response.status, 413u) << *bytes;
  EXPECT_EQ(response.body["error"].value("field", "<none>"), "body") << *bytes;
}

TEST_F(BadInput, MalformedHttpGetsA400) {
  const std::string auth = "Authorization: Bearer " + credential_["credential"].get<std::string>();
  for (const std::string& request : {
           "POST /v1/purchases HTTP/1.1\r\nHost: h\r\n" + auth + "\r\nContent-Length: abc\r\n\r\n",
           "POST /v1/purchases HTTP/1.1\r\nHost: h\r\n" + auth +
               "\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n",
           "POST /v1/purchases HTTP/1.1\r\nHost: h\r\n" + auth +
               "\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}",
           std::string("GET /healthz HTTP/1.1\r\nHost: h\r\nBad\x01Header: x\r\n\r\n"),
       }) {
    SCOPED_TRACE(request);
    const auto purchases = StoredPurchases();
    RawClient raw(Port());
    ASSERT_TRUE(raw.Handshake());
    ASSERT_TRUE(raw.SendTls(request));
    const auto bytes = raw.ReadTlsToEnd(5s);
    ASSERT_TRUE(bytes.has_value()) << "the server neither answered nor closed";
    const RawResponse response = ParseRawResponse(*bytes);
    EXPECT_EQ(response.status, 400u) << "answer: " << *bytes;
    EXPECT_EQ(StoredPurchases(), purchases);
  }
}

TEST_F(BadInput, UnknownSkuIsStoredAndMarkedNeverDropped) {
  const auto lines = StoredLines();
  json purchase = GoodPurchase();
  purchase["lines"][1]["sku"] = "NOT-IN-CATALOG-1";
  auto client = Client();
  auto response = client.Post("/v1/purchases", purchase.dump());
  ASSERT_TRUE(response.ok()) << response.error().ToString();
  EXPECT_EQ(response->status, 201u) << response->body;
  EXPECT_EQ(StoredLines(), lines + 2);
  const std::string id = purchase["id"];
  EXPECT_EQ(server_->Count("SELECT COUNT(*) FROM purchase_lines l JOIN purchases p"
                           " ON p.seq = l.purchase_seq WHERE p.id = '" +
                           id + "' AND l.sku = 'NOT-IN-CATALOG-1' AND l.known_sku = 0"),
            1);
  EXPECT_EQ(server_->Count("SELECT COUNT(*) FROM purchase_lines l JOIN purchases p"
                           " ON p.seq = l.purchase_seq WHERE p.id = '" +
                           id + "' AND l.sku = '822629' AND l.known_sku = 1"),
            1);
}

TEST_F(BadInput, BadPurchaseInABatchDoesNotHoldBackTheGoodOnes) {
  const auto before = StoredPurchases();
  json bad = GoodPurchase();
  bad["lines"][0]["quantity"] = -3;
  const json good = GoodPurchase();
  auto client = Client();
  auto response = client.Post("/v1/purchases/batch", json{{"purchases", {bad, good}}}.dump());
  ASSERT_TRUE(response.ok()) << response.error().ToString();
  ASSERT_EQ(response->status, 200u) << response->body;
  const auto results = json::parse(response->body, nullptr, false)["results"];
  ASSERT_TRUE(results.is_array() && results.size() == 2) << response->body;
  EXPECT_EQ(results[0]["status"], 400) << response->body;
  EXPECT_EQ(results[0]["error"].value("field", "<none>"), "purchases[0].lines[0].quantity");
  EXPECT_EQ(results[1]["status"], 201) << response->body;
  EXPECT_EQ(StoredPurchases(), before + 1);

  ExpectRefused("/v1/purchases/batch", json{{"purchases", json::array()}}.dump(), 400, "purchases");
  ExpectRefused("/v1/purchases/batch", json{{"purchases", good}}.dump(), 400, "purchases");
}

TEST_F(BadInput, SlowClientsAreCutOffAndDoNotHoldUpOthers) {
  const auto opened = Clock::now();
  // Slowloris: TLS done, half a request line, then nothing.
  std::vector<std::unique_ptr<RawClient>> stalled;
  for (int i = 0; i < 8; ++i) {
    auto client = std::make_unique<RawClient>(Port());
    ASSERT_TRUE(client->Handshake()) << "connection " << i;
    ASSERT_TRUE(client->SendTls("POST /v1/purchases HT")) << "connection " << i;
    stalled.push_back(std::move(client));
  }
  // Never starts TLS.
  stalled.push_back(std::make_unique<RawClient>(Port()));
  // Starts a TLS record announcing 512 bytes and sends one.
  stalled.push_back(std::make_unique<RawClient>(Port()));
  ASSERT_TRUE(stalled.back()->SendRaw(std::string_view("\x16\x03\x01\x02\x00\x01", 6)));
  for (const auto& client : stalled) ASSERT_TRUE(client->connected());
  // Keeps sending, one byte at a time: the request deadline must hold regardless.
  RawClient dripper(Port());
  ASSERT_TRUE(dripper.Handshake());
  const std::string drip =
      "POST /v1/purchases HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + std::string(200, 'z');
  std::size_t dripped = 0;

  // Meanwhile a well-behaved terminal gets every purchase through promptly.
  const auto before = StoredPurchases();
  auto client = server_->Client(credential_, 2s);
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE(dripper.SendTls(drip.substr(dripped++, 1)));
    const auto sent = Clock::now();
    auto response = client.Post("/v1/purchases", GoodPurchase().dump());
    const auto took = Clock::now() - sent;
    ASSERT_TRUE(response.ok()) << "purchase " << i << ": " << response.error().ToString();
    EXPECT_EQ(response->status, 201u) << response->body;
    EXPECT_LT(took, 2s) << "purchase " << i;
  }
  EXPECT_EQ(StoredPurchases(), before + 20);
  // The slow ones were still hanging on while that happened, or it proved nothing.
  const auto good_phase = Clock::now() - opened;
  EXPECT_LT(good_phase, std::chrono::seconds(kHandshakeTimeoutSeconds) - 500ms)
      << "20 purchases took too long to show they went through while the others stalled";
  if (good_phase < std::chrono::seconds(kHandshakeTimeoutSeconds) - 500ms) {
    for (std::size_t i = 0; i < stalled.size(); ++i) {
      EXPECT_TRUE(stalled[i]->StillOpen()) << "stalled connection " << i << " closed early";
    }
    EXPECT_TRUE(dripper.StillOpen());
  }

  // Then the server cuts every one of them off at its timeout.
  const auto deadline =
      opened + std::chrono::seconds(std::max(kHandshakeTimeoutSeconds, kRequestTimeoutSeconds)) +
      kCutOffSlack;
  while (dripper.StillOpen() && Clock::now() < deadline && dripped < drip.size()) {
    dripper.SendTls(drip.substr(dripped++, 1));  // fails once the server has closed
    std::this_thread::sleep_for(200ms);
  }
  EXPECT_TRUE(dripper.ClosedByServerBefore(deadline)) << "a dripping client was never cut off";
  for (std::size_t i = 0; i < stalled.size(); ++i) {
    EXPECT_TRUE(stalled[i]->ClosedByServerBefore(deadline))
        << "stalled connection " << i << " still open "
        << std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - opened).count()
        << " ms after it was opened";
  }
  auto health = client.Get("/healthz");
  ASSERT_TRUE(health.ok()) << health.error().ToString();
  EXPECT_EQ(health->status, 200u);
}

}  // namespace
}  // namespace loyalty
