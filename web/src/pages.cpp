#include <web/assets.h>
#include <web/markdown.h>
#include <web/month.h>
#include <web/pages.h>
#include <web/qr.h>

#include <algorithm>
#include <array>
#include <boost/url/encode.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>
#include <functional>
#include <kainjow/mustache.hpp>
#include <map>
#include <stdexcept>

#include "catalog.h"
#include "fetch_views.h"
#include "render.h"

namespace treffpunkt::web {
namespace {

namespace mu = kainjow::mustache;
using detail::fill;
using detail::page;
using detail::text;

std::string iso(calendar::local_seconds t, bool all_day) {
  return all_day ? date::format("%Y-%m-%d", date::floor<date::days>(t))
                 : date::format("%Y-%m-%dT%H:%M", t);
}

mu::data session_data(const session& s, language l) {
  mu::data d{mu::data::type::object};
  d.set("href", occurrence_path(s.event, s.key));
  d.set("title", s.title);
  d.set("unit_name", s.unit_name);
  d.set("when", format_span(s.start, s.end, s.all_day, l));
  d.set("iso", iso(s.start, s.all_day));
  d.set("cancelled", s.cancelled);
  d.set("moved", s.moved && !s.cancelled);
  d.set("offer", s.offer);
  return d;
}

void set_sessions(mu::data& d, const std::vector<session>& sessions, language l, bool show_unit) {
  mu::data list{mu::data::type::list};
  for (const auto& s : sessions) list.push_back(session_data(s, l));
  d.set("sessions", list);
  d.set("has_sessions", !sessions.empty());
  d.set("show_unit", show_unit);
}

/// The exchange offers as the offer_list partial shows them: a session with its places left
/// (none said for unlimited places or a cancelled date), and its unit where `show_unit`.
void set_offers(mu::data& d, const std::vector<offer>& offers, language l, bool show_unit) {
  mu::data list{mu::data::type::list};
  for (const auto& o : offers) {
    auto item = session_data(o.when, l);
    item.set("show_unit", show_unit);
    const bool has_places = o.capacity.has_value() && !o.when.cancelled;
    const int left = o.capacity ? std::max(0, *o.capacity - o.going) : 0;
    item.set("has_places", has_places);
    item.set("full", has_places && left == 0);
    item.set("places",
             !has_places ? std::string()
             : left > 0  ? fill(text(l, "places_left"), {{"left", std::to_string(left)},
                                                         {"capacity", std::to_string(*o.capacity)}})
                         : std::string(text(l, "places_full")));
    list.push_back(item);
  }
  d.set("offers", list);
  d.set("has_offers", !offers.empty());
}

/// Every byte but the unreserved ones percent-encoded (RFC 3986 §2.3), upper-case hex and a
/// space as %20: safe as a value in any query.
std::string url_encode(std::string_view s) {
  return boost::urls::encode(s, boost::urls::unreserved_chars);
}

/// webcal:// is what phones and desktop calendar apps open as "subscribe".
std::string webcal(std::string_view url) {
  const auto colon = url.find("://");
  return "webcal" + std::string(url.substr(colon == std::string_view::npos ? 0 : colon));
}

/// Only web links become links: a stored "javascript:..." stays text.
bool is_web_url(std::string_view s) {
  return s.starts_with("https://") || s.starts_with("http://");
}

/// The first paragraph of a description, at most about 200 characters, cut at a space.
std::string excerpt(std::string_view description) {
  auto first = description.substr(0, description.find("\n\n"));
  constexpr std::size_t limit = 200;
  if (first.size() <= limit) return std::string(first);
  auto cut = first.rfind(' ', limit);
  if (cut == std::string_view::npos) cut = limit;
  // Do not end inside a UTF-8 sequence.
  while (cut > 0 && (static_cast<unsigned char>(first[cut]) & 0xC0) == 0x80) --cut;
  return std::string(first.substr(0, cut)) + " …";
}

std::string join_names(const std::vector<std::string>& names, language l) {
  std::string out;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i > 0) {
      out += i + 1 == names.size() ? " " + std::string(text(l, "and")) + " " : ", ";
    }
    out += names[i];
  }
  return out;
}

