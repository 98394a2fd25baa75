#pragma once
/// The waitlist rules of rsvps.cpp, for the store's other parts that change what an occurrence
/// has room for (events.cpp: a capacity raised by update_event).

#include <storage/store.h>

#include <vector>

#include "sqlite.h"

namespace treffpunkt::storage {

/// Inside the caller's write transaction: for every occurrence of `e` (as it is now written)
/// that has a waitlist, has not started at `now` and is not cancelled, moves people from the
/// head of the waitlist to the places that are free, in waitlist order, exactly as a
/// withdrawal does, with an "rsvp_promoted" audit line (by `who`) for each. Returns them as
/// they now stand. Never takes a place from anyone: with fewer places than people going, the
/// occurrence simply has none free. An RSVP whose key is no longer an occurrence of `e` is
/// left as it is.
std::vector<rsvp_record> promote_from_waitlists(sql::connection& c, const calendar::event& e,
                                                const actor& who, calendar::utc_seconds now);

/// The occurrence's attendees (going, then waitlisted, then maybe, as store::attendees) read on
/// `c`: inside a write transaction, they are as that transaction sees them.
std::vector<attendee> attendees_in(sql::connection& c, calendar::event_id id,
                                   const calendar::occurrence_key& key);

}  // namespace treffpunkt::storage
