#pragma once
/// Units, events, series and their per-occurrence overrides: plain values.

#include <calendar/error.h>
#include <calendar/recurrence.h>
#include <calendar/time.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace treffpunkt::calendar {

/// Database identities, distinct types so that a unit id cannot be passed as an event id.
struct unit_id {
  std::int64_t value = 0;
  // NOLINTNEXTLINE(modernize-use-nullptr): clang-tidy 14 misreads a defaulted <=>
  friend auto operator<=>(const unit_id&, const unit_id&) = default;
};
struct event_id {
  std::int64_t value = 0;
  // NOLINTNEXTLINE(modernize-use-nullptr): clang-tidy 14 misreads a defaulted <=>
  friend auto operator<=>(const event_id&, const event_id&) = default;
};

inline constexpr std::string_view default_zone = "Europe/Berlin";

/// A Netzwerkstelle: publishes one calendar.
struct unit {
  unit_id id;
  std::string slug;  ///< URL name, "bildung"
  std::string name;  ///< "Netzwerkstelle Bildung"
  std::string description;
  std::string colour;  ///< "#aa3355", for calendar apps that show a colour
  std::string zone{default_zone};
  std::string contact;  ///< an address to write to about the unit; may be empty
  /// When an admin archived it: its pages say so, its feed keeps what took place before and
  /// drops the rest. None: active.
  std::optional<utc_seconds> archived;
};

/// Meetings are the regular sessions; exchange offers are sessions someone offers (a
/// best-practice exchange, a workshop), often with limited places.
enum class event_kind { meeting, exchange_offer };

/// "meeting" or "exchange_offer": how the JSON API, the database and the feeds' `?kind=` name
/// a kind.
std::string_view kind_name(event_kind k);
/// The kind that `name` names, exactly as kind_name() writes it; none for anything else.
std::optional<event_kind> parse_event_kind(std::string_view name);

/// A cancelled one-off event stays in feeds for a while with STATUS:CANCELLED.
enum class event_status { confirmed, cancelled };

/// A change to one occurrence of a series, addressed by its original start.
/// A cancelled occurrence is written as an EXDATE; any other override as a VEVENT with
/// RECURRENCE-ID. Fields left empty keep the series' value.
struct occurrence_override {
  occurrence_key key;
  bool cancelled = false;
  std::optional<local_seconds> start;            ///< moved: new wall-clock start in the zone
  std::optional<std::chrono::seconds> duration;  ///< new length
  std::optional<std::string> title;
  std::optional<std::string> description;
  std::optional<std::string> location;
  std::optional<std::string> online_url;
  int sequence = 0;  ///< grows with each change of this occurrence
  utc_seconds last_modified{};

  /// Whether it says nothing but that the date is left out (an EXDATE, a "left-out date").
  bool only_cancelled() const {
    return cancelled && !start && !duration && !title && !description && !location && !online_url;
  }

  friend bool operator==(const occurrence_override&, const occurrence_override&) = default;
};

/// A one-off event, or a series when `rule` or `rdates` are set.
struct event {
  event_id id;
  unit_id unit;
  std::string uid;         ///< iCalendar UID; never changes
  std::string related_to;  ///< UID of the series this one was split from, if any
  int sequence = 0;        ///< grows with each change (SEQUENCE)
  utc_seconds created{};
  utc_seconds last_modified{};  ///< also written as DTSTAMP, so output is deterministic

  event_kind kind = event_kind::meeting;
  event_status status = event_status::confirmed;
  std::string title;
  std::string description;
  std::string location;
  std::string online_url;
  /// The name of the member who offers it (an exchange offer made from their proposal), as
  /// pages and feeds may show it: empty when there is none or they did not allow it. The store
  /// fills it in from its hosts; edits and imports never set it.
  std::string host;

  std::string zone{default_zone};  ///< IANA name
  bool all_day = false;
  /// Wall-clock start in `zone`; for an all-day event, midnight of its first day.
  local_seconds start{};
  /// Length of each occurrence; for an all-day event a whole number of days.
  std::chrono::seconds duration{std::chrono::hours(2)};

  std::optional<recurrence_rule> rule;
  std::vector<local_seconds> rdates;           ///< extra starts, wall-clock in `zone`
  std::vector<occurrence_override> overrides;  ///< sorted by key, one per key

  std::optional<int> capacity;                        ///< places; none = unlimited
  std::optional<std::chrono::seconds> rsvp_deadline;  ///< how long before a start RSVPs close

  bool is_series() const { return rule.has_value() || !rdates.empty(); }
  /// The override for `key`, or null.
  const occurrence_override* find_override(const occurrence_key& key) const;

  friend bool operator==(const event&, const event&) = default;
};

/// Checks an event as a responsible would enter it: title present, zone known, duration
/// positive and below a year, start between 1970 and 2200, the rule yields at least one
/// occurrence and its start is one of them, capacity at least 1, overrides unique and sorted.
result<void> validate(const event& e);

/// The duration from a wall-clock start to a wall-clock end in `zone`, measured in real time
/// (so 18:00-20:00 across a DST switch is still the time the clock shows). Fails with
/// end_before_start when end is not after start.
result<std::chrono::seconds> duration_between(local_seconds start, local_seconds end,
                                              std::string_view zone);

}  // namespace treffpunkt::calendar
