#pragma once
/// What responsibles do to events and their occurrences that concerns the people coming: move,
/// change or cancel one occurrence, edit or cancel a whole event or series, split a series, and
/// write to an occurrence's attendees. Each queues its notices (context.h) in its transaction.

#include <calendar/event.h>
#include <calendar/time.h>
#include <storage/store.h>
#include <usecases/context.h>
#include <usecases/event_changes.h>

#include <string_view>
#include <utility>

namespace treffpunkt::usecases {

/// Moves, changes or cancels one occurrence (store::set_override): its going members a notice
/// (an iMIP REQUEST with the higher SEQUENCE, or CANCEL), and their reminders planned again.
storage::result<calendar::event> change_occurrence(const context& ctx, const calendar::event& e,
                                                   calendar::occurrence_override o,
                                                   const storage::actor& who);

/// Edits a whole event or series (store::update_event; `edited` carries its id): everyone a
/// raised capacity moves up from a waitlist a promotion and their reminders; everyone going to
/// an upcoming occurrence whose start, end or location changed a `moved` notice (an iMIP
/// REQUEST with the new SEQUENCE), and their reminders for it planned again.
storage::result<calendar::event> update_event(const context& ctx, calendar::event edited,
                                              const storage::actor& who);

/// Cancels a whole event or series (store::cancel_event): everyone going to an upcoming
/// occurrence one `cancelled` notice with an iMIP CANCEL of the whole UID (no RECURRENCE-ID),
/// and every queued reminder of the event dropped.
storage::result<calendar::event> cancel_event(const context& ctx, const calendar::event& e,
                                              const storage::actor& who);

/// Splits a series "from this occurrence on" (store::split_event): the RSVPs that move to the
/// new series keep their reminders, dropped under the old event id and planned again under the
/// new one. Returns {old, new}.
storage::result<std::pair<calendar::event, calendar::event>> split_event(
    const context& ctx, const calendar::event& e, const calendar::occurrence_key& from,
    const storage::actor& who);

/// "This and all later dates": splits the series at `from` (split_event) and applies `changes`
/// (new time, place, length, title, places: usecases/event_changes.h) to the new series
/// (update_event), so that those going to a later date get a `moved` notice with the new
/// series' invitation and their reminders planned again. The changes are checked on the split
/// in memory first: a change that breaks a rule is refused (invalid, with apply_event_changes'
/// field and message) with nothing written. Errors: as split_event (`from` the first date, or
/// not a date of a series: invalid / not_found). Returns {old, new} as they now stand.
storage::result<std::pair<calendar::event, calendar::event>> change_from(
    const context& ctx, const calendar::event& e, const calendar::occurrence_key& from,
    const event_changes& changes, const storage::actor& who);

/// A message from the unit's responsibles (`sender`, who must be allowed to edit the unit) to
/// everyone going to or waiting for the occurrence who has not turned notices off: one
/// `responsibles_message` each, all queued in one transaction. `subject` and `body` must be
/// checked already (input.h). Returns how many were queued; the same message sent twice in one
/// second is queued once. Errors: as store::queue_for_attendees.
storage::result<int> message_attendees(const context& ctx, const calendar::event& e,
                                       const calendar::occurrence_key& key,
                                       const storage::person& sender, std::string_view subject,
                                       std::string_view body);

}  // namespace treffpunkt::usecases
