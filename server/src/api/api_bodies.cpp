#include "api_bodies.h"

#include <date/date.h>

#include <sstream>

namespace treffpunkt::server {
namespace json = boost::json;

namespace {

/// `text` read with `format` if it is exactly what formatting the result gives back: no
/// shorter fields ("2026-1-5"), nothing before or after.
template <class Time>
std::optional<Time> parse_exactly(std::string_view text, const char* format) {
  std::istringstream in{std::string(text)};
  Time t{};
  in >> date::parse(format, t);
  if (!in || in.peek() != std::char_traits<char>::eof()) return std::nullopt;
  if (date::format(format, t) != text) return std::nullopt;
  return t;
}

/// The changes' start or end from text: a date when all-day, else a local time.
api_result<std::optional<calendar::local_seconds>> read_time(const std::optional<std::string>& text,
                                                             std::string_view name, bool all_day) {
  if (!text) return std::optional<calendar::local_seconds>{};
  const auto t = parse_local(*text, all_day);
  if (!t) {
    return problem{422, "invalid",
                   std::string(name) + (all_day ? " must be a date YYYY-MM-DD"
                                                : " must be a local time YYYY-MM-DDTHH:MM"),
                   std::string(name)};
  }
  return std::optional<calendar::local_seconds>{*t};
}

/// A body's changes with its start and end read as dates (`all_day`) or local times.
template <class Body>
auto with_times(Body body, bool all_day) -> api_result<decltype(body.changes)> {
  auto start = read_time(body.start, "start", all_day);
  if (!start) return start.error();
  auto end = read_time(body.end, "end", all_day);
  if (!end) return end.error();
  body.changes.start = *start;
  body.changes.end = *end;
  return std::move(body.changes);
}

}  // namespace

std::optional<date::sys_days> parse_date(std::string_view text) {
  const auto day = calendar::parse_iso_date(text);
  if (!day) return std::nullopt;
  return date::sys_days{*day};
}

std::optional<calendar::local_seconds> parse_local(std::string_view text, bool all_day) {
  if (all_day) {
    const auto day = calendar::parse_iso_date(text);
    if (!day) return std::nullopt;
    return calendar::local_seconds{date::local_days{*day}};
  }
  if (text.size() == 16) return parse_exactly<calendar::local_seconds>(text, "%Y-%m-%dT%H:%M");
  return parse_exactly<calendar::local_seconds>(text, "%Y-%m-%dT%H:%M:%S");
}

rsvp_body tag_invoke(json::value_to_tag<rsvp_body>, const json::value& v) {
  const field_reader in(v);
  const auto answer = calendar::parse_rsvp_answer(*in.text("answer", true));
  if (!answer) field_reader::invalid("answer", "answer must be yes, no or maybe");
  return {*answer};
}

guest_rsvp_body tag_invoke(json::value_to_tag<guest_rsvp_body>, const json::value& v) {
  const field_reader in(v);
  guest_rsvp_body out;
  out.name = *in.text("name", true);
  out.email = *in.text("email", true);
  out.answer = *in.text("answer", true);
  return out;
}

message_body tag_invoke(json::value_to_tag<message_body>, const json::value& v) {
  const field_reader in(v);
  message_body out;
  out.subject = *in.text("subject", true);
  out.body = *in.text("body", true);
  return out;
}

attendance_body tag_invoke(json::value_to_tag<attendance_body>, const json::value& v) {
  const field_reader in(v);
  attendance_body out;
  out.came = in.integers("came", "a list of person ids").value_or(std::vector<std::int64_t>{});
  out.walk_ins = in.texts("walk_ins").value_or(std::vector<std::string>{});
  return out;
}

reminders_body tag_invoke(json::value_to_tag<reminders_body>, const json::value& v) {
  const field_reader in(v);
  return {*in.integers("reminders", "a list of minutes", true)};
}

notices_body tag_invoke(json::value_to_tag<notices_body>, const json::value& v) {
  const field_reader in(v);
  notices_body out;
  out.lag_notices = in.boolean("lag_notices");
  out.notices = in.boolean("notices", !out.lag_notices);
  return out;
}

token_body tag_invoke(json::value_to_tag<token_body>, const json::value&) { return {}; }

login_body tag_invoke(json::value_to_tag<login_body>, const json::value& v) {
  const field_reader in(v);
  return {*in.text("email", true)};
}

event_body tag_invoke(json::value_to_tag<event_body>, const json::value& v) {
  const field_reader in(v);
  event_body out;
  auto& c = out.changes;
  c.title = in.text("title");
  c.description = in.text("description");
  c.location = in.text("location");
  c.online_url = in.text("online_url");
  if (const auto kind = in.text("kind")) {
    if (*kind == "meeting") {
      c.kind = calendar::event_kind::meeting;
    } else if (*kind == "exchange_offer") {
      c.kind = calendar::event_kind::exchange_offer;
    } else {
      field_reader::invalid("kind", "kind must be meeting or exchange_offer");
    }
  }
  c.zone = in.text("zone");
  c.all_day = in.boolean("all_day");
  out.start = in.text("start");
  out.end = in.text("end");
  c.duration_minutes = in.integer("duration_minutes");
  // null or "" removes the rule.
  if (const auto rule = in.nullable_text("rrule")) c.rrule = rule->value_or("");
  c.capacity = in.nullable_integer("capacity");
  c.rsvp_deadline_minutes = in.nullable_integer("rsvp_deadline_minutes");
  out.rdates = in.texts("rdates");
  if (const auto days = in.texts("left_out")) {
    std::vector<date::local_days> left_out;
    for (const auto& text : *days) {
      const auto day = parse_date(text);
      if (!day) field_reader::invalid("left_out", "left_out must be dates YYYY-MM-DD");
      left_out.emplace_back(day->time_since_epoch());
    }
    c.left_out = std::move(left_out);
  }
  return out;
}

api_result<usecases::event_changes> event_changes_of(event_body body, bool all_day) {
  auto rdates = std::move(body.rdates);
  auto changes = with_times(std::move(body), all_day);
  if (!changes || !rdates) return changes;
  std::vector<calendar::local_seconds> starts;
  for (const auto& text : *rdates) {
    const auto t = parse_local(text, all_day);
    if (!t) {
      return problem{422, "invalid",
                     all_day ? "rdates must be dates YYYY-MM-DD"
                             : "rdates must be local times YYYY-MM-DDTHH:MM",
                     "rdates"};
    }
    starts.push_back(*t);
  }
  changes->rdates = std::move(starts);
  return changes;
}

override_body tag_invoke(json::value_to_tag<override_body>, const json::value& v) {
  const field_reader in(v);
  override_body out;
  auto& c = out.changes;
  c.cancelled = in.boolean("cancelled").value_or(false);
  out.start = in.text("start");
  out.end = in.text("end");
  c.duration_minutes = in.integer("duration_minutes");
  c.title = in.text("title");
  c.description = in.text("description");
  c.location = in.text("location");
  c.online_url = in.text("online_url");
  return out;
}

api_result<usecases::occurrence_changes> occurrence_changes_of(override_body body, bool all_day) {
  return with_times(std::move(body), all_day);
}

proposal_body tag_invoke(json::value_to_tag<proposal_body>, const json::value& v) {
  const field_reader in(v);
  proposal_body out;
  auto& o = out.offer;
  o.title = in.text("title", true).value_or("");
  o.description = in.text("description").value_or("");
  o.format = in.text("format").value_or("in_person");
  o.location = in.text("location").value_or("");
  o.online_url = in.text("online_url").value_or("");
  for (const auto& text : in.texts("dates").value_or(std::vector<std::string>{})) {
    const auto t = parse_local(text, false);
    if (!t) field_reader::invalid("dates", "dates must be local times YYYY-MM-DDTHH:MM");
    o.dates.push_back(*t);
  }
  o.duration_minutes = in.integer("duration_minutes");
  if (const auto c = in.nullable_integer("capacity")) o.capacity = *c;
  o.show_host = in.boolean("show_host").value_or(false);
  if (const auto w = in.nullable_integer("wish")) o.wish = *w;
  return out;
}

decision_body tag_invoke(json::value_to_tag<decision_body>, const json::value& v) {
  const field_reader in(v);
  decision_body out;
  auto& d = out.decision;
  d.decision = in.text("decision", true).value_or("");
  if (const auto start = in.text("start")) {
    d.start = parse_local(*start, false);
    if (!d.start) field_reader::invalid("start", "start must be a local time YYYY-MM-DDTHH:MM");
  }
  if (const auto c = in.nullable_integer("capacity")) d.capacity = *c;
  d.message = in.text("message").value_or("");
  return out;
}

wish_body tag_invoke(json::value_to_tag<wish_body>, const json::value& v) {
  const field_reader in(v);
  return wish_body{in.text("text", true).value_or("")};
}

unit_create_body tag_invoke(json::value_to_tag<unit_create_body>, const json::value& v) {
  const field_reader in(v);
  unit_create_body out;
  auto& u = out.unit;
  u.slug = in.text("slug", true).value_or("");
  u.name = in.text("name", true).value_or("");
  u.description = in.text("description").value_or("");
  u.zone = in.text("zone").value_or(std::string(calendar::default_zone));
  u.colour = in.text("colour").value_or("");
  u.contact = in.text("contact").value_or("");
  return out;
}

unit_patch_body tag_invoke(json::value_to_tag<unit_patch_body>, const json::value& v) {
  const field_reader in(v);
  return unit_patch_body{in.text("name"),   in.text("description"), in.text("zone"),
                         in.text("colour"), in.text("contact"),     in.boolean("archived")};
}

}  // namespace treffpunkt::server
