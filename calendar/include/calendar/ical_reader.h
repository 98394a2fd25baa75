#pragma once
/// iCalendar (RFC 5545) input: the VEVENTs of files exported by Google Calendar, Outlook,
/// Thunderbird and Apple Calendar.

#include <calendar/error.h>
#include <calendar/event.h>

#include <string_view>
#include <vector>

namespace treffpunkt::calendar {

/// Reads every VEVENT of `text`: series with RRULE, RDATE and EXDATE (as cancelled
/// overrides), RECURRENCE-ID overrides folded into their series, TZIDs mapped to IANA names
/// (Windows names as Outlook writes them, libical's and Mozilla's prefixed names). All or
/// nothing: the first problem is returned as an error naming its line, and no events.
/// Events come back with no id and no unit; validate() has been applied to each.
result<std::vector<event>> read_events(std::string_view text);

/// What a file said of an event where the domain would otherwise take a default: an import
/// of an event the store has already keeps the store's value of what the file left unsaid.
/// (Capacity and RSVP deadline have no iCalendar property at all; host is the store's.)
struct stated_fields {
  /// X-TREFFPUNKT-KIND, or a CATEGORIES value that is our label of either kind; other
  /// programs (Google, Outlook) drop both, and then the event reads as a meeting.
  bool kind = false;
};

/// An event as read_events reads it, with what its file stated.
struct file_event {
  event ev;
  stated_fields stated;
};

/// read_events, with what each event's file stated (same events, same order).
result<std::vector<file_event>> read_file_events(std::string_view text);

}  // namespace treffpunkt::calendar
