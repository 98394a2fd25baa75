#pragma once
/// How often an event repeats, as the event form offers it: the common rules in words, each
/// derived from the first date ("every first Tuesday of the month" for a first Tuesday), and
/// the RRULE each stands for.

#include <date/date.h>
#include <web/i18n.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace treffpunkt::web {

enum class repeat {
  once,
  weekly,                ///< FREQ=WEEKLY;BYDAY=TU
  every_other_week,      ///< FREQ=WEEKLY;INTERVAL=2;BYDAY=TU
  monthly_weekday,       ///< FREQ=MONTHLY;BYDAY=1TU (first to fourth)
  monthly_last_weekday,  ///< FREQ=MONTHLY;BYDAY=-1TU
  monthly_day,           ///< FREQ=MONTHLY;BYMONTHDAY=15 (days 1 to 28)
};

/// The form value of a choice ("once", "weekly", "every_other_week", ...), and back.
std::string_view repeat_id(repeat r);
std::optional<repeat> parse_repeat(std::string_view id);

struct repeat_choice {
  repeat kind;
  std::string label;  ///< "jeden ersten Dienstag im Monat"
};

/// The choices for a series whose first occurrence is on `first`, in the form's order. The
/// n-th weekday is offered for the first to fourth (a fifth Tuesday is missing in most
/// months, and RFC 5545 then skips the month), the last weekday only when `first` is one, a
/// day of the month only up to the 28th (February).
std::vector<repeat_choice> repeat_choices(date::year_month_day first, language l);

/// The RRULE value (without "RRULE:") of `r` for a first occurrence on `first`; empty for
/// `once`. Without an end: the form adds COUNT or UNTIL (calendar::recurrence_rule).
std::string rrule_for(repeat r, date::year_month_day first);

/// Which choice `rrule` is for a first occurrence on `first`, ignoring its end (COUNT, UNTIL)
/// and WKST; none for any other rule (the edit form then keeps the rule as it is).
std::optional<repeat> repeat_of(std::string_view rrule, date::year_month_day first);

/// A series' rule in words for pages: "jeden ersten Dienstag im Monat, bis Di., 30. Juni
/// 2026" or ", 10-mal"; a rule that is none of the choices: "regelmäßig" / "repeating", or
/// "mehrmals täglich" / "several times a day" for an HOURLY, MINUTELY or SECONDLY one.
/// `last_day` is UNTIL as a date in the event's zone, if the rule has one.
std::string describe_rule(std::string_view rrule, date::year_month_day first,
                          std::optional<date::local_days> last_day, language l);

}  // namespace treffpunkt::web