void set_place(mu::data& d, std::string_view location, std::string_view online_url) {
  // A location that is a URL is an online meeting: shown as a link, not as a place.
  const bool location_is_url = is_web_url(location);
  d.set("has_location", !location.empty() && !location_is_url);
  d.set("location", std::string(location));
  const std::string_view online = is_web_url(online_url) ? online_url
                                  : location_is_url      ? location
                                                         : std::string_view{};
  d.set("has_online", !online.empty());
  d.set("online_url", std::string(online));
}

void set_description(mu::data& d, std::string_view markdown) {
  d.set("has_description", !markdown.empty());
  d.set("description_html", markdown.empty() ? std::string() : markdown_to_html(markdown));
}

std::string places_text(const occurrence_view& v, language l) {
  if (!v.capacity) {
    return fill(text(l, "places_unlimited"), {{"going", std::to_string(v.going)}});
  }
  const int left = std::max(0, *v.capacity - v.going);
  std::string out =
      left > 0 ? fill(text(l, "places_left"),
                      {{"left", std::to_string(left)}, {"capacity", std::to_string(*v.capacity)}})
               : std::string(text(l, "places_full"));
  if (v.waitlisted > 0) {
    out += ", " + fill(text(l, "places_waitlist"), {{"n", std::to_string(v.waitlisted)}});
  }
  return out;
}

std::string_view answer_key(calendar::rsvp_answer a) {
  switch (a) {
    case calendar::rsvp_answer::yes:
      return "answer_yes";
    case calendar::rsvp_answer::no:
      return "answer_no";
    case calendar::rsvp_answer::maybe:
      return "answer_maybe";
  }
  return "answer_yes";
}

std::string_view refusal_key(calendar::rsvp_refusal r) {
  switch (r) {
    case calendar::rsvp_refusal::cancelled:
      return "refused_cancelled";
    case calendar::rsvp_refusal::past:
      return "refused_past";
    case calendar::rsvp_refusal::deadline_passed:
      return "refused_deadline";
  }
  return "refused_past";
}

std::string_view status_class(rsvp_status st) {
  switch (st) {
    case rsvp_status::going:
      return "going";
    case rsvp_status::waitlisted:
      return "waitlisted";
    case rsvp_status::maybe:
      return "maybe";
    case rsvp_status::not_going:
      return "not-going";
  }
  return "going";
}

/// "Du bist dabei." / "Du stehst auf der Warteliste (Platz 3)." ...
std::string status_text(rsvp_status st, int position, language l) {
  switch (st) {
    case rsvp_status::going:
      return std::string(text(l, "status_going"));
    case rsvp_status::waitlisted:
      return position > 0 ? fill(text(l, "status_waitlisted_at"), {{"n", std::to_string(position)}})
                          : std::string(text(l, "status_waitlisted"));
    case rsvp_status::maybe:
      return std::string(text(l, "status_maybe"));
    case rsvp_status::not_going:
      return std::string(text(l, "status_not_going"));
  }
  return {};
}

std::string_view problem_key(rsvp_problem p) {
  switch (p) {
    case rsvp_problem::csrf:
      return "problem_csrf";
    case rsvp_problem::rate_limited:
      return "problem_rate_limited";
    case rsvp_problem::bad_answer:
      return "problem_bad_answer";
    case rsvp_problem::refused:
      return "problem_refused";
    case rsvp_problem::unavailable:
      return "problem_unavailable";
  }
  return "problem_unavailable";
}

std::string_view me_notice_key(me_notice n) {
  switch (n) {
    case me_notice::none:
      return "";
    case me_notice::reminders_saved:
      return "me_reminders_saved";
    case me_notice::unfollowed:
      return "me_unfollowed";
    case me_notice::csrf:
      return "problem_csrf";
    case me_notice::reminders_invalid:
      return "me_reminders_invalid";
    case me_notice::notices_saved:
      return "me_notices_saved";
    case me_notice::delete_unconfirmed:
      return "me_delete_unconfirmed";
    case me_notice::delete_last_admin:
      return "me_delete_last_admin";
  }
  return "";
}

/// "1 Tag" / "2 Stunden" / "30 Minuten": a reminder's distance, in whole units where it can.
std::string duration_text(int minutes, language l) {
  const auto count = [&](int n, std::string_view one, std::string_view many) {
    return n == 1 ? std::string(text(l, one)) : fill(text(l, many), {{"n", std::to_string(n)}});
  };
  if (minutes > 0 && minutes % (24 * 60) == 0) {
    return count(minutes / (24 * 60), "duration_day", "duration_days");
  }
  if (minutes > 0 && minutes % 60 == 0)
    return count(minutes / 60, "duration_hour", "duration_hours");
  return count(minutes, "duration_minute", "duration_minutes");
}

