#include "loyalty/codec/json_reader.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace loyalty::codec {
namespace {

using nlohmann::json;

struct Line {
  std::string sku;
  std::int64_t quantity = 0;
};

struct Order {
  std::string name;
  std::optional<std::string> note;
  std::optional<std::int64_t> table;
  bool paid = false;
  std::vector<Line> lines;
  std::string city;
};

// A small decoder in the style the codebase uses, to exercise every reader call.
Status ReadOrder(const json& body, Order& order) {
  FieldErrors errors;
  ObjectReader reader(body, "", errors);
  order.name = reader.RequiredString("name", 10);
  order.note = reader.OptionalString("note", 20);
  order.table = reader.OptionalInt("table", 1, 50);
  order.paid = reader.RequiredBool("paid");
  reader.ForEachObject("lines", 1, 3, [&](ObjectReader& item, std::size_t) {
    Line line;
    line.sku = item.RequiredString("sku", 8);
    line.quantity = item.RequiredInt("quantity", 1, 9999);
    order.lines.push_back(line);
  });
  reader.WithObject("address", [&](ObjectReader& address) {
    order.city = address.RequiredString("city", 20);
  });
  reader.Finish();
  return errors.status();
}

json ValidOrder() {
  return {{"name", "Ann"},
          {"note", "window"},
          {"table", 7},
          {"paid", true},
          {"lines", json::array({{{"sku", "A1"}, {"quantity", 2}},
                                 {{"sku", "B2"}, {"quantity", 1}},
                                 {{"sku", "C3"}, {"quantity", 5}}})},
          {"address", {{"city", "Oslo"}}}};
}

Error ErrorFor(const json& body) {
  Order order;
  const Status status = ReadOrder(body, order);
  EXPECT_FALSE(status.ok()) << body.dump();
  return status.ok() ? Error{} : status.error();
}

TEST(ObjectReader, ReadsAValidObject) {
  Order order;
  const Status status = ReadOrder(ValidOrder(), order);
  ASSERT_TRUE(status.ok()) << status.error().ToString();
  EXPECT_EQ(order.name, "Ann");
  EXPECT_EQ(order.note, "window");
  EXPECT_EQ(order.table, 7);
  EXPECT_TRUE(order.paid);
  ASSERT_EQ(order.lines.size(), 3u);
  EXPECT_EQ(order.lines[2].sku, "C3");
  EXPECT_EQ(order.lines[2].quantity, 5);
  EXPECT_EQ(order.city, "Oslo");
}

TEST(ObjectReader, TreatsAbsentAndNullOptionalsAsEmpty) {
  json body = ValidOrder();
  body.erase("note");
  body["table"] = nullptr;
  Order order;
  ASSERT_TRUE(ReadOrder(body, order).ok());
  EXPECT_FALSE(order.note.has_value());
  EXPECT_FALSE(order.table.has_value());
}

TEST(ObjectReader, RefusesAnUnknownFieldWithItsPath) {
  json body = ValidOrder();
  body["extra"] = 1;
  Error error = ErrorFor(body);
  EXPECT_EQ(error.code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(error.field, "extra");
  EXPECT_EQ(error.message, "unknown field");

  body = ValidOrder();
  body["lines"][1]["discount"] = 3;
  EXPECT_EQ(ErrorFor(body).field, "lines[1].discount");

  body = ValidOrder();
  body["address"]["zip"] = "0150";
  EXPECT_EQ(ErrorFor(body).field, "address.zip");
}

TEST(ObjectReader, RefusesMissingAndNullRequiredFields) {
  json body = ValidOrder();
  body.erase("name");
  Error error = ErrorFor(body);
  EXPECT_EQ(error.field, "name");
  EXPECT_EQ(error.message, "is required");

  body = ValidOrder();
  body["paid"] = nullptr;
  EXPECT_EQ(ErrorFor(body).field, "paid");

  body = ValidOrder();
  body["lines"][2].erase("quantity");
  EXPECT_EQ(ErrorFor(body).field, "lines[2].quantity");

  body = ValidOrder();
  body.erase("address");
  EXPECT_EQ(ErrorFor(body).field, "address");
}

TEST(ObjectReader, RefusesMistypedFields) {
  json body = ValidOrder();
  body["name"] = 5;
  Error error = ErrorFor(body);
  EXPECT_EQ(error.field, "name");
  EXPECT_NE(error.message.find("must be a string"), std::string::npos);

  body = ValidOrder();
  body["paid"] = "true";
  EXPECT_EQ(ErrorFor(body).field, "paid");
  body["paid"] = 1;
  EXPECT_EQ(ErrorFor(body).field, "paid");

  body = ValidOrder();
  body["lines"][0]["quantity"] = "2";
  error = ErrorFor(body);
  EXPECT_EQ(error.field, "lines[0].quantity");
  EXPECT_NE(error.message.find("must be an integer"), std::string::npos);

  body = ValidOrder();
  body["lines"] = json::object();
  EXPECT_EQ(ErrorFor(body).field, "lines");

  body = ValidOrder();
  body["lines"][1] = "B2";
  EXPECT_EQ(ErrorFor(body).field, "lines[1]");

  body = ValidOrder();
  body["address"] = json::array();
  EXPECT_EQ(ErrorFor(body).field, "address");
}

TEST(ObjectReader, RefusesAFloatForAnInteger) {
  json body = ValidOrder();
  body["lines"][2]["quantity"] = 2.0;
  Error error = ErrorFor(body);
  EXPECT_EQ(error.field, "lines[2].quantity");
  EXPECT_NE(error.message.find("decimal"), std::string::npos) << error.message;

  body = ValidOrder();
  body["table"] = 1.5;
  EXPECT_EQ(ErrorFor(body).field, "table");
}

TEST(ObjectReader, RefusesOutOfRangeIntegersWithTheRangeInTheMessage) {
  json body = ValidOrder();
  body["lines"][2]["quantity"] = 10000;
  Error error = ErrorFor(body);
  EXPECT_EQ(error.field, "lines[2].quantity");
  EXPECT_EQ(error.message, "must be between 1 and 9999, got 10000");

  body["lines"][2]["quantity"] = 0;
  EXPECT_EQ(ErrorFor(body).message, "must be between 1 and 9999, got 0");
  body["lines"][2]["quantity"] = -1;
  EXPECT_EQ(ErrorFor(body).field, "lines[2].quantity");

  // Above INT64_MAX: must not wrap to a negative number and pass a signed check.
  body["lines"][2]["quantity"] = std::uint64_t{18446744073709551615u};
  error = ErrorFor(body);
  EXPECT_EQ(error.field, "lines[2].quantity");
  EXPECT_NE(error.message.find("9999"), std::string::npos);

  body = ValidOrder();
  body["table"] = 51;
  EXPECT_EQ(ErrorFor(body).field, "table");
}

TEST(ObjectReader, ChecksStringLengths) {
  json body = ValidOrder();
  body["name"] = "";
  Error error = ErrorFor(body);
  EXPECT_EQ(error.field, "name");
  EXPECT_EQ(error.message, "must not be empty");

  body["name"] = "ABCDEFGHIJ";  // exactly 10
  Order order;
  EXPECT_TRUE(ReadOrder(body, order).ok());
  body["name"] = "ABCDEFGHIJK";
  EXPECT_EQ(ErrorFor(body).field, "name");
}

TEST(ObjectReader, ChecksArraySizes) {
  json body = ValidOrder();
  body["lines"] = json::array();
  Error error = ErrorFor(body);
  EXPECT_EQ(error.field, "lines");
  EXPECT_NE(error.message.find("at least 1"), std::string::npos);

  body = ValidOrder();
  body["lines"].push_back({{"sku", "D4"}, {"quantity", 1}});
  error = ErrorFor(body);
  EXPECT_EQ(error.field, "lines");
  EXPECT_NE(error.message.find("at most 3"), std::string::npos);
}

TEST(ObjectReader, KeepsOnlyTheFirstError) {
  json body = ValidOrder();
  body.erase("name");
  body["lines"][0]["quantity"] = 0;
  body["extra"] = true;
  EXPECT_EQ(ErrorFor(body).field, "name");
}

TEST(ObjectReader, RefusesANonObjectBody) {
  for (const json& body : {json::array(), json(3), json("text"), json(nullptr)}) {
    Error error = ErrorFor(body);
    EXPECT_EQ(error.field, "body") << body.dump();
    EXPECT_NE(error.message.find("must be a JSON object"), std::string::npos);
  }
}

TEST(ObjectReader, MarkReadAcceptsAFieldCheckedElsewhere) {
  FieldErrors errors;
  json body = {{"a", 1}, {"b", 2}};
  ObjectReader reader(body, "root", errors);
  reader.RequiredInt("a", 0, 5);
  reader.MarkRead("b");
  reader.Finish();
  EXPECT_TRUE(errors.ok());
  EXPECT_EQ(reader.PathOf("b"), "root.b");
}

TEST(ParseJson, ParsesValidJson) {
  auto value = ParseJson(R"({"a":[1,2,{"b":null}]})");
  ASSERT_TRUE(value.ok());
  EXPECT_EQ((*value)["a"][2]["b"], nullptr);
}

TEST(ParseJson, RefusesInvalidJson) {
  for (const char* text : {"", "{", "{\"a\":}", "[1,2", "{'a':1}", "nul", "{\"a\":1}x", "01"}) {
    auto value = ParseJson(text);
    ASSERT_FALSE(value.ok()) << text;
    EXPECT_EQ(value.error().field, "body");
    EXPECT_EQ(value.error().message, "not valid JSON");
  }
}

TEST(ParseJson, EnforcesTheDepthLimit) {
  const auto nested = [](int depth) {
    return std::string(static_cast<std::size_t>(depth), '[') +
           std::string(static_cast<std::size_t>(depth), ']');
  };
  EXPECT_TRUE(ParseJson(nested(16)).ok());
  auto too_deep = ParseJson(nested(17));
  ASSERT_FALSE(too_deep.ok());
  EXPECT_NE(too_deep.error().message.find("deeper than 16"), std::string::npos);
  EXPECT_TRUE(ParseJson(nested(3), 3).ok());
  EXPECT_FALSE(ParseJson(nested(4), 3).ok());
  EXPECT_FALSE(ParseJson(R"({"a":{"b":{"c":{}}}})", 3).ok());
  // Siblings do not add up: depth is nesting, not the number of containers.
  EXPECT_TRUE(ParseJson("[[[]],[[]],[[]],[[]]]", 3).ok());
  // A flood of brackets is refused, not parsed into a deep tree.
  EXPECT_FALSE(ParseJson(nested(100000)).ok());
}

}  // namespace
}  // namespace loyalty::codec
