#include "http/router.h"

#include <condition_variable>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>

#include <gtest/gtest.h>

namespace loyalty::server::http {
namespace {

using nlohmann::json;

Request Get(std::string path, Verb method = Verb::get) {
  Request request;
  request.method = method;
  request.path = std::move(path);
  return request;
}

json BodyOf(const Response& response) { return json::parse(response.body); }

class RouterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    router_.Add(Verb::get, "/healthz", [](const Request&) -> Result<Response> {
      return Response::Json({{"status", "ok"}});
    });
    router_.Add(Verb::get, "/v1/cards/{card_number}", [](const Request& request) -> Result<Response> {
      return Response::Json({{"card", request.params.at("card_number")}});
    });
    router_.Add(Verb::get, "/v1/stores/{store}/terminals/{terminal}",
                [](const Request& request) -> Result<Response> {
                  return Response::Json({{"store", request.params.at("store")},
                                         {"terminal", request.params.at("terminal")}});
                });
    router_.Add(Verb::post, "/v1/purchases", [](const Request& request) -> Result<Response> {
      if (request.body.empty()) return InvalidArgument("lines[2].quantity", "must be between 1 and 9999");
      return Response::Json({{"stored", true}}, 201);
    });
  }

  // Dispatches and expects exactly one synchronous answer (every handler here is sync).
  Response Dispatch(Request request, std::string* route_out = nullptr) {
    auto shared = std::make_shared<Request>(std::move(request));
    Response response;
    std::string route;
    int answers = 0;
    router_.Dispatch(shared, [&](Response answer, const std::string& matched) {
      response = std::move(answer);
      route = matched;
      ++answers;
    });
    EXPECT_EQ(answers, 1);
    if (route_out) *route_out = route;
    return response;
  }

  Router router_;
};

TEST_F(RouterTest, MatchesAPatternAndFillsItsParameters) {
  std::string route;
  const Response response = Dispatch(Get("/v1/cards/2000000000015"), &route);
  EXPECT_EQ(response.status, 200u);
  EXPECT_EQ(response.content_type, "application/json");
  EXPECT_EQ(BodyOf(response), (json{{"card", "2000000000015"}}));
  // Logs and metrics see the pattern, never the card number.
  EXPECT_EQ(route, "/v1/cards/{card_number}");

  const Response nested = Dispatch(Get("/v1/stores/S1/terminals/T9"), &route);
  EXPECT_EQ(BodyOf(nested), (json{{"store", "S1"}, {"terminal", "T9"}}));
  EXPECT_EQ(route, "/v1/stores/{store}/terminals/{terminal}");
}

TEST_F(RouterTest, UsesTheHandlersStatus) {
  Request request = Get("/v1/purchases", Verb::post);
  request.body = "{}";
  const Response response = Dispatch(request);
  EXPECT_EQ(response.status, 201u);
  EXPECT_EQ(BodyOf(response), (json{{"stored", true}}));
}

TEST_F(RouterTest, AnswersNotFoundForAnUnknownPath) {
  for (const char* path : {"/nope", "/v1/cards", "/v1/cards/", "/v1/cards/1/extra", "/",
                           "/healthz/", "/v1/stores/S1/terminals"}) {
    std::string route;
    const Response response = Dispatch(Get(path), &route);
    EXPECT_EQ(response.status, 404u) << path;
    EXPECT_EQ(route, "unmatched") << path;
    const json body = BodyOf(response);
    EXPECT_EQ(body["error"]["code"], "not_found") << path;
    EXPECT_TRUE(body["error"]["message"].is_string());
  }
}

TEST_F(RouterTest, AnswersMethodNotAllowedForAKnownPath) {
  std::string route;
  const Response response = Dispatch(Get("/v1/purchases"), &route);
  EXPECT_EQ(response.status, 405u);
  EXPECT_EQ(route, "/v1/purchases");
  const json body = BodyOf(response);
  ASSERT_TRUE(body["error"].is_object());
  EXPECT_TRUE(body["error"]["code"].is_string());
  EXPECT_TRUE(body["error"]["message"].is_string());
  EXPECT_EQ(Dispatch(Get("/v1/cards/2000000000015", Verb::delete_)).status, 405u);
}

TEST_F(RouterTest, TurnsAHandlerErrorIntoTheErrorShape) {
  const Response response = Dispatch(Get("/v1/purchases", Verb::post));
  EXPECT_EQ(response.status, 400u);
  EXPECT_EQ(BodyOf(response),
            (json{{"error",
                   {{"code", "invalid_argument"},
                    {"message", "must be between 1 and 9999"},
                    {"field", "lines[2].quantity"}}}}));
}