/// "1 Tag und 2 Stunden": a list of reminder distances.
std::string durations_text(const std::vector<int>& minutes, language l) {
  std::vector<std::string> parts;
  parts.reserve(minutes.size());
  for (const int m : minutes) parts.push_back(duration_text(m, l));
  return join_names(parts, l);
}

/// The RSVP area's fields (rsvp.mustache), for the whole page and for the area alone.
void set_rsvp_area(mu::data& d, const occurrence_view& view, language l) {
  const auto& s = view.when;
  d.set("action", occurrence_path(s.event, s.key));
  d.set("login_href", "/login");
  d.set("refused", view.refused.has_value());
  d.set("refused_text", view.refused ? std::string(text(l, refusal_key(*view.refused))) : "");
  // A refusal says why in its own notice already.
  const bool problem = view.problem && !(view.problem == rsvp_problem::refused && view.refused);
  d.set("has_problem", problem);
  d.set("problem_text", problem ? std::string(text(l, problem_key(*view.problem))) : "");
  d.set("saved", view.saved);
  d.set("guest_sent", view.guest_sent);
  d.set("member", view.who == viewer::member);
  d.set("has_answer", view.answer.has_value());
  d.set("answer_text", view.answer ? std::string(text(l, answer_key(*view.answer))) : "");
  // The answer says "maybe" already; the other states say more than the answer.
  const bool show_status = view.status && *view.status != rsvp_status::maybe;
  d.set("has_status", show_status);
  d.set("status_class", view.status ? std::string(status_class(*view.status)) : "");
  d.set("status_text",
        view.status ? status_text(*view.status, view.waitlist_position, l) : std::string());
  d.set("csrf", view.csrf);
  constexpr std::array order = {calendar::rsvp_answer::yes, calendar::rsvp_answer::maybe,
                                calendar::rsvp_answer::no};
  mu::data answers{mu::data::type::list};
  for (const auto a : order) {
    mu::data b{mu::data::type::object};
    b.set("value", std::string(calendar::to_string(a)));
    b.set("label", std::string(text(l, answer_key(a))));
    b.set("button_class", view.answer == a ? "current" : "secondary");
    b.set("pressed", view.answer == a ? "true" : "false");
    answers.push_back(b);
  }
  d.set("answers", answers);
  const guest_form guest = view.guest.value_or(guest_form{});
  d.set("guest_name", guest.name);
  d.set("guest_email", guest.email);
  d.set("has_name_error", !guest.name_error.empty());
  d.set("name_error", guest.name_error.empty() ? "" : std::string(text(l, guest.name_error)));
  d.set("has_email_error", !guest.email_error.empty());
  d.set("email_error", guest.email_error.empty() ? "" : std::string(text(l, guest.email_error)));
  mu::data guest_answers{mu::data::type::list};
  for (const auto a : order) {
    mu::data b{mu::data::type::object};
    b.set("value", std::string(calendar::to_string(a)));
    b.set("label", std::string(text(l, answer_key(a))));
    b.set("checked", guest.answer == a);
    guest_answers.push_back(b);
  }
  d.set("guest_answers", guest_answers);
}

/// "1 Termin" / "3 Termine".
std::string count_sessions(std::size_t n, language l) {
  return n == 1 ? std::string(text(l, "one_session"))
                : fill(text(l, "n_sessions"), {{"n", std::to_string(n)}});
}

/// When a session of a day takes place, under that day's heading: "18:30–20:00"; all day:
/// "ganztägig"; ending on another day: the whole span.
std::string time_of_day(const session& s, language l) {
  if (s.all_day) return std::string(text(l, "all_day"));
  if (date::floor<date::days>(s.start) != date::floor<date::days>(s.end)) {
    return format_span(s.start, s.end, false, l);
  }
  return date::format("%H:%M", s.start) + "–" + date::format("%H:%M", s.end);
}

/// The list of the month's days links to a day by this anchor: "day-2025-12-02".
std::string day_anchor(date::local_days day) { return "day-" + date::format("%F", day); }

