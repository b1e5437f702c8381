#include "loyalty/domain/customer.h"

#include <gtest/gtest.h>

namespace loyalty::domain {
namespace {

nlohmann::json Valid() {
  return {{"name", "Ada Lovelace"},        {"email", "ada@example.com"},
          {"phone", "+1 555-0100"},         {"birthday", "1985-12-10"},
          {"consent_email", true},          {"consent_sms", false},
          {"acquisition_source", "flyer"}};
}

std::string FieldOf(const nlohmann::json& json) {
  auto details = CustomerDetailsFromJson(json);
  return details.ok() ? "<ok>" : details.error().field;
}

TEST(CustomerDetails, RoundTrips) {
  auto details = CustomerDetailsFromJson(Valid());
  ASSERT_TRUE(details.ok()) << details.error().ToString();
  EXPECT_EQ(CustomerDetailsToJson(*details), Valid());
}

TEST(CustomerDetails, OnlyTheNameAndConsentsAreRequired) {
  const nlohmann::json minimal = {{"name", "Bo"}, {"consent_email", false}, {"consent_sms", false}};
  EXPECT_TRUE(CustomerDetailsFromJson(minimal).ok());
}

TEST(CustomerDetails, RefusesEachBadFieldByName) {
  const auto with = [](const char* key, nlohmann::json value) {
    auto json = Valid();
    json[key] = std::move(value);
    return json;
  };
  EXPECT_EQ(FieldOf(with("name", "")), "name");
  EXPECT_EQ(FieldOf(with("email", "ada.example.com")), "email");
  EXPECT_EQ(FieldOf(with("email", "ada@example")), "email");
  EXPECT_EQ(FieldOf(with("phone", "12345")), "phone");
  EXPECT_EQ(FieldOf(with("phone", "555 CALL ME")), "phone");
  EXPECT_EQ(FieldOf(with("birthday", "1985-02-30")), "birthday");
  EXPECT_EQ(FieldOf(with("birthday", "10/12/1985")), "birthday");
  EXPECT_EQ(FieldOf(with("birthday", "2999-01-01")), "birthday");
  EXPECT_EQ(FieldOf(with("acquisition_source", "Flyer Campaign!")), "acquisition_source");
  EXPECT_EQ(FieldOf(with("consent_sms", "yes")), "consent_sms");
  EXPECT_EQ(FieldOf(with("favourite_colour", "blue")), "favourite_colour");
}

TEST(CustomerDetails, ConsentNeedsSomewhereToSend) {
  auto json = Valid();
  json["email"] = nullptr;
  EXPECT_EQ(FieldOf(json), "consent_email");
  json = Valid();
  json["phone"] = nullptr;
  json["consent_sms"] = true;
  EXPECT_EQ(FieldOf(json), "consent_sms");
}

}  // namespace
}  // namespace loyalty::domain
