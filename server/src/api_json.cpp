#include "api_json.h"

#include <calendar/recurrence.h>
#include <date/date.h>

#include <algorithm>
#include <array>
#include <boost/json/array.hpp>
#include <boost/json/string.hpp>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <initializer_list>
#include <limits>
#include <stdexcept>

namespace treffpunkt::server {
namespace json = boost::json;
using calendar::event;
using calendar::local_seconds;
using std::chrono::minutes;
using std::chrono::seconds;

void throw_exception_from_error(const api_error& e, const boost::source_location& /*loc*/) {
  throw std::runtime_error(e.code + ": " + e.message);
}

namespace {

api_error wrong_type(std::string_view field, std::string_view wanted) {
  return {400, "wrong_type", std::string(field) + " must be " + std::string(wanted),
          std::string(field)};
}

api_error invalid(std::string_view field, std::string message) {
  return {422, "invalid", std::move(message), std::string(field)};
}

/// Reads `digits` characters of `text` at `at` as a number.
bool read_number(std::string_view text, std::size_t at, std::size_t digits, int& out) {
  if (at + digits > text.size()) return false;
  const char* first = text.data() + at;
  const char* last = first + digits;
  if (!std::all_of(first, last, [](char c) { return c >= '0' && c <= '9'; })) return false;
  return std::from_chars(first, last, out).ec == std::errc{};
}

json::value optional_int(const std::optional<int>& v) {
  return v ? json::value(*v) : json::value(nullptr);
}

local_seconds local_end(const event& e) {
  if (e.all_day) return e.start + e.duration;
  return calendar::to_local(calendar::to_utc(e.start, e.zone) + e.duration, e.zone);
}

/// Text fields with their longest accepted length (in bytes).
struct text_field {
  std::string_view name;
  std::size_t max;
};
constexpr std::array<text_field, 4> text_fields{
    {{"title", 200}, {"description", 20000}, {"location", 500}, {"online_url", 2000}}};

/// The longest duration or RSVP deadline, in minutes: an event lasts at most 366 days.
constexpr std::int64_t longest_minutes = std::int64_t{366} * 24 * 60;

api_result<std::string> read_text(const json::value& v, std::string_view name) {
  if (!v.is_string()) return wrong_type(name, "a string");
  std::string s(v.get_string());
  for (const auto& f : text_fields) {
    if (f.name == name && s.size() > f.max) {
      return invalid(name,
                     std::string(name) + " is longer than " + std::to_string(f.max) + " bytes");
    }
  }
  // Titles, places and links are one line (they go into mail subjects and iCalendar
  // properties); a description may have line breaks and tabs. No other control character (NUL
  // included) is text anyone meant to write.
  const bool multiline = name == "description";
  for (const char c : s) {
    const auto u = static_cast<unsigned char>(c);
    const bool allowed = multiline && (c == '\n' || c == '\r' || c == '\t');
    if ((u < 0x20 || u == 0x7F) && !allowed) {
      return invalid(name, std::string(name) + (multiline ? " must not contain control characters"
                                                          : " must be one line without control "
                                                            "characters"));
    }
  }
  // Pages link it: only web addresses, never javascript: or data: URLs.
  if (name == "online_url" && !s.empty() && !s.starts_with("https://") &&
      !s.starts_with("http://")) {
    return invalid(name, "online_url must start with https:// or http://");
  }
  return s;
}

/// An integer in [low, high], or null when `nullable`.
api_result<std::optional<std::int64_t>> read_int(const json::value& v, std::string_view name,
                                                 std::int64_t low, std::int64_t high,
                                                 bool nullable) {
  if (v.is_null() && nullable) return std::optional<std::int64_t>{};
  std::int64_t n = 0;
  if (v.is_int64()) {
    n = v.get_int64();
  } else if (v.is_uint64()) {
    n = std::numeric_limits<std::int64_t>::max();
  } else {
    return wrong_type(name, nullable ? "an integer or null" : "an integer");
  }
  if (n < low || n > high) {
    return invalid(name, std::string(name) + " must lie between " + std::to_string(low) + " and " +
                             std::to_string(high));
  }
  return std::optional<std::int64_t>{n};
}

api_result<void> check_known(const json::object& body,
                             std::initializer_list<std::string_view> known) {
  for (const auto& item : body) {
    const std::string_view key = item.key();
    if (std::find(known.begin(), known.end(), key) == known.end()) {
      return invalid(key, "unknown field " + std::string(key));
    }
  }
  return {};
}

api_result<local_seconds> read_local(const json::value& v, std::string_view name, bool all_day) {
  if (!v.is_string()) return wrong_type(name, "a string");
  const auto t = parse_local(v.get_string(), all_day);
  if (!t) {
    return invalid(name, all_day ? std::string(name) + " must be a date YYYY-MM-DD"
                                 : std::string(name) + " must be a local time YYYY-MM-DDTHH:MM");
  }
  return *t;
}

/// The length from `start` to a wall-clock `end` in `zone`, or whole days for all-day events.
api_result<seconds> length_to(local_seconds start, local_seconds end, bool all_day,
                              std::string_view zone) {
  if (all_day) {
    if (end <= start)
      return api_error{422, "end_before_start", "the end is not after the start", "end"};
    return seconds(end - start);
  }
  if (!calendar::is_known_zone(zone)) {
    return api_error{422, "unknown_zone", "unknown time zone: " + std::string(zone), "zone"};
  }
  auto d = calendar::duration_between(start, end, zone);
  if (!d) return from_calendar(d.error());
  return *d;
}

}  // namespace

api_error from_storage(const storage::error& e) {
  using storage::errc;
  switch (e.code) {
    case errc::not_found:
      return {404, "not_found", e.message, e.field};
    case errc::forbidden:
      return {403, "forbidden", e.message, e.field};
    case errc::conflict:
      return {409, "conflict", e.message, e.field};
    case errc::invalid:
      return {422, "invalid", e.message, e.field};
    case errc::occurrence_cancelled:
      return {409, "occurrence_cancelled", e.message, e.field};
    case errc::occurrence_past:
      return {409, "occurrence_past", e.message, e.field};
    case errc::rsvp_closed:
      return {409, "rsvp_closed", e.message, e.field};
    case errc::expired:
      return {410, "expired", e.message, e.field};
    case errc::schema_too_new:
      return {503, "unavailable", e.message, e.field};
    case errc::unavailable:
      // SQLite's own text ("exec: disk I/O error") helps the operator, not the client: it goes
      // to the log, the client learns what happened to its request.
      std::fprintf(stderr, "error: storage: %s\n", e.message.c_str());
      return {503, "unavailable", "storage unavailable: nothing was saved; try again later",
              e.field};
  }
  return {500, "internal", e.message, e.field};
}

api_error from_calendar(const calendar::error& e) {
  using calendar::errc;
  std::string code = "invalid";
  switch (e.code) {
    case errc::end_before_start:
      code = "end_before_start";
      break;
    case errc::unknown_zone:
      code = "unknown_zone";
      break;
    case errc::bad_rule:
    case errc::count_and_until:
    case errc::rule_yields_nothing:
      code = "bad_rule";
      break;
    case errc::out_of_bounds:
      code = "out_of_bounds";
      break;
    case errc::not_found:
      return {404, "not_found", e.message, e.field};
    case errc::invalid_value:
    case errc::parse_error:
      break;
  }
  return {422, std::move(code), e.message, e.field};
}

std::string utc_text(calendar::utc_seconds t) { return date::format("%Y-%m-%dT%H:%M:%SZ", t); }

std::string local_text(local_seconds t, bool date_only) {
  return date_only ? date::format("%Y-%m-%d", t) : date::format("%Y-%m-%dT%H:%M:%S", t);
}

std::optional<date::sys_days> parse_date(std::string_view text) {
  int y = 0;
  int m = 0;
  int d = 0;
  if (text.size() != 10 || text[4] != '-' || text[7] != '-' || !read_number(text, 0, 4, y) ||
      !read_number(text, 5, 2, m) || !read_number(text, 8, 2, d)) {
    return std::nullopt;
  }
  const date::year_month_day ymd{date::year{y}, date::month{static_cast<unsigned>(m)},
                                 date::day{static_cast<unsigned>(d)}};
  if (!ymd.ok()) return std::nullopt;
  return date::sys_days(ymd);
}

std::optional<local_seconds> parse_local(std::string_view text, bool all_day) {
  const auto day = parse_date(text.substr(0, std::min<std::size_t>(10, text.size())));
  if (!day) return std::nullopt;
  const local_seconds midnight{day->time_since_epoch()};
  if (all_day) {
    if (text.size() != 10) return std::nullopt;
    return midnight;
  }
  int h = 0;
  int m = 0;
  int s = 0;
  if ((text.size() != 16 && text.size() != 19) || text[10] != 'T' || text[13] != ':' ||
      !read_number(text, 11, 2, h) || !read_number(text, 14, 2, m)) {
    return std::nullopt;
  }
  if (text.size() == 19 && (text[16] != ':' || !read_number(text, 17, 2, s))) return std::nullopt;
  if (h > 23 || m > 59 || s > 59) return std::nullopt;
  return midnight + std::chrono::hours(h) + minutes(m) + seconds(s);
}

json::object unit_json(const storage::store& store, const calendar::unit& u) {
  json::array names;
  for (const auto& p : store.responsibles(u.id)) names.emplace_back(p.name);
  return json::object{{"slug", u.slug},
                      {"name", u.name},
                      {"description", u.description},
                      {"colour", u.colour},
                      {"zone", u.zone},
                      {"responsibles", std::move(names)},
                      {"feed", "/units/" + u.slug + ".ics"}};
}

json::object event_json(const event& e, std::string_view unit_slug) {
  json::array overrides;
  for (const auto& o : e.overrides) {
    json::object item{{"key", o.key.to_string()}, {"cancelled", o.cancelled}};
    if (o.start) item["start"] = local_text(*o.start, e.all_day);
    if (o.duration) {
      item["duration_minutes"] = std::chrono::duration_cast<minutes>(*o.duration).count();
    }
    if (o.title) item["title"] = *o.title;
    if (o.description) item["description"] = *o.description;
    if (o.location) item["location"] = *o.location;
    if (o.online_url) item["online_url"] = *o.online_url;
    overrides.emplace_back(std::move(item));
  }
  json::array rdates;
  for (const auto& r : e.rdates) rdates.emplace_back(local_text(r, e.all_day));
  std::optional<int> deadline;
  if (e.rsvp_deadline) {
    deadline = static_cast<int>(std::chrono::duration_cast<minutes>(*e.rsvp_deadline).count());
  }
  return json::object{
      {"id", e.id.value},
      {"unit", unit_slug},
      {"uid", e.uid},
      {"sequence", e.sequence},
      {"kind", e.kind == calendar::event_kind::meeting ? "meeting" : "exchange_offer"},
      {"status", e.status == calendar::event_status::cancelled ? "cancelled" : "confirmed"},
      {"title", e.title},
      {"description", e.description},
      {"location", e.location},
      {"online_url", e.online_url},
      {"zone", e.zone},
      {"all_day", e.all_day},
      {"start", local_text(e.start, e.all_day)},
      {"end", local_text(local_end(e), e.all_day)},
      {"duration_minutes", std::chrono::duration_cast<minutes>(e.duration).count()},
      {"rrule", e.rule ? json::value(e.rule->to_string()) : json::value(nullptr)},
      {"rdates", std::move(rdates)},
      {"overrides", std::move(overrides)},
      {"capacity", optional_int(e.capacity)},
      {"rsvp_deadline_minutes", optional_int(deadline)},
      {"created", utc_text(e.created)},
      {"last_modified", utc_text(e.last_modified)},
      {"feed", "/events/" + std::to_string(e.id.value) + ".ics"}};
}

json::object occupancy_json(const storage::occupancy& counts) {
  return json::object{{"capacity", optional_int(counts.capacity)},
                      {"going", counts.going},
                      {"waitlisted", counts.waitlisted},
                      {"maybe", counts.maybe}};
}

json::object occurrence_json(const event& e, const calendar::occurrence& o,
                             const storage::occupancy& counts) {
  json::object out{{"event", e.id.value},
                   {"key", o.key.to_string()},
                   {"kind", e.kind == calendar::event_kind::meeting ? "meeting" : "exchange_offer"},
                   {"title", o.title},
                   {"location", o.location},
                   {"online_url", o.online_url},
                   {"all_day", e.all_day},
                   {"start", utc_text(o.start)},
                   {"end", utc_text(o.end)},
                   {"local_start", local_text(o.local_start, e.all_day)},
                   {"local_end", local_text(o.local_end, e.all_day)},
                   {"zone", e.zone},
                   {"cancelled", o.cancelled},
                   {"moved", o.moved}};
  for (auto& item : occupancy_json(counts)) out.emplace(item.key(), item.value());
  return out;
}

namespace {
std::string_view state_name(storage::rsvp_state s) {
  switch (s) {
    case storage::rsvp_state::going:
      return "going";
    case storage::rsvp_state::waitlisted:
      return "waitlisted";
    case storage::rsvp_state::maybe:
      return "maybe";
    case storage::rsvp_state::not_going:
      return "not_going";
    case storage::rsvp_state::pending:
      return "pending";
  }
  return "not_going";
}
}  // namespace

json::object rsvp_json(const storage::rsvp_record& r) {
  json::object out{{"event", r.event.value},
                   {"key", r.key.to_string()},
                   {"answer", calendar::to_string(r.answer)},
                   {"state", state_name(r.state)},
                   {"updated", utc_text(r.updated)}};
  out["waitlist_position"] =
      r.waitlist_position > 0 ? json::value(r.waitlist_position) : json::value(nullptr);
  return out;
}

namespace {

/// title, description, location, online_url
api_result<void> apply_texts(event& e, const json::object& body) {
  for (const auto& f : text_fields) {
    const auto* v = body.if_contains(f.name);
    if (v == nullptr) continue;
    auto text = read_text(*v, f.name);
    if (!text) return text.error();
    if (f.name == "title") e.title = std::move(*text);
    if (f.name == "description") e.description = std::move(*text);
    if (f.name == "location") e.location = std::move(*text);
    if (f.name == "online_url") e.online_url = std::move(*text);
  }
  return {};
}

/// The same fields for one occurrence: set ones replace the series' values.
api_result<void> apply_texts(calendar::occurrence_override& o, const json::object& body) {
  for (const auto& f : text_fields) {
    const auto* v = body.if_contains(f.name);
    if (v == nullptr) continue;
    auto text = read_text(*v, f.name);
    if (!text) return text.error();
    if (f.name == "title") o.title = std::move(*text);
    if (f.name == "description") o.description = std::move(*text);
    if (f.name == "location") o.location = std::move(*text);
    if (f.name == "online_url") o.online_url = std::move(*text);
  }
  return {};
}

api_result<void> apply_kind_and_zone(event& e, const json::object& body) {
  if (const auto* v = body.if_contains("kind")) {
    if (!v->is_string()) return wrong_type("kind", "a string");
    if (v->get_string() == "meeting") {
      e.kind = calendar::event_kind::meeting;
    } else if (v->get_string() == "exchange_offer") {
      e.kind = calendar::event_kind::exchange_offer;
    } else {
      return invalid("kind", "kind must be meeting or exchange_offer");
    }
  }
  if (const auto* v = body.if_contains("zone")) {
    if (!v->is_string()) return wrong_type("zone", "a string");
    e.zone = std::string(v->get_string());
    if (!calendar::is_known_zone(e.zone)) {
      return api_error{422, "unknown_zone", "unknown time zone: " + e.zone, "zone"};
    }
  }
  return {};
}

/// all_day, start, end, duration_minutes. Without end or duration, a new event lasts two hours
/// (a day when all-day), and a changed one keeps its length.
api_result<void> apply_times(event& e, const json::object& body, bool creating) {
  const bool length_given = body.contains("end") || body.contains("duration_minutes");
  if (body.contains("end") && body.contains("duration_minutes")) {
    return invalid("end", "give end or duration_minutes, not both");
  }
  if (const auto* v = body.if_contains("all_day")) {
    if (!v->is_bool()) return wrong_type("all_day", "true or false");
    if ((creating || e.all_day != v->get_bool()) && !length_given) {
      e.duration = v->get_bool() ? seconds(date::days(1)) : seconds(std::chrono::hours(2));
    }
    e.all_day = v->get_bool();
  }
  if (const auto* v = body.if_contains("start")) {
    auto start = read_local(*v, "start", e.all_day);
    if (!start) return start.error();
    e.start = *start;
  }
  if (const auto* v = body.if_contains("end")) {
    auto end = read_local(*v, "end", e.all_day);
    if (!end) return end.error();
    auto length = length_to(e.start, *end, e.all_day, e.zone);
    if (!length) return length.error();
    e.duration = *length;
  }
  if (const auto* v = body.if_contains("duration_minutes")) {
    auto n = read_int(*v, "duration_minutes", 1, longest_minutes, false);
    if (!n) return n.error();
    e.duration = minutes(**n);
  }
  return {};
}

/// rrule, capacity, rsvp_deadline_minutes: null (or "" for the rule) removes each.
api_result<void> apply_rule_and_places(event& e, const json::object& body) {
  if (const auto* v = body.if_contains("rrule")) {
    if (v->is_null() || (v->is_string() && v->get_string().empty())) {
      e.rule.reset();
    } else if (!v->is_string()) {
      return wrong_type("rrule", "a string or null");
    } else {
      auto rule = calendar::recurrence_rule::parse(v->get_string());
      if (!rule) {
        auto error = from_calendar(rule.error());
        error.field = "rrule";
        return error;
      }
      e.rule = std::move(*rule);
    }
  }
  if (const auto* v = body.if_contains("capacity")) {
    auto n = read_int(*v, "capacity", 1, 100000, true);
    if (!n) return n.error();
    e.capacity = *n ? std::optional<int>(static_cast<int>(**n)) : std::nullopt;
  }
  if (const auto* v = body.if_contains("rsvp_deadline_minutes")) {
    auto n = read_int(*v, "rsvp_deadline_minutes", 0, longest_minutes, true);
    if (!n) return n.error();
    e.rsvp_deadline = *n ? std::optional<seconds>(minutes(**n)) : std::nullopt;
  }
  return {};
}

}  // namespace

api_result<void> apply_event_fields(event& e, const json::object& body, bool creating) {
  if (auto known = check_known(
          body, {"title", "description", "location", "online_url", "kind", "zone", "start", "end",
                 "duration_minutes", "all_day", "rrule", "capacity", "rsvp_deadline_minutes"});
      !known) {
    return known.error();
  }
  if (creating) {
    for (const std::string_view required : {"title", "start"}) {
      if (!body.contains(required)) {
        return invalid(required, std::string(required) + " is required");
      }
    }
  }
  if (auto r = apply_texts(e, body); !r) return r;
  if (auto r = apply_kind_and_zone(e, body); !r) return r;
  if (auto r = apply_times(e, body, creating); !r) return r;
  if (auto r = apply_rule_and_places(e, body); !r) return r;
  if (auto valid = calendar::validate(e); !valid) return from_calendar(valid.error());
  return {};
}

api_result<calendar::occurrence_override> override_from(const event& e,
                                                        const calendar::occurrence_key& key,
                                                        const json::object& body) {
  if (auto known = check_known(body, {"cancelled", "start", "end", "duration_minutes", "title",
                                      "description", "location", "online_url"});
      !known) {
    return known.error();
  }
  calendar::occurrence_override o;
  o.key = key;
  if (const auto* v = body.if_contains("cancelled")) {
    if (!v->is_bool()) return wrong_type("cancelled", "true or false");
    o.cancelled = v->get_bool();
  }
  if (auto r = apply_texts(o, body); !r) return r.error();
  if (const auto* v = body.if_contains("start")) {
    auto start = read_local(*v, "start", e.all_day);
    if (!start) return start.error();
    o.start = *start;
  }
  if (body.contains("end") && body.contains("duration_minutes")) {
    return invalid("end", "give end or duration_minutes, not both");
  }
  if (const auto* v = body.if_contains("end")) {
    auto end = read_local(*v, "end", e.all_day);
    if (!end) return end.error();
    // Without a new start, the end counts from where the occurrence originally began.
    const local_seconds from = o.start
                                   ? *o.start
                                   : (e.all_day ? local_seconds(key.instant().time_since_epoch())
                                                : calendar::to_local(key.instant(), e.zone));
    auto length = length_to(from, *end, e.all_day, e.zone);
    if (!length) return length.error();
    o.duration = *length;
  }
  if (const auto* v = body.if_contains("duration_minutes")) {
    auto n = read_int(*v, "duration_minutes", 1, longest_minutes, false);
    if (!n) return n.error();
    o.duration = minutes(**n);
  }
  return o;
}

}  // namespace treffpunkt::server
