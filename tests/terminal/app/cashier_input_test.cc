#include "app/cashier_input.h"

#include <gtest/gtest.h>

namespace loyalty::terminal {
namespace {

Command Parsed(const std::string& text) {
  auto action = ParseInputLine(text);
  EXPECT_TRUE(action.ok()) << text << ": " << action.error().ToString();
  EXPECT_TRUE(action.ok() && std::holds_alternative<Command>(*action)) << text;
  return action.ok() ? std::get<Command>(*action) : Command{StatusCommand{}};
}

Error Refused(const std::string& text) {
  auto action = ParseInputLine(text);
  EXPECT_FALSE(action.ok()) << text;
  return action.ok() ? Error{} : action.error();
}

TEST(CashierInput, DigitsScanOne) {
  const auto scan = std::get<ScanCommand>(Parsed(" 0000008226297 "));
  EXPECT_EQ(scan.code, "0000008226297");
  EXPECT_EQ(scan.quantity, 1);
  EXPECT_FALSE(scan.weight_grams);
}

TEST(CashierInput, StarGivesAQuantity) {
  const auto scan = std::get<ScanCommand>(Parsed("3*1004906"));
  EXPECT_EQ(scan.code, "1004906");
  EXPECT_EQ(scan.quantity, 3);
  EXPECT_EQ(std::get<ScanCommand>(Parsed("12 * 1004906")).quantity, 12);
}

TEST(CashierInput, QuantityOutOfRangeNamesTheField) {
  EXPECT_EQ(Refused("0*1004906").field, "quantity");
  EXPECT_EQ(Refused("10000*1004906").field, "quantity");
  EXPECT_EQ(Refused("x3*1004906").field, "input");
  EXPECT_EQ(Refused("3*").field, "code");
  EXPECT_EQ(Refused("3*10 04").field, "code");
}

TEST(CashierInput, WeighedItemTakesGramsThenCode) {
  for (const char* text : {"w755*161354", "W:755*161354", "w 755 * 161354"}) {
    const auto scan = std::get<ScanCommand>(Parsed(text));
    EXPECT_EQ(scan.code, "161354") << text;
    EXPECT_EQ(scan.weight_grams, 755) << text;
    EXPECT_EQ(scan.quantity, 1) << text;
  }
  EXPECT_EQ(Refused("w755").field, "weight_grams");
  EXPECT_EQ(Refused("w0*161354").field, "weight_grams");
  EXPECT_EQ(Refused("w100001*161354").field, "weight_grams");
}

TEST(CashierInput, LetterCodesScanWithS) {
  EXPECT_EQ(std::get<ScanCommand>(Parsed("s:AB-12")).code, "AB-12");
  EXPECT_EQ(std::get<ScanCommand>(Parsed("s2*AB-12")).quantity, 2);
}

TEST(CashierInput, CardCouponAndVoid) {
  EXPECT_EQ(std::get<CardCommand>(Parsed("c:2000000000015")).number, "2000000000015");
  EXPECT_EQ(std::get<CardCommand>(Parsed("C2000000000015")).number, "2000000000015");
  EXPECT_EQ(Refused("c:").field, "card");
  EXPECT_EQ(std::get<CouponCommand>(Parsed("t:eyJh.c2ln")).token, "eyJh.c2ln");
  EXPECT_EQ(Refused("t:").field, "coupon");
  EXPECT_EQ(std::get<VoidCommand>(Parsed("v:2")).line, 2u);
  EXPECT_EQ(std::get<VoidCommand>(Parsed("v 10")).line, 10u);
  EXPECT_EQ(Refused("v:0").field, "line");
  EXPECT_EQ(Refused("v:two").field, "line");
}

TEST(CashierInput, CashierSignsOnWithO) {
  EXPECT_EQ(std::get<SignOnCommand>(Parsed("o:C042")).cashier_id, "C042");
  EXPECT_EQ(std::get<SignOnCommand>(Parsed("O C042")).cashier_id, "C042");
  EXPECT_EQ(Refused("o:").field, "cashier_id");
  EXPECT_EQ(Refused("o:" + std::string(33, 'C')).field, "cashier_id");
  EXPECT_EQ(InputPrompt("o:"), "Cashier id");
}

TEST(CashierInput, OneLetterActions) {
  EXPECT_TRUE(std::holds_alternative<CancelCommand>(Parsed("x")));
  EXPECT_TRUE(std::holds_alternative<FinishCommand>(Parsed("f")));
  EXPECT_EQ(ParseInputLine("").error().message, "nothing typed; F10 or f finishes the sale");
  EXPECT_FALSE(ParseInputLine("   ").ok());
  EXPECT_TRUE(std::holds_alternative<QuitCommand>(Parsed("q")));
  EXPECT_EQ(Refused("q now").field, "input");
  auto help = ParseInputLine("?");
  ASSERT_TRUE(help.ok());
  EXPECT_TRUE(std::holds_alternative<ShowHelp>(*help));
}

TEST(CashierInput, UnknownLetterSaysWhatWorks) {
  const Error error = Refused("zzz");
  EXPECT_EQ(error.field, "input");
  EXPECT_NE(error.message.find("c: t: v:"), std::string::npos) << error.message;
}

TEST(CashierInput, PromptFollowsThePrefix) {
  EXPECT_EQ(InputPrompt(""), "Scan");
  EXPECT_EQ(InputPrompt("3*"), "Scan");
  EXPECT_EQ(InputPrompt("w"), "Weigh g*code");
  EXPECT_EQ(InputPrompt("c:"), "Card");
  EXPECT_EQ(InputPrompt("t:"), "Coupon");
  EXPECT_EQ(InputPrompt("v:"), "Void line");
}

}  // namespace
}  // namespace loyalty::terminal
