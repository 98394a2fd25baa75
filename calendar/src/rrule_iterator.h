#pragma once
/// The instances of one RRULE from a DTSTART, in wall-clock time (RFC 5545 §3.3.10), on
/// Howard Hinnant's date: no libical in the expansion. Internal to calendar/.
///
/// The rule is walked period by period (a year, a month, a week, a day, an hour, a minute or
/// a second, INTERVAL periods apart, counted from DTSTART's). In each period the BY parts
/// expand or limit the candidates as RFC 5545's table says; the candidates are sorted, then
/// BYSETPOS picks from them, then those before DTSTART are left out, then COUNT counts. That is
/// also what python-dateutil does, which the tests take as the reference; where the two
/// readings differ, docs/calendar.md ("Recurrence: the readings we chose") says which one holds.

#include <calendar/recurrence.h>
#include <calendar/time.h>

#include <bitset>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

namespace treffpunkt::calendar {

class rrule_iterator {
 public:
  /// The instances of `rule` from `dtstart` (floating: the wall clock of the event's zone).
  /// UNTIL is not applied here: it is an instant for a zoned event, which only the caller
  /// can compare (see expand.cpp).
  rrule_iterator(const recurrence_rule& rule, local_seconds dtstart);

  /// Skips ahead so that the next instance is the first one at or after `target`; cheap for
  /// a target far from DTSTART. Only for rules without COUNT (which must count from DTSTART):
  /// does nothing for them, nor for a target before the current position.
  void seek(local_seconds target);

  /// The next instance, ascending; none when the rule has ended (COUNT reached, or past the
  /// year 9999) or when `steps` ran out (one step per instance, and per period without one).
  std::optional<local_seconds> next(std::size_t& steps);

  /// True once the rule has no more instances (as opposed to running out of steps).
  bool ended() const { return ended_; }

 private:
  struct year_info {
    int year = 0;
    date::local_days jan1;
    int length = 365;
    date::local_days week1;       // first day of week 1 (WKST-based, RFC 5545 §3.3.10)
    date::local_days next_week1;  // first day of week 1 of the next year
  };

  void fill();
  bool has_candidate() const;
  void add_range_nth(date::local_days first, date::local_days last);
  bool day_matches(date::local_days d);
  year_info info(int year);
  void select_positions();
  void position_cursor();
  void skip_to(std::int64_t p, local_seconds from, local_seconds boundary);

  frequency freq_;
  int interval_;
  std::optional<int> count_;
  local_seconds dtstart_;
  local_seconds min_;  // nothing before this is returned (DTSTART, or where `seek` went)

  // The BY parts as masks (bit n for value n; negative values n as bit -n in the *_neg masks).
  std::uint16_t months_ = 0;
  std::uint8_t weekdays_ = 0;             // BYDAY without ordinal (bit 0 = Monday)
  std::vector<std::pair<int, int>> nth_;  // BYDAY with ordinal (MONTHLY and YEARLY only)
  std::uint32_t month_days_ = 0;
  std::uint32_t month_days_neg_ = 0;
  std::bitset<367> year_days_;
  std::bitset<367> year_days_neg_;
  std::bitset<54> week_nos_;
  std::bitset<54> week_nos_neg_;
  std::bitset<24> hour_filter_;
  std::bitset<60> minute_filter_;
  std::bitset<60> second_filter_;
  bool by_month_ = false, by_weekday_ = false, by_month_day_ = false, by_year_day_ = false,
       by_week_no_ = false, by_hour_ = false, by_minute_ = false, by_second_ = false;
  std::vector<int> set_pos_;
  int wkst_ = 0;

  // Where the walk is: the period index p (0 = DTSTART's) and the period's origin.
  std::int64_t period_ = 0;
  int year0_ = 0;
  std::int64_t month0_ = 0;  // year * 12 + month - 1
  date::local_days week0_;   // first day (WKST) of DTSTART's week
  date::local_days day0_;    // DTSTART's day
  local_seconds sub0_;       // DTSTART truncated to the hour, minute or second
  std::int64_t unit_ = 1;    // seconds per sub-daily period, INTERVAL included

  // The current period's candidates: days_[i] + offset_ + times_[j], ascending in (i, j);
  // with BYSETPOS, picked_ instead.
  std::vector<date::local_days> days_;
  const std::vector<std::int64_t>* times_;  // seconds into the day, or after offset_
  std::vector<std::int64_t> day_times_;     // BYHOUR x BYMINUTE x BYSECOND (periods of a day+)
  std::vector<std::int64_t> sub_times_;     // the offsets inside an hour or a minute
  std::int64_t offset_ = 0;
  std::vector<local_seconds> picked_;
  bool use_picked_ = false;
  std::size_t day_i_ = 0, time_j_ = 0, picked_k_ = 0;

  std::vector<date::local_days> nth_days_;  // the ordinal BYDAY days of the current period
  std::optional<year_info> year_cache_;

  int emitted_ = 0;
  bool ended_ = false;
};

}  // namespace treffpunkt::calendar
