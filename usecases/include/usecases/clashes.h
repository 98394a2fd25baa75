#pragma once
/// Clash warnings: sessions that overlap one another and are likely to pull the same people or
/// the same room. They inform a responsible who creates, edits or moves a session; they never
/// block it.

#include <calendar/event.h>
#include <calendar/time.h>
#include <storage/store.h>

#include <string>
#include <vector>

namespace treffpunkt::usecases {

/// Why two overlapping sessions clash.
enum class clash_reason {
  same_unit,           ///< both of one unit
  shared_responsible,  ///< of two units that share a responsible
  same_location,       ///< at the same place (trimmed, case-insensitive), whichever units
};

std::string_view to_string(clash_reason r);

/// One session, as a clash names it.
struct clash_side {
  calendar::event_id event;
  calendar::occurrence_key key;
  std::string title;
  std::string unit_slug;
  std::string unit_name;
  calendar::utc_seconds start{};
  calendar::utc_seconds end{};
};

/// A session of the candidate (`ours`) and one it overlaps (`theirs`), with the first reason
/// that applies (same unit, then shared responsible, then same place).
struct clash {
  clash_side ours;
  clash_side theirs;
  clash_reason why = clash_reason::same_unit;
};

/// The clashes of the occurrences of `candidate` (which need not be stored yet, or may be an
/// edited copy of a stored event: its stored self is left out) in [from, to) with the stored
/// events of every active unit. Cancelled occurrences clash with nothing. Sorted by our start.
std::vector<clash> clashes_with(const storage::store& store, const calendar::event& candidate,
                                calendar::utc_seconds from, calendar::utc_seconds to);

/// Every clash between stored sessions in [from, to), each pair once, sorted by start (for
/// /admin).
std::vector<clash> all_clashes(const storage::store& store, calendar::utc_seconds from,
                               calendar::utc_seconds to);

}  // namespace treffpunkt::usecases
