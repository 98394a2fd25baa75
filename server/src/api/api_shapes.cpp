#include "api_shapes.h"

#include <calendar/recurrence.h>
#include <date/date.h>

#include <boost/json/array.hpp>
#include <boost/json/string.hpp>
#include <optional>

namespace treffpunkt::server {
namespace json = boost::json;
using calendar::event;
using calendar::local_seconds;
using std::chrono::minutes;

namespace {

json::value optional_int(const std::optional<int>& v) {
  return v ? json::value(*v) : json::value(nullptr);
}

local_seconds local_end(const event& e) {
  if (e.all_day) return e.start + e.duration;
  return calendar::to_local(calendar::to_utc(e.start, e.zone) + e.duration, e.zone);
}

}  // namespace

namespace {

/// `t` as YYYY-MM-DD, or YYYY-MM-DDTHH:MM:SS unless `date_only`, for years 0 to 9999 (false
/// otherwise). By hand: date::format goes through an ostringstream, which cost an RSVP's
/// answer more than its JSON (issue 16).
template <class Clock>
bool write_iso(std::string& out, std::chrono::time_point<Clock, std::chrono::seconds> t,
               bool date_only) {
  const auto day = date::floor<date::days>(t);
  const date::year_month_day ymd{day};
  const int year = static_cast<int>(ymd.year());
  if (year < 0 || year > 9999) return false;
  const auto two = [&](unsigned v) {
    out += static_cast<char>('0' + v / 10);
    out += static_cast<char>('0' + v % 10);
  };
  two(static_cast<unsigned>(year) / 100);
  two(static_cast<unsigned>(year) % 100);
  out += '-';
  two(static_cast<unsigned>(ymd.month()));
  out += '-';
  two(static_cast<unsigned>(ymd.day()));
  if (date_only) return true;
  const date::hh_mm_ss hms{t - day};
  out += 'T';
  two(static_cast<unsigned>(hms.hours().count()));
  out += ':';
  two(static_cast<unsigned>(hms.minutes().count()));
  out += ':';
  two(static_cast<unsigned>(hms.seconds().count()));
  return true;
}

}  // namespace

std::string utc_text(calendar::utc_seconds t) {
  std::string out;
  out.reserve(20);
  if (!write_iso(out, t, false)) return date::format("%Y-%m-%dT%H:%M:%SZ", t);
  out += 'Z';
  return out;
}

std::string local_text(local_seconds t, bool date_only) {
  std::string out;
  out.reserve(19);
  if (write_iso(out, t, date_only)) return out;
  return date_only ? date::format("%Y-%m-%d", t) : date::format("%Y-%m-%dT%H:%M:%S", t);
}

json::object unit_json(const storage::store& store, const calendar::unit& u) {
  json::array names;
  for (const auto& p : store.responsibles(u.id)) names.emplace_back(p.name);
  return json::object{
      {"slug", u.slug},
      {"name", u.name},
      {"description", u.description},
      {"colour", u.colour},
      {"zone", u.zone},
      {"contact", u.contact},
      {"archived", u.archived ? json::value(utc_text(*u.archived)) : json::value(nullptr)},
      {"responsibles", std::move(names)},
      {"feed", "/units/" + u.slug + ".ics"}};
}

json::object event_json(const event& e, std::string_view unit_slug,
                        const std::optional<usecases::series_status>& confirmation) {
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
  json::array left_out;
  for (const auto day : calendar::left_out_days(e)) {
    left_out.emplace_back(date::format("%Y-%m-%d", day));
  }
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
      {"host", e.host.empty() ? json::value(nullptr) : json::value(e.host)},
      {"zone", e.zone},
      {"all_day", e.all_day},
      {"start", local_text(e.start, e.all_day)},
      {"end", local_text(local_end(e), e.all_day)},
      {"duration_minutes", std::chrono::duration_cast<minutes>(e.duration).count()},
      {"rrule", e.rule ? json::value(e.rule->to_string()) : json::value(nullptr)},
      {"rdates", std::move(rdates)},
      {"left_out", std::move(left_out)},
      {"overrides", std::move(overrides)},
      {"capacity", optional_int(e.capacity)},
      {"rsvp_deadline_minutes", optional_int(deadline)},
      {"created", utc_text(e.created)},
      {"last_modified", utc_text(e.last_modified)},
      {"confirmed",
       confirmation ? json::value(utc_text(confirmation->confirmed)) : json::value(nullptr)},
      {"unconfirmed_since", confirmation && confirmation->unconfirmed_since
                                ? json::value(utc_text(*confirmation->unconfirmed_since))
                                : json::value(nullptr)},
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

json::object attendance_json(calendar::event_id e, const calendar::occurrence_key& key,
                             const storage::attendance_record& a, bool with_email) {
  json::array came;
  for (const auto& m : a.came) {
    json::object item{{"person", m.who.id.value}, {"name", m.who.name}};
    if (with_email) item["email"] = m.who.email;
    item["state"] = state_name(m.state);
    came.emplace_back(std::move(item));
  }
  json::array walk_ins;
  for (const auto& name : a.walk_ins) walk_ins.emplace_back(name);
  json::object out{{"event", e.value},         {"key", key.to_string()},
                   {"came", std::move(came)},  {"walk_ins", std::move(walk_ins)},
                   {"anonymous", a.anonymous}, {"total", a.total()}};
  out["recorded"] = a.recorded ? json::value(utc_text(*a.recorded)) : json::value(nullptr);
  return out;
}

json::object proposal_json(const storage::proposal& p, std::string_view unit_slug,
                           std::string_view proposer_name) {
  const auto& d = p.draft;
  json::array dates;
  for (const auto t : d.dates) dates.emplace_back(local_text(t));
  json::object out{{"id", p.id.value},
                   {"unit", unit_slug},
                   {"state", storage::to_string(p.state)},
                   {"title", d.title},
                   {"description", d.description},
                   {"format", storage::to_string(d.format)},
                   {"location", d.location},
                   {"online_url", d.online_url},
                   {"duration_minutes", std::chrono::duration_cast<minutes>(d.duration).count()},
                   {"dates", std::move(dates)},
                   {"capacity", optional_int(d.capacity)},
                   {"show_host", d.show_host},
                   {"wish", d.wish ? json::value(d.wish->value) : json::value(nullptr)},
                   {"message", p.message},
                   {"event", p.event ? json::value(p.event->value) : json::value(nullptr)},
                   {"created", utc_text(p.created)},
                   {"updated", utc_text(p.updated)}};
  if (!proposer_name.empty()) out["proposer"] = proposer_name;
  return out;
}

json::object wish_json(const storage::wish& w, std::string_view unit_slug) {
  return json::object{{"id", w.id.value},
                      {"unit", unit_slug},
                      {"text", w.text},
                      {"open", w.open},
                      {"created", utc_text(w.created)}};
}

json::array warnings_json(const std::vector<usecases::clash>& clashes,
                          const calendar::occurrence_key* key) {
  json::array out;
  for (const auto& c : clashes) {
    if (key != nullptr && c.ours.key != *key) continue;
    out.emplace_back(json::object{{"key", c.ours.key.to_string()},
                                  {"start", utc_text(c.ours.start)},
                                  {"reason", usecases::to_string(c.why)},
                                  {"with", json::object{{"event", c.theirs.event.value},
                                                        {"key", c.theirs.key.to_string()},
                                                        {"title", c.theirs.title},
                                                        {"unit", c.theirs.unit_slug},
                                                        {"start", utc_text(c.theirs.start)},
                                                        {"end", utc_text(c.theirs.end)}}}});
  }
  return out;
}

json::array warnings_of(const storage::store& store, const calendar::event& e,
                        calendar::utc_seconds now, const calendar::occurrence_key* key) {
  // From now to a year after now, or after the event's start when that is later.
  const auto to = std::max(now, calendar::to_utc(e.start, e.zone)) + date::days{366};
  return warnings_json(usecases::clashes_with(store, e, now, to), key);
}

}  // namespace treffpunkt::server
