#include "control/command.h"

#include <gtest/gtest.h>

namespace loyalty::firmware_sim {
namespace {

std::string ErrorOf(std::string_view line) {
  Result<Command> command = ParseCommand(line);
  EXPECT_FALSE(command.ok()) << line;
  return command.ok() ? std::string() : command.error().message;
}

TEST(ParseCommand, PresentBarcode) {
  Result<Command> command = ParseCommand("present barcode 2000000000015");
  ASSERT_TRUE(command.ok());
  EXPECT_EQ(command->kind, CommandKind::kPresent);
  EXPECT_EQ(command->card.technology, reader::CardTechnology::kBarcode);
  EXPECT_EQ(command->card.data, "2000000000015");
}

TEST(ParseCommand, DataIsRestOfLineWithInnerSpaces) {
  Result<Command> command = ParseCommand("  present \t barcode  AB 12 \r");
  ASSERT_TRUE(command.ok());
  EXPECT_EQ(command->card.data, "AB 12");
}

TEST(ParseCommand, SimpleCommands) {
  EXPECT_EQ(ParseCommand("remove").value().kind, CommandKind::kRemove);
  EXPECT_EQ(ParseCommand("status\r").value().kind, CommandKind::kStatus);
  EXPECT_EQ(ParseCommand(" quit ").value().kind, CommandKind::kQuit);
  EXPECT_EQ(ParseCommand("help").value().kind, CommandKind::kHelp);
}

TEST(ParseCommand, MagstripeDataIsRestOfLine) {
  Result<Command> command = ParseCommand("present magstripe %B2000000000015^DOE/JANE^2812101?");
  ASSERT_TRUE(command.ok());
  EXPECT_EQ(command->card.technology, reader::CardTechnology::kMagstripe);
  EXPECT_EQ(command->card.data, "%B2000000000015^DOE/JANE^2812101?");
}

TEST(ParseCommand, NfcWithKeyChoices) {
  Result<Command> derived = ParseCommand("present nfc 04A1B2C3:2000000000015");
  ASSERT_TRUE(derived.ok()) << derived.error().ToString();
  EXPECT_EQ(derived->card.data, "04A1B2C3:2000000000015");
  EXPECT_EQ(derived->nfc_key.kind, NfcKeyChoice::Kind::kDerived);
  EXPECT_EQ(ParseCommand("present nfc 04A1B2C3:2000000000015 nokey").value().nfc_key.kind,
            NfcKeyChoice::Kind::kNone);
  Result<Command> given =
      ParseCommand("present nfc 04A1B2C3:2000000000015 key=" + std::string(64, 'A'));
  ASSERT_TRUE(given.ok());
  EXPECT_EQ(given->nfc_key.kind, NfcKeyChoice::Kind::kGiven);
  EXPECT_EQ(given->nfc_key.key[0], 0xAA);
  EXPECT_NE(ErrorOf("present nfc 04A1B2C3:2000000000015 key=ABC").find("64 hex digits"),
            std::string::npos);
  EXPECT_NE(ErrorOf("present nfc 04A1B2C3:2000000000015 please").find("unexpected argument"),
            std::string::npos);
}

TEST(ParseCommand, FaultsAndReplug) {
  Result<Command> fault = ParseCommand("fault corrupt 0.05");
  ASSERT_TRUE(fault.ok());
  EXPECT_EQ(fault->kind, CommandKind::kFault);
  EXPECT_EQ(fault->fault_name, "corrupt");
  EXPECT_EQ(fault->fault_value, "0.05");
  EXPECT_EQ(ParseCommand("fault clear").value().fault_name, "clear");
  EXPECT_NE(ErrorOf("fault corrupt 2").find("probability"), std::string::npos);
  EXPECT_NE(ErrorOf("fault mute maybe").find("on or off"), std::string::npos);
  EXPECT_NE(ErrorOf("fault gremlins 1").find("unknown fault"), std::string::npos);
  EXPECT_NE(ErrorOf("fault drop").find("missing value"), std::string::npos);
  EXPECT_EQ(ParseCommand("replug").value().replug_gap, kDefaultReplugGap);
  EXPECT_EQ(ParseCommand("replug 50ms").value().replug_gap, std::chrono::milliseconds(50));
  EXPECT_NE(ErrorOf("replug soon").find("replug"), std::string::npos);
  EXPECT_EQ(ParseCommand("unplug").value().kind, CommandKind::kUnplug);
  EXPECT_EQ(ParseCommand("plug").value().kind, CommandKind::kPlug);
  EXPECT_EQ(ParseCommand("device-error antenna broken").value().text, "antenna broken");
}

TEST(ParseCommand, RejectsEmptyLine) { EXPECT_EQ(ErrorOf("  "), "empty command"); }

TEST(ParseCommand, RejectsUnknownCommand) {
  EXPECT_NE(ErrorOf("swipe barcode 1").find("unknown command 'swipe'"), std::string::npos);
  EXPECT_NE(ErrorOf("PRESENT barcode 1").find("unknown command"), std::string::npos);
}

TEST(ParseCommand, RejectsMissingTechnology) {
  EXPECT_NE(ErrorOf("present").find("missing technology"), std::string::npos);
}

TEST(ParseCommand, RejectsUnknownTechnology) {
  const std::string error = ErrorOf("present qr 123");  // a QR code is a barcode
  EXPECT_NE(error.find("unknown card technology 'qr'"), std::string::npos) << error;
}

TEST(ParseCommand, RejectsMissingData) {
  EXPECT_EQ(ErrorOf("present barcode"), "present barcode: missing card data");
  EXPECT_EQ(ErrorOf("present barcode   \r"), "present barcode: missing card data");
}

TEST(ParseCommand, RejectsArgumentsToSimpleCommands) {
  EXPECT_EQ(ErrorOf("remove now"), "remove: unexpected argument 'now'");
  EXPECT_EQ(ErrorOf("status please"), "status: unexpected argument 'please'");
}

TEST(FormatStatus, ListsCounters) {
  Firmware::Stats stats;
  stats.frames_sent = 4;
  stats.acks_received = 3;
  stats.naks_received = 1;
  stats.retransmits = 1;
  EXPECT_EQ(FormatStatus(stats, 2),
            "ok frames_sent=4 acks_received=3 naks_received=1 retransmits=1 events_dropped=0 "
            "pending=2");
}

}  // namespace
}  // namespace loyalty::firmware_sim
