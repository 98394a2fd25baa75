#pragma once
/// A validated RFC 5545 recurrence rule (RRULE).

#include <calendar/error.h>
#include <calendar/time.h>

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace treffpunkt::calendar {

enum class frequency { secondly, minutely, hourly, daily, weekly, monthly, yearly };

/// The BY parts and WKST of a rule as RFC 5545 §3.3.10 names them, read from its canonical
/// text. Each list is sorted and holds each value once; an empty list means the part is absent.
/// Weekdays count from Monday = 0 to Sunday = 6.
struct rule_parts {
  std::vector<int> by_second;
  std::vector<int> by_minute;
  std::vector<int> by_hour;
  /// BYDAY: (weekday, ordinal), ordinal 0 for "every such weekday" ("MO" rather than "1MO").
  std::vector<std::pair<int, int>> by_day;
  std::vector<int> by_month_day;
  std::vector<int> by_year_day;
  std::vector<int> by_week_no;
  std::vector<int> by_month;
  std::vector<int> by_set_pos;
  int wkst = 0;  ///< Monday unless WKST says otherwise
};

/// An RRULE value such as "FREQ=MONTHLY;BYDAY=1TU". Only `parse` makes one, so a held rule
/// is always well-formed; whether it yields occurrences for a given start is checked by
/// `validate(const event&)`.
class recurrence_rule {
 public:
  /// Parses an RRULE value (without the "RRULE:" name). Errors: bad_rule (unparsable, a BY
  /// value out of its range, RSCALE), count_and_until, out_of_bounds (INTERVAL > 1000,
  /// COUNT > 10000). Every FREQ from SECONDLY to YEARLY is accepted: imports and the API may
  /// bring any rule, the pages offer the common ones.
  static result<recurrence_rule> parse(std::string_view text);
  /// A rule as a store kept it: parse() without refusing the combinations RFC 5545 forbids
  /// (BYWEEKNO outside YEARLY, ...), which earlier versions accepted through libical. An
  /// event saved with one stays readable, and is expanded as the iterator reads the parts.
  static result<recurrence_rule> parse_stored(std::string_view text);

  /// The rule in canonical form, as written to RRULE (UNTIL always in UTC, "...Z", or as a
  /// date for all-day events).
  const std::string& to_string() const { return text_; }
  frequency freq() const { return freq_; }
  int interval() const { return interval_; }
  std::optional<int> count() const { return count_; }
  /// UNTIL as an instant (inclusive). A date-only UNTIL is the end of that date in UTC; a
  /// floating UNTIL (no "Z") is its wall-clock time read as if it were UTC.
  std::optional<utc_seconds> until() const { return until_; }
  /// True if UNTIL was given as a date (VALUE=DATE), as all-day series do.
  bool until_is_date() const { return until_is_date_; }
  /// True if UNTIL was a date-time without "Z": right only with a floating DTSTART (RFC 5545
  /// §3.3.10), so `validate(const event&)` refuses it for events, which always have a zone.
  bool until_is_floating() const { return until_is_floating_; }
  /// The BY parts and WKST, for expanding the rule.
  const rule_parts& parts() const { return parts_; }

  /// The same rule ending at `last` (inclusive), COUNT dropped: used to split a series.
  recurrence_rule with_until(utc_seconds last, bool as_date) const;
  /// The same rule with COUNT = n, UNTIL dropped.
  recurrence_rule with_count(int n) const;

  friend bool operator==(const recurrence_rule& a, const recurrence_rule& b) {
    return a.text_ == b.text_;
  }

 private:
  static result<recurrence_rule> read(std::string_view text, bool strict);

  std::string text_;
  frequency freq_ = frequency::weekly;
  int interval_ = 1;
  std::optional<int> count_;
  std::optional<utc_seconds> until_;
  bool until_is_date_ = false;
  bool until_is_floating_ = false;
  rule_parts parts_;
};

}  // namespace treffpunkt::calendar
