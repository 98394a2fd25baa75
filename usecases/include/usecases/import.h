#pragma once
/// `treffpunkt import`: a unit's events from an iCalendar file, created or updated by UID, with
/// the mails an edit in the pages would cause for each updated event.

#include <calendar/event.h>
#include <calendar/ical_reader.h>
#include <storage/store.h>
#include <usecases/context.h>

#include <vector>

namespace treffpunkt::usecases {

/// Creates or updates the unit's events from a file (store::import_events: all in one
/// transaction, or nothing; what the file cannot say, such as places and the RSVP deadline,
/// stays as stored). Each updated event tells whom update_event would tell (promotions,
/// `moved` notices with reminders planned again; a `cancelled` notice for an occurrence the
/// file cancels), and an event the file cancels whole whom cancel_event would; all queued in
/// the import's transaction. A dry run writes and queues nothing. Importing the same file
/// again changes nothing and queues nothing.
storage::result<storage::import_summary> import_events(const context& ctx, calendar::unit_id u,
                                                       std::vector<calendar::file_event> events,
                                                       const storage::actor& who, bool dry_run);

}  // namespace treffpunkt::usecases
