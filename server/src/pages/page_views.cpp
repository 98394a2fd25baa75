#include "page_views.h"

#include <calendar/rsvp.h>

#include <algorithm>
#include <iterator>
#include <vector>

#include "../request_context.h"
#include "../services.h"

namespace treffpunkt::server {
namespace {

using calendar::utc_seconds;

/// How far ahead the lists look.
constexpr auto home_window = date::days{60};
constexpr std::size_t home_sessions = 8;
constexpr auto unit_window = date::days{90};
constexpr std::size_t unit_sessions = 40;
constexpr auto event_window = date::days{366};
constexpr std::size_t event_sessions = 12;
/// Exchange offers are fewer and planned further ahead than meetings.
constexpr auto offer_window = date::days{180};
constexpr std::size_t home_offers = 6;
constexpr std::size_t unit_offers = 12;

/// The occurrences of the unit's events in [from, to), soonest first, at most `limit`.
std::vector<web::session> sessions_of(const calendar::unit& u,
                                      const std::vector<calendar::event>& events, utc_seconds from,
                                      utc_seconds to, std::size_t limit) {
  std::vector<std::pair<utc_seconds, web::session>> found;
  for (const auto& e : events) {
    for (const auto& o : calendar::expand(e, from, to)) {
      found.emplace_back(o.start, make_session(e, u, o));
    }
  }
  std::stable_sort(found.begin(), found.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<web::session> out;
  for (auto& [start, s] : found) {
    if (out.size() == limit) break;
    out.push_back(std::move(s));
  }
  return out;
}

/// The events of `kind` among `events`.
std::vector<calendar::event> of_kind(const std::vector<calendar::event>& events,
                                     calendar::event_kind kind) {
  std::vector<calendar::event> out;
  std::copy_if(events.begin(), events.end(), std::back_inserter(out),
               [kind](const calendar::event& e) { return e.kind == kind; });
  return out;
}

/// The exchange offers' occurrences `sessions` with their places (one read each).
std::vector<web::offer> with_places(const storage::store& store,
                                    std::vector<web::session> sessions) {
  std::vector<web::offer> out;
  out.reserve(sessions.size());
  for (auto& s : sessions) {
    const auto seats = store.occupancy_of(s.event, s.key);
    out.push_back({std::move(s), seats.capacity, seats.going});
  }
  return out;
}

std::vector<std::string> responsible_names(storage::store& store, calendar::unit_id u) {
  std::vector<std::string> names;
  for (const auto& p : store.responsibles(u)) {
    if (!p.name.empty()) names.push_back(p.name);  // names only: never an address
  }
  return names;
}

}  // namespace

web::page_context page_context_of(const request_context& ctx) {
  web::page_context page;
  page.lang = ctx.lang();
  page.path = std::string(ctx.path());
  page.base_url = std::string(ctx.base_url());
  // Who reads it, for the header (anonymous pages stay as they are).
  const auto& who = ctx.member();
  page.logged_in = who.has_value();
  page.is_admin = who && who->admin;
  page.can_manage = who && ctx.app().members.can_manage(*who);
  return page;
}

web::session make_session(const calendar::event& e, const calendar::unit& u,
                          const calendar::occurrence& o) {
  web::session s;
  s.event = e.id;
  s.key = o.key;
  s.title = std::string(o.title);
  s.unit_name = u.name;
  s.unit_slug = u.slug;
  s.start = o.local_start;
  s.end = o.local_end;
  s.all_day = e.all_day;
  s.cancelled = o.cancelled;
  s.moved = o.moved;
  s.offer = e.kind == calendar::event_kind::exchange_offer;
  return s;
}

std::optional<web::rsvp_status> status_of(storage::rsvp_state st) {
  switch (st) {
    case storage::rsvp_state::going:
      return web::rsvp_status::going;
    case storage::rsvp_state::waitlisted:
      return web::rsvp_status::waitlisted;
    case storage::rsvp_state::maybe:
      return web::rsvp_status::maybe;
    case storage::rsvp_state::not_going:
      return web::rsvp_status::not_going;
    case storage::rsvp_state::pending:
      return std::nullopt;
  }
  return std::nullopt;
}

std::optional<std::string> page_builder::home(const web::page_context& page) const {
  web::home_view v;
  std::vector<std::pair<utc_seconds, web::session>> meetings;
  std::vector<std::pair<utc_seconds, web::session>> offers;
  for (const auto& u : store.units()) {
    if (u.archived) continue;  // nothing to come; its page and feed still answer
    v.units.push_back({u.slug, u.name, u.description});
    const auto events = store.events_of_unit(u.id);
    for (auto& s : sessions_of(u, of_kind(events, calendar::event_kind::meeting), now,
                               now + home_window, home_sessions)) {
      meetings.emplace_back(calendar::to_utc(s.start, u.zone), std::move(s));
    }
    for (auto& s : sessions_of(u, of_kind(events, calendar::event_kind::exchange_offer), now,
                               now + offer_window, home_offers)) {
      offers.emplace_back(calendar::to_utc(s.start, u.zone), std::move(s));
    }
  }
  const auto soonest = [](std::vector<std::pair<utc_seconds, web::session>>& found,
                          std::size_t limit) {
    std::stable_sort(found.begin(), found.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    std::vector<web::session> out;
    for (auto& [start, s] : found) {
      if (out.size() == limit) break;
      out.push_back(std::move(s));
    }
    return out;
  };
  v.next = soonest(meetings, home_sessions);
  v.offers = with_places(store, soonest(offers, home_offers));
  return web::render_home(page, v);
}

std::optional<std::string> page_builder::unit(
    const web::page_context& page, std::string_view slug, date::year_month month,
    const std::optional<web::follow_state>& follow) const {
  const auto u = store.unit_by_slug(slug);
  if (!u) return std::nullopt;
  const auto events = calendar::shown_events(*u, store.events_of_unit(u->id));
  web::unit_view v;
  v.unit = {u->slug, u->name, u->description};
  v.archived = u->archived;
  v.contact = u->contact;
  v.responsibles = responsible_names(store, u->id);
  v.upcoming = sessions_of(*u, of_kind(events, calendar::event_kind::meeting), now,
                           now + unit_window, unit_sessions);
  v.offers =
      with_places(store, sessions_of(*u, of_kind(events, calendar::event_kind::exchange_offer), now,
                                     now + offer_window, unit_offers));
  v.month = month;
  const auto from = calendar::to_utc(calendar::local_seconds{date::local_days{month / 1}}, u->zone);
  const auto to = calendar::to_utc(
      calendar::local_seconds{date::local_days{(month + date::months{1}) / 1}}, u->zone);
  v.in_month = sessions_of(*u, events, from, to, 500);
  for (const auto& w : store.open_wishes(u->id)) v.wishes.push_back(w.text);
  return follow ? web::render_unit(page, v, *follow) : web::render_unit(page, v);
}

std::optional<std::string> page_builder::event(const web::page_context& page,
                                               calendar::event_id id) const {
  const auto e = store.event_by_id(id);
  if (!e) return std::nullopt;
  const auto u = store.unit_by_id(e->unit);
  if (!u) return std::nullopt;
  web::event_view v;
  v.id = e->id;
  v.title = e->title;
  v.description = e->description;
  v.unit_name = u->name;
  v.unit_slug = u->slug;
  v.kind = e->kind;
  v.location = e->location;
  v.online_url = e->online_url;
  v.cancelled = e->status == calendar::event_status::cancelled;
  v.next = sessions_of(*u, {*e}, now, now + event_window, event_sessions);
  return web::render_event(page, v);
}

std::string member_answer::key() const {
  std::string out = " answer=";
  out += answer ? calendar::to_string(*answer) : "none";
  out += " status=";
  if (!status) {
    out += "none";
  } else {
    switch (*status) {
      case web::rsvp_status::going:
        out += "going";
        break;
      case web::rsvp_status::waitlisted:
        out += "waitlisted";
        break;
      case web::rsvp_status::maybe:
        out += "maybe";
        break;
      case web::rsvp_status::not_going:
        out += "not_going";
        break;
    }
  }
  out += " " + std::to_string(waitlist_position);
  if (sees_host) out += " host";
  return out;
}

member_answer answer_from(const std::optional<storage::rsvp_record>& r) {
  member_answer mine;
  if (r) {
    mine.answer = r->answer;
    mine.status = status_of(r->state);
    mine.waitlist_position = r->waitlist_position;
    mine.sees_host = r->state != storage::rsvp_state::pending;
  }
  return mine;
}

member_answer page_builder::answer_of(calendar::event_id id, const calendar::occurrence_key& key,
                                      storage::person_id member) const {
  return answer_from(store.rsvp_of(id, key, member));
}

std::optional<web::occurrence_view> page_builder::occurrence_view(
    calendar::event_id id, const calendar::occurrence_key& key,
    const std::optional<storage::person>& member, const std::string& csrf) const {
  std::optional<member_answer> mine;
  if (member) mine = answer_of(id, key, member->id);
  return occurrence_view(id, key, mine, csrf);
}

std::optional<web::occurrence_view> page_builder::occurrence_view(
    calendar::event_id id, const calendar::occurrence_key& key,
    const std::optional<member_answer>& member, const std::string& csrf) const {
  const auto e = store.event_by_id(id);
  if (!e) return std::nullopt;
  const auto o = calendar::find_occurrence(*e, key);
  if (!o) return std::nullopt;
  const auto u = store.unit_by_id(e->unit);
  if (!u) return std::nullopt;
  web::occurrence_view v;
  v.when = make_session(*e, *u, *o);
  if (o->moved) {
    v.original_start = key.is_date() ? calendar::local_seconds{key.instant().time_since_epoch()}
                                     : calendar::to_local(key.instant(), e->zone);
  }
  v.description = std::string(o->description);
  v.location = std::string(o->location);
  v.online_url = std::string(o->online_url);
  v.host = e->host;  // named publicly, or nobody
  const auto seats = store.occupancy_of(e->id, key);
  v.capacity = seats.capacity;
  v.going = seats.going;
  v.waitlisted = seats.waitlisted;
  v.refused = calendar::rsvp_refused(*e, *o, now);
  if (member) {
    v.who = web::viewer::member;
    // Who answered learns who hosts it, also when the host's name is not public (the same for
    // everyone who answered: no name of the reader's own).
    if (v.host.empty() && member->sees_host) {
      if (const auto host = store.host_of(e->id)) v.host = host->name;
    }
    v.answer = member->answer;
    v.status = member->status;
    v.waitlist_position = member->waitlist_position;
  }
  v.csrf = csrf;
  return v;
}

std::optional<std::string> page_builder::occurrence(const web::page_context& page,
                                                    calendar::event_id id,
                                                    const calendar::occurrence_key& key,
                                                    const std::optional<member_answer>& member,
                                                    const std::string& csrf, bool saved) const {
  auto v = occurrence_view(id, key, member, csrf);
  if (!v) return std::nullopt;
  v->saved = saved && member.has_value();
  return web::render_occurrence(page, *v);
}

web::me_view page_builder::me(const storage::person& p, const std::string& csrf) const {
  web::me_view v;
  v.name = p.name;
  v.email = p.email;
  v.csrf = csrf;
  std::vector<std::pair<utc_seconds, web::my_rsvp>> found;
  for (const auto& r : store.rsvps_of_person(p.id)) {
    const auto st = status_of(r.state);
    if (!st || *st == web::rsvp_status::not_going) continue;
    const auto e = store.event_by_id(r.event);
    if (!e) continue;
    const auto o = calendar::find_occurrence(*e, r.key);
    if (!o || o->end <= now) continue;
    const auto u = store.unit_by_id(e->unit);
    if (!u) continue;
    found.emplace_back(o->start, web::my_rsvp{make_session(*e, *u, *o), *st, r.waitlist_position});
  }
  std::stable_sort(found.begin(), found.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  for (auto& [start, r] : found) v.rsvps.push_back(std::move(r));
  for (const auto id : store.follows(p.id)) {
    if (const auto u = store.unit_by_id(id)) v.follows.push_back({u->slug, u->name, {}});
  }
  // The offers they host that are still to come, then their proposals still undecided.
  for (const auto id : store.hosted_by(p.id)) {
    const auto e = store.event_by_id(id);
    if (!e || e->status == calendar::event_status::cancelled) continue;
    if (calendar::to_utc(e->start, e->zone) + e->duration < now) continue;
    v.offers.push_back({e->title, "/manage/offers/" + std::to_string(id.value), "hosting"});
  }
  for (const auto& proposal : store.proposals_of_person(p.id)) {
    if (proposal.state != storage::proposal_state::waiting &&
        proposal.state != storage::proposal_state::changes_requested) {
      continue;
    }
    v.offers.push_back({proposal.draft.title, "/me/proposals/" + std::to_string(proposal.id.value),
                        std::string(storage::to_string(proposal.state))});
  }
  for (const auto m : store.reminder_offsets(p.id)) {
    v.reminders.push_back(static_cast<int>(m.count()));
  }
  v.reminders_chosen = store.has_reminder_choice(p.id);
  for (const auto m : storage::store::default_reminder_offsets()) {
    v.default_reminders.push_back(static_cast<int>(m.count()));
  }
  v.has_feed = !store.list_tokens(p.id, storage::token_kind::feed, now).empty();
  v.notices = p.notices;
  v.lag_notices = store.lag_notices(p.id);
  return v;
}

}  // namespace treffpunkt::server
