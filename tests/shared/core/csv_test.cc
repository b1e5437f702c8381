#include "loyalty/core/csv.h"

#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace loyalty {
namespace {

using Fields = std::vector<std::string>;

// Reads every record; a malformed one appears as {"ERROR", field, message}.
std::vector<Fields> ReadAll(CsvReader& csv, std::vector<std::size_t>* lines = nullptr) {
  std::vector<Fields> records;
  while (auto record = csv.Next()) {
    if (lines) lines->push_back(csv.line());
    if (record->ok()) {
      records.push_back(record->value());
    } else {
      records.push_back({"ERROR", record->error().field, record->error().message});
    }
  }
  return records;
}

TEST(CsvReader, ReadsHeaderAndRecords) {
  std::istringstream input("sku,name,price\n1,Milk,1.99\n2,Bread,2.49\n");
  CsvReader csv(input);
  ASSERT_TRUE(csv.status().ok());
  EXPECT_EQ(csv.header(), (Fields{"sku", "name", "price"}));
  EXPECT_EQ(csv.Column("name"), 1u);
  EXPECT_EQ(csv.Column("price"), 2u);
  EXPECT_FALSE(csv.Column("brand").has_value());
  std::vector<std::size_t> lines;
  EXPECT_EQ(ReadAll(csv, &lines), (std::vector<Fields>{{"1", "Milk", "1.99"}, {"2", "Bread", "2.49"}}));
  EXPECT_EQ(lines, (std::vector<std::size_t>{2, 3}));
}

TEST(CsvReader, ReadsTheLastRecordWithoutANewline) {
  std::istringstream input("a,b\n1,2");
  CsvReader csv(input);
  EXPECT_EQ(ReadAll(csv), (std::vector<Fields>{{"1", "2"}}));
}

TEST(CsvReader, KeepsEmptyFields) {
  std::istringstream input("a,b,c\n,,\nx,,z\n");
  CsvReader csv(input);
  EXPECT_EQ(ReadAll(csv), (std::vector<Fields>{{"", "", ""}, {"x", "", "z"}}));
}

TEST(CsvReader, ReadsQuotedFieldsWithCommasAndEscapedQuotes) {
  std::istringstream input(
      "sku,name\n"
      "1,\"Milk, whole\"\n"
      "2,\"The \"\"best\"\" bread\"\n"
      "3,\"\"\n");
  CsvReader csv(input);
  EXPECT_EQ(ReadAll(csv), (std::vector<Fields>{
                              {"1", "Milk, whole"}, {"2", "The \"best\" bread"}, {"3", ""}}));
}

TEST(CsvReader, AcceptsCrLfLineEnds) {
  std::istringstream input("sku,name\r\n1,Milk\r\n2,\"Bread\"\r\n");
  CsvReader csv(input);
  EXPECT_EQ(csv.header(), (Fields{"sku", "name"}));
  std::vector<std::size_t> lines;
  EXPECT_EQ(ReadAll(csv, &lines), (std::vector<Fields>{{"1", "Milk"}, {"2", "Bread"}}));
  EXPECT_EQ(lines, (std::vector<std::size_t>{2, 3}));
}

TEST(CsvReader, KeepsNewlinesInsideQuotesAndCountsTheirLines) {
  std::istringstream input(
      "sku,name\n"
      "1,\"two\nlines\"\n"
      "2,\"crlf\r\ninside\"\r\n"
      "3,after\n");
  CsvReader csv(input);
  std::vector<std::size_t> lines;
  EXPECT_EQ(ReadAll(csv, &lines),
            (std::vector<Fields>{{"1", "two\nlines"}, {"2", "crlf\r\ninside"}, {"3", "after"}}));
  EXPECT_EQ(lines, (std::vector<std::size_t>{2, 4, 6}));
}

TEST(CsvReader, StripsAByteOrderMarkFromTheHeader) {
  std::istringstream input("\xEF\xBB\xBFsku,name\n1,Milk\n");
  CsvReader csv(input);
  EXPECT_EQ(csv.header(), (Fields{"sku", "name"}));
  EXPECT_EQ(csv.Column("sku"), 0u);
}

TEST(CsvReader, ReportsAMalformedLineAndReadsTheNextRecord) {
  std::istringstream input(
      "sku,name\n"
      "1,Milk\n"
      "2,\"Bread\"crust\n"
      "3,Eggs\n"
      "4,Bu\"tter\n"
      "5,Jam\n");
  CsvReader csv(input);
  std::vector<std::size_t> lines;
  const auto records = ReadAll(csv, &lines);
  ASSERT_EQ(records.size(), 5u);
  EXPECT_EQ(records[0], (Fields{"1", "Milk"}));
  EXPECT_EQ(records[1][0], "ERROR");
  EXPECT_EQ(records[1][1], "line 3");
  EXPECT_EQ(records[2], (Fields{"3", "Eggs"}));
  EXPECT_EQ(records[3][0], "ERROR");
  EXPECT_EQ(records[3][1], "line 5");
  EXPECT_EQ(records[4], (Fields{"5", "Jam"}));
  EXPECT_EQ(lines, (std::vector<std::size_t>{2, 3, 4, 5, 6}));
}

TEST(CsvReader, ReportsAnUnterminatedQuote) {
  std::istringstream input("sku,name\n1,Milk\n2,\"never closed\n3,Eggs\n");
  CsvReader csv(input);
  const auto records = ReadAll(csv);
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0], (Fields{"1", "Milk"}));
  EXPECT_EQ(records[1][0], "ERROR");
  EXPECT_EQ(records[1][1], "line 3");
  EXPECT_NE(records[1][2].find("never closed"), std::string::npos);
}

TEST(CsvReader, FailsOnEmptyInput) {
  std::istringstream input("");
  CsvReader csv(input);
  EXPECT_FALSE(csv.status().ok());
  EXPECT_TRUE(csv.header().empty());
  EXPECT_FALSE(csv.Next().has_value());
}

TEST(CsvReader, FailsOnAMalformedHeader) {
  std::istringstream input("sku,\"name\n1,Milk\n");
  CsvReader csv(input);
  EXPECT_FALSE(csv.status().ok());
  EXPECT_FALSE(csv.Next().has_value());
}

}  // namespace
}  // namespace loyalty
