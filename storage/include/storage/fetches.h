#pragma once
/// Feed fetches counted per feed, UTC day and calendar app (issue 15): what responsibles and
/// members are shown of how their calendar apps keep up, kept without an address or a
/// User-Agent (table feed_fetches, schema v7; docs/security.md).

#include <calendar/client.h>
#include <calendar/event.h>  // unit_id, event_id
#include <calendar/time.h>
#include <storage/ids.h>

#include <chrono>
#include <cstdint>
#include <string>

namespace treffpunkt::storage {

/// Which feed was fetched: all units' (/calendar.ics), a unit's (with its ?kind= variants), an
/// event's, or a person's own (whichever of their links).
struct feed_ref {
  enum class kind : std::uint8_t { all, unit, event, person };
  kind what = kind::all;
  std::int64_t id = 0;  ///< of the unit, event or person; 0 for all

  static feed_ref all_units() { return {}; }
  static feed_ref of(calendar::unit_id u) { return {kind::unit, u.value}; }
  static feed_ref of(calendar::event_id e) { return {kind::event, e.value}; }
  static feed_ref of(person_id p) { return {kind::person, p.value}; }

  /// As stored in feed_fetches.feed: "all", "unit:<id>", "event:<id>", "person:<id>".
  std::string key() const;

  friend bool operator==(const feed_ref&, const feed_ref&) = default;
};

/// The fetches of one feed on one day (UTC) by one family of calendar apps.
struct feed_fetch_count {
  feed_ref feed;
  std::int64_t day = 0;  ///< fetch_day()
  calendar::client_family family = calendar::client_family::other;
  std::int64_t fetches = 0;       ///< answered 200 or 304
  std::int64_t not_modified = 0;  ///< of those, 304
  calendar::utc_seconds last_fetch{};
};

/// How long the counts are kept: the days before the last 90 go (usecases::housekeeping).
inline constexpr std::chrono::days feed_fetch_retention{90};

/// The day of `t` as feed_fetches counts it: days since 1970-01-01 in UTC.
inline std::int64_t fetch_day(calendar::utc_seconds t) {
  return std::chrono::floor<std::chrono::days>(t).time_since_epoch().count();
}

}  // namespace treffpunkt::storage
