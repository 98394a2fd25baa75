#pragma once
/// VTIMEZONE components (RFC 5545 §3.6.5) for IANA zones, derived from the system tzdata.
/// Internal to the calendar library: the writer is its only user (and the tests).

#include <string>
#include <string_view>

namespace treffpunkt::calendar::detail {

/// The year whose rules a VTIMEZONE describes. Fixed rather than "this year" so that the
/// same tzdata always gives the same bytes (feeds are cached and served with ETags); move it
/// forward when a zone the units use changes its rules.
inline constexpr int vtimezone_reference_year = 2026;

/// The VTIMEZONE for `zone` (an IANA name such as "Europe/Berlin"), from BEGIN:VTIMEZONE to
/// END:VTIMEZONE, each line ending in CRLF. TZID is the IANA name itself, never a
/// "/freeassociation..." prefix. The rules in force in `vtimezone_reference_year` become
/// yearly RRULEs from 1970 (Outlook reads only those); a zone without daylight saving time
/// gets a single STANDARD. Computed once per zone and process; safe to call from any thread.
/// Throws std::runtime_error if the zone is not in the tzdata (events are validated first).
const std::string& vtimezone(std::string_view zone);

}  // namespace treffpunkt::calendar::detail
