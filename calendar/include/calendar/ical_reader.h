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

}  // namespace treffpunkt::calendar
