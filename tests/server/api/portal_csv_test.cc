// CSV downloads: RFC 4180 quoting, and fields a spreadsheet would run as a formula
// (a name or a till's name chosen to start with = or a tab) defused with a leading '.
#include "api/portal_csv.h"

#include <gtest/gtest.h>

namespace loyalty::server {
namespace {

TEST(PortalCsv, QuotesWhatNeedsItAndDefusesFormulas) {
  EXPECT_EQ(CsvField("Ada Lovelace"), "Ada Lovelace");
  EXPECT_EQ(CsvField("Lovelace, Ada"), "\"Lovelace, Ada\"");
  EXPECT_EQ(CsvField("the \"best\" till"), "\"the \"\"best\"\" till\"");
  EXPECT_EQ(CsvField("two\nlines"), "\"two\nlines\"");
  EXPECT_EQ(CsvField("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
  for (const char* formula : {"+1", "-1", "@SUM(A1)", "\t=1", "\r=1"}) {
    EXPECT_EQ(CsvField(formula).find('\''), CsvField(formula).front() == '"' ? 1u : 0u)
        << formula;
  }
  EXPECT_EQ(CsvLine({"1", "a,b", ""}), "1,\"a,b\",\r\n");
}

TEST(PortalCsv, WritesMoneyAsADecimalInTheCurrencysUnits) {
  EXPECT_EQ(CsvMoney(1257, "USD"), "12.57");
  EXPECT_EQ(CsvMoney(5, "EUR"), "0.05");
  EXPECT_EQ(CsvMoney(-5, "USD"), "-0.05");  // a number, not a formula to defuse
  EXPECT_EQ(CsvMoney(1257, "JPY"), "1257");
  EXPECT_EQ(CsvMoney(0, "USD"), "0.00");
}

TEST(PortalCsv, IsAskedForByFormatOrAccept) {
  http::Request request;
  EXPECT_FALSE(WantsCsv(request));
  request.query["format"] = "csv";
  EXPECT_TRUE(WantsCsv(request));
  request.query["format"] = "json";
  EXPECT_FALSE(WantsCsv(request));
  request.headers["accept"] = "text/csv, */*";
  EXPECT_TRUE(WantsCsv(request));
  const auto response = CsvResponse("a\r\n", "x.csv");
  EXPECT_EQ(response.content_type, "text/csv; charset=utf-8");
  EXPECT_EQ(response.headers.at(0).second, "attachment; filename=\"x.csv\"");
}

}  // namespace
}  // namespace loyalty::server
