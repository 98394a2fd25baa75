#pragma once
/// Occurrences of events in a window, and splitting a series.

#include <calendar/error.h>
#include <calendar/event.h>
#include <calendar/time.h>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace treffpunkt::calendar {

/// One occurrence as a member sees it: the series' values with its override applied.
/// The string fields point into the event passed to `expand`, which must outlive this.
struct occurrence {
  occurrence_key key;  ///< original start; stays when moved
  utc_seconds start;   ///< actual start (after a move)
  utc_seconds end;
  local_seconds local_start;  ///< in the event's zone
  local_seconds local_end;
  bool cancelled = false;  ///< cancelled occurrence, or the whole event is cancelled
  bool moved = false;      ///< start or duration differs from the series
  const occurrence_override* override = nullptr;  ///< the override applied, if any
  std::string_view title;
  std::string_view description;
  std::string_view location;
  std::string_view online_url;
};

/// Hard limits so that no rule can make an expansion run away.
struct expand_limits {
  std::size_t max_occurrences = 5000;  ///< returned per call
  std::size_t max_steps = 200000;      ///< rule iterations per call
};

/// The occurrences of `e` that overlap [from, to) (an occurrence of zero length counts when
/// its start is in the window), sorted by start. Cancelled occurrences are included with
/// `cancelled` set, so that callers can show them; feeds leave them out as EXDATEs.
/// A moved occurrence appears where it now is. Correct across DST changes (RFC 5545 §3.3.5).
std::vector<occurrence> expand(const event& e, utc_seconds from, utc_seconds to,
                               const expand_limits& limits = {});

/// The first `limit` instances of the RRULE value `rule` (without "RRULE:") for a floating
/// DTSTART `start` (wall-clock time without a zone, RFC 5545 §3.3.5 form 1), ascending,
/// starting at `start` when the rule yields it: what `treffpunkt expand` answers. Fewer when
/// the rule ends (COUNT, UNTIL, the year 9999) or a step budget of a million runs out (a rule
/// with no instance at all answers an empty list). UNTIL is compared as wall-clock time.
/// Errors: the rule's, as recurrence_rule::parse reports them, or bad_rule for a UTC UNTIL,
/// which RFC 5545 §3.3.10 does not allow with a floating start.
result<std::vector<local_seconds>> expand_floating(std::string_view rule, local_seconds start,
                                                   std::size_t limit);

/// The occurrence of `e` with this key, or not_found if the series has no such occurrence.
result<occurrence> find_occurrence(const event& e, const occurrence_key& key);

/// The day of an occurrence as planned: the local day (in `e`'s zone) of its key, the original
/// start, also when it was moved.
date::local_days original_day(const event& e, const occurrence_key& key);

/// The days of `e`'s left-out dates (overrides that only cancel), in key order.
std::vector<date::local_days> left_out_days(const event& e);

/// The event as if it had ended at `at` (its unit archived then): a one-off event that starts
/// at or after `at` is none; a series keeps only its occurrences that start before `at` (a
/// rule-based one ends as split_series ends it, extra dates from `at` on go), or is none if
/// all of them start later; anything else stays as it is.
std::optional<event> ended_at(const event& e, utc_seconds at);

/// The events of unit `u` as its pages and feeds show them: as they are, or for an archived
/// unit what took place before it was archived (ended_at), so that calendar apps drop the rest.
std::vector<event> shown_events(const unit& u, std::vector<event> events);

/// "Edit from this occurrence on": the series ends just before `from` (its rule gets an
/// UNTIL, or a smaller COUNT), and a new series with `new_uid`, RELATED-TO the old UID, starts
/// at `from`'s original start with the rest of the rule and the overrides at or after `from`.
/// Errors: not_found if `from` is not an occurrence; invalid_value if `from` is the first
/// occurrence (edit the whole series instead) or `e` is not a rule-based series.
result<std::pair<event, event>> split_series(const event& e, const occurrence_key& from,
                                             std::string new_uid);

}  // namespace treffpunkt::calendar