/// One day of the month grid: its number, the titles of its sessions (none: nullptr) and a
/// link with one dot per session to the day in the list.
mu::data day_cell(const date::year_month_day& ymd, bool in_month,
                  const std::vector<const session*>* sessions, language l) {
  const date::local_days day{ymd};
  mu::data cell{mu::data::type::object};
  cell.set("in_month", in_month);
  cell.set("cell_class", !in_month ? "other" : sessions ? "has-items" : "");
  cell.set("number", std::to_string(static_cast<unsigned>(ymd.day())));
  cell.set("has_items", sessions != nullptr);
  mu::data items{mu::data::type::list};
  mu::data dots{mu::data::type::list};
  if (sessions) {
    for (const session* s : *sessions) {
      std::string item_class = s->cancelled ? "is-cancelled" : "";
      if (s->offer) item_class += item_class.empty() ? "is-offer" : " is-offer";
      mu::data item{mu::data::type::object};
      item.set("href", occurrence_path(s->event, s->key));
      item.set("time", s->all_day ? std::string() : date::format("%H:%M", s->start));
      item.set("title", s->title);
      item.set("offer", s->offer);
      item.set("item_class", item_class);
      items.push_back(item);
      mu::data dot{mu::data::type::object};
      dot.set("dot_class", item_class.empty() ? "dot" : "dot " + item_class);
      dots.push_back(dot);
    }
    cell.set("anchor", day_anchor(day));
    cell.set("day_label", format_date(day, l) + ": " + count_sessions(sessions->size(), l));
  }
  cell.set("items", items);
  cell.set("dots", dots);
  return cell;
}

/// The month as a grid of weeks (each day with its sessions, and for narrow screens a link
/// with one dot per session to the day in the list below) and as that list: the days with
/// sessions, in order. The stylesheet shows the titles in the grid on wide screens and the
/// dots and the list on narrow ones, where seven columns leave no room for titles.
mu::data month_data(const unit_view& v, language l) {
  mu::data d{mu::data::type::object};
  std::map<date::local_days, std::vector<const session*>> by_day;
  for (const auto& s : v.in_month) by_day[date::floor<date::days>(s.start)].push_back(&s);
  mu::data weekdays{mu::data::type::list};
  for (unsigned i = 1; i <= 7; ++i) {
    const date::weekday wd{i % 7};  // Monday first
    mu::data h{mu::data::type::object};
    h.set("short", std::string(weekday_short(wd, l)));
    h.set("long", std::string(weekday_long(wd, l)));
    weekdays.push_back(h);
  }
  mu::data weeks{mu::data::type::list};
  for (const auto& w : month_weeks(v.month)) {
    mu::data days{mu::data::type::list};
    for (const auto& ymd : w) {
      const bool in_month = ymd.year() / ymd.month() == v.month;
      const auto found = in_month ? by_day.find(date::local_days{ymd}) : by_day.end();
      days.push_back(day_cell(ymd, in_month, found != by_day.end() ? &found->second : nullptr, l));
    }
    mu::data row{mu::data::type::object};
    row.set("days", days);
    weeks.push_back(row);
  }
  mu::data agenda{mu::data::type::list};
  for (const auto& [day, sessions] : by_day) {
    mu::data entry{mu::data::type::object};
    entry.set("anchor", day_anchor(day));
    entry.set("date", format_date(day, l));
    mu::data items{mu::data::type::list};
    for (const session* s : sessions) {
      auto item = session_data(*s, l);
      item.set("time_of_day", time_of_day(*s, l));
      items.push_back(item);
    }
    entry.set("items", items);
    agenda.push_back(entry);
  }
  d.set("agenda", agenda);
  d.set("has_agenda", !by_day.empty());
  const auto prev = v.month - date::months{1};
  const auto next = v.month + date::months{1};
  d.set("weekdays", weekdays);
  d.set("weeks", weeks);
  d.set("month_label", format_month(v.month, l));
  d.set("prev_month", month_param(prev));
  d.set("next_month", month_param(next));
  d.set("prev_short", format_month(prev, l));
  d.set("next_short", format_month(next, l));
  d.set("prev_label", fill(text(l, "prev_month"), {{"month", format_month(prev, l)}}));
  d.set("next_label", fill(text(l, "next_month"), {{"month", format_month(next, l)}}));
  return d;
}

}  // namespace

std::string occurrence_path(calendar::event_id id, const calendar::occurrence_key& key) {
  return "/events/" + std::to_string(id.value) + "/" + key.to_string();
}

