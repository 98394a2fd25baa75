#pragma once
/// Time points of the domain and the one rule for turning a wall-clock time into an instant.

#include <date/date.h>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace treffpunkt::calendar {

/// An instant, in seconds since the epoch (UTC).
using utc_seconds = std::chrono::sys_seconds;
/// A wall-clock time in some time zone that the context names (an event's zone).
using local_seconds = date::local_seconds;

/// True if `name` is an IANA zone in the system's tzdata ("Europe/Berlin").
bool is_known_zone(std::string_view name);

/// The instant of a wall-clock time in `zone` (which must be known), by RFC 5545 §3.3.5:
/// a time in a gap (spring forward) is read with the offset before the gap, so 02:30 on the
/// day Europe/Berlin skips 02:00-03:00 becomes 03:30 CEST; a repeated time (fall back) takes
/// the first of the two.
utc_seconds to_utc(local_seconds local, std::string_view zone);

/// The wall-clock time in `zone` (which must be known) at an instant.
local_seconds to_local(utc_seconds instant, std::string_view zone);

/// A date as RFC 3339's full-date writes it, "2026-02-03" (what <input type="date"> sends and
/// the JSON API uses): exactly four digits, "-", two digits, "-", two digits, naming a day that
/// exists; none for anything else (no sign, no blanks, nothing before or after it).
std::optional<date::year_month_day> parse_iso_date(std::string_view text);

/// A month as "2026-02" (the month view's `?month=`): as parse_iso_date, without the day.
std::optional<date::year_month> parse_iso_month(std::string_view text);

/// The key of an occurrence: its original start (RECURRENCE-ID), which does not change when
/// the occurrence is moved. Timed events use the UTC instant ("20251202T180000Z"), all-day
/// events the date ("20251202").
class occurrence_key {
 public:
  occurrence_key() = default;
  static occurrence_key timed(utc_seconds original_start) {
    return occurrence_key(original_start, false);
  }
  static occurrence_key all_day(date::sys_days original_date) {
    return occurrence_key(utc_seconds(original_date), true);
  }
  /// Parses "YYYYMMDDTHHMMSSZ" or "YYYYMMDD"; nothing on anything else.
  static std::optional<occurrence_key> parse(std::string_view text);

  std::string to_string() const;
  /// The original start; for an all-day key, midnight UTC of its date.
  utc_seconds instant() const { return instant_; }
  bool is_date() const { return is_date_; }

  // NOLINTNEXTLINE(modernize-use-nullptr): clang-tidy 14 misreads a defaulted <=>
  friend auto operator<=>(const occurrence_key&, const occurrence_key&) = default;

 private:
  occurrence_key(utc_seconds instant, bool is_date) : instant_(instant), is_date_(is_date) {}
  utc_seconds instant_{};
  bool is_date_ = false;
};

}  // namespace treffpunkt::calendar
