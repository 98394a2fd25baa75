#include <calendar/error.h>
#include <calendar/expand.h>
#include <calendar/recurrence.h>
#include <usecases/event_changes.h>

#include <algorithm>
#include <array>
#include <string_view>

namespace treffpunkt::usecases {
namespace {

using calendar::local_seconds;
using std::chrono::minutes;
using std::chrono::seconds;

/// Text fields with their longest accepted length, in bytes.
struct text_limit {
  std::string_view name;
  std::size_t max;
};
constexpr std::array<text_limit, 4> text_limits{
    {{"title", 200}, {"description", 20000}, {"location", 500}, {"online_url", 2000}}};

/// The longest duration or RSVP deadline, in minutes: an event lasts at most 366 days.
constexpr std::int64_t longest_minutes = std::int64_t{366} * 24 * 60;

/// A text as `name` allows it: its length, one line (all but the description) without control
/// characters, and only web addresses as links (pages link them: never javascript: or data:).
result<void> check_text(std::string_view name, const std::string& s) {
  for (const auto& limit : text_limits) {
    if (limit.name == name && s.size() > limit.max) {
      return error{errc::too_long,
                   std::string(name) + " is longer than " + std::to_string(limit.max) + " bytes",
                   std::string(name)};
    }
  }
  // Titles, places and links go into mail subjects and iCalendar properties; a description may
  // have line breaks and tabs. No other control character (NUL included) is text anyone meant
  // to write.
  const bool multiline = name == "description";
  for (const char c : s) {
    const auto u = static_cast<unsigned char>(c);
    const bool allowed = multiline && (c == '\n' || c == '\r' || c == '\t');
    if ((u < 0x20 || u == 0x7F) && !allowed) {
      return error{errc::invalid,
                   std::string(name) + (multiline ? " must not contain control characters"
                                                  : " must be one line without control characters"),
                   std::string(name)};
    }
  }
  if (name == "online_url" && !s.empty() && !s.starts_with("https://") &&
      !s.starts_with("http://")) {
    return error{errc::invalid, "online_url must start with https:// or http://", "online_url"};
  }
  return {};
}

}  // namespace

result<void> check_event_text(std::string_view name, const std::string& s) {
  return check_text(name, s);
}

namespace {

/// Applies the texts that are set, in the order of text_limits.
template <class Target>
result<void> apply_texts(Target& t, const std::optional<std::string>& title,
                         const std::optional<std::string>& description,
                         const std::optional<std::string>& location,
                         const std::optional<std::string>& online_url) {
  const std::array<std::pair<const std::optional<std::string>*, std::string_view>, 4> given{
      {{&title, "title"},
       {&description, "description"},
       {&location, "location"},
       {&online_url, "online_url"}}};
  for (const auto& [value, name] : given) {
    if (!*value) continue;
    if (auto checked = check_text(name, **value); !checked) return checked;
  }
  if (title) t.title = *title;
  if (description) t.description = *description;
  if (location) t.location = *location;
  if (online_url) t.online_url = *online_url;
  return {};
}

result<std::int64_t> in_range(std::int64_t n, std::string_view name, std::int64_t low,
                              std::int64_t high) {
  if (n < low || n > high) {
    return error{errc::invalid,
                 std::string(name) + " must lie between " + std::to_string(low) + " and " +
                     std::to_string(high),
                 std::string(name)};
  }
  return n;
}

/// The length from `start` to a wall-clock `end` in `zone`, or whole days for all-day events.
result<seconds> length_to(local_seconds start, local_seconds end, bool all_day,
                          std::string_view zone) {
  if (all_day) {
    if (end <= start) return error{errc::end_before_start, "the end is not after the start", "end"};
    return seconds(end - start);
  }
  if (!calendar::is_known_zone(zone)) {
    return error{errc::unknown_zone, "unknown time zone: " + std::string(zone), "zone"};
  }
  auto d = calendar::duration_between(start, end, zone);
  if (!d) return from_calendar(d.error());
  return *d;
}

constexpr std::size_t most_rdates = 100;

result<void> set_rdates(calendar::event& e, std::vector<local_seconds> dates) {
  if (dates.size() > most_rdates) {
    return error{errc::out_of_bounds, "at most 100 extra dates", "rdates"};
  }
  for (const auto d : dates) {
    if (d < e.start) {
      return error{errc::out_of_bounds,
                   "an extra date lies before the first date " +
                       date::format("%Y-%m-%d", date::floor<date::days>(e.start)),
                   "rdates"};
    }
  }
  std::sort(dates.begin(), dates.end());
  dates.erase(std::unique(dates.begin(), dates.end()), dates.end());
  e.rdates = std::move(dates);
  return {};
}

result<void> set_left_out(calendar::event& e, const std::vector<date::local_days>& days) {
  if (!e.is_series() && !days.empty()) {
    return error{errc::invalid, "only a series has dates to leave out", "left_out"};
  }
  // The keys of the dates on those days, found with the left-out ones taking place again.
  auto open = e;
  std::erase_if(open.overrides, [](const auto& o) { return o.only_cancelled(); });
  for (auto& o : open.overrides) o.cancelled = false;
  std::vector<calendar::occurrence_key> keys;
  for (const auto day : days) {
    const auto from = calendar::to_utc(local_seconds{day - date::days{8}}, e.zone);
    const auto to = calendar::to_utc(local_seconds{day + date::days{9}}, e.zone);
    const auto found = calendar::expand(open, from, to);
    const auto on_day = std::find_if(found.begin(), found.end(), [&](const auto& o) {
      return calendar::original_day(e, o.key) == day;
    });
    if (on_day == found.end()) {
      return error{errc::invalid, date::format("%Y-%m-%d", day) + " is not a date of the series",
                   "left_out"};
    }
    keys.push_back(on_day->key);
  }
  // Cancellations not listed go; those listed are set, keeping other changes of the date.
  std::erase_if(e.overrides, [&](const calendar::occurrence_override& o) {
    return o.only_cancelled() && std::find(keys.begin(), keys.end(), o.key) == keys.end();
  });
  for (auto& o : e.overrides) {
    o.cancelled = std::find(keys.begin(), keys.end(), o.key) != keys.end();
  }
  for (const auto& key : keys) {
    if (e.find_override(key) != nullptr) continue;
    calendar::occurrence_override o;
    o.key = key;
    o.cancelled = true;
    e.overrides.push_back(o);
  }
  std::sort(e.overrides.begin(), e.overrides.end(),
            [](const auto& a, const auto& b) { return a.key < b.key; });
  return {};
}

/// The extra and left-out dates a change sets.
result<void> apply_dates(calendar::event& e, const event_changes& c) {
  if (c.rdates) {
    if (auto r = set_rdates(e, *c.rdates); !r) return r;
  }
  if (c.left_out) {
    if (auto r = set_left_out(e, *c.left_out); !r) return r;
  }
  return {};
}

}  // namespace

result<void> apply_event_changes(calendar::event& e, const event_changes& c, bool creating) {
  if (creating) {
    if (!c.title) return error{errc::required, "title is required", "title"};
    if (!c.start) return error{errc::required, "start is required", "start"};
  }
  if (auto r = apply_texts(e, c.title, c.description, c.location, c.online_url); !r) return r;
  if (c.kind) e.kind = *c.kind;
  if (c.zone) {
    e.zone = *c.zone;
    if (!calendar::is_known_zone(e.zone)) {
      return error{errc::unknown_zone, "unknown time zone: " + e.zone, "zone"};
    }
  }
  // Without an end or a duration, a new event lasts two hours (a day when all-day), and a
  // changed one keeps its length.
  const bool length_given = c.end || c.duration_minutes;
  if (c.end && c.duration_minutes) {
    return error{errc::invalid, "give end or duration_minutes, not both", "end"};
  }
  if (c.all_day) {
    if ((creating || e.all_day != *c.all_day) && !length_given) {
      e.duration = *c.all_day ? seconds(date::days(1)) : seconds(std::chrono::hours(2));
    }
    e.all_day = *c.all_day;
  }
  if (c.start) e.start = *c.start;
  if (c.end) {
    auto length = length_to(e.start, *c.end, e.all_day, e.zone);
    if (!length) return length.error();
    e.duration = *length;
  }
  if (c.duration_minutes) {
    auto n = in_range(*c.duration_minutes, "duration_minutes", 1, longest_minutes);
    if (!n) return n.error();
    e.duration = minutes(*n);
  }
  if (c.rrule) {
    if (c.rrule->empty()) {
      e.rule.reset();
    } else {
      auto rule = calendar::recurrence_rule::parse(*c.rrule);
      if (!rule) return from_calendar(rule.error(), "rrule");
      e.rule = std::move(*rule);
    }
  }
  if (c.capacity) {
    e.capacity.reset();
    if (*c.capacity) {
      auto n = in_range(**c.capacity, "capacity", 1, 100000);
      if (!n) return n.error();
      e.capacity = static_cast<int>(*n);
    }
  }
  if (c.rsvp_deadline_minutes) {
    e.rsvp_deadline.reset();
    if (*c.rsvp_deadline_minutes) {
      auto n = in_range(**c.rsvp_deadline_minutes, "rsvp_deadline_minutes", 0, longest_minutes);
      if (!n) return n.error();
      e.rsvp_deadline = minutes(*n);
    }
  }
  if (auto r = apply_dates(e, c); !r) return r;
  if (auto valid = calendar::validate(e); !valid) return from_calendar(valid.error());
  return {};
}

result<calendar::occurrence_override> occurrence_override_of(const calendar::event& e,
                                                             const calendar::occurrence_key& key,
                                                             const occurrence_changes& c) {
  calendar::occurrence_override o;
  o.key = key;
  o.cancelled = c.cancelled;
  if (auto r = apply_texts(o, c.title, c.description, c.location, c.online_url); !r) {
    return r.error();
  }
  o.start = c.start;
  if (c.end && c.duration_minutes) {
    return error{errc::invalid, "give end or duration_minutes, not both", "end"};
  }
  if (c.end) {
    // Without a new start, the end counts from where the occurrence originally began.
    const local_seconds from = o.start
                                   ? *o.start
                                   : (e.all_day ? local_seconds(key.instant().time_since_epoch())
                                                : calendar::to_local(key.instant(), e.zone));
    auto length = length_to(from, *c.end, e.all_day, e.zone);
    if (!length) return length.error();
    o.duration = *length;
  }
  if (c.duration_minutes) {
    auto n = in_range(*c.duration_minutes, "duration_minutes", 1, longest_minutes);
    if (!n) return n.error();
    o.duration = minutes(*n);
  }
  return o;
}

}  // namespace treffpunkt::usecases
