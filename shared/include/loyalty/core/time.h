// Time is UTC inside every program: whole seconds since the Unix epoch on the wire
// as ISO 8601 text ("2026-11-23T16:10:00Z"), and in storage as integer seconds.
// Local time appears only on screens and receipts.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "loyalty/core/result.h"

namespace loyalty {

using Timestamp = std::chrono::sys_seconds;

Timestamp Now();
std::int64_t ToUnixSeconds(Timestamp t);
Timestamp FromUnixSeconds(std::int64_t seconds);

// "2026-11-23T16:10:00Z".
std::string FormatUtc(Timestamp t);
// "2026-11-23 17:10" in the machine's local zone (TZ), for receipts and screens.
std::string FormatLocal(Timestamp t);

// Parses ISO 8601 with a date, a time to the second, optional fraction (dropped), and a
// zone: 'Z' or +hh:mm / -hh:mm. A timestamp without a zone is rejected, since a wrong
// guess silently moves a purchase to another day.
Result<Timestamp> ParseIso8601(std::string_view text, std::string_view field = "timestamp");

}  // namespace loyalty
