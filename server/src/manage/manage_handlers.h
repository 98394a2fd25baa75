#pragma once
/// The handlers of the responsibles' pages (/manage: their units' events and series, one
/// occurrence's attendees, the CSV, a message to attendees) and the admins' (/admin: units,
/// responsibles, the outbox, deleting someone's account); their routes: manage_routes.cpp.
/// Everything here is personal: rendered per request, never cached. Writes that concern
/// attendees go through the use cases, as the JSON API's do.

#include <calendar/event.h>
#include <calendar/expand.h>
#include <storage/store.h>
#include <usecases/clashes.h>
#include <usecases/series_confirmations.h>
#include <web/manage_pages.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "../router.h"

namespace treffpunkt::server {

namespace manage_units {  // manage_units.cpp
http_response home(const request_context& ctx, const route_params& p);
http_response unit(const request_context& ctx, const route_params& p);
/// The unit's page of settings: admins all of it and archiving, responsibles the description.
http_response edit_form(const request_context& ctx, const route_params& p);
http_response edit(const request_context& ctx, const route_params& p);
http_response archive(const request_context& ctx, const route_params& p);
}  // namespace manage_units

namespace manage_events {  // manage_events.cpp
http_response new_form(const request_context& ctx, const route_params& p);
/// "Vorschau" or "Speichern" of the new-event form.
http_response create(const request_context& ctx, const route_params& p);
http_response page(const request_context& ctx, const route_params& p);
http_response edit_form(const request_context& ctx, const route_params& p);
http_response edit(const request_context& ctx, const route_params& p);
http_response cancel(const request_context& ctx, const route_params& p);
}  // namespace manage_events

namespace manage_occurrences {  // manage_occurrences.cpp
http_response attendees(const request_context& ctx, const route_params& p);
http_response attendees_csv(const request_context& ctx, const route_params& p);
http_response cancel(const request_context& ctx, const route_params& p);
http_response restore(const request_context& ctx, const route_params& p);
http_response move(const request_context& ctx, const route_params& p);
http_response message(const request_context& ctx, const route_params& p);
/// "Change from this date on" of a series: the form, and the change (usecases::change_from).
http_response split_form(const request_context& ctx, const route_params& p);
http_response split(const request_context& ctx, const route_params& p);
}  // namespace manage_occurrences

/// Who came to an occurrence (manage_attendance.cpp): the unit's responsibles, admins and the
/// offer's host tick it once the occurrence has started; the CSV is the responsibles' and
/// admins'.
namespace manage_attendance {
http_response page(const request_context& ctx, const route_params& p);
http_response save(const request_context& ctx, const route_params& p);
http_response csv(const request_context& ctx, const route_params& p);
}  // namespace manage_attendance

/// "Still happening?" (manage_confirm.cpp): the page of the mail's link, and its button.
namespace manage_confirm {
http_response page(const request_context& ctx, const route_params& p);
http_response confirm(const request_context& ctx, const route_params& p);
}  // namespace manage_confirm

namespace manage_proposals {  // manage_proposals.cpp
http_response list(const request_context& ctx, const route_params& p);
http_response page(const request_context& ctx, const route_params& p);
/// Approve (with a date and places), ask for a change, or decline.
http_response decide(const request_context& ctx, const route_params& p);
}  // namespace manage_proposals

/// The host's page of their exchange offer (host_pages.cpp); the unit's responsibles may use it
/// too.
namespace host_pages {
http_response page(const request_context& ctx, const route_params& p);
http_response edit(const request_context& ctx, const route_params& p);
http_response cancel(const request_context& ctx, const route_params& p);
http_response message(const request_context& ctx, const route_params& p);
}  // namespace host_pages

namespace admin_pages {  // admin_pages.cpp
http_response home(const request_context& ctx, const route_params& p);
http_response create_unit(const request_context& ctx, const route_params& p);
http_response add_responsible(const request_context& ctx, const route_params& p);
http_response remove_responsible(const request_context& ctx, const route_params& p);
http_response outbox(const request_context& ctx, const route_params& p);
http_response people(const request_context& ctx, const route_params& p);
http_response delete_person(const request_context& ctx, const route_params& p);
}  // namespace admin_pages

// ---- shared by the handlers (manage_routes.cpp) ---------------------------------------------

/// The logged-in person (the area's `before` made sure there is one).
const storage::person& manager(const request_context& ctx);
storage::actor manager_actor(const request_context& ctx);
/// A page of the area: personal, and with the CSRF cookie if this request made the token.
http_response manage_html(const request_context& ctx, unsigned status, std::string body);
http_response forbidden(const request_context& ctx);
http_response not_found(const request_context& ctx);
/// The answer to a store failure: its forbidden and not-found pages, else its status as text.
http_response store_error(const request_context& ctx, const storage::error& e);
/// The notice a redirect asked for (?done=...), from a fixed list; empty if none.
std::string done_notice(const request_context& ctx);
web::unit_summary summary(const calendar::unit& u);
/// The rule of `e` in words; empty for a one-off event.
std::string rule_words(const calendar::event& e, web::language l);

/// The unit of the path's {slug} that the manager may edit, or the answer (404, 403).
std::variant<calendar::unit, http_response> editable_unit(const request_context& ctx,
                                                          const route_params& p);
/// The event of the path's {id} and its unit, which the manager may edit, or the answer.
struct event_in_unit {
  calendar::unit unit;
  calendar::event event;
};
std::variant<event_in_unit, http_response> editable_event(const request_context& ctx,
                                                          const route_params& p);
/// The same and the occurrence of {key}.
struct occurrence_in_unit {
  calendar::unit unit;
  /// On the heap, so that `event`, and the texts `occurrence` points into, stay where they are
  /// when this is moved (into the variant, out of it).
  std::shared_ptr<const calendar::event> held;
  const calendar::event& event;
  calendar::occurrence occurrence;
};
std::variant<occurrence_in_unit, http_response> editable_occurrence(const request_context& ctx,
                                                                    const route_params& p);

/// The form that writes to an occurrence's attendees, as typed (`subject`, `body`; CRs of the
/// textarea removed) and as checked by the use cases' rules (`checked_*`, set when there are no
/// `errors`).
struct message_form {
  std::string subject;
  std::string body;
  std::string checked_subject;
  std::string checked_body;
  std::vector<web::field_error> errors;
};
message_form read_message_form(const request_context& ctx);

/// A series flagged as unconfirmed as the unit's page and /admin list it (manage_confirm.cpp).
web::unconfirmed_flag unconfirmed_flag_of(const usecases::unconfirmed_series& s);

/// Clash warnings (usecases/clashes.h) as the pages show them, times in `zone`.
std::vector<web::clash_warning> clash_warnings(const std::vector<usecases::clash>& clashes,
                                               std::string_view zone);

/// The event page of /manage/events/{id}: its next occurrences with their counts; a move that
/// failed (`failed_key`, with what was typed) or an error of the whole event shown with 422.
http_response event_page(const request_context& ctx, const calendar::unit& u,
                         const calendar::event& e,
                         const std::optional<calendar::occurrence_key>& failed_key,
                         const web::managed_occurrence& failed,
                         std::vector<web::field_error> errors);

}  // namespace treffpunkt::server
