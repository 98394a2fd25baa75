#pragma once
/// The handlers of the JSON API (docs/api.md; their routes: api_routes.cpp), a file per
/// resource, and what they share: who may do what, and finding what a path names.

#include <calendar/event.h>
#include <storage/store.h>

#include <optional>
#include <string_view>

#include "../router.h"
#include "json_io.h"

namespace treffpunkt::server {

namespace api_units {  // units.cpp
http_response list(const request_context& ctx, const route_params& p);
/// Admins create units.
http_response create(const request_context& ctx, const route_params& p);
/// Admins change a unit and archive it; its responsibles change its description.
http_response patch(const request_context& ctx, const route_params& p);
http_response get(const request_context& ctx, const route_params& p);
http_response occurrences(const request_context& ctx, const route_params& p);
http_response events(const request_context& ctx, const route_params& p);
http_response follow(const request_context& ctx, const route_params& p);
http_response unfollow(const request_context& ctx, const route_params& p);
}  // namespace api_units

namespace api_events {  // events.cpp
http_response create(const request_context& ctx, const route_params& p);
http_response get(const request_context& ctx, const route_params& p);
http_response patch(const request_context& ctx, const route_params& p);
http_response cancel(const request_context& ctx, const route_params& p);
/// A series still happens (its unit's responsibles and admins).
http_response confirm(const request_context& ctx, const route_params& p);
}  // namespace api_events

namespace api_occurrences {  // occurrences.cpp
http_response get(const request_context& ctx, const route_params& p);
/// Moves, changes or cancels one occurrence.
http_response put(const request_context& ctx, const route_params& p);
http_response attendees(const request_context& ctx, const route_params& p);
http_response message(const request_context& ctx, const route_params& p);
/// "This and all later dates": splits the series there and changes the new one.
http_response split(const request_context& ctx, const route_params& p);
}  // namespace api_occurrences

namespace api_attendance {  // attendance.cpp
/// Who came to an occurrence: the unit's responsibles and admins, and the offer's host (names
/// only).
http_response get(const request_context& ctx, const route_params& p);
/// Records who came, replacing the list; once the occurrence has started.
http_response put(const request_context& ctx, const route_params& p);
}  // namespace api_attendance

namespace api_rsvps {  // rsvps.cpp
http_response get(const request_context& ctx, const route_params& p);
http_response put(const request_context& ctx, const route_params& p);
http_response guest(const request_context& ctx, const route_params& p);
}  // namespace api_rsvps

namespace api_offers {  // offers.cpp
http_response propose(const request_context& ctx, const route_params& p);
http_response of_unit(const request_context& ctx, const route_params& p);
http_response mine(const request_context& ctx, const route_params& p);
http_response get(const request_context& ctx, const route_params& p);
/// The proposer sends their proposal again, changed.
http_response revise(const request_context& ctx, const route_params& p);
http_response withdraw(const request_context& ctx, const route_params& p);
/// A responsible approves, asks for a change or declines.
http_response decide(const request_context& ctx, const route_params& p);
}  // namespace api_offers

namespace api_wishes {  // offers.cpp
http_response of_unit(const request_context& ctx, const route_params& p);
http_response post(const request_context& ctx, const route_params& p);
http_response close(const request_context& ctx, const route_params& p);
}  // namespace api_wishes

namespace api_me {  // me.cpp
http_response get(const request_context& ctx, const route_params& p);
http_response remove(const request_context& ctx, const route_params& p);
http_response data(const request_context& ctx, const route_params& p);
http_response reminders(const request_context& ctx, const route_params& p);
http_response set_reminders(const request_context& ctx, const route_params& p);
http_response notices(const request_context& ctx, const route_params& p);
http_response set_notices(const request_context& ctx, const route_params& p);
http_response feed(const request_context& ctx, const route_params& p);
http_response rotate_feed(const request_context& ctx, const route_params& p);
}  // namespace api_me

namespace api_tokens {  // tokens.cpp
http_response list(const request_context& ctx, const route_params& p);
http_response create(const request_context& ctx, const route_params& p);
http_response revoke(const request_context& ctx, const route_params& p);
}  // namespace api_tokens

// ---- shared by the handlers (api_routes.cpp) ------------------------------------------------

/// 401 unless the caller is someone (anonymous callers may read public data only).
std::optional<http_response> need_person(const request_context& ctx);
/// 401 for anonymous callers, 403 for people who may not edit the unit.
std::optional<http_response> need_editor(const request_context& ctx, calendar::unit_id u);
/// As need_editor, and the event's host passes too (the store decides what they may change).
std::optional<http_response> need_editor_or_host(const request_context& ctx,
                                                 const calendar::event& e);
/// The unit of the path's {slug}, or 404.
api_result<calendar::unit> unit_of(const request_context& ctx, const route_params& p);
/// The event of the path's {id}, or 404.
api_result<calendar::event> event_of(const request_context& ctx, const route_params& p);
/// The event of {id} and its occurrence of {key}, or 404.
struct event_occurrence {
  calendar::event event;
  calendar::occurrence_key key;
};
api_result<event_occurrence> occurrence_of(const request_context& ctx, const route_params& p);
/// The slug of the event's unit ("" if it is gone).
std::string slug_of(const request_context& ctx, const calendar::event& e);
/// 429 with Retry-After when `who` (a person's id, or "guest:ADDRESS") or the client's address
/// has answered too often; the allowance is the pages' too.
std::optional<http_response> rate_limited(const request_context& ctx, const std::string& who);

}  // namespace treffpunkt::server
