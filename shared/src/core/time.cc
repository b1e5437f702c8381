#include "loyalty/core/time.h"

#include <algorithm>
#include <ctime>

namespace loyalty {
namespace {

bool ReadDigits(std::string_view text, std::size_t pos, std::size_t count, int& out) {
  if (pos + count > text.size()) return false;
  int value = 0;
  for (std::size_t i = pos; i < pos + count; ++i) {
    if (text[i] < '0' || text[i] > '9') return false;
    value = value * 10 + (text[i] - '0');
  }
  out = value;
  return true;
}

}  // namespace

Timestamp Now() { return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()); }

std::int64_t ToUnixSeconds(Timestamp t) { return t.time_since_epoch().count(); }

Timestamp FromUnixSeconds(std::int64_t seconds) { return Timestamp(std::chrono::seconds(seconds)); }

std::string FormatUtc(Timestamp t) {
  const std::time_t seconds = static_cast<std::time_t>(ToUnixSeconds(t));
  std::tm parts{};
  gmtime_r(&seconds, &parts);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &parts);
  return text;
}

std::string FormatLocal(Timestamp t) {
  const std::time_t seconds = static_cast<std::time_t>(ToUnixSeconds(t));
  std::tm parts{};
  localtime_r(&seconds, &parts);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%d %H:%M", &parts);
  return text;
}

Result<Timestamp> ParseIso8601(std::string_view text, std::string_view field) {
  const std::string name(field);
  const auto bad = [&](const std::string& why) {
    return InvalidArgument(name, "'" + std::string(text.substr(0, 40)) + "' is not an ISO 8601 "
                                 "UTC timestamp like 2026-11-23T16:10:00Z: " + why);
  };
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (!ReadDigits(text, 0, 4, year) || text.size() < 19 || text[4] != '-' ||
      !ReadDigits(text, 5, 2, month) || text[7] != '-' || !ReadDigits(text, 8, 2, day) ||
      (text[10] != 'T' && text[10] != ' ') || !ReadDigits(text, 11, 2, hour) ||
      text[13] != ':' || !ReadDigits(text, 14, 2, minute) || text[16] != ':' ||
      !ReadDigits(text, 17, 2, second)) {
    return bad("malformed date or time");
  }
  if (year < 1970 || year > 9999 || month < 1 || month > 12 || day < 1 || hour > 23 ||
      minute > 59 || second > 60) {
    return bad("a field is out of range");
  }
  const std::chrono::year_month_day date{std::chrono::year(year),
                                         std::chrono::month(static_cast<unsigned>(month)),
                                         std::chrono::day(static_cast<unsigned>(day))};
  if (!date.ok()) return bad("no such day");

  std::size_t pos = 19;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    const std::size_t start = pos;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') ++pos;
    if (pos == start) return bad("empty fraction of a second");
  }
  int offset_seconds = 0;
  if (pos == text.size()) return bad("missing time zone ('Z' or +hh:mm)");
  if (text[pos] == 'Z') {
    ++pos;
  } else if (text[pos] == '+' || text[pos] == '-') {
    int offset_hours = 0, offset_minutes = 0;
    if (!ReadDigits(text, pos + 1, 2, offset_hours) || pos + 3 >= text.size() ||
        text[pos + 3] != ':' || !ReadDigits(text, pos + 4, 2, offset_minutes) ||
        offset_hours > 14 || offset_minutes > 59) {
      return bad("malformed zone offset");
    }
    offset_seconds = (offset_hours * 3600 + offset_minutes * 60) * (text[pos] == '-' ? -1 : 1);
    pos += 6;
  } else {
    return bad("unexpected character after the time");
  }
  if (pos != text.size()) return bad("trailing characters");

  const std::chrono::sys_days days{date};
  return Timestamp(days) + std::chrono::hours(hour) + std::chrono::minutes(minute) +
         std::chrono::seconds(std::min(second, 59)) - std::chrono::seconds(offset_seconds);
}

}  // namespace loyalty
