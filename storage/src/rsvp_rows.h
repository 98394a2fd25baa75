#pragma once
/// The waitlist rules of rsvps.cpp, for the store's other parts that change what an occurrence
/// has room for (events.cpp: a capacity raised by update_event).

#include <storage/store.h>

#include <exception>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sql.h"

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

/// Inside the caller's write transaction (store::delete_person): withdraws every going and
/// maybe answer of `p` to an occurrence that has not started at `now` and is not cancelled
/// (after the RSVP deadline too: a place freed before the start still goes to the waitlist),
/// and moves the waitlists up into the places freed, as promote_from_waitlists. Returns the
/// events it withdrew answers from, each with who moved up. Answers to started, cancelled or
/// vanished occurrences stay: they are history.
std::vector<released_places> release_future_places(sql::connection& c, person_id p,
                                                   const actor& who, calendar::utc_seconds now);

/// Drops what `plan` says, then queues its messages (inside the caller's write). Errors:
/// invalid for a message without recipient or text.
result<void> queue_plan(sql::connection& c, const mail_plan& plan, calendar::utc_seconds now);

/// Calls `make` for the mails of a write and applies its plan inside the write transaction on
/// `c` (queue_plan). An exception of `make` or a message without recipient or bytes is an
/// error, which rolls the whole write back.
template <class F>
result<void> compose_and_queue(sql::connection& c, std::string_view what, F&& make,
                               calendar::utc_seconds now) {
  mail_plan plan;
  try {
    plan = std::forward<F>(make)();
  } catch (const std::exception& failure) {
    return error{errc::invalid,
                 "cannot compose the " + std::string(what) + " mails: " + failure.what()};
  }
  return queue_plan(c, plan, now);
}

/// The occurrence's attendees (going, then waitlisted, then maybe, as store::attendees) read on
/// `c`: inside a write transaction, they are as that transaction sees them.
std::vector<attendee> attendees_in(sql::connection& c, calendar::event_id id,
                                   const calendar::occurrence_key& key);

}  // namespace treffpunkt::storage
