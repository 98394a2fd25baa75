#pragma once
/// The rules of RSVPs, as pure functions: whether one may answer now, and who gets a place.

#include <calendar/event.h>
#include <calendar/expand.h>
#include <calendar/time.h>

#include <cstddef>
#include <optional>
#include <string_view>

namespace treffpunkt::calendar {

enum class rsvp_answer { yes, no, maybe };

/// "yes", "no" or "maybe": the answer's name in the API, the database and logs.
std::string_view to_string(rsvp_answer a);
/// The answer named by "yes", "no" or "maybe"; nothing for anything else.
std::optional<rsvp_answer> parse_rsvp_answer(std::string_view text);

/// Why an RSVP is not taken.
enum class rsvp_refusal {
  cancelled,        ///< the occurrence (or its event) is cancelled
  past,             ///< the occurrence has started
  deadline_passed,  ///< after the event's RSVP deadline before this occurrence
};

/// Whether an RSVP to occurrence `o` of `e` may be given or changed at `now`.
std::optional<rsvp_refusal> rsvp_refused(const event& e, const occurrence& o, utc_seconds now);

/// How many people on the waitlist move up when `going` people hold places of `capacity`
/// (none = unlimited: everyone waiting).
std::size_t places_free(std::optional<int> capacity, std::size_t going);

}  // namespace treffpunkt::calendar
