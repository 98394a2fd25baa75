#pragma once
/// What a responsible may set on an event or one occurrence, read from any form (the JSON API's
/// body, the event form of the pages) and checked by one set of rules: the same lengths, link
/// schemes, ranges and calendar::validate, so that the pages and the API accept the same events.

#include <calendar/event.h>
#include <calendar/time.h>
#include <date/date.h>
#include <usecases/error.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace treffpunkt::usecases {

/// The fields of an event a change sets; unset ones stay as they are. For the fields that can be
/// removed (rrule, capacity, rsvp_deadline), a set empty value removes.
struct event_changes {
  std::optional<std::string> title;        ///< one line, at most 200 bytes
  std::optional<std::string> description;  ///< Markdown, at most 20,000 bytes
  std::optional<std::string> location;     ///< one line, at most 500 bytes
  std::optional<std::string> online_url;   ///< https:// or http://, at most 2,000 bytes
  std::optional<calendar::event_kind> kind;
  std::optional<std::string> zone;  ///< an IANA zone
  std::optional<bool> all_day;
  std::optional<calendar::local_seconds> start;  ///< wall clock; all-day: midnight of the day
  std::optional<calendar::local_seconds> end;    ///< exclusive; not together with `duration`
  std::optional<std::int64_t> duration_minutes;  ///< 1 to 366 days
  /// An RRULE value; an empty string removes the rule.
  std::optional<std::string> rrule;
  /// 1 to 100,000 places; a set none: unlimited.
  std::optional<std::optional<std::int64_t>> capacity;
  /// RSVPs close this many minutes before the start (0 to 366 days); a set none: never.
  std::optional<std::optional<std::int64_t>> rsvp_deadline_minutes;
  /// Replaces the extra dates (RDATE): wall-clock starts in the zone, none before the first
  /// date, at most 100.
  std::optional<std::vector<calendar::local_seconds>> rdates;
  /// Replaces the left-out dates (EXDATE): days on which the series has a date, which is then
  /// left out; a date left out before and not listed any more takes place again (unless it was
  /// changed otherwise too: then only its cancellation goes).
  std::optional<std::vector<date::local_days>> left_out;
};

/// One text of an event as `name` ("title", "description", "location", "online_url") allows
/// it: its length, one line without control characters (a description may have line breaks
/// and tabs), and for online_url only an https:// or http:// address. Errors name the field.
result<void> check_event_text(std::string_view name, const std::string& s);

/// Applies `c` to `e` (`creating`: title and start are required; a new event lasts two hours,
/// a day when all-day, unless end or duration says otherwise; a changed one keeps its length),
/// then checks the whole event (calendar::validate). The first failure, naming its field
/// ("title", "end", "rrule", ...); `e` is then partly changed and must not be saved.
result<void> apply_event_changes(calendar::event& e, const event_changes& c, bool creating);

/// What may change of one occurrence; set fields replace the series' values for it, unset ones
/// take the series' values again.
struct occurrence_changes {
  bool cancelled = false;
  std::optional<calendar::local_seconds> start;
  std::optional<calendar::local_seconds> end;  ///< not together with `duration_minutes`
  std::optional<std::int64_t> duration_minutes;
  std::optional<std::string> title;
  std::optional<std::string> description;
  std::optional<std::string> location;
  std::optional<std::string> online_url;
};

/// The override of occurrence `key` of `e` that `c` describes (replacing any earlier one), with
/// the same rules for texts and lengths as apply_event_changes. Without a new start, an end
/// counts from where the occurrence originally began.
result<calendar::occurrence_override> occurrence_override_of(const calendar::event& e,
                                                             const calendar::occurrence_key& key,
                                                             const occurrence_changes& c);

}  // namespace treffpunkt::usecases