std::string with_csrf(std::string_view html, std::string_view token) {
  return with_csrf(html, csrf_slots(html), token);
}

std::vector<std::size_t> csrf_slots(std::string_view html) {
  static constexpr std::string_view empty_field = R"(name="csrf" value="")";
  std::vector<std::size_t> slots;
  for (auto at = html.find(empty_field); at != std::string_view::npos;
       at = html.find(empty_field, at + empty_field.size())) {
    slots.push_back(at + empty_field.size() - 1);  // before the closing quote
  }
  return slots;
}

std::string with_csrf(std::string_view html, const std::vector<std::size_t>& slots,
                      std::string_view token) {
  std::string out;
  out.reserve(html.size() + slots.size() * token.size());
  std::size_t done = 0;
  for (const auto at : slots) {
    out.append(html.substr(done, at - done));
    out.append(token);
    done = at;
  }
  out.append(html.substr(done));
  return out;
}

std::string render_home(const page_context& ctx, const home_view& view) {
  const auto l = ctx.lang;
  mu::data d{mu::data::type::object};
  mu::data units{mu::data::type::list};
  for (const auto& u : view.units) {
    const std::string feed = ctx.base_url + "/units/" + u.slug + ".ics";
    mu::data item{mu::data::type::object};
    item.set("slug", u.slug);
    item.set("name", u.name);
    item.set("excerpt", excerpt(u.description));
    item.set("webcal", webcal(feed));
    item.set("https", feed);
    units.push_back(item);
  }
  d.set("units", units);
  d.set("all_webcal", webcal(ctx.base_url + "/calendar.ics"));
  set_sessions(d, view.next, l, true);
  set_offers(d, view.offers, l, true);
  return page(ctx, text(l, "home_title"), "home.mustache", d);
}

namespace {

/// The unit page; with a follow form for a member (`follow`), else without.
std::string unit_page(const page_context& ctx, const unit_view& view,
                      const std::optional<follow_state>& follow) {
  const auto l = ctx.lang;
  auto d = month_data(view, l);
  d.set("slug", view.unit.slug);
  d.set("member", follow.has_value());
  if (follow) {
    d.set("csrf", follow->csrf);
    d.set("following", follow->following);
    d.set("follow_csrf_failed", follow->csrf_failed);
    d.set("follow_value", follow->following ? "0" : "1");
    d.set("follow_class", follow->following ? "secondary" : "");
    d.set("follow_label", std::string(text(l, follow->following ? "unfollow" : "follow")));
  }
  const std::string feed = ctx.base_url + "/units/" + view.unit.slug + ".ics";
  d.set("name", view.unit.name);
  d.set("description_html", markdown_to_html(view.unit.description));
  d.set("has_responsibles", !view.responsibles.empty());
  d.set("responsibles", join_names(view.responsibles, l));
  d.set("webcal", webcal(feed));
  d.set("https", feed);
  d.set("google", "https://calendar.google.com/calendar/render?cid=" + url_encode(webcal(feed)));
  d.set("outlook", "https://outlook.live.com/calendar/0/addfromweb?url=" + url_encode(feed) +
                       "&name=" + url_encode(view.unit.name));
  const auto qr = qr_svg(feed, fill(text(l, "qr_title"), {{"name", view.unit.name}}));
  d.set("has_qr", qr.has_value());
  d.set("qr", qr.value_or(""));
  set_sessions(d, view.upcoming, l, false);
  set_offers(d, view.offers, l, false);
  d.set("archived", view.archived.has_value());
  if (view.archived) {
    d.set("archived_text", detail::archived_text(*view.archived, l));
  }
  d.set("has_contact", !view.contact.empty());
  d.set("contact", view.contact);
  mu::data wishes{mu::data::type::list};
  for (const auto& w : view.wishes) wishes.push_back(w);
  d.set("wishes", wishes);
  d.set("has_wishes", !view.wishes.empty());
  return page(ctx, view.unit.name, "unit.mustache", d);
}

}  // namespace

std::string render_unit(const page_context& ctx, const unit_view& view) {
  return unit_page(ctx, view, std::nullopt);
}

std::string render_unit(const page_context& ctx, const unit_view& view,
                        const follow_state& follow) {
  return unit_page(ctx, view, follow);
}