TEST_F(RouterTest, ThrowingHandlerGivesInternalErrorWithoutItsText) {
  router_.Add(Verb::get, "/boom", [](const Request&) -> Result<Response> {
    throw std::runtime_error("secret: /var/lib/loyalty/server.db is corrupt");
  });
  const Response response = Dispatch(Get("/boom"));
  EXPECT_EQ(response.status, 500u);
  EXPECT_EQ(response.body.find("secret"), std::string::npos) << response.body;
  EXPECT_EQ(response.body.find("server.db"), std::string::npos) << response.body;
  const json body = BodyOf(response);
  EXPECT_EQ(body["error"]["code"], "internal");
  EXPECT_TRUE(body["error"]["message"].is_string());
  EXPECT_FALSE(body["error"].contains("field"));
}

TEST_F(RouterTest, AsyncHandlerMayAnswerLaterFromAnotherThread) {
  std::thread worker;
  router_.AddAsync(Verb::post, "/v1/slow/{id}", [&worker](const Request& request, Reply reply) {
    const std::string id = request.params.at("id");
    worker = std::thread([id, reply = std::move(reply)] {
      reply(Response::Json({{"id", id}}, 201));
    });
  });
  std::mutex mutex;
  std::condition_variable answered;
  std::vector<std::pair<Response, std::string>> answers;
  auto request = std::make_shared<Request>(Get("/v1/slow/42", Verb::post));
  router_.Dispatch(request, [&](Response response, const std::string& route) {
    std::lock_guard lock(mutex);
    answers.emplace_back(std::move(response), route);
    answered.notify_all();
  });
  request.reset();  // the router keeps the request alive until it has answered
  {
    std::unique_lock lock(mutex);
    ASSERT_TRUE(answered.wait_for(lock, std::chrono::seconds(5), [&] { return !answers.empty(); }));
  }
  worker.join();
  ASSERT_EQ(answers.size(), 1u);
  EXPECT_EQ(answers[0].first.status, 201u);
  EXPECT_EQ(BodyOf(answers[0].first), (json{{"id", "42"}}));
  EXPECT_EQ(answers[0].second, "/v1/slow/{id}");
}

TEST_F(RouterTest, AsyncHandlerErrorGetsTheErrorShape) {
  router_.AddAsync(Verb::get, "/v1/async-error", [](const Request&, Reply reply) {
    reply(Error{ErrorCode::kUnavailable, "try later", {}});
  });
  const Response response = Dispatch(Get("/v1/async-error"));
  EXPECT_EQ(response.status, 503u);
  EXPECT_EQ(BodyOf(response), (json{{"error", {{"code", "unavailable"}, {"message", "try later"}}}}));
}

TEST_F(RouterTest, ListsItsRoutes) {
  const auto routes = router_.Routes();
  ASSERT_EQ(routes.size(), 4u);
  EXPECT_EQ(routes[1].pattern, "/v1/cards/{card_number}");
  EXPECT_EQ(routes[3].method, Verb::post);
}

TEST(ErrorResponse, HasTheDocumentedShape) {
  const Response with_field = ErrorResponse(InvalidArgument("card_number", "check digit"));
  EXPECT_EQ(with_field.status, 400u);
  EXPECT_EQ(with_field.content_type, "application/json");
  EXPECT_EQ(json::parse(with_field.body),
            (json{{"error",
                   {{"code", "invalid_argument"}, {"message", "check digit"},
                    {"field", "card_number"}}}}));
  const json without_field = json::parse(ErrorResponse(NotFound("no such card")).body);
  EXPECT_EQ(without_field,
            (json{{"error", {{"code", "not_found"}, {"message", "no such card"}}}}));
}

TEST(ErrorResponse, MapsEveryCodeToItsStatus) {
  const std::vector<std::pair<ErrorCode, unsigned>> expected = {
      {ErrorCode::kInvalidArgument, 400u}, {ErrorCode::kUnauthenticated, 401u},
      {ErrorCode::kPermissionDenied, 403u}, {ErrorCode::kNotFound, 404u},
      {ErrorCode::kAlreadyExists, 409u},   {ErrorCode::kConflict, 409u},
      {ErrorCode::kUnavailable, 503u},     {ErrorCode::kTimeout, 504u},
      {ErrorCode::kInternal, 500u},
  };
  for (const auto& [code, status] : expected) {
    EXPECT_EQ(HttpStatusFor(code), status) << ErrorCodeName(code);
    const Response response = ErrorResponse(Error{code, "m", ""});
    EXPECT_EQ(response.status, status);
    EXPECT_EQ(json::parse(response.body)["error"]["code"], ErrorCodeName(code));
  }
}

TEST(ErrorResponse, SurvivesInvalidUtf8InTheMessage) {
  const Response response = ErrorResponse(InvalidArgument("name", "bad \xFF byte"));
  EXPECT_EQ(response.status, 400u);
  EXPECT_NO_THROW(json::parse(response.body));
}

}  // namespace
}  // namespace loyalty::server::http
