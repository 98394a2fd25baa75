#pragma once
/// An event as stored (rows of events, event_rdates, occurrence_overrides) <-> calendar::event:
/// the one place that knows the columns, shared by the store's parts that read or write events
/// (events.cpp, rsvps.cpp). All functions run inside the caller's transaction, so that what
/// they read is the snapshot the caller writes against.

#include <calendar/event.h>

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "sql.h"

namespace treffpunkt::storage {

/// The event with its extra dates and overrides (sorted by key), or nothing if there is no
/// such event. Throws sql::failure (SQLITE_CORRUPT) for a stored rule that does not parse: the
/// store writes only rules that parsed, and reading the event as a one-off would offer RSVPs
/// to occurrences nobody can see.
std::optional<calendar::event> load_event(sql::connection& c, calendar::event_id id);

/// As load_event, inside a write that counts the event's places or changes them (RSVPs, the
/// waitlist, capacity, cancellations, moved occurrences): first locks the event's row
/// (sql::connection::lock_row), so that such writes of other processes on the same event wait
/// until this one commits, and the event and the counts after it are read as they left them.
/// Writes on different events do not wait for each other. Nothing more on SQLite.
std::optional<calendar::event> load_event_for_write(sql::connection& c, calendar::event_id id);

/// Events as last loaded, each under the version of its unit it was loaded with; load_event's
/// cost (three statements, the rule parsed) paid once per change rather than once per request.
/// Exact because every write to an event, its children or its host bumps its unit's version
/// in the same transaction (the feed caches rely on that too), and a version only grows.
class event_cache {
 public:
  /// load_event(c, id) through the cache, inside the caller's transaction on `c`: one indexed
  /// read of the event's unit and that unit's version, and the full load only if either
  /// moved since the cached copy.
  std::optional<calendar::event> load(sql::connection& c, calendar::event_id id);
  /// As load, inside a write that counts the event's places or changes them: locks the
  /// event's row first, as load_event_for_write does.
  std::optional<calendar::event> load_for_write(sql::connection& c, calendar::event_id id) {
    c.lock_row("events", id.value);
    return load(c, id);
  }
  /// The cached event if it is current: the same indexed read as load, but outside any
  /// transaction (one statement reads one snapshot), and nothing more. Empty when it is not
  /// cached or not current (or there is no such event): then load, in a snapshot.
  std::optional<calendar::event> current(sql::connection& c, calendar::event_id id);

 private:
  struct entry {
    std::int64_t unit = 0;
    std::int64_t version = 0;
    std::shared_ptr<const calendar::event> event;
  };
  std::mutex mutex_;
  std::unordered_map<std::int64_t, entry> by_id_;
};

/// As load_event, by iCalendar UID.
std::optional<calendar::event> load_event_by_uid(sql::connection& c, std::string_view uid);
/// As load_event_for_write, by iCalendar UID.
std::optional<calendar::event> load_event_by_uid_for_write(sql::connection& c,
                                                           std::string_view uid);

/// The unit's events with their children, by id.
std::vector<calendar::event> load_events_of_unit(sql::connection& c, calendar::unit_id u);

/// A new iCalendar UID: 128 random bits, so that UIDs of different servers never collide
/// (RFC 5545 §3.8.4.7 asks for global uniqueness).
std::string new_uid();

/// Inserts a new event row with its children; sets e.id.
void insert_event(sql::connection& c, calendar::event& e);

/// Overwrites the event row e.id and replaces its children.
void update_event_rows(sql::connection& c, const calendar::event& e);

}  // namespace treffpunkt::storage