std::string render_event(const page_context& ctx, const event_view& view) {
  const auto l = ctx.lang;
  mu::data d{mu::data::type::object};
  d.set("event_id", std::to_string(view.id.value));
  d.set("title", view.title);
  d.set("unit_name", view.unit_name);
  d.set("unit_slug", view.unit_slug);
  d.set("cancelled", view.cancelled);
  d.set("kind", std::string(text(l, view.kind == calendar::event_kind::exchange_offer
                                        ? "kind_exchange_offer"
                                        : "kind_meeting")));
  set_place(d, view.location, view.online_url);
  set_description(d, view.description);
  set_sessions(d, view.next, l, false);
  return page(ctx, view.title, "event.mustache", d);
}

std::string render_occurrence(const page_context& ctx, const occurrence_view& view) {
  const auto l = ctx.lang;
  const auto& s = view.when;
  mu::data d{mu::data::type::object};
  d.set("event_id", std::to_string(s.event.value));
  d.set("title", s.title);
  d.set("unit_name", s.unit_name);
  d.set("unit_slug", s.unit_slug);
  d.set("when", format_span(s.start, s.end, s.all_day, l));
  d.set("iso", iso(s.start, s.all_day));
  d.set("cancelled", s.cancelled);
  d.set("moved", s.moved && !s.cancelled);
  d.set("moved_text",
        fill(text(l, "occurrence_moved"),
             {{"original",
               view.original_start
                   ? (s.all_day ? format_date(date::floor<date::days>(*view.original_start), l)
                                : format_date_time(*view.original_start, l))
                   : std::string()}}));
  set_place(d, view.location, view.online_url);
  d.set("has_host", !view.host.empty());
  d.set("host", view.host);
  set_description(d, view.description);
  d.set("places", places_text(view, l));
  set_rsvp_area(d, view, l);
  return page(ctx, s.title, "occurrence.mustache", d);
}

std::string render_rsvp_area(const page_context& ctx, const occurrence_view& view) {
  mu::data d{mu::data::type::object};
  set_rsvp_area(d, view, ctx.lang);
  return detail::render("rsvp.mustache", d, ctx.lang);
}

std::string render_me(const page_context& ctx, const me_view& view) {
  const auto l = ctx.lang;
  mu::data d{mu::data::type::object};
  d.set("signed_in_as", fill(text(l, "me_signed_in_as"), {{"email", view.email}}));
  d.set("csrf", view.csrf);
  d.set("has_notice", view.notice != me_notice::none);
  const bool problem =
      view.notice == me_notice::csrf || view.notice == me_notice::reminders_invalid ||
      view.notice == me_notice::delete_unconfirmed || view.notice == me_notice::delete_last_admin;
  d.set("notice_error", problem);
  d.set("notice_role", problem ? "alert" : "status");
  d.set("notice_text", std::string(text(l, me_notice_key(view.notice))));

  mu::data rsvps{mu::data::type::list};
  for (const auto& r : view.rsvps) {
    auto item = session_data(r.when, l);
    item.set("unit_name", r.when.unit_name);
    item.set("status_class", std::string(status_class(r.status)));
    item.set("status_text", status_text(r.status, r.waitlist_position, l));
    rsvps.push_back(item);
  }
  d.set("rsvps", rsvps);
  d.set("has_rsvps", !view.rsvps.empty());

  mu::data follows{mu::data::type::list};
  for (const auto& u : view.follows) {
    mu::data item{mu::data::type::object};
    item.set("slug", u.slug);
    item.set("name", u.name);
    item.set("csrf", view.csrf);
    follows.push_back(item);
  }
  d.set("follows", follows);
  d.set("has_follows", !view.follows.empty());
  mu::data offers{mu::data::type::list};
  for (const auto& o : view.offers) {
    mu::data item{mu::data::type::object};
    item.set("title", o.title);
    item.set("href", o.href);
    item.set("state", o.state);
    item.set("state_text",
             std::string(text(l, o.state == "hosting" ? "o_hosting" : "o_state_" + o.state)));
    offers.push_back(item);
  }
  d.set("offers", offers);
  d.set("has_offers", !view.offers.empty());

  // The common choices, and whatever else the member chose (through the API) so that saving
  // the form keeps it.
  std::vector<int> offered = {24 * 60, 2 * 60, 60};
  for (const int m : view.reminders) {
    if (std::find(offered.begin(), offered.end(), m) == offered.end()) offered.push_back(m);
  }
  std::sort(offered.begin(), offered.end(), std::greater<>());
  mu::data options{mu::data::type::list};
  for (const int m : offered) {
    mu::data o{mu::data::type::object};
    o.set("minutes", std::to_string(m));
    o.set("label", fill(text(l, "reminder_before"), {{"time", duration_text(m, l)}}));
    o.set("checked",
          std::find(view.reminders.begin(), view.reminders.end(), m) != view.reminders.end());
    options.push_back(o);
  }
  d.set("reminder_options", options);
  const auto defaults = durations_text(view.default_reminders, l);
  std::string state;
  if (!view.reminders_chosen) {
    state = fill(text(l, "me_reminders_default"), {{"times", defaults}});
  } else if (view.reminders.empty()) {
    state = std::string(text(l, "me_reminders_off"));
  } else {
    state = fill(text(l, "me_reminders_chosen"), {{"times", durations_text(view.reminders, l)}});
  }
  d.set("reminders_state", state);
  d.set("notices_state", std::string(text(l, view.notices ? "me_notices_on" : "me_notices_off")));
  d.set("notices_value", view.notices ? "0" : "1");
  d.set("notices_button",
        std::string(text(l, view.notices ? "me_notices_turn_off" : "me_notices_turn_on")));
  d.set("lag_notices", view.lag_notices);

  d.set("has_feed", view.has_feed || view.new_feed.has_value());
  d.set("has_new_feed", view.new_feed.has_value());
  d.set("feed_https", view.new_feed ? view.new_feed->https : std::string());
  d.set("feed_webcal", view.new_feed ? webcal(view.new_feed->https) : std::string());
  detail::set_feed_fetched(d, view.feed_fetched, view.new_feed.has_value(), l);
  return page(ctx, text(l, "me_title"), "me.mustache", d);
}

