#pragma once
/// Where treffpunkt reads the current instant. In production the system clock; a test sets
/// where it starts, so that everything that depends on the day (the demo's season, "a week
/// from today" in a form, which sessions are still to come) is the same on every day the test
/// runs.

#include <calendar/time.h>

#include <chrono>
#include <optional>
#include <string_view>

namespace treffpunkt::calendar {

class clock {
 public:
  /// The system clock.
  clock() = default;

  /// A clock that reads `start` now and from then on runs at the system clock's pace (so that
  /// timeouts, leases and link lifetimes still pass as they would).
  static clock starting_at(utc_seconds start);

  /// The current instant, in whole seconds.
  utc_seconds now() const;

  /// Whether this clock was set (starting_at) rather than the system clock.
  bool is_set() const { return offset_ != std::chrono::system_clock::duration::zero(); }

 private:
  std::chrono::system_clock::duration offset_{};
};

/// Reads an instant as RFC 3339 writes it in UTC: "2026-03-29T00:30:00Z" (seconds may be left
/// out: "2026-03-29T00:30Z"). None for anything else.
std::optional<utc_seconds> parse_utc(std::string_view text);

}  // namespace treffpunkt::calendar
