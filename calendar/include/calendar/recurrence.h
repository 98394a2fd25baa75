#pragma once
/// A validated RFC 5545 recurrence rule (RRULE).

#include <calendar/error.h>
#include <calendar/time.h>

#include <optional>
#include <string>
#include <string_view>

namespace treffpunkt::calendar {

enum class frequency { secondly, minutely, hourly, daily, weekly, monthly, yearly };

/// An RRULE value such as "FREQ=MONTHLY;BYDAY=1TU". Only `parse` makes one, so a held rule
/// is always well-formed; whether it yields occurrences for a given start is checked by
/// `validate(const event&)`.
class recurrence_rule {
 public:
  /// Parses an RRULE value (without the "RRULE:" name). Errors: bad_rule (unparsable or
  /// SECONDLY/MINUTELY/HOURLY, which no meeting needs), count_and_until, out_of_bounds
  /// (INTERVAL > 1000, COUNT > 10000).
  static result<recurrence_rule> parse(std::string_view text);

  /// The rule in canonical form, as written to RRULE (UNTIL always in UTC, "...Z", or as a
  /// date for all-day events).
  const std::string& to_string() const { return text_; }
  frequency freq() const { return freq_; }
  int interval() const { return interval_; }
  std::optional<int> count() const { return count_; }
  /// UNTIL as an instant (inclusive). A date-only UNTIL is the end of that date in UTC.
  std::optional<utc_seconds> until() const { return until_; }
  /// True if UNTIL was given as a date (VALUE=DATE), as all-day series do.
  bool until_is_date() const { return until_is_date_; }

  /// The same rule ending at `last` (inclusive), COUNT dropped: used to split a series.
  recurrence_rule with_until(utc_seconds last, bool as_date) const;
  /// The same rule with COUNT = n, UNTIL dropped.
  recurrence_rule with_count(int n) const;

  friend bool operator==(const recurrence_rule& a, const recurrence_rule& b) {
    return a.text_ == b.text_;
  }

 private:
  std::string text_;
  frequency freq_ = frequency::weekly;
  int interval_ = 1;
  std::optional<int> count_;
  std::optional<utc_seconds> until_;
  bool until_is_date_ = false;
};

}  // namespace treffpunkt::calendar