std::string render_login(const page_context& ctx, const login_view& view) {
  const auto l = ctx.lang;
  struct shape {
    std::string_view title;
    std::string_view message;  ///< empty: none
    bool error;
    bool form;
    bool new_link;
  };
  const shape sh = [&]() -> shape {
    switch (view.state) {
      case login_state::form:
      case login_state::invalid_email:
        return {"login_title", "", false, true, false};
      case login_state::sent:
        return {"login_sent_title", "login_sent_text", false, false, true};
      case login_state::rate_limited:
        return {"login_limited_title", "login_limited_text", true, false, false};
      case login_state::csrf_expired:
        return {"login_csrf_title", "login_csrf_text", true, false, true};
      case login_state::use_form:
        return {"login_title", "login_use_form", true, false, true};
      case login_state::link_invalid:
        return {"login_link_invalid_title", "login_link_invalid_text", true, false, true};
      case login_state::link_expired:
        return {"login_link_expired_title", "login_link_expired_text", true, false, true};
      case login_state::unavailable:
        return {"login_unavailable_title", "login_unavailable_text", true, false, false};
      case login_state::logout:
        return {"logout_title", "logout_text", false, false, false};
      case login_state::link:
        return {"login_title", "login_link_text", false, false, false};
    }
    return {"login_title", "", false, true, false};
  }();
  mu::data d{mu::data::type::object};
  d.set("heading", std::string(text(l, sh.title)));
  d.set("has_message", !sh.message.empty());
  d.set("message", sh.message.empty() ? std::string() : std::string(text(l, sh.message)));
  d.set("is_error", sh.error);
  d.set("message_class", sh.error ? "notice notice-error" : "");
  d.set("login_form", sh.form);
  d.set("email_error", view.state == login_state::invalid_email);
  d.set("email", view.email);
  d.set("logout_form", view.state == login_state::logout);
  d.set("link_form", view.state == login_state::link);
  d.set("action", view.action);
  d.set("new_link", sh.new_link);
  d.set("csrf", view.csrf);
  d.set("has_next", !view.next.empty());
  d.set("next", view.next);
  return page(ctx, text(l, sh.title), "login.mustache", d);
}

std::string render_not_found(const page_context& ctx) {
  mu::data d{mu::data::type::object};
  return page(ctx, text(ctx.lang, "not_found_title"), "not_found.mustache", d);
}

std::string render_unavailable(const page_context& ctx) {
  mu::data d{mu::data::type::object};
  return page(ctx, text(ctx.lang, "unavailable_title"), "unavailable.mustache", d);
}

}  // namespace treffpunkt::web
