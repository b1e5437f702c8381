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

TEST(ParseCommand, MagstripeParsesButIsRefusedByFirmware) {
  Result<Command> command = ParseCommand("present magstripe ;123=4567?");
  ASSERT_TRUE(command.ok());
  Firmware firmware;
  Result<uint8_t> seq = firmware.PresentCard(command->card, Firmware::TimePoint{});
  ASSERT_FALSE(seq.ok());
  EXPECT_EQ(seq.error().message, "technology magstripe not supported by this firmware yet");
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
  const std::string error = ErrorOf("present qr 123");
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
