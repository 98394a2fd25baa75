#include <calendar/event.h>
#include <calendar/expand.h>

#include <algorithm>
#include <cctype>
#include <utility>

namespace treffpunkt::calendar {
namespace {

using std::chrono::seconds;

constexpr auto max_duration = date::days(366);
constexpr int min_year = 1970;
constexpr int max_year = 2200;
constexpr int max_capacity = 100000;

error field_error(errc code, std::string field, std::string message) {
  return error{code, std::move(field), std::move(message)};
}

bool is_blank(std::string_view text) {
  return std::all_of(text.begin(), text.end(),
                     [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; });
}

bool year_in_range(local_seconds t) {
  const date::year_month_day ymd{date::floor<date::days>(t)};
  return ymd.year() >= date::year{min_year} && ymd.year() <= date::year{max_year};
}

bool is_midnight(local_seconds t) { return t == date::floor<date::days>(t); }

bool is_whole_days(seconds d) { return d % date::days(1) == seconds::zero(); }

result<void> check_duration(seconds d, std::string field) {
  if (d <= seconds::zero()) {
    return field_error(errc::end_before_start, std::move(field), "the end is not after the start");
  }
  if (d > max_duration) {
    return field_error(errc::out_of_bounds, std::move(field), "an event lasts at most 366 days");
  }
  return {};
}

result<void> check_overrides(const event& e) {
  for (std::size_t i = 0; i < e.overrides.size(); ++i) {
    const occurrence_override& o = e.overrides[i];
    if (i > 0 && !(e.overrides[i - 1].key < o.key)) {
      return field_error(errc::invalid_value, "overrides",
                         "overrides must be sorted by occurrence and unique: " + o.key.to_string());
    }
    if (o.key.is_date() != e.all_day) {
      return field_error(errc::invalid_value, "overrides",
                         "an override's key must be a date exactly when the event is all-day: " +
                             o.key.to_string());
    }
    if (o.start) {
      if (!year_in_range(*o.start)) {
        return field_error(errc::out_of_bounds, "start", "a start must lie in 1970-2200");
      }
      if (e.all_day && !is_midnight(*o.start)) {
        return field_error(errc::invalid_value, "start",
                           "an all-day occurrence starts at midnight");
      }
    }
    if (o.duration) {
      if (auto r = check_duration(*o.duration, "end"); !r) return r;
      if (e.all_day && !is_whole_days(*o.duration)) {
        return field_error(errc::invalid_value, "end", "an all-day occurrence lasts whole days");
      }
    }
  }
  return {};
}

/// The rule must produce the start itself as its first occurrence. RFC 5545 §3.8.5.3 counts
/// DTSTART as the first instance even when it does not match the rule, but clients disagree
/// on that (libical and Google skip it, others show it): requiring the match keeps the
/// server's occurrences equal to what every calendar app expands from the feed.
result<void> check_rule(const event& e) {
  if (e.rule->until_is_floating()) {
    // RFC 5545 §3.3.10: with a DTSTART in a time zone, UNTIL MUST be in UTC. Only a floating
    // DTSTART (expand_floating) may have a floating UNTIL.
    return field_error(errc::bad_rule, "rrule",
                       "UNTIL must be a UTC date-time (ending in Z) or a date for an event in a "
                       "time zone");
  }
  event probe = e;
  probe.rdates.clear();
  probe.overrides.clear();
  probe.status = event_status::confirmed;
  const utc_seconds start = to_utc(e.start, e.zone);
  // Far enough for any first occurrence of a rule that starts by 2200 with INTERVAL <= 1000
  // that libical can still represent.
  const utc_seconds horizon = utc_seconds(date::sys_days(date::year{9000} / 1 / 1));
  const auto first = expand(probe, start - date::days(2), horizon,
                            expand_limits{.max_occurrences = 1, .max_steps = 200000});
  if (first.empty()) {
    return field_error(errc::rule_yields_nothing, "rrule",
                       "the recurrence rule yields no occurrence from this start");
  }
  const occurrence_key expected =
      e.all_day ? occurrence_key::all_day(
                      date::sys_days(date::floor<date::days>(e.start).time_since_epoch()))
                : occurrence_key::timed(start);
  if (first.front().key != expected) {
    return field_error(errc::invalid_value, "rrule",
                       "the start does not match the recurrence rule (its first occurrence is " +
                           first.front().key.to_string() + ")");
  }
  return {};
}

}  // namespace

std::string_view kind_name(event_kind k) {
  return k == event_kind::exchange_offer ? "exchange_offer" : "meeting";
}

std::optional<event_kind> parse_event_kind(std::string_view name) {
  if (name == "meeting") return event_kind::meeting;
  if (name == "exchange_offer") return event_kind::exchange_offer;
  return std::nullopt;
}

const occurrence_override* event::find_override(const occurrence_key& key) const {
  // Linear on purpose: also right for an event that validate() has not seen (unsorted), and
  // a series has few overrides.
  const auto it = std::find_if(overrides.begin(), overrides.end(),
                               [&](const occurrence_override& o) { return o.key == key; });
  return it == overrides.end() ? nullptr : &*it;
}

result<std::chrono::seconds> duration_between(local_seconds start, local_seconds end,
                                              std::string_view zone) {
  if (!is_known_zone(zone)) {
    return field_error(errc::unknown_zone, "zone", "unknown time zone: " + std::string(zone));
  }
  const seconds d = to_utc(end, zone) - to_utc(start, zone);
  if (d <= seconds::zero()) {
    return field_error(errc::end_before_start, "end", "the end is not after the start");
  }
  return d;
}

result<void> validate(const event& e) {
  if (is_blank(e.title)) return field_error(errc::invalid_value, "title", "the title is empty");
  if (!is_known_zone(e.zone)) {
    return field_error(errc::unknown_zone, "zone", "unknown time zone: " + e.zone);
  }
  if (auto r = check_duration(e.duration, "end"); !r) return r;
  if (!year_in_range(e.start)) {
    return field_error(errc::out_of_bounds, "start", "the start must lie in 1970-2200");
  }
  if (e.all_day) {
    if (!is_midnight(e.start)) {
      return field_error(errc::invalid_value, "start", "an all-day event starts at midnight");
    }
    if (!is_whole_days(e.duration)) {
      return field_error(errc::invalid_value, "end", "an all-day event lasts whole days");
    }
  }
  if (e.capacity) {
    if (*e.capacity < 1) {
      return field_error(errc::invalid_value, "capacity", "capacity must be at least 1");
    }
    if (*e.capacity > max_capacity) {
      return field_error(errc::out_of_bounds, "capacity", "capacity must be at most 100000");
    }
  }
  for (const local_seconds& rdate : e.rdates) {
    if (!year_in_range(rdate)) {
      return field_error(errc::out_of_bounds, "rdates", "a start must lie in 1970-2200");
    }
    if (e.all_day && !is_midnight(rdate)) {
      return field_error(errc::invalid_value, "rdates", "an all-day occurrence starts at midnight");
    }
  }
  if (auto r = check_overrides(e); !r) return r;
  if (e.rule) {
    if (auto r = check_rule(e); !r) return r;
  }
  return {};
}

}  // namespace treffpunkt::calendar
