#pragma once
/// When reminders fall due, and the outbox dedupe keys that make planning them idempotent: a
/// planner may run as often as it likes, each reminder is queued once; a moved occurrence gets
/// new keys (its start is part of them), and all reminders of an occurrence, or of one person
/// for it, share a prefix for storage::store::drop_queued.

#include <calendar/event.h>
#include <calendar/time.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace treffpunkt::notifications {

struct planned_reminder {
  std::chrono::minutes before{};
  calendar::utc_seconds due{};
  std::string dedupe_key;  ///< "reminder:<event>:<occurrence>:<person>:<start>:<minutes>"
};

/// The prefix of every reminder key of one event (all its occurrences): drop them when the
/// whole event is cancelled. The colon after the id keeps event 1 from matching event 12.
std::string reminder_prefix(calendar::event_id event);
/// The prefix of every reminder key of one occurrence: drop them when it is cancelled or moved.
std::string reminder_prefix(calendar::event_id event, const calendar::occurrence_key& key);
/// The prefix of one person's reminder keys for one occurrence: drop them when the RSVP
/// becomes no (or the person leaves the waitlist without a place).
std::string reminder_prefix(calendar::event_id event, const calendar::occurrence_key& key,
                            std::int64_t person);

/// The key of one reminder: `before` before an occurrence starting at `start` (what
/// plan_reminders gives it), whether or not its time has passed.
std::string reminder_key(calendar::event_id event, const calendar::occurrence_key& key,
                         std::int64_t person, calendar::utc_seconds start,
                         std::chrono::minutes before);

/// What a reminder key names (reminder_key's parts).
struct reminder_ref {
  calendar::event_id event;
  calendar::occurrence_key key;
  std::int64_t person = 0;
  calendar::utc_seconds start{};
  std::chrono::minutes before{};
};
/// The parts of a key made by reminder_key; nothing for any other text.
std::optional<reminder_ref> parse_reminder_key(std::string_view dedupe_key);

/// One reminder per offset for an occurrence starting at `start`, leaving out those whose time
/// has passed at `now` (an RSVP three hours before gets the two-hour reminder, not the
/// one-day one), and all of them when the occurrence has started. Longest offset first.
std::vector<planned_reminder> plan_reminders(calendar::event_id event,
                                             const calendar::occurrence_key& key,
                                             std::int64_t person, calendar::utc_seconds start,
                                             std::span<const std::chrono::minutes> offsets,
                                             calendar::utc_seconds now);

}  // namespace treffpunkt::notifications
